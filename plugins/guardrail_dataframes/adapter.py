"""The adapter that lets ``Guardrail.check(frame)`` read pandas and polars frames.

``accepts`` only looks at the object's class names and modules, so guardrail never
imports pandas, polars or pyarrow for a caller that has not; ``read`` imports them
(through :mod:`.frames`) when it is given a frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardrail.plugin import Documents, PayloadError, ReadOptions, Table, UsageError

__all__ = ["FrameAdapter"]

# (library, class name): what the adapter reads, subclasses included (GeoDataFrame).
_READS = {("pandas", "DataFrame"), ("pandas", "Series"),
          ("polars", "DataFrame"), ("polars", "Series"), ("polars", "LazyFrame")}


def library_of(obj: Any) -> str | None:
    """``pandas`` or ``polars`` when *obj* is (a subclass of) a frame or series of it."""
    for cls in type(obj).__mro__:
        library = cls.__module__.partition(".")[0]
        if (library, cls.__name__) in _READS:
            return library
    return None


class FrameAdapter:
    name = "dataframe"
    description = "pandas and polars DataFrames and Series, typed, through Arrow"

    def accepts(self, obj: Any) -> bool:
        return library_of(obj) is not None

    def read(self, obj: Any, options: ReadOptions) -> Iterator[Table | Documents]:
        library = library_of(obj)
        if type(obj).__name__ == "LazyFrame":
            # Collecting it here would check one run of the query and publish another.
            raise UsageError("a polars LazyFrame is a query, not data: collect() it and "
                             "check the DataFrame you publish")
        try:
            from .frames import pandas_columns, polars_columns, sections
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] not in ("pyarrow", "numpy"):
                raise
            raise PayloadError("reading a DataFrame needs pyarrow: pip install "
                               "'guardrail[dataframes]'") from None
        columns, count = (pandas_columns if library == "pandas" else polars_columns)(obj)
        yield from sections(columns, count, options.limits)
