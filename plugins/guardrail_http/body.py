"""One request body, judged by its ``Content-Type``: the logic the httpx hook and the
requests adapter share, so both decide alike.

JSON, CSV, XML and every other type a format declares are read by that format; a
URL-encoded form is one record of its fields; a multipart form is its text fields (one
record) and each file part (read by its own type or file name), checked together as one
publication, so one request gives one decision. A body nothing can read, a malformed
form, an encoded (compressed) body or one over the size cap is refused in both modes.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guardrail import Decision, Gate, Guardrail, PublishBlocked, UsageError
from guardrail_http.forms import (
    FormError,
    Part,
    fields_document,
    form_record,
    multipart_parts,
)

__all__ = ["BodyCheck", "RequestBlocked", "DEFAULT_MAX_BODY_BYTES", "MAX_FILE_PARTS",
           "Unreadable"]

DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
"""The largest body checked (and so held in memory); a larger one is refused."""

MAX_FILE_PARTS = 1000
"""The most files one multipart request may carry; more is refused."""

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


class RequestBlocked(PublishBlocked):
    """The request was not sent: its body may not go to the destination, or could not be
    checked. ``decision`` says why; the message is the decision's masked summary."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision)
        self.args = (f"{decision.summary()}; the request was not sent",)


@dataclass(frozen=True)
class Unreadable:
    """A body the client hook cannot read itself (over the cap): refused through
    :meth:`guardrail.Gate.refuse`, so the after-check hook sees the refusal too."""

    reason: str


class _Named(io.BytesIO):
    """Bytes with the name a report shows (screened by the core like any path) and
    whose extension names the format."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


class BodyCheck:
    """A Gate and a size cap, judging request bodies.

    :param policy: a :class:`~guardrail.Gate` (used as it is), a
        :class:`~guardrail.Guardrail`, or a shipped policy's name or a policy file.
    :param max_body_bytes: the largest body read and checked; a larger one is refused.
    """

    def __init__(self, policy: Gate | Guardrail | str | os.PathLike[str],
                 destination: str | None = None, mode: str = "enforce", *,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 pass_through: Iterable[str] = (), **check_options: Any) -> None:
        if isinstance(policy, Gate):
            if destination is not None or mode != "enforce" or tuple(pass_through) \
                    or check_options:
                raise UsageError("given a Gate, set the destination, mode, pass_through "
                                 "and check options on the Gate itself")
            self.gate = policy
        else:
            self.gate = Gate(policy, destination, mode, pass_through=pass_through,
                             **check_options)
        if max_body_bytes < 1:
            raise UsageError("max_body_bytes must be a positive number of bytes")
        self.max_body_bytes = max_body_bytes

    def passes_unchecked(self, content_type: str | None) -> bool:
        """A type the Gate lets through unchecked: its body is not even read."""
        return self.gate.passes_unchecked(content_type)

    def too_large(self) -> Unreadable:
        return Unreadable(f"the request body is over the {self.max_body_bytes:,}-byte cap; "
                          "it is refused unchecked. Raise max_body_bytes if it is genuine")

    def enforce(self, body: bytes | Unreadable, content_type: str | None,
                content_encoding: str | None = None) -> Decision | None:
        """Check *body*; raise :class:`RequestBlocked` when it must not be sent. None
        when there was nothing to check (no body, or a type passed through)."""
        decision = self.check(body, content_type, content_encoding)
        if decision is not None and Gate.blocks(decision):
            raise RequestBlocked(decision)
        return decision

    def check(self, body: bytes | Unreadable, content_type: str | None,
              content_encoding: str | None = None) -> Decision | None:
        """The decision on *body* sent as *content_type*, or None when there was nothing
        to check."""
        gate = self.gate
        if isinstance(body, Unreadable):
            return gate.refuse(body.reason)
        if not body or gate.passes_unchecked(content_type):
            return None
        if len(body) > self.max_body_bytes:
            return gate.refuse(self.too_large().reason)
        if content_encoding and content_encoding.strip().lower() != "identity":
            return gate.refuse("the request body is compressed (Content-Encoding); it "
                               "cannot be checked, so it is refused. Send it uncompressed")
        media = (content_type or "").split(";", 1)[0].strip().lower()
        try:
            if media == _FORM:
                return gate.check([form_record(body, Gate.charset(content_type))])
            if media == _MULTIPART:
                return gate.check(self._multipart_payloads(body, content_type or ""))
        except FormError as error:
            return gate.refuse(str(error))
        return gate.check(body, media_type=content_type)

    def _multipart_payloads(self, body: bytes, content_type: str) -> list[Any]:
        parts = multipart_parts(body, content_type)
        payloads: list[Any] = [_Named(fields_document(parts), "form-fields.json")]
        # an empty file part is a file input left empty: nothing is published
        files = [part for part in parts if part.is_file and part.data
                 and not self.gate.passes_unchecked(part.media_type)]
        if len(files) > MAX_FILE_PARTS:  # each is a payload of its own: bound the work
            raise FormError(f"the multipart body holds more than {MAX_FILE_PARTS:,} files; "
                            "send them in several requests")
        return payloads + [self._file(part) for part in files]

    def _file(self, part: Part) -> _Named:
        """A file part, named so the core reads it as its Content-Type says (else as its
        file name says, else by its content)."""
        name = part.filename or f"part-{part.position}"
        by_type = self.gate.guardrail.registry.format_for_media_type(part.media_type)
        if by_type is not None and self.gate.format_of(None, name) != by_type:
            extensions = self.gate.guardrail.registry.formats[by_type].extensions
            name = f"{name}{extensions[0]}" if extensions else name
        return _Named(part.data, name)

