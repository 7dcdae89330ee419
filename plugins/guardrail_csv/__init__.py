"""CSV and TSV formats: one table per file, the first row is the header.

A row longer than the header has its extra cells reported as unnamed columns
(``#9``), which no policy classifies, so hidden trailing data fails closed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import partial
from operator import attrgetter

from guardrail import Payload, PayloadError, ReadOptions, Table, hookimpl

__all__ = ["CsvFormat", "guardrail_register_formats"]

_SNIFF_LINES = 20


class CsvFormat:
    """Delimited text. ``delimiter=None`` picks ',', ';' or '|' from the header line."""

    def __init__(self, name: str, extensions: tuple[str, ...], delimiter: str | None,
                 description: str) -> None:
        self.name = name
        self.extensions = extensions
        self.delimiter = delimiter
        self.description = description

    def sniff(self, head: bytes) -> int:
        try:
            text = head.decode("utf-8-sig", errors="strict")
        except UnicodeDecodeError as exc:  # the head may end inside a character
            text = head[: exc.start].decode("utf-8-sig", errors="ignore")
        lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
        if len(head) == 65536 and len(lines) > 1:
            lines = lines[:-1]  # last line may be cut
        if not lines or text.lstrip().startswith(("{", "[", "<")):
            return 0
        delimiter = self.delimiter or _pick_delimiter(lines[0])
        counts = {line.count(delimiter) for line in lines}
        if counts == {0}:
            return 0
        consistent = len(counts) == 1
        if self.delimiter == "\t":
            return 70 if consistent else 40
        return 60 if consistent else 35

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Table]:
        delimiter = self.delimiter or _pick_delimiter(_first_line(payload))
        stream = payload.open_text()
        # strict: a stray or unclosed quote is an error, not a cell that silently
        # swallows the rest of the file where no rule would look at it.
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        rows = _rows(reader, payload)
        try:
            header = next(rows, None)
            if header is None:
                return
            columns = [cell.strip() or f"#{i + 1}" for i, cell in enumerate(header)]
            yield Table(columns, rows, mark=partial(attrgetter("line_num"), reader),
                        locate=lambda row, line: f"line {line - _line_breaks(row)}")
        finally:
            stream.close()


def _rows(reader, payload: Payload) -> Iterator[list[str]]:
    """Non-blank rows; errors become PayloadErrors naming the line where the row starts."""
    end = 0  # last line of the previous row: the failing row starts after it
    try:
        for row in reader:
            if row:  # csv yields [] for a blank line: not a record
                yield row
            end = reader.line_num
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _payload_error(exc, payload, end + 1) from None


def _line_breaks(row: list[str]) -> int:
    """Line breaks inside quoted cells: a row ends on its first line plus these."""
    return sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in row)


def _payload_error(exc: Exception, payload: Payload, line: int) -> PayloadError:
    if isinstance(exc, UnicodeDecodeError):
        return payload.decode_error(exc, f"line {line}")
    return PayloadError(f"malformed {_describe(exc)}", file=payload.name,
                        position=f"line {line}")


def _describe(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"row: a field is larger than {csv.field_size_limit()} characters; split it or " \
               "check the export for a missing closing quote"
    return f"CSV ({text}); check quoting on this line"


def _pick_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "|", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(payload: Payload) -> str:
    head = payload.head(8192)
    return head.decode(payload.text_encoding(), errors="ignore").split("\n", 1)[0]




@hookimpl
def guardrail_register_formats(register) -> None:
    register(CsvFormat("csv", (".csv",), None, "Comma-separated values (';' and '|' detected)"))
    register(CsvFormat("tsv", (".tsv", ".tab"), "\t", "Tab-separated values"))
