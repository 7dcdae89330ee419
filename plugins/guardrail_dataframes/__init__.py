"""pandas and polars DataFrames checked as tables, and written only where allowed.

Two ways in:

- ``Guardrail.check(df)`` reads a pandas or polars DataFrame (or Series) natively:
  columns are fields, values keep their types (whole numbers stay numbers, datetimes
  stay datetimes, ``NaN``/``None``/``NaT``/``pd.NA`` are missing), through Arrow a batch
  of rows at a time. Nothing to register: the adapter is a plugin hook. See
  :mod:`.frames`.
- ``df.guardrail``, after :func:`register_pandas` or :func:`register_polars`:
  ``check``/``enforce``, and writers (``to_csv``, ``write_parquet``...) that write
  nothing when the policy blocks. See :mod:`.accessors`.

This module is imported on every guardrail run, so it imports neither pandas, polars
nor pyarrow, and it changes no class of theirs until asked: registering an accessor is
an explicit call, so ``df.guardrail`` exists because the program said so, not because
of which module happened to be imported first.
"""

from __future__ import annotations

from guardrail.plugin import hookimpl

from .adapter import FrameAdapter

__all__ = ["FrameAdapter", "register_pandas", "register_polars",
           "guardrail_register_adapters"]

ACCESSOR = "guardrail"


@hookimpl
def guardrail_register_adapters(register) -> None:  # type: ignore[no-untyped-def]
    register(FrameAdapter())


def register_pandas() -> None:
    """Give pandas DataFrames ``df.guardrail`` (imports pandas). Calling it again does
    nothing."""
    import pandas as pd

    from .accessors import PandasGuard

    if getattr(pd.DataFrame, ACCESSOR, None) is not PandasGuard:
        pd.api.extensions.register_dataframe_accessor(ACCESSOR)(PandasGuard)


def register_polars() -> None:
    """Give polars DataFrames ``df.guardrail`` (imports polars). Calling it again does
    nothing."""
    import polars as pl

    from .accessors import PolarsGuard

    if getattr(pl.DataFrame, ACCESSOR, None) is not PolarsGuard:
        pl.api.register_dataframe_namespace(ACCESSOR)(PolarsGuard)
