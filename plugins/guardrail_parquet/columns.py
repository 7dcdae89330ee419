"""What the Parquet reader needs to know of an Arrow column beyond its values: whether
it nests, and how deep. Its values are converted by :mod:`guardrail_arrow` (shared with
the DataFrame adapter, so a value is judged alike from a file or a frame).

This module imports pyarrow: the format imports it only when it reads a file.
"""

from __future__ import annotations

import pyarrow as pa
from guardrail_arrow import arrow_values as to_python
from guardrail_arrow import readable_type, unique_names

__all__ = ["readable_type", "is_nested", "depth", "to_python", "unique_names"]


def is_nested(kind: pa.DataType) -> bool:
    """Does a column of *kind* hold records or lists rather than one value per row?"""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_nested(kind))


def depth(kind: pa.DataType) -> int:
    """Levels of nesting: 0 for a plain value, 1 for a list of values or a struct..."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_map(kind):
        return 1 + max(depth(kind.key_type), depth(kind.item_type))
    if pa.types.is_nested(kind):
        children = [kind.field(i).type for i in range(kind.num_fields)]
        return 1 + max((depth(child) for child in children), default=0)
    return 0
