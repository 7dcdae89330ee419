"""HTML tables as a grid: the header row(s), then one row of values per ``<tr>``.

Column names come from ``<thead>``, else from leading rows made only of ``<th>``,
else from the first row (as a CSV header). Several header rows are combined per
column (``Victim`` over ``Name`` gives ``Victim Name``). A cell spanning columns or
rows puts its text in its first slot and leaves the others empty, so nothing is
counted twice. The table is as wide as its widest row; columns past the header get
unnamed names (``#7``), which no policy classifies, so they fail closed.

Rows without spans, the usual case, take a fast path: their cell texts are the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Row", "Grid", "build_grid", "MAX_COLSPAN", "MAX_ROWSPAN", "MAX_COLUMNS"]

MAX_COLSPAN = 1000  # the HTML standard's limits
MAX_ROWSPAN = 65534
MAX_COLUMNS = 16384


@dataclass(slots=True)
class Row:
    """One ``<tr>``.

    :param number: 1-based position among the table's rows (header rows included).
    :param group: which ``<thead>``/``<tbody>``/``<tfoot>`` it is in (rowspans end there).
    :param texts: each cell's text, in order.
    :param spans: each cell's ``(colspan, rowspan)``, or None when every cell is 1 by 1.
    :param all_th: every cell is a ``<th>``.
    :param handles: redaction only: each cell's ``(element, text pieces, text nodes)``.
    """

    number: int
    group: int
    in_head: bool
    texts: list[str]
    spans: list[tuple[int, int]] | None
    all_th: bool
    handles: list[Any] | None = None


@dataclass
class Grid:
    """A table laid out. ``starts[i]`` gives, for data row *i*, the column where each of
    its cells starts (None: cell *k* is in column *k*); ``header_starts`` likewise."""

    columns: list[str]
    rows: list[list[str]]
    numbers: list[int]
    data: list[Row] = field(default_factory=list)
    starts: list[list[int] | None] = field(default_factory=list)
    header: list[Row] = field(default_factory=list)
    header_starts: list[list[int] | None] = field(default_factory=list)


def build_grid(rows: Sequence[Row], keep_layout: bool = False) -> Grid:
    """Lay out *rows*; ``keep_layout`` keeps what redaction needs to write cells back.

    Raises ValueError for a table wider than :data:`MAX_COLUMNS`.
    """
    rows = [row for row in rows if row.texts]
    heads = _header_rows(rows)
    layout = _layout(rows)
    width = max((w for _, w, _ in layout), default=0)
    head_ids = {id(row) for row in heads}
    columns = _column_names([(row, starts, covered) for row, (starts, _, covered)
                             in zip(rows, layout, strict=True) if id(row) in head_ids], width)
    grid = Grid(columns, [], [])
    padding = [""] * width
    for row, (starts, row_width, _) in zip(rows, layout, strict=True):
        if id(row) in head_ids:
            if keep_layout:
                grid.header.append(row)
                grid.header_starts.append(starts)
            continue
        if starts is None:
            values = row.texts if row_width == width else row.texts + padding[row_width:]
        else:
            values = padding[:]
            for text, start in zip(row.texts, starts, strict=True):
                values[start] = text
        grid.rows.append(values)
        grid.numbers.append(row.number)
        if keep_layout:
            grid.data.append(row)
            grid.starts.append(starts)
    return grid


def cell_columns(row: Row, starts: list[int] | None, index: int) -> range:
    """The columns cell *index* of *row* covers."""
    start = index if starts is None else starts[index]
    span = 1 if row.spans is None else row.spans[index][0]
    return range(start, start + span)


def _header_rows(rows: list[Row]) -> list[Row]:
    head = [row for row in rows if row.in_head]
    if head:
        return head
    leading: list[Row] = []
    for row in rows:
        if not row.all_th:
            break
        leading.append(row)
    return leading or rows[:1]


_Layout = tuple[list[int] | None, int, dict[int, str]]  # starts, width, rowspan-covered slots


def _layout(rows: list[Row]) -> list[_Layout]:
    """Where each cell starts, honouring colspan and rowspan within a row group."""
    out: list[_Layout] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows it still covers)
    group = None
    for row in rows:
        if row.group != group:  # a row group ends every rowspan
            pending = {}
            group = row.group
        if row.spans is None and not pending:
            out.append((None, len(row.texts), {}))
            continue
        spans = row.spans or [(1, 1)] * len(row.texts)
        starts: list[int] = []
        covered: dict[int, str] = {}
        started: dict[int, tuple[str, int]] = {}
        column = 0
        for text, (colspan, rowspan) in zip(row.texts, spans, strict=True):
            while column in pending:
                covered[column] = pending[column][0]
                column += 1
            if column + colspan > MAX_COLUMNS:
                raise ValueError(f"a table is wider than {MAX_COLUMNS:,} columns")
            starts.append(column)
            if rowspan != 1:
                remaining = MAX_ROWSPAN if rowspan == 0 else rowspan - 1
                for offset in range(colspan):
                    started[column + offset] = (text, remaining)
            column += colspan
        for later in pending:
            if later >= column:
                covered[later] = pending[later][0]
        width = max(column, max(covered, default=-1) + 1)
        pending = {c: (text, left - 1) for c, (text, left) in pending.items() if left > 1}
        pending.update(started)  # a new cell over an old span takes the slot
        out.append((starts, width, covered))
    return out


def _column_names(header: list[tuple[Row, list[int] | None, dict[int, str]]],
                  width: int) -> list[str]:
    labels: list[list[str]] = [[] for _ in range(width)]
    for row, starts, covered in header:
        here: dict[int, str] = dict(covered)
        for index, text in enumerate(row.texts):
            for column in cell_columns(row, starts, index):
                here[column] = text
        for column, text in here.items():
            found = labels[column]
            if text and (not found or found[-1] != text):
                found.append(text)
    return [" ".join(found) or f"#{column + 1}" for column, found in enumerate(labels)]
