"""Progress of a check, for a caller that shows it (the CLI's bar on a terminal).

The runner gives each file a :class:`Meter` only when a listener was passed: no
listener, no meter, no cost. A meter counts bytes where every binary read of the
payload passes (``Payload(meter=...)``) and records as the engine takes them, and tells
the listener at most every :data:`INTERVAL` seconds, plus once when a file starts and
once when it is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["Progress", "ProgressListener", "Meter", "INTERVAL"]

INTERVAL = 0.1  # seconds between two reports on one file, at least
_T = TypeVar("_T")


@dataclass(frozen=True)
class Progress:
    """Where a check stands.

    :param file: the file being checked, from 1.
    :param files: how many files the check holds.
    :param label: the file as the Decision names it (screened: never a raw path).
    :param bytes_read: bytes read of the file so far.
    :param total_bytes: the file's size, or None when unknown (stdin, a stream).
    :param records: records read so far.
    :param done: True on the file's last report.
    """

    file: int
    files: int
    label: str
    bytes_read: int
    total_bytes: int | None
    records: int
    done: bool = False


ProgressListener = Callable[[Progress], None]


class Meter:
    """Counts one file's bytes and records for *listener*, throttled."""

    def __init__(self, listener: ProgressListener, file: int, files: int, label: str,
                 total_bytes: int | None = None) -> None:
        self.listener = listener
        self.file, self.files, self.label = file, files, label
        self.total_bytes = total_bytes
        self.bytes_read = 0
        self.records = 0
        self._due = 0.0

    def emit(self, done: bool = False) -> None:
        """Tell the listener where the file stands now."""
        self._due = time.monotonic() + INTERVAL
        self.listener(Progress(self.file, self.files, self.label, self.bytes_read,
                               self.total_bytes, self.records, done))

    def reached(self, position: int) -> None:
        """One pass over the file is at byte *position*: a format reading a file twice
        does not count its bytes twice, so the count never passes the size."""
        if position > self.bytes_read:
            self.bytes_read = position
            if time.monotonic() >= self._due:
                self.emit()

    def count(self, items: Iterable[_T]) -> Iterator[_T]:
        """*items* as they are, counted (one attribute store per record)."""
        try:
            for self.records, item in enumerate(items, self.records + 1):  # noqa: B020, B007
                yield item
        except GeneratorExit:
            close = getattr(items, "close", None)  # the reader's generator, stopped early
            if close is not None:
                close()
            raise

    def watch(self, section: Any) -> Any:
        """*section* (a Table or Documents) with its records counted."""
        if hasattr(section, "rows"):
            section.rows = self.count(section.rows)
        elif hasattr(section, "records"):
            section.records = self.count(section.records)
        return section
