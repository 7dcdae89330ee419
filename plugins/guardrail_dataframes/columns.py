"""One column of a frame, read a slice of rows at a time as Python values.

Each column is read through Arrow when its type allows (zero-copy for numbers, dates
and pandas' Arrow-backed text), else in Python (see :mod:`.values`). A column knows up
front whether it holds nested values (dicts, lists, structs), which makes the frame
records rather than a table, and whether it holds only text, which lets a frame of
text be checked as the text table it is (see :func:`.frames.sections`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .values import NESTED, arrow_values, python_values

__all__ = ["Column", "PolarsColumn", "PandasColumn", "ListColumn"]


class Column:
    """A named column; :meth:`read` gives rows ``start`` to ``stop`` as Python values,
    a missing value as None, or as ``""`` in a text column once :attr:`blank` is set."""

    name: str
    nested: bool = False
    text: bool = False  # every value is text or missing
    blank: bool = False  # read a missing value as "" (a text table, as CSV has it)

    def read(self, start: int, stop: int) -> list[Any]:
        raise NotImplementedError

    def _filled(self, values: list[Any]) -> list[Any]:
        if self.blank and None in values:
            return ["" if value is None else value for value in values]
        return values


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

    def read(self, start: int, stop: int) -> list[Any]:
        part = self.series.slice(start, stop - start)
        if self.text:
            return (part.fill_null("") if self.blank else part).to_list()  # type: ignore[no-any-return]
        return arrow_values(part.to_arrow())


class ListColumn(Column):
    """A column only Python can read (a polars ``Object`` column), as a list."""

    def __init__(self, name: str, values: list[Any]) -> None:
        self.name, self.values = name, values
        self.nested = any(isinstance(value, NESTED) for value in values)

    def read(self, start: int, stop: int) -> list[Any]:
        return python_values(self.values[start:stop])


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

    def read(self, start: int, stop: int) -> list[Any]:
        part = self.series.iloc[start:stop]
        if self.arrow:
            try:
                array = pa.Array.from_pandas(part)
            except (pa.ArrowException, TypeError, ValueError):
                array = None  # mixed categories: read in Python
            if array is not None and not isinstance(array.type, pa.ExtensionType):
                if self.blank and array.null_count:
                    array = pc.fill_null(array, "")
                return arrow_values(array)
        missing = np.flatnonzero(part.isna().to_numpy())
        return self._filled(python_values(part.astype(object).tolist(), missing.tolist()))
