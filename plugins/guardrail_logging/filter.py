"""A ``logging.Filter`` that masks or drops log records carrying personal data.

A log line is a publication too: it is shipped to a log service, kept for months and
read by people the data's subjects never agreed to. The filter checks what a handler
would write (the formatted message, the exception's traceback text and the stack text)
with the content detectors, and either masks each value where it stands or drops the
record.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import traceback
from typing import Any

from guardrail import Gate, Guardrail, UsageError
from guardrail.plugin import REDACTED
from guardrail_logging.scanning import TextScanner

__all__ = ["PersonalDataFilter", "UNCHECKED"]

UNCHECKED = f"{REDACTED} (guardrail could not check this log record)"
"""What a record says when checking it failed: fail closed, never the message itself."""

_ACTIONS = ("mask", "drop")
_MODES = ("enforce", "audit")


@functools.lru_cache(maxsize=8)
def _scanner(policy: str, destination: str | None) -> TextScanner:
    """One scanner per policy and destination, shared by every filter in the process:
    loading a policy and the detectors' lists costs a fraction of a second."""
    return TextScanner(Guardrail.from_policy(policy), destination)


class PersonalDataFilter(logging.Filter):
    """Mask (``action="mask"``) or drop (``action="drop"``) records in which the
    policy's content detectors find what *destination* may not receive.

    :param policy: a shipped policy's name or a policy file, or a
        :class:`~guardrail.Guardrail`. Only its content detectors run (which ones, how
        sure they must be); its field rules judge records, not free text.
    :param destination: where the logs go; the policy's default when None.
    :param name: as for ``logging.Filter``: only records of that logger and its children
        are looked at (the others pass untouched).
    :param mode: ``enforce`` masks or drops; ``audit`` lets every record through as it
        is and counts, in ``flagged``, those it would have masked or dropped.

    ``masked`` and ``dropped`` count the records changed and removed. A record in which
    something was found is also checked as a one-record text payload, so the
    ``guardrail_after_check`` hook (a decision log) sees a decision for it, in both
    modes; clean records cost no decision. ``filter`` never raises: a record it cannot
    check is masked whole (:data:`UNCHECKED`) or dropped (in audit mode, let through
    and flagged).
    """

    def __init__(self, policy: str | os.PathLike[str] | Guardrail = "uk-content-scan",
                 action: str = "mask", destination: str | None = None, name: str = "",
                 mode: str = "enforce") -> None:
        super().__init__(name)
        if action not in _ACTIONS:
            raise UsageError(f"action must be 'mask' or 'drop', not {action!r}")
        if mode not in _MODES:
            raise UsageError(f"mode must be 'enforce' or 'audit', not {mode!r}")
        self.action, self.mode = action, mode
        self.scanner = TextScanner(policy, destination) if isinstance(policy, Guardrail) \
            else _scanner(os.fspath(policy), destination)
        self.gate = Gate(self.scanner.guardrail, destination, mode)
        self.masked = 0
        self.dropped = 0
        self.flagged = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not super().filter(record):
            return True  # another logger's record: this filter does not judge it
        try:
            found, masked, raw = self._found(record)
        except Exception:  # noqa: BLE001 - a log call must never fail; fail closed
            found, masked, raw = -1, None, None
        if not found:
            return True
        self._decide(raw)
        if self.mode == "audit":
            with self._lock:
                self.flagged += 1
            return True
        # Masked in place even when dropped: the record object is shared, and another
        # handler or filter that still sees it must not see the raw values.
        if masked is None:
            _replace(record, UNCHECKED, None, None)
        else:
            _replace(record, *masked)
        with self._lock:
            if self.action == "drop":
                self.dropped += 1
            else:
                self.masked += 1
        return self.action != "drop"

    def _found(self, record: logging.LogRecord) -> tuple[int, tuple[Any, ...], str]:
        """How many values *record*'s texts hold, the texts masked (message, traceback,
        stack), and the texts as they are, joined, for the decision."""
        message = record.getMessage()
        trace = record.exc_text or (_traceback(record.exc_info) if record.exc_info else None)
        texts = (message, trace, record.stack_info)
        found, masked = 0, []
        for text in texts:
            if text:
                text, count = self.scanner.mask(text)
                found += count
            masked.append(text)
        return found, tuple(masked), "\n".join(t for t in texts if t)

    def _decide(self, raw: str | None) -> None:
        """Check the record as a one-record text payload, so the after-check hook (a
        decision log) sees it; never raises, and nothing depends on the verdict."""
        try:
            if raw is None:
                self.gate.refuse("a log record whose message could not be formatted")
            else:
                self.gate.check(raw.encode("utf-8", "replace"), format="text")
        except Exception:  # noqa: BLE001, S110 - best effort: the filter's verdict stands
            pass


def _traceback(exc_info: object) -> str:
    """The traceback text a formatter writes (``logging.Formatter.formatException``)."""
    if exc_info is True or not isinstance(exc_info, tuple):
        return ""
    text = "".join(traceback.format_exception(*exc_info))
    return text[:-1] if text.endswith("\n") else text


def _replace(record: logging.LogRecord, message: str, trace: str | None,
             stack: str | None) -> None:
    """The record now says *message*; its args and exception object, which a handler
    might format afresh, are gone, and the traceback is only the masked text."""
    record.msg, record.args = message, None
    record.exc_info, record.exc_text = None, trace or None
    record.stack_info = stack
