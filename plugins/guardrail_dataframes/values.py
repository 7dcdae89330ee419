"""A frame's column values as the Python values the engine judges.

Columns Arrow holds are converted by :mod:`guardrail_arrow`, as the Parquet reader's
are (nanoseconds to microseconds, binary to text, whole decimals to integers,
categoricals to their values).

Columns Arrow cannot take (pandas ``object`` columns, periods, intervals, polars
``Object``) are read in Python: missing values (``None``, ``NaN``, ``NaT``, ``pd.NA``)
become None, NumPy scalars their Python values, and any other object the text a writer
would write for it (``str``), so nothing in a frame goes unjudged because of its type.

This module imports pyarrow: the adapter imports it only when it reads a frame.
"""

from __future__ import annotations

import datetime as _dt
import decimal
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from guardrail_arrow import arrow_values, readable_type

__all__ = ["arrow_values", "python_values", "readable_type", "longest_text", "longest_arrow",
           "TooDeep", "NESTED"]

# Python values the engine judges as they are (text, numbers) or knows (dates).
_PLAIN = (str, int, float, bool, type(None), _dt.datetime, _dt.date, _dt.time,
          _dt.timedelta, decimal.Decimal)
NESTED = (dict, list, tuple)  # read as records, so their keys are field names


class TooDeep(Exception):
    """A value nests deeper than the depth limit (or holds itself)."""


def python_values(values: list[Any], missing: Iterable[int] = (),
                  max_depth: int = 256) -> list[Any]:
    """*values* (a column's Python objects, changed in place) made judgeable: each
    position in *missing* becomes None, and each value of a type the engine does not
    know becomes what a writer would write for it. Raises :class:`TooDeep`."""
    for position in missing:
        values[position] = None
    kinds = set(map(type, values))
    if kinds.issubset(_PLAIN):
        return values
    return [value if type(value) in _PLAIN else _plain(value, max_depth) for value in values]


def _plain(value: Any, depth: int) -> Any:
    if isinstance(value, str):  # a subclass (NumPy's str_) is read as text only when exact
        return str(value)
    if isinstance(value, _PLAIN):  # a subclass (a pandas Timestamp is a datetime)
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        if depth <= 0:
            raise TooDeep
        if isinstance(value, dict):
            return {_key(key): _plain(item, depth - 1) for key, item in value.items()}
        return [_plain(item, depth - 1) for item in value]
    item = getattr(value, "item", None)  # a NumPy scalar: its Python value
    if item is not None and type(value).__module__ == "numpy":
        return _plain(item(), depth)
    if hasattr(value, "tolist") and type(value).__module__ == "numpy":  # an ndarray
        return _plain(value.tolist(), depth)
    return str(value)  # a UUID, a pandas Period or Interval: as a writer writes it


def _key(key: Any) -> Any:
    return key if isinstance(key, str) and type(key) is str else str(key)


def longest_text(values: list[Any], limit: int) -> int | None:
    """Position of the first text value longer than *limit* bytes in UTF-8, if any."""
    for position, value in enumerate(values):
        if value.__class__ is str and len(value) * 4 > limit \
                and len(value.encode("utf-8", "surrogatepass")) > limit:
            return position
    return None


def longest_arrow(array: pa.Array | pa.ChunkedArray, limit: int) -> int | None:
    """:func:`longest_text` for an Arrow column of text or bytes, counted in C."""
    kind = array.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)):
        return None
    lengths = pc.binary_length(array)
    longest = pc.max(lengths).as_py()
    if longest is None or longest <= limit:
        return None
    return int(pc.index(pc.greater(lengths, limit), True).as_py())
