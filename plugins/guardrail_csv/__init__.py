"""CSV and TSV formats: one table per file, the first row is the header.

A row longer than the header has its extra cells reported as unnamed columns
(``#9``), which no policy classifies, so hidden trailing data fails closed.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from operator import attrgetter
from typing import Any, BinaryIO

from guardrail.plugin import Payload, PayloadError, ReadOptions, Redactor, Table, hookimpl

from .sniff import decode_head, table_confidence

__all__ = ["CsvFormat", "guardrail_register_formats"]

HEAD_BYTES = 65536  # what the core passes to sniff: a head this long may be cut
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # never in text, tabs and breaks aside


class CsvFormat:
    """Delimited text. ``delimiter=None`` picks ',', ';' or '|' from the header line."""

    def __init__(self, name: str, extensions: tuple[str, ...], delimiter: str | None,
                 description: str, media_types: tuple[str, ...] = ()) -> None:
        self.name = name
        self.extensions = extensions
        self.media_types = media_types
        self.delimiter = delimiter
        self.description = description

    def sniff(self, head: bytes) -> int:
        """60 for a table (70 as TSV), 35 (40) with rows shorter than the header, 0 for
        anything else, prose with commas included (see :mod:`.sniff`)."""
        text, stopped = decode_head(head)
        if text.lstrip().startswith(("{", "[", "<")) or _CONTROL.search(text):
            return 0  # JSON or markup; or binary bytes that happen to decode
        delimiter = self.delimiter or _pick_delimiter(text.split("\n", 1)[0])  # as read
        shape = table_confidence(text, delimiter, cut=stopped or len(head) >= HEAD_BYTES)
        if shape is None:
            return 0
        tab = self.delimiter == "\t"
        return (70 if tab else 60) if shape == "table" else (40 if tab else 35)

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Table]:
        with self._open(payload, options) as (reader, rows):
            header = next(rows, None)
            if header is None:
                return
            yield Table(_columns(header), rows, mark=partial(attrgetter("line_num"), reader),
                        locate=lambda row, line: f"line {line - _line_breaks(row)}")

    def redact(self, payload: Payload, options: ReadOptions, redactor: Redactor,
               out: BinaryIO) -> None:
        """The same delimiter and quoting style, UTF-8, rows passed through the redactor."""
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        with self._open(payload, options) as (reader, rows):
            header = next(rows, None)
            if header is not None:
                writer = csv.writer(text, dialect=_output_dialect(reader.dialect))
                table = redactor.table(_columns(header))
                writer.writerow(table.columns)
                writer.writerows(map(table.row, rows))
        text.flush()
        text.detach()

    @contextmanager
    def _open(self, payload: Payload, options: ReadOptions
              ) -> Iterator[tuple[Any, Iterator[list[str]]]]:
        delimiter = self.delimiter or _pick_delimiter(_first_line(payload))
        stream = payload.open_text(max_line_bytes=options.limits.max_record_bytes)
        # strict: a stray or unclosed quote is an error, not a cell that silently
        # swallows the rest of the file where no rule would look at it.
        feed = _Feed(options.limits.max_record_bytes)
        reader = csv.reader(feed.lines(stream), delimiter=delimiter, strict=True)
        try:
            with _csv_unbounded():
                yield reader, _rows(reader, feed, payload, options)
        finally:
            stream.close()


def _columns(header: list[str]) -> list[str]:
    return [cell.strip() or f"#{i + 1}" for i, cell in enumerate(header)]


def _output_dialect(dialect: Any) -> type[csv.Dialect]:
    class Output(csv.excel):
        delimiter = dialect.delimiter
        lineterminator = "\r\n"
    return Output


class _RecordTooLong(Exception):
    """A record (and so perhaps one cell of it) went over the read's limit."""


class _Feed:
    """The lines csv reads, counted per record: each read bounds its own records.

    csv's cell limit (``csv.field_size_limit``) is process-wide, so reads in several
    threads (a web server checking responses) would set it under each other. The
    bound is kept here instead, per read: a record's characters, from the first line
    csv took for it, may not pass *limit*; any cell of it is no longer.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.fed = 0  # characters handed to csv so far
        self.start = 0  # where the record being read began

    def lines(self, stream: Iterator[str]) -> Iterator[str]:
        limit = self.limit
        for line in stream:
            self.fed += len(line)
            if self.fed - self.start > limit:
                raise _RecordTooLong
            yield line


_unbounded_reads = 0
_program_limit = 0
_unbounded_lock = threading.Lock()


@contextmanager
def _csv_unbounded() -> Iterator[None]:
    """While any read is under way csv's own cell limit is off (each read keeps its own
    bound in :class:`_Feed`); the program's limit is put back after the last."""
    global _unbounded_reads, _program_limit
    with _unbounded_lock:
        if _unbounded_reads == 0:
            _program_limit = csv.field_size_limit(sys.maxsize)
        _unbounded_reads += 1
    try:
        yield
    finally:
        with _unbounded_lock:
            _unbounded_reads -= 1
            if _unbounded_reads == 0:
                csv.field_size_limit(_program_limit)


def _rows(reader, feed: _Feed, payload: Payload, options: ReadOptions
          ) -> Iterator[list[str]]:
    """Non-blank rows; errors become PayloadErrors naming the line where the row starts."""
    end = 0  # last line of the previous row: the failing row starts after it
    try:
        for row in reader:
            feed.start = feed.fed
            if row:  # csv yields [] for a blank line: not a record
                yield row
            end = reader.line_num
    except _RecordTooLong:
        raise options.limits.exceeded("max_record_bytes", file=payload.name,
                                      position=f"line {end + 1}",
                                      what="one record") from None
    except csv.Error as exc:
        raise _payload_error(exc, payload, end + 1) from None
    except UnicodeDecodeError as exc:
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
    return f"CSV ({exc}); check quoting on this line"


def _pick_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "|", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(payload: Payload) -> str:
    head = payload.head(8192)
    return head.decode(payload.text_encoding(), errors="ignore").split("\n", 1)[0]




@hookimpl
def guardrail_register_formats(register) -> None:
    register(CsvFormat("csv", (".csv",), None, "Comma-separated values (';' and '|' detected)",
                       ("text/csv", "application/csv", "text/comma-separated-values")))
    register(CsvFormat("tsv", (".tsv", ".tab"), "\t", "Tab-separated values",
                       ("text/tab-separated-values",)))
