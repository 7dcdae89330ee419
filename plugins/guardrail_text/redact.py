"""Writing a redacted copy of plain text or Markdown, line by line.

The copy is cut into sections exactly as :class:`~.sections.Sections` cuts the
original (a run of text lines, a pipe table), so the redactor judges each line as a
check would. Unchanged lines are written byte for byte as read (line breaks too);
a line whose record is dropped becomes an empty line; a table row that changed is
written again as ``| a | b |`` with dropped columns removed from the header, the
delimiter row and every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from guardrail.plugin import DROPPED

from .blocks import BLANK, DELIMITER, HEADER, ROW, TEXT, Event
from .sections import column_names, table_name

if TYPE_CHECKING:
    from guardrail.plugin import DocumentRedaction, Redactor, TableRedaction

__all__ = ["write_redacted"]


def write_redacted(events: Iterable[Event], redactor: Redactor, out: BinaryIO) -> None:
    """Pass every line through *redactor* and write the copy to *out* as UTF-8."""
    _Writer(redactor, out).run(events)


class _Writer:
    def __init__(self, redactor: Redactor, out: BinaryIO) -> None:
        self.redactor = redactor
        self.out = out
        self.docs: DocumentRedaction | None = None  # the run of text lines being written
        self.table: TableRedaction | None = None
        self.header: list[str] = []  # the current table's column names as read
        self.whole = True  # the current table keeps every column under its own name
        self.tables = 0

    def run(self, events: Iterable[Event]) -> None:
        for event in events:
            kind = event.kind
            if kind == TEXT:
                self._text(event)
            elif kind == ROW:
                self._row(event)
            elif kind == HEADER:
                self._header(event)
            elif kind == DELIMITER:
                self._delimiter(event)
            else:
                assert kind == BLANK
                self.docs = None
                self._write(event.text + event.ending)

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def _text(self, event: Event) -> None:
        if self.docs is None:
            self.table = None
            self.docs = self.redactor.documents(first_index=event.number - 1, lines=True)
        record = self.docs.record({"text": event.text})
        if record is DROPPED or "text" not in record:
            # Nothing of the line may be published: an empty line in its place ends the
            # paragraph, so what is left around it is not read on as one text (the end
            # of the line before and the start of the line after could spell a name),
            # and line numbers stay those of the original.
            self.docs = None
            self._write(event.ending)
            return
        value = record["text"]
        self._write((event.text if value is event.text else str(value)) + event.ending)

    def _header(self, event: Event) -> None:
        self.docs = None
        self.tables += 1
        self.header = column_names(event.cells or [])
        self.table = self.redactor.table(self.header,
                                         section=table_name(self.tables, event.number))
        kept = [self.header[i] for i in self.table.keep]
        self.whole = len(kept) == len(self.header) and list(self.table.columns) == kept
        if self.whole:
            self._write(event.text + event.ending)
        elif self.table.keep:
            cells = event.cells or []
            names = [cells[i] if name == self.header[i] else str(name)
                     for i, name in zip(self.table.keep, self.table.columns, strict=True)]
            self._write(_row(names) + event.ending)

    def _delimiter(self, event: Event) -> None:
        assert self.table is not None
        if self.whole:
            self._write(event.text + event.ending)
        elif self.table.keep:
            cells = event.cells or []
            self._write(_row([cells[i] for i in self.table.keep]) + event.ending)

    def _row(self, event: Event) -> None:
        assert self.table is not None
        cells = event.cells or []
        values = self.table.row(cells)
        if self.whole and len(values) == len(cells) and \
                all(new is old for new, old in zip(values, cells, strict=True)):
            self._write(event.text + event.ending)
        elif self.table.keep:
            self._write(_row(values) + event.ending)


def _row(cells: Sequence[Any]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(value: Any) -> str:
    """A cell as Markdown writes it: pipes escaped, no line breaks inside a row."""
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
