"""Apache Parquet format, through pyarrow (the optional extra ``guardrail[parquet]``).

pyarrow is imported only when a Parquet payload is read, so guardrail installs and
runs without it; reading Parquet without it blocks with a message saying what to
install. See :mod:`.reader` for records and positions, and :mod:`.metadata` for the
file's key-value metadata (an unindexed ``(metadata)`` section). Redaction is not
offered: a copy would have to rewrite the file's schema and encodings.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrail.plugin import Documents, Payload, PayloadError, ReadOptions, Table, hookimpl

__all__ = ["ParquetFormat", "guardrail_register_formats"]

MAGIC = b"PAR1"


class ParquetFormat:
    name = "parquet"
    extensions = (".parquet",)
    media_types = ("application/vnd.apache.parquet", "application/x-parquet")
    description = "Apache Parquet: flat schemas as a table, nested ones as records (pyarrow)"

    def sniff(self, head: bytes) -> int:
        return 95 if head.startswith(MAGIC) else 0

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Table | Documents]:
        try:
            from .reader import read_parquet
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("pyarrow"):
                raise
            raise PayloadError("reading Parquet needs pyarrow: pip install 'guardrail[parquet]'",
                               file=payload.name) from None
        yield from read_parquet(payload, options)


@hookimpl
def guardrail_register_formats(register) -> None:
    register(ParquetFormat())
