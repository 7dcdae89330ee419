"""Writers for the tabular formats: CSV, TSV, XLSX and Parquet."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape as xml_escape

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


# A workbook as Excel writes one (shared strings, one sheet), put together by hand:
# openpyxl takes about 20 ms a workbook, which would be most of the campaign's time.
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Statistics" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _column(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def write_xlsx(export: Export) -> bytes:
    strings: dict[str, int] = {}
    rows = []
    for number, row in enumerate([list(COLUMNS), *_rows(export)], 1):
        cells = []
        for index, (column, value) in enumerate(zip(COLUMNS, row, strict=True)):
            ref = f"{_column(index)}{number}"
            if number > 1 and isinstance(_number(column, value), int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                if _NOT_XML.search(value):
                    raise NotRepresentable("a control character in an XLSX cell")
                shared = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{ref}" t="s"><v>{shared}</v></c>')
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
             f'"{_MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>')
    shared = "".join(f'<si><t xml:space="preserve">{xml_escape(text)}</t></si>'
                     for text in strings)
    table = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{_MAIN}" '
             f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", table)
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
