"""One column of a frame, read a slice of rows at a time as Python values.

Each column is read through Arrow when its type allows (zero-copy for numbers, dates
and pandas' Arrow-backed text), else in Python (see :mod:`.values`). A column knows up
front whether it holds nested values (dicts, lists, structs), which makes the frame
records rather than a table, and whether it holds only text, which lets a frame of
text be checked as the text table it is (see :func:`.frames.sections`).

The frame is in memory already, so the file-size limit does not apply; a cell over
the record-size limit or a value nested deeper than the depth limit blocks, as it
would in a file written from the frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guardrail.plugin import Limits

from .values import (
    NESTED,
    TooDeep,
    arrow_values,
    longest_arrow,
    longest_text,
    python_values,
)

__all__ = ["Column", "PolarsColumn", "PandasColumn", "ListColumn", "FILE"]

FILE = "<dataframe>"  # how a limit's message names the frame (as reports do)


class Column:
    """A named column; :meth:`read` gives rows ``start`` to ``stop`` as Python values,
    a missing value as None, or as ``""`` in a text column once :attr:`blank` is set."""

    name: str
    nested: bool = False
    text: bool = False  # every value is text or missing
    blank: bool = False  # read a missing value as "" (a text table, as CSV has it)
    limits: Limits = Limits()

    def read(self, start: int, stop: int) -> list[Any]:
        """Rows *start* to *stop*; raises PayloadError past a limit."""
        try:
            values, too_long = self._read(start, stop)
        except TooDeep:
            raise self.limits.exceeded("max_depth", file=FILE,
                                       position=f"rows {start} to {stop - 1}",
                                       what="a value's nesting") from None
        if too_long is not None:
            raise self.limits.exceeded("max_record_bytes", file=FILE,
                                       position=f"row {start + too_long}", what="one cell")
        return values

    def _read(self, start: int, stop: int) -> tuple[list[Any], int | None]:
        """The values, and the offset of the first cell over the size limit, if any."""
        raise NotImplementedError

    def _python(self, values: list[Any], missing: Any = ()) -> tuple[list[Any], int | None]:
        values = python_values(values, missing, self.limits.max_depth)
        if self.blank and None in values:
            values = ["" if value is None else value for value in values]
        return values, longest_text(values, self.limits.max_record_bytes)


class PolarsColumn(Column):
    """A polars Series, a slice at a time: text by polars' own ``to_list`` (the fastest
    way out), every other type through Arrow (NaN is missing, bytes are text...).

    Slices are handed to Arrow one at a time, so no column is copied whole (at
    polars' default compatibility level: pyarrow reads few kernels of string views).
    """

    def __init__(self, name: str, series: Any) -> None:
        import polars as pl

        self.name, self.series = name, series
        self.text = series.dtype == pl.String
        self.nested = series.dtype.is_nested()

    def _read(self, start: int, stop: int) -> tuple[list[Any], int | None]:
        part = self.series.slice(start, stop - start)
        if self.text:
            limit = self.limits.max_record_bytes
            lengths = part.str.len_bytes()
            too_long = None if not len(part) or (lengths.max() or 0) <= limit \
                else int((lengths > limit).arg_max())
            return (part.fill_null("") if self.blank else part).to_list(), too_long
        array = part.to_arrow()
        if array.type.num_fields and _depth(array.type) > self.limits.max_depth:
            raise TooDeep
        return arrow_values(array), longest_arrow(array, self.limits.max_record_bytes)


def _depth(kind: pa.DataType) -> int:
    """Levels of nesting of an Arrow type: 0 for a plain value."""
    if pa.types.is_nested(kind):
        return 1 + max((_depth(kind.field(i).type) for i in range(kind.num_fields)),
                       default=0)
    return 0


class ListColumn(Column):
    """A column only Python can read (a polars ``Object`` column), as a list."""

    def __init__(self, name: str, values: list[Any]) -> None:
        self.name, self.values = name, values
        self.nested = any(isinstance(value, NESTED) for value in values)

    def _read(self, start: int, stop: int) -> tuple[list[Any], int | None]:
        return self._python(self.values[start:stop])


# NumPy kinds Arrow converts exactly: bool, signed and unsigned ints, floats, timedelta64
# and datetime64 (NaN and NaT become missing). Complex numbers and objects are not.
_ARROW_KINDS = frozenset("biufmM")
_TEXT_OR_MISSING = frozenset({str, type(None), float})  # float: NaN, pandas' old missing


class PandasColumn(Column):
    """A pandas Series: through Arrow when its dtype converts exactly, else in Python.

    Object columns are read in Python (they may hold anything: text, dicts, numbers
    and text mixed); so are extension types Arrow keeps opaque (periods, intervals).
    """

    def __init__(self, name: str, series: Any) -> None:
        import pandas as pd

        self.name, self.series = name, series
        dtype = series.dtype
        self.objects = isinstance(dtype, np.dtype) and dtype.kind == "O"
        self.arrow = not self.objects and (not isinstance(dtype, np.dtype)
                                          or dtype.kind in _ARROW_KINDS)
        self.text = isinstance(dtype, pd.StringDtype)
        if self.objects:
            kinds = set(map(type, series.to_numpy()))
            self.nested = any(issubclass(kind, NESTED) for kind in kinds)
            self.text = kinds <= _TEXT_OR_MISSING and (
                float not in kinds or set(map(type, series.dropna().to_numpy())) <= {str})

    def _read(self, start: int, stop: int) -> tuple[list[Any], int | None]:
        part = self.series.iloc[start:stop]
        if self.arrow:
            try:
                array = pa.Array.from_pandas(part)
            except (pa.ArrowException, TypeError, ValueError):
                array = None  # mixed categories: read in Python
            if array is not None and not isinstance(array.type, pa.ExtensionType):
                if self.blank and array.null_count:
                    array = pc.fill_null(array, "")
                return arrow_values(array), longest_arrow(array, self.limits.max_record_bytes)
        missing = np.flatnonzero(part.isna().to_numpy())
        return self._python(part.astype(object).tolist(), missing.tolist())
