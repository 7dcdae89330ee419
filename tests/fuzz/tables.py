"""Writers for the tabular formats: CSV, TSV, XLSX and Parquet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from .exports import COLUMNS, Export, Slot
from .writers import NotRepresentable, Writer, slot_text

__all__ = ["WRITERS"]


def _rows(export: Export) -> list[list[str]]:
    rows = []
    for index in range(len(export.records)):
        row = []
        for column in COLUMNS:
            value = export.cell(index, column)
            row.append(slot_text(value) if isinstance(value, Slot) else value)
        rows.append(row)
    return rows


def _delimited(delimiter: str) -> Callable[[Export], bytes]:
    def write(export: Export) -> bytes:
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(_rows(export))
        return out.getvalue().encode("utf-8")
    return write


def _number(column: str, value: str) -> str | int:
    return int(value) if column == "count" and value.isdigit() else value


def write_xlsx(export: Export) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    sheet = book.active
    sheet.title = "Statistics"
    sheet.append(list(COLUMNS))
    try:
        for row in _rows(export):
            sheet.append([_number(c, v) for c, v in zip(COLUMNS, row, strict=True)])
    except IllegalCharacterError:
        raise NotRepresentable("a control character in an XLSX cell") from None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_parquet(export: Export) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _rows(export)
    columns = {c: [_number(c, row[i]) for row in rows] for i, c in enumerate(COLUMNS)}
    if any(not isinstance(v, int) for v in columns["count"]):
        columns["count"] = [str(v) for v in columns["count"]]
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


WRITERS = (
    Writer("csv", ".csv", _delimited(",")),
    Writer("tsv", ".tsv", _delimited("\t")),
    Writer("xlsx", ".xlsx", write_xlsx),
    Writer("parquet", ".parquet", write_parquet, redacts=False),
)
