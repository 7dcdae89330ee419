"""Key-value metadata: text a writer or a person put in the file, checked as one record.

Parquet keeps key-value pairs in its footer (``table.replace_schema_metadata({"author":
...})``), and pyarrow keeps each column's own pairs (field metadata) inside the
``ARROW:schema`` pair. Either can hold anything a person typed: an author's name, the
query that made the export. They are one unindexed ``(metadata)`` record
``{"metadata": {key: value, ..., "fields": {column: {key: value}}}}``, so field paths
are ``metadata.<key>`` and ``metadata.fields.<column>.<key>``; a nested field's pairs
are under its dotted path as one key (``metadata.fields."address.street".<key>``).
Keys and values are bytes, decoded as UTF-8 with replacement characters. A key whose
value in the footer differs from the one in the Arrow schema (a pair added after the
schema was stored) keeps both, as a list: ``metadata.author[0]``, ``metadata.author[1]``.

A key a policy has not classified is unclassified, which the shipped policies treat as
personal: a file with any custom metadata fails closed until its keys are classified
(or allowlisted) by path.

Machine pairs are left out, and only when they are what they claim to be:

- ``ARROW:schema``: the Arrow schema, serialised. pyarrow refuses a file whose value is
  not one, and exposes what it holds (schema-level and field metadata) through the
  schema read here, so its text is checked there.
- ``pandas``: pyarrow's JSON description of a DataFrame's columns (names, types,
  index), except its ``attributes`` (``DataFrame.attrs``, whatever the user stored),
  kept as ``metadata.pandas.attributes.<key>``. A value that is not such JSON is kept
  whole. pandas itself may also store ``attrs`` under ``PANDAS_ATTRS``, kept like any
  other key. Not checked: the names kept only in that JSON (a ``RangeIndex`` name,
  names of the columns' index levels).
- ``PARQUET:field_id`` in field metadata, when it is a number: the column's Parquet
  field id (Iceberg, Spark).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from guardrail.plugin import Limits, Payload

__all__ = ["file_metadata", "POSITION", "SECTION"]

SECTION = "(metadata)"
POSITION = "key-value metadata"
_ARROW_SCHEMA = b"ARROW:schema"
_PANDAS = b"pandas"
_FIELD_ID = b"PARQUET:field_id"
_PANDAS_KEYS = frozenset({"index_columns", "column_indexes", "columns", "creator",
                          "pandas_version", "attributes"})


def file_metadata(parquet: pq.ParquetFile, schema: pa.Schema, limits: Limits,
                  payload: Payload) -> dict[str, Any] | None:
    """The ``(metadata)`` record, or None when the file holds no metadata but machine pairs."""
    out: dict[str, Any] = {}
    # the footer's pairs come from an unordered map: sorted, so findings keep one order
    footer = sorted((parquet.metadata.metadata or {}).items())
    for pairs in (footer, (schema.metadata or {}).items()):
        for key, value in pairs:
            if key == _ARROW_SCHEMA:
                continue
            pandas = _pandas(value) if key == _PANDAS else None
            if pandas is None:
                _put(out, _text(key), _text(value))
            elif pandas.get("attributes"):
                _put(out, "pandas", {"attributes": pandas["attributes"]})
    fields: dict[str, Any] = {}
    for field in schema:
        _field_metadata(field, field.name, fields)
    if fields:
        _put(out, "fields", fields)
    if not out:
        return None
    size = _Size(limits, payload.name)
    if size.of(out, 2) > limits.max_record_bytes:
        raise limits.exceeded("max_record_bytes", file=payload.name, position=POSITION,
                              what="the file's key-value metadata")
    return {"metadata": out}


def _field_metadata(field: pa.Field, path: str, out: dict[str, Any]) -> None:
    """Pairs of *field* and of the fields inside it, by dotted path."""
    pairs = {_text(key): _text(value) for key, value in (field.metadata or {}).items()
             if not (key == _FIELD_ID and value.isdigit())}
    if pairs:
        out[path] = pairs
    kind = field.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_nested(kind):
        for i in range(kind.num_fields):
            child = kind.field(i)
            _field_metadata(child, f"{path}.{child.name}", out)


def _pandas(value: bytes) -> dict[str, Any] | None:
    """*value* read as pyarrow's description of a DataFrame, or None if it is not one."""
    try:
        found = json.loads(value)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or absurdly deep
        return None
    if isinstance(found, dict) and "columns" in found and found.keys() <= _PANDAS_KEYS:
        return found
    return None


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Add a pair; a key met again with another value keeps both, as a list."""
    if key not in out:
        out[key] = value
    elif out[key] != value:
        out[key] = [out[key], value]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


class _Size:
    """Characters in the record, and its nesting checked: pandas attributes nest freely."""

    def __init__(self, limits: Limits, file: str) -> None:
        self.limits = limits
        self.file = file

    def of(self, value: Any, depth: int) -> int:
        """Characters in *value*, at nesting *depth* (the record 1, its ``metadata`` 2)."""
        if isinstance(value, (dict, list)) and depth > self.limits.max_depth:
            raise self.limits.exceeded("max_depth", file=self.file, position=POSITION,
                                       what="the file's key-value metadata")
        if isinstance(value, dict):
            return sum(len(key) + self.of(item, depth + 1) for key, item in value.items())
        if isinstance(value, list):
            return sum(self.of(item, depth + 1) for item in value)
        return len(value) if isinstance(value, str) else 1
