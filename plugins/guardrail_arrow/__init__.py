"""Arrow columns as the Python values the engine judges, for the first-party plugins
that read Arrow data (the Parquet format, the DataFrame adapter).

Not a plugin itself (it registers nothing): a support module both import, so a value
is judged alike whether it came from a Parquet file or a frame in memory.

Most of the work is Arrow's (``cast`` and ``to_pylist`` run in C). A few types are
changed on the way so every value can be judged:

- nanosecond times become microseconds (Python's datetime holds no finer);
- binary becomes text (bytes that are not UTF-8 with replacement characters), so
  content detectors read names stored as bytes by writers that do not mark strings
  as UTF-8;
- whole-number decimals become integers, so an 11-digit phone number stored as
  ``decimal(11, 0)`` is read as the number it is;
- dictionary-encoded (categorical) columns become their values; maps become dicts,
  so their keys are field names.

This module imports pyarrow: its users import it only when they read Arrow data.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

import pyarrow as pa

__all__ = ["readable_type", "arrow_values", "unique_names"]

_NUMPY = find_spec("numpy") is not None  # optional for pyarrow; a faster path for text


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
    if _NUMPY and (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                   or _is(kind, "is_string_view")):
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


def unique_names(names: list[str]) -> list[str]:
    """Column names as record keys: a repeated name gets ``#2``, ``#3`` so no column
    hides another in the dict."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out
