"""What format plugins hand to the engine: sections of records, streamed.

A payload is read as one or more sections. Tabular formats yield a
:class:`Table` (column names once, then rows as sequences, which is far cheaper
than a dict per row); nested formats yield :class:`Documents`. Both are
consumed once, lazily, so memory does not grow with the number of records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["Table", "Documents", "Section", "Span", "Locator", "RowLocator"]

Locator = Callable[[Any], "str | None"]
"""Documents: called with a record, only when a finding in it is listed, right after
the record is produced and before the next one; returns where it is (``line 14``)."""

RowLocator = Callable[[Sequence[Any], Any], "str | None"]
"""Tables: called with a row and the value ``Table.mark()`` returned right after that
row was produced (None without ``mark``). The engine reads rows in batches, so a
table whose position is reader state must provide ``mark``."""


@dataclass
class Table:
    """Rows that share one header.

    :param columns: field name of each column, in order.
    :param rows: iterable of sequences aligned with *columns*. A longer row's
        extra cells are reported as unnamed columns; a shorter row's missing
        cells are empty.
    :param name: section name shown in findings (a sheet or table name), if any.
    :param locate: optional callable giving a row's position (see :data:`RowLocator`).
    :param mark: optional cheap callable capturing reader state after each row
        (e.g. the line number), passed back to *locate*.
    :param typed: False when every value is text as written (CSV), so rules may
        compare numbers written as text.
    :param cell: optional callable giving one cell's position, called with the row's
        mark (see *mark*) and the column index: ``Sheet1!C12``. Used instead of
        *locate* for findings in a cell.
    """

    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]
    name: str | None = None
    locate: RowLocator | None = None
    mark: Callable[[], Any] | None = None
    typed: bool = False
    cell: Callable[[Any, int], str | None] | None = None


@dataclass
class Documents:
    """Nested records (dicts, lists, scalars) such as JSON objects.

    :param records: iterable of records; each is checked field by field.
    :param name: section name shown in findings, if any.
    :param locate: optional callable giving a record's position (see :data:`Locator`).
    :param first_index: record index of the first record (0-based).
    :param index: False for a section that is not a list of records (e.g. the
        rest of a JSON document around its records); its findings carry no index.
    :param typed: False when scalars are text as written (YAML read as written, XML),
        so record rules compare top-level numbers written as text (``count: 3``).
    :param lines: the records are consecutive lines of one text (a paragraph), which a
        reader reads on from one to the next: the end of each record is also read
        with the start of the next (a postcode or a name broken over two lines).
    """

    records: Iterable[Any]
    name: str | None = None
    locate: Locator | None = None
    first_index: int = 0
    index: bool = True
    typed: bool = True
    lines: bool = False


Section = Table | Documents


class Span(NamedTuple):
    """A detector's match inside a string: ``text[start:end]``.

    A named tuple rather than a dataclass: detectors create one per match, millions
    of times on a large export, and a tuple is several times cheaper to build.
    """

    start: int
    end: int
    confidence: float = 1.0
    evidence: str | None = None  # detector-specific masked evidence, e.g. "HP1 ***"

    def masked(self, text: str) -> str:
        """The evidence shown for this span of *text*: the detector's own, else the masked match."""
        from guardrail.masking import mask_value

        return self.evidence if self.evidence is not None else \
            mask_value(text[self.start:self.end])
