"""The checkpoint every integration shares: a body on its way out, named by its media
type or its file name, checked for one destination in enforce or audit mode.

An S3 upload, an HTTP request, a web response and a CKAN upload all reach guardrail as
bytes with a ``Content-Type`` or a key; :class:`Gate` turns that into one check, so each
integration decides the same way: a body whose type no format reads and that is not
passed through on purpose is read by its content, and refused when nothing can read it.
"""

from __future__ import annotations

import fnmatch
import io
import os
from collections.abc import Iterable
from email.message import Message
from typing import Any

from guardrail.api import Guardrail
from guardrail.decision import Decision, PublishBlocked
from guardrail.errors import UsageError
from guardrail.runner import MODES
from guardrail.sources import Refused

__all__ = ["Gate", "require_mode"]


def require_mode(name: str, value: str) -> None:
    """Raise :class:`~guardrail.UsageError` unless *value* is ``enforce`` or ``audit``."""
    if value not in MODES:
        raise UsageError(f"{name} must be 'enforce' or 'audit', not {value!r}")


class _NamedBytes(io.BytesIO):
    """Bytes with the name a report shows (screened like any path, see
    :func:`guardrail.sources.source_label`)."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


class Gate:
    """A policy, a destination and a mode, ready to judge bodies on their way out.

    :param policy: a :class:`~guardrail.Guardrail`, or a shipped policy's name or a file.
    :param destination: where the bodies go; the policy's default when None.
    :param mode: ``enforce`` (a blocked body must not leave) or ``audit`` (it leaves;
        the decision, and the after-check hook, say what enforce would have done).
    :param pass_through: media types let through unchecked, ``*`` allowed
        (``image/*``); a wildcard never covers a type a format reads (an SVG is XML),
        only naming it exactly does. Empty by default: every body is checked.
    :param check_options: passed to :meth:`~guardrail.Guardrail.check` (``limits``,
        ``max_findings``, ``jobs``...).

    Thread-safe, like the :class:`~guardrail.Guardrail` it wraps: build one per
    publishing step and share it.
    """

    def __init__(self, policy: str | os.PathLike[str] | Guardrail,
                 destination: str | None = None, mode: str = "enforce", *,
                 pass_through: Iterable[str] = (), **check_options: Any) -> None:
        require_mode("mode", mode)
        self.guardrail = policy if isinstance(policy, Guardrail) else \
            Guardrail.from_policy(policy)
        self.guardrail.compiled(destination)  # an unknown destination fails now
        self.destination = destination
        self.mode = mode
        self.pass_through = tuple(p.strip().lower() for p in pass_through)
        self.check_options = check_options

    def passes_unchecked(self, media_type: str | None) -> bool:
        """True for a media type the caller chose to let through unchecked."""
        if not media_type or not self.pass_through:
            return False
        wanted = media_type.split(";", 1)[0].strip().lower()
        if wanted in self.pass_through:
            return True
        # A wildcard never covers a type a format reads: image/* is not image/svg+xml.
        return self.guardrail.registry.format_for_media_type(wanted) is None and \
            any(fnmatch.fnmatchcase(wanted, pattern) for pattern in self.pass_through)

    def format_of(self, media_type: str | None = None, name: str | None = None) -> str | None:
        """The format to read a body as: its media type's, else its name's extension's,
        else None (the content decides, and a body nothing reads is refused)."""
        registry = self.guardrail.registry
        return registry.format_for_media_type(media_type) or registry.format_for_name(name)

    def check(self, body: Any, *, media_type: str | None = None, name: str | None = None,
              format: str | None = None) -> Decision:
        """Check *body* (bytes, text, a binary stream, dict records or a DataFrame).

        :param media_type: its ``Content-Type``; a ``charset`` parameter is the text's
            encoding.
        :param name: a file name or key; its extension names the format when the media
            type does not, and reports show it once screened.
        """
        options = dict(self.check_options)
        charset = self.charset(media_type)
        if charset and "encoding" not in options:
            options["encoding"] = charset
        if isinstance(body, str):
            body = body.encode(options.get("encoding") or "utf-8")
        if isinstance(body, (bytes, bytearray, memoryview)) and name:
            body = _NamedBytes(bytes(body), name)
        return self.guardrail.check(body, format=format or self.format_of(media_type, name),
                                    destination=self.destination, mode=self.mode, **options)

    def enforce(self, body: Any, **how: Any) -> Decision:
        """:meth:`check`, raising :class:`~guardrail.PublishBlocked` when the body must
        not leave: blocked in enforce mode, or unreadable in either mode."""
        decision = self.check(body, **how)
        if self.blocks(decision):
            raise PublishBlocked(decision)
        return decision

    def refuse(self, reason: str, *, name: str | None = None) -> Decision:
        """The decision for a body the integration could not read itself (over its cap,
        in a coding it cannot undo): unreadable, so held back in both modes, and seen by
        every after-check hook like any other decision. *reason* must quote nothing of
        the body: ``"the body is larger than 16 MiB"``."""
        return self.guardrail.check(Refused(reason, name), destination=self.destination,
                                    mode=self.mode, log=self.check_options.get("log"))

    @staticmethod
    def charset(media_type: str | None) -> str | None:
        """The ``charset`` parameter of a ``Content-Type`` (lower-case), if any: read by
        the standard library's MIME parser, quoting and case as RFC 2045 has them."""
        if not media_type:
            return None
        message = Message()
        message["Content-Type"] = media_type
        return message.get_content_charset()

    @staticmethod
    def blocks(decision: Decision) -> bool:
        """Must the body this decision judged be held back? (Audit mode holds back only
        what could not be read.)"""
        return decision.exit_code != 0
