"""Events -> sections: runs of text lines become Documents, pipe tables become Tables.

Each run of non-blank text lines is one :class:`Documents` section whose
``first_index`` is its first line number - 1, so a record's index is always its
line number - 1 although blank lines are not records. Sections are lazy and share
one pass over the lines: the engine reads each section to its end before asking
for the next.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrail.plugin import Documents, Table

from .blocks import HEADER, ROW, TEXT, Event

__all__ = ["Sections", "table_name", "column_names"]


def table_name(ordinal: int, line: int) -> str:
    return f"table {ordinal} (line {line})"


def column_names(cells: list[str]) -> list[str]:
    """Header cells as column names; an empty header cell is ``#N`` as in CSV."""
    return [cell or f"#{i + 1}" for i, cell in enumerate(cells)]


class Sections:
    """Cuts a stream of :class:`Event` into sections, one pass, one event read ahead."""

    def __init__(self, events: Iterator[Event]) -> None:
        self._events = events
        self._next: Event | None = next(events, None)
        self.line = 0  # number of the line whose record or row was produced last
        self._before: tuple[object, int] = (None, 0)  # the record before it, and its line
        self._tables = 0
        self._current: object = None

    def __iter__(self) -> Iterator[Documents | Table]:
        while self._next is not None:
            event = self._next
            if event.kind == TEXT:
                section: Documents | Table = Documents(
                    self._records(), first_index=event.number - 1, locate=self._locate,
                    lines=True)
            elif event.kind == HEADER:
                self._tables += 1
                self._advance()  # the header
                self._advance()  # its delimiter row, never a record
                section = Table(column_names(event.cells or []), self._rows(),
                                name=table_name(self._tables, event.number),
                                mark=self._mark, locate=_row_position)
            else:
                self._advance()
                continue
            yield section
            self._drain(event.kind)

    def _advance(self) -> Event | None:
        current = self._next
        self._next = next(self._events, None)
        return current

    def _drain(self, kind: str) -> None:
        """Skip what a consumer left unread, so the next section starts where it should."""
        wanted = ROW if kind == HEADER else TEXT
        while self._next is not None and self._next.kind == wanted:
            self._advance()

    def _records(self) -> Iterator[dict[str, str]]:
        while self._next is not None and self._next.kind == TEXT:
            event = self._next
            self._next = next(self._events, None)
            record = {"text": event.text}
            if self.line:
                self._before = (self._current, self.line)
            self.line, self._current = event.number, record
            yield record

    def _rows(self) -> Iterator[list[str]]:
        while self._next is not None and self._next.kind == ROW:
            event = self._next
            self._next = next(self._events, None)
            self.line = event.number
            yield event.cells  # type: ignore[misc]

    def _locate(self, record: object) -> str:
        # A match across two lines is also reported on the line before.
        before, line = self._before
        return f"line {line if record is before else self.line}"

    def _mark(self) -> int:
        return self.line


def _row_position(row: object, line: int) -> str:
    return f"line {line}"

