"""Reading a Parquet file one row group at a time, a batch of rows at a time.

A flat schema is one typed :class:`Table` (rows are tuples zipped, in C, from
the batch's columns); a schema with a struct, list or map column is
:class:`Documents` of dicts, so fields have nested paths (``address.postcode``).
Record indices run on across row groups; positions are ``row group G, row R``,
both counted from 0 as pyarrow and DuckDB count them. The file's key-value metadata
follows as an unindexed ``(metadata)`` section (see :mod:`.metadata`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate, chain
from operator import length_hint
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from guardrail.plugin import Documents, Limits, Payload, PayloadError, ReadOptions, Table

from .columns import depth, is_nested, to_python, unique_names
from .metadata import POSITION, SECTION, file_metadata

__all__ = ["read_parquet", "BATCH_ROWS"]

BATCH_ROWS = 8192  # rows converted to Python at a time: a few MB, whatever the file
_ARROW_ERRORS = (pa.ArrowException, OSError)


def read_parquet(payload: Payload, options: ReadOptions) -> Iterator[Table | Documents]:
    limits = options.limits
    with _open(payload, limits) as parquet:
        schema = parquet.schema_arrow
        _check_shape(parquet, schema, limits, payload)
        batches = _Batches(parquet, payload, limits)
        if any(is_nested(field.type) for field in schema):
            yield Documents(batches.records(unique_names(schema.names)), locate=batches.locate)
        else:
            yield Table(list(schema.names), batches.rows(), mark=batches.mark,
                        locate=batches.locate_row, typed=True)
        record = file_metadata(parquet, schema, limits, payload)
        if record is not None:
            yield Documents([record], name=SECTION, locate=_metadata_position, index=False,
                            typed=False)


@contextmanager
def _open(payload: Payload, limits: Limits) -> Iterator[pq.ParquetFile]:
    """The file by path, or a stream's bytes (Parquet's footer is at the end, so a
    stream is read whole, up to the file-size limit)."""
    if payload.path is not None:
        if payload.path.stat().st_size > limits.max_file_bytes:
            raise limits.exceeded("max_file_bytes", file=payload.name)
        source: Any = str(payload.path)
    else:
        stream = payload.open_binary()
        data = stream.read(limits.max_file_bytes + 1)
        if len(data) > limits.max_file_bytes:
            raise limits.exceeded("max_file_bytes", file=payload.name)
        source = pa.BufferReader(data)
    try:
        parquet = pq.ParquetFile(source)
    except _ARROW_ERRORS as exc:
        raise _unreadable(payload, exc) from None
    try:
        yield parquet
    finally:
        parquet.close()


def _check_shape(parquet: pq.ParquetFile, schema: pa.Schema, limits: Limits,
                 payload: Payload) -> None:
    """Limits the metadata can tell before any data is decompressed."""
    deepest = max((depth(field.type) for field in schema), default=0)
    if deepest > limits.max_depth:
        raise limits.exceeded("max_depth", file=payload.name, what="a column's nesting")
    meta = parquet.metadata
    unpacked = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    if unpacked > limits.max_file_bytes:
        raise limits.exceeded("max_file_bytes", file=payload.name,
                              what="the uncompressed data")


class _Batches:
    """Converted batches, chained; knows which row was produced last (``mark``)."""

    def __init__(self, parquet: pq.ParquetFile, payload: Payload, limits: Limits) -> None:
        self.parquet = parquet
        self.payload = payload
        self.limits = limits
        meta = parquet.metadata
        sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        self.starts = [0, *accumulate(sizes)]  # index of each row group's first row
        self._current: Iterator[Any] = iter(())
        self._start = self._size = 0

    def rows(self) -> Iterator[tuple[Any, ...]]:
        def as_rows(columns: list[list[Any]], count: int) -> list[tuple[Any, ...]]:
            return list(zip(*columns, strict=True)) if columns else [()] * count
        return chain.from_iterable(self._converted(as_rows))

    def records(self, names: list[str]) -> Iterator[dict[str, Any]]:
        def as_records(columns: list[list[Any]], count: int) -> list[dict[str, Any]]:
            return [dict(zip(names, values, strict=True))
                    for values in zip(*columns, strict=True)] if columns else \
                [{} for _ in range(count)]
        return chain.from_iterable(self._converted(as_records))

    def mark(self) -> int:
        """Index of the row produced last (called right after it was produced)."""
        return self._start + self._size - length_hint(self._current) - 1

    def locate(self, record: Any) -> str:
        return self.locate_row(record, self.mark())

    def locate_row(self, row: Any, index: int) -> str:
        group = bisect_right(self.starts, index) - 1
        return f"row group {group}, row {index - self.starts[group]}"

    def _converted(self, build: Any) -> Iterator[Iterator[Any]]:
        start = 0
        for batch in self._batches():
            self._check_cells(batch, start)
            try:
                columns = [to_python(column) for column in batch.columns]
            except UnicodeDecodeError:  # a string cell that is not UTF-8: damaged
                raise PayloadError(
                    "damaged Parquet file: a text cell is not valid UTF-8; re-export the "
                    "file", file=self.payload.name, position=f"row {start}") from None
            items = build(columns, batch.num_rows)
            self._start, self._size = start, len(items)
            self._current = iter(items)
            start += len(items)
            yield self._current

    def _batches(self) -> Iterator[pa.RecordBatch]:
        for group in range(len(self.starts) - 1):
            try:
                # one thread: the engine may fork a scanning worker, and cores are shared
                yield from self.parquet.iter_batches(BATCH_ROWS, row_groups=[group],
                                                     use_threads=False)
            except _ARROW_ERRORS as exc:
                raise PayloadError(
                    f"damaged Parquet file: this row group cannot be decoded "
                    f"({type(exc).__name__}); re-export the file", file=self.payload.name,
                    position=f"row group {group}") from None

    def _check_cells(self, batch: pa.RecordBatch, start: int) -> None:
        """No text or binary cell may exceed the record-size limit (counted in C)."""
        limit = self.limits.max_record_bytes
        for column in batch.columns:
            encoded = pa.types.is_dictionary(column.type)
            kind = column.type.value_type if encoded else column.type
            if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                    or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)):
                continue
            values = column.dictionary_decode() if encoded else column
            lengths = pc.binary_length(values)
            longest = pc.max(lengths).as_py()
            if longest is not None and longest > limit:
                row = pc.index(pc.greater(lengths, limit), True).as_py()
                raise self.limits.exceeded("max_record_bytes", file=self.payload.name,
                                           position=self.locate_row(None, start + row),
                                           what="one cell")


def _metadata_position(record: Any) -> str:
    return POSITION


def _unreadable(payload: Payload, exc: BaseException) -> PayloadError:
    text = str(exc)
    if "magic bytes" in text or "size is 0 bytes" in text or "minimum file footer" in text:
        reason = ("not a Parquet file, or a truncated one: the footer that ends every "
                  "Parquet file is missing; re-export it or pass the right --format")
    else:
        reason = (f"damaged Parquet file: its metadata cannot be read ({type(exc).__name__}); "
                  "re-export the file")
    return PayloadError(reason, file=payload.name)
