"""pandas and polars DataFrames read natively as tables by check(); df.guardrail accessors and guarded writers.

Work in progress (issue 12)."""
