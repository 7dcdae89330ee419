"""A pandas or polars frame as the section guardrail checks, a batch of rows at a time.

A frame of plain columns is one :class:`Table`: its rows are tuples zipped, in C,
from each batch's columns, and a finding's record is the row's position (0-based).
A frame with a column of dicts, lists or structs is :class:`Documents` of dicts, so
fields have nested paths (``address.postcode``), as the Parquet reader reads them.

What a writer publishes is what is checked: a pandas index that is not the default
``0, 1, 2...`` is written by ``to_csv`` and ``to_json``, so it is checked as leading
columns named as ``reset_index`` names them (``index``, ``level_0``...). Column labels
that are not text become text (a MultiIndex's ``('a', 'b')`` becomes ``a.b``); a
repeated label is checked in every column that has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, repeat
from typing import Any

from guardrail_arrow import unique_names

from guardrail.plugin import Documents, Limits, Table

from .columns import Column, ListColumn, PandasColumn, PolarsColumn

__all__ = ["BATCH_CELLS", "batch_rows", "sections", "pandas_columns", "polars_columns"]

# Cells converted to Python at a time: ~8 MB for short text, whatever the frame's size.
BATCH_CELLS = 1 << 16


def batch_rows(width: int) -> int:
    """Rows converted at a time in a frame of *width* columns (at least 1024)."""
    return max(1024, BATCH_CELLS // max(width, 1))


def sections(columns: list[Column], count: int,
             limits: Limits | None = None) -> Iterator[Table | Documents]:
    """The frame's one section: a table, or records when a column is nested.

    A frame of text columns only is the table a CSV of it would be (a missing value
    is an empty cell), and is checked as one, by the engine's faster path for text;
    any other frame keeps its types.
    """
    names = [column.name for column in columns]
    for column in columns:
        column.limits = limits or Limits()
    if any(column.nested for column in columns):
        yield Documents(_records(columns, unique_names(names), count))
        return
    text = bool(columns) and all(column.text for column in columns)
    for column in columns:
        column.blank = text
    yield Table(names, _rows(columns, count), typed=not text)


def _batches(columns: list[Column], count: int) -> Iterator[list[list[Any]]]:
    """Each batch's values, column by column."""
    size = batch_rows(len(columns))
    for start in range(0, count, size):
        yield [column.read(start, min(start + size, count)) for column in columns]


def _rows(columns: list[Column], count: int) -> Iterator[tuple[Any, ...]]:
    if not columns:
        return repeat((), count)
    return chain.from_iterable(zip(*values, strict=True)
                               for values in _batches(columns, count))


def _records(columns: list[Column], names: list[str], count: int) -> Iterator[dict[str, Any]]:
    for values in _batches(columns, count):
        for row in zip(*values, strict=True):
            yield dict(zip(names, row, strict=True))


def label(value: Any) -> str:
    """A column label as a field name: text as it is, a MultiIndex tuple joined by
    dots (empty levels left out), anything else as ``str`` shows it."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return ".".join(label(part) for part in value if part not in ("", None))
    return str(value)


# -- pandas -------------------------------------------------------------------------

def pandas_columns(frame: Any) -> tuple[list[Column], int]:
    """A pandas DataFrame's (or Series') columns, its index first when it is written."""
    if frame.ndim == 1:  # a Series is the one column a DataFrame of it would have
        frame = frame.to_frame()
    columns: list[Column] = [PandasColumn(name, values)
                             for name, values in _index_columns(frame)]
    for position in range(frame.shape[1]):
        columns.append(PandasColumn(label(frame.columns[position]),
                                    frame.iloc[:, position]))
    return columns, len(frame)


def _index_columns(frame: Any) -> list[tuple[str, Any]]:
    import pandas as pd

    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 \
            and index.name is None:
        return []  # the default index: positions, which findings already carry
    names = list(index.names)
    if len(names) == 1:
        names = ["index" if names[0] is None else names[0]]
    else:
        names = [f"level_{i}" if name is None else name for i, name in enumerate(names)]
    return [(label(name), pd.Series(index.get_level_values(level), copy=False))
            for level, name in enumerate(names)]


# -- polars -------------------------------------------------------------------------

def polars_columns(frame: Any) -> tuple[list[Column], int]:
    """A polars DataFrame's (or Series') columns."""
    import polars as pl

    if isinstance(frame, pl.Series):
        frame = frame.to_frame()
    columns: list[Column] = []
    for series in frame.get_columns():
        if series.dtype == pl.Object:
            columns.append(ListColumn(series.name, series.to_list()))
        else:
            columns.append(PolarsColumn(series.name, series))
    return columns, frame.height
