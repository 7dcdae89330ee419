"""One worksheet as a table, read with calamine (Rust): cells arrive typed and fast.

The header is the first non-empty row and every later non-empty row is a record.
Reading and redaction both go through :class:`SheetTable`, so the redactor sees
exactly the rows a check saw.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from guardrail.plugin import Table

from .cells import column_letter, header_name, sheet_ref

__all__ = ["SheetTable"]


class SheetTable:
    """The table on one sheet: header row, columns, and its rows with their sheet rows.

    :param name: the sheet name (the section name in findings).
    :param rows: calamine's rows, from sheet row 1 (it pads rows above the data).
    :param first_column: 0-based sheet column of the first cell of each row.
    :param width: cells per row (calamine's ranges are rectangular).
    """

    def __init__(self, name: str, rows: Iterator[list[Any]], first_column: int,
                 width: int) -> None:
        self.name = name
        self.first_column = first_column
        self.width = width
        self.row = 0  # sheet row (1-based) of the row last produced: ``Table.mark``
        self._rows = rows
        self.header_row = 0
        self.header: list[Any] = []
        for number, row in enumerate(rows, 1):
            if row.count("") != width:
                self.header_row, self.header = number, row
                break
        self.columns = [header_name(value, first_column + i) for i, value in enumerate(self.header)]
        self._ref = sheet_ref(name)
        self._last = column_letter(first_column + max(width - 1, 0))

    @classmethod
    def from_calamine(cls, sheet: Any) -> SheetTable | None:
        """The sheet's table, or None for a sheet with no cells at all."""
        start = sheet.start
        if start is None:
            return None
        table = cls(sheet.name, iter(sheet.iter_rows()), start[1], sheet.width)
        return table if table.header_row else None

    def rows(self) -> Iterator[list[Any]]:
        """Non-empty rows after the header; :attr:`row` is the sheet row of the last one."""
        width = self.width
        for number, row in enumerate(self._rows, self.header_row + 1):
            if row.count("") != width:  # calamine gives "" for every empty cell
                self.row = number
                yield row
        self._rows = iter(())  # frees calamine's copy of the sheet before the next one loads

    def table(self) -> Table:
        return Table(self.columns, self.rows(), name=self.name, locate=self.locate,
                     mark=partial(getattr, self, "row"), typed=True, cell=self.cell)

    def cell(self, row: int, column: int) -> str:
        """``Sheet1!C12`` for a column of the table on sheet row *row*."""
        return f"{self._ref}!{column_letter(self.first_column + column)}{row}"

    def locate(self, _values: Sequence[Any], row: int) -> str:
        """The whole row as a range (``Sheet1!C12:H12``), for findings about a record."""
        first = column_letter(self.first_column)
        return f"{self._ref}!{first}{row}:{self._last}{row}"

    def header_cell(self, column: int) -> str:
        return self.cell(self.header_row, column)
