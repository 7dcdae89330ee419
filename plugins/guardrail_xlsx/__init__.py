"""XLSX format: every sheet (hidden ones too) as a table, plus what cell values do not
show: formulas, comments, defined names holding data, pivot caches (a full copy of
their source data, kept even when the source sheet is deleted) and the document
properties, custom ones included.

A sheet's header is its first non-empty row; each later non-empty row is a record,
its cells typed (numbers, dates, booleans, text) and located as ``Sheet1!C12``.
Cells are read with calamine, formulas and comments by streaming the sheet XML.
The archive is checked for zip bombs before anything is decompressed
(see :mod:`.archive`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from guardrail.plugin import Payload, ReadOptions, Section, hookimpl

from .archive import open_archive
from .workbook import Notes, parts

__all__ = ["XlsxFormat", "guardrail_register_formats"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class XlsxFormat:
    name = "xlsx"
    extensions = (".xlsx", ".xlsm")
    media_types = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   "application/vnd.ms-excel.sheet.macroenabled.12")
    description = ("Excel workbook: every sheet as a table, with formulas, comments, defined "
                   "names, pivot caches, properties")

    def sniff(self, head: bytes) -> int:
        if head.startswith(_OLE):
            return 40  # an encrypted workbook: read() says so rather than "unknown format"
        if not head.startswith(_ZIP):
            return 0
        if b"xl/" in head:
            return 95
        if b"[Content_Types].xml" in head and b"word/" not in head and b"ppt/" not in head:
            return 70
        return 45  # some ZIP: above text sniffers' guesses; read() says it is no workbook

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Section]:
        with open_archive(payload, options.limits) as archive:
            for part in parts(archive, payload.name, options.limits):
                yield part.documents() if isinstance(part, Notes) else part.table()

    def redact(self, payload: Payload, options: ReadOptions, redactor, out: BinaryIO) -> None:
        from .redact import redact_workbook  # openpyxl loads slowly: only when redacting

        redact_workbook(payload, options, redactor, out)


@hookimpl
def guardrail_register_formats(register) -> None:
    register(XlsxFormat())
