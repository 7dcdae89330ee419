"""Progress of a check, for a caller that shows it (the CLI's bar on a terminal).

The runner gives each file a :class:`Meter` only when a listener was passed: no
listener, no meter, no cost. A meter counts bytes where every binary read of the
payload passes (``Payload(meter=...)``) and records as the engine takes them (in C:
no Python step per record), and tells the listener at most every :data:`INTERVAL`
seconds, plus once when a file starts and once when it is done.
"""

from __future__ import annotations

import itertools
import operator
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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
        self._counted = 0  # records of the sections before the one being read
        self._counter: Iterator[None] | None = None
        self._due = 0.0

    @property
    def records(self) -> int:
        """Records read so far."""
        if self._counter is None:
            return self._counted
        return self._counted + _ENOUGH - operator.length_hint(self._counter)

    @records.setter
    def records(self, value: int) -> None:
        self._counted, self._counter = value, None

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

    def count(self, items: Iterable[_T]) -> Iterable[_T]:
        """*items* as they are, one at a time, counted in C: a Python step per record
        would cost a large check a few percent."""
        self.records = self.records  # close the previous section's count
        self._counter = itertools.repeat(None, _ENOUGH)
        return _Tallied(items, self._counter)

    def watch(self, section: Any) -> Any:
        """*section* (a Table or Documents) with its records counted."""
        if hasattr(section, "rows"):
            section.rows = self.count(section.rows)
        elif hasattr(section, "records"):
            section.records = self.count(section.records)
        return section


_ENOUGH = sys.maxsize  # a counter's start: it counts down as records are taken


class _Tallied(Generic[_T]):
    """*items*, each taken with one step of *counter*, a C ``repeat`` whose length hint
    says how many steps are left (zip pulls the item first, so the counter moves only
    when there is one; nothing is allocated per record). ``close`` reaches the reader's
    generator, so a check stopped half-way still closes it at once."""

    def __init__(self, items: Iterable[_T], counter: Iterator[None]) -> None:
        self._items = items
        self._iterator: Iterator[_T] = map(_first, zip(items, counter, strict=False))

    def __iter__(self) -> Iterator[_T]:
        return self._iterator

    def __next__(self) -> _T:
        return next(self._iterator)

    def close(self) -> None:
        close = getattr(self._items, "close", None)
        if close is not None:
            close()


_first = operator.itemgetter(0)
