"""Writing redacted JSON and NDJSON copies, section for section as the readers yield them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from guardrail.plugin import DROPPED, Payload, PayloadError, ReadOptions, Redactor

from .depth import load_document
from .stream import simple_prefix

__all__ = ["redact_json", "redact_ndjson"]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def redact_json(payload: Payload, options: ReadOptions, redactor: Redactor, out: BinaryIO,
                items: Iterator[Any] | None) -> None:
    """A top-level array (*items*, streamed) is written one record per line; a document
    with records inside is redacted in memory, records first, then the rest of it."""
    if items is not None:
        section = redactor.documents()
        out.write(b"[")
        first = True
        for item in items:
            new = section.record(item)
            if new is DROPPED:
                continue
            out.write(b"\n" if first else b",\n")
            out.write(_dumps(new))
            first = False
        out.write(b"\n]\n")
        return
    document = load_document(payload, options)
    path = _records_path(document, options.records)
    if path is None:
        new = redactor.documents().record(document)
        out.write(_dumps(None if new is DROPPED else new) + b"\n")
        return
    holder = _get(document, path[:-1])
    records = holder[path[-1]]
    section = redactor.documents(section=".".join(path) or None)
    kept = [r for r in map(section.record, records) if r is not DROPPED]
    holder[path[-1]] = []
    rest = redactor.documents(section="(document)", index=False).record(document)
    if rest is DROPPED:
        rest = {}
    _get(rest, path[:-1])[path[-1]] = kept
    out.write(json.dumps(rest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")


def _records_path(document: Any, selector: str | None) -> list[str] | None:
    """Where the reader finds the records: the policy's plain selector, else the first
    top-level key holding a list that starts with an object (see stream.RecordStreamer)."""
    if selector:
        prefix = simple_prefix(selector)
        if prefix is None:
            raise PayloadError(
                f"records selector '{selector}' filters or computes: a redacted copy can "
                "only be written when records are selected by a plain path such as "
                "'data.cases'", file="policy")
        keys = prefix.split(".")
        found = document
        for key in keys:
            if not isinstance(found, dict) or key not in found:
                return None
            found = found[key]
        return keys if isinstance(found, list) else None
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return [key]
    return None


def _get(document: Any, keys: list[str]) -> Any:
    for key in keys:
        document = document[key]
    return document


def redact_ndjson(records: Iterator[Any], redactor: Redactor, out: BinaryIO) -> None:
    """One redacted record per line; a dropped record leaves no line."""
    section = redactor.documents()
    for record in records:
        new = section.record(record)
        if new is not DROPPED:
            out.write(_dumps(new) + b"\n")
