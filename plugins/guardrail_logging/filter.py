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

from guardrail import Guardrail, UsageError
from guardrail.plugin import REDACTED
from guardrail_logging.scanning import TextScanner

__all__ = ["PersonalDataFilter", "UNCHECKED"]

UNCHECKED = f"{REDACTED} (guardrail could not check this log record)"
"""What a record says when checking it failed: fail closed, never the message itself."""

_ACTIONS = ("mask", "drop")


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

    ``masked`` and ``dropped`` count the records changed and removed. ``filter`` never
    raises: a record it cannot check is masked whole (:data:`UNCHECKED`) or dropped.
    """

    def __init__(self, policy: str | os.PathLike[str] | Guardrail = "uk-content-scan",
                 action: str = "mask", destination: str | None = None, name: str = "") -> None:
        super().__init__(name)
        if action not in _ACTIONS:
            raise UsageError(f"action must be 'mask' or 'drop', not {action!r}")
        self.action = action
        self.scanner = TextScanner(policy, destination) if isinstance(policy, Guardrail) \
            else _scanner(os.fspath(policy), destination)
        self.masked = 0
        self.dropped = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not super().filter(record):
            return True  # another logger's record: this filter does not judge it
        try:
            found = self._mask(record)
        except Exception:  # noqa: BLE001 - a log call must never fail; fail closed
            found = -1
        if not found:
            return True
        if self.action == "drop":
            with self._lock:
                self.dropped += 1
            return False
        if found < 0:
            _replace(record, UNCHECKED, None, None)
        with self._lock:
            self.masked += 1
        return True

    def _mask(self, record: logging.LogRecord) -> int:
        """Mask *record*'s texts in place (in mask mode); how many values were found."""
        message, in_message = self.scanner.mask(record.getMessage())
        trace = record.exc_text or (_traceback(record.exc_info) if record.exc_info else None)
        trace_masked, in_trace = self.scanner.mask(trace) if trace else (trace, 0)
        stack_masked, in_stack = self.scanner.mask(record.stack_info) \
            if record.stack_info else (record.stack_info, 0)
        found = in_message + in_trace + in_stack
        if found and self.action == "mask":
            _replace(record, message, trace_masked, stack_masked)
        return found


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
