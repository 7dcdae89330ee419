"""A frame's column values as the Python values the engine judges.

Arrow does most of the work (``cast`` and ``to_pylist`` run in C), with a few types
changed on the way so every value can be judged, as guardrail's Parquet reader does:

- nanosecond timestamps, times and durations become microseconds (Python's
  ``datetime`` has no nanoseconds; the check does not need them);
- binary becomes text (bytes that are not UTF-8 with replacement characters), so
  content detectors read names stored as bytes;
- whole-number decimals become integers, so a phone number stored as
  ``decimal(11, 0)`` is scanned as digits;
- dictionary-encoded (categorical) columns become their values.

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

__all__ = ["arrow_values", "python_values", "readable_type", "longest_text", "longest_arrow",
           "TooDeep", "NESTED"]

# Python values the engine judges as they are (text, numbers) or knows (dates).
_PLAIN = (str, int, float, bool, type(None), _dt.datetime, _dt.date, _dt.time,
          _dt.timedelta, decimal.Decimal)
NESTED = (dict, list, tuple)  # read as records, so their keys are field names


def _is(kind: pa.DataType, name: str) -> bool:
    """``pa.types.<name>(kind)``, False where this pyarrow has no such type (views)."""
    test = getattr(pa.types, name, None)
    return bool(test(kind)) if test is not None else False


def readable_type(kind: pa.DataType, text: bool = True) -> pa.DataType:
    """The type *kind* is cast to before conversion (*text*: binary becomes strings)."""
    t = pa.types
    if t.is_dictionary(kind):
        return readable_type(kind.value_type, text)
    if t.is_timestamp(kind) and kind.unit == "ns":
        return pa.timestamp("us", kind.tz)
    if t.is_time64(kind) and kind.unit == "ns":
        return pa.time64("us")
    if t.is_duration(kind) and kind.unit == "ns":
        return pa.duration("us")
    if text and (t.is_binary(kind) or t.is_fixed_size_binary(kind)
                 or _is(kind, "is_binary_view")):
        return pa.string()
    if text and t.is_large_binary(kind):
        return pa.large_string()
    if t.is_decimal(kind) and kind.scale == 0 and kind.precision <= 18:
        return pa.int64()
    if t.is_struct(kind):
        return pa.struct([_field(kind.field(i), text) for i in range(kind.num_fields)])
    if t.is_map(kind):
        return pa.map_(readable_type(kind.key_type, text), _field(kind.item_field, text))
    if t.is_fixed_size_list(kind):
        return pa.list_(_field(kind.value_field, text), kind.list_size)
    if t.is_large_list(kind) or _is(kind, "is_large_list_view"):
        return pa.large_list(_field(kind.value_field, text))
    if t.is_list(kind) or _is(kind, "is_list_view"):
        return pa.list_(_field(kind.value_field, text))
    return kind


def _field(field: pa.Field, text: bool) -> pa.Field:
    return pa.field(field.name, readable_type(field.type, text), field.nullable)


def arrow_values(array: pa.Array | pa.ChunkedArray) -> list[Any]:
    """The column's values as Python objects (see the module docstring)."""
    try:
        return _as_list(_converted(array, True))
    except (pa.ArrowException, UnicodeDecodeError, KeyError):
        # Bytes that are not UTF-8, or a map with a repeated key (the error quotes the
        # key, so it is never shown): convert what Arrow can and finish in Python.
        return [_loose(value) for value in _converted(array, False).to_pylist()]


def _as_list(array: pa.Array | pa.ChunkedArray) -> list[Any]:
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) \
            or _is(kind, "is_string_view"):
        # twice as fast as to_pylist for text, the most common column by far
        return array.to_numpy(zero_copy_only=False).tolist()  # type: ignore[no-any-return]
    if _has_map(kind):  # maps_as_pydicts takes a much slower path: only where needed
        return array.to_pylist(maps_as_pydicts="strict")  # type: ignore[no-any-return]
    return array.to_pylist()  # type: ignore[no-any-return]


def _has_map(kind: pa.DataType) -> bool:
    if pa.types.is_map(kind):
        return True
    if pa.types.is_nested(kind):
        return any(_has_map(kind.field(i).type) for i in range(kind.num_fields))
    return False


def _converted(array: Any, text: bool) -> Any:
    if pa.types.is_dictionary(array.type):  # not every value type casts from one
        array = pa.chunked_array([chunk.dictionary_decode() for chunk in array.chunks],
                                 array.type.value_type) \
            if isinstance(array, pa.ChunkedArray) else array.dictionary_decode()
    target = readable_type(array.type, text)
    # safe=False lets nanoseconds be truncated; it also skips UTF-8 validation, which
    # the conversion then does (UnicodeDecodeError).
    return array if array.type == target else array.cast(target, safe=False)


def _loose(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {key: _loose(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):  # a map's entries are (key, value) tuples
        return [_loose(item) for item in value]
    return value


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
