"""JSON and NDJSON formats.

JSON is streamed with ijson: the records array (the top-level array, the array
the policy's ``records:`` selector names, or else the first top-level array of
objects) is read one record at a time. Everything around it is checked too, as
one unindexed "document" section, so nothing outside the records escapes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any, BinaryIO

import ijson
import jmespath
from jmespath.exceptions import JMESPathError

from guardrail.plugin import (
    Documents,
    KeepAll,
    Payload,
    PayloadError,
    ReadOptions,
    Redactor,
    hookimpl,
    keep_all_pairs,
)

from .depth import guarded, load_document
from .redact import redact_json, redact_ndjson
from .stream import RecordStreamer, simple_prefix

__all__ = ["JsonFormat", "NdjsonFormat", "guardrail_register_formats"]


class JsonFormat:
    name = "json"
    extensions = (".json", ".geojson")
    media_types = ("application/json", "text/json", "+json")
    description = "JSON document: an array of records, or records inside an object"

    def sniff(self, head: bytes) -> int:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if text[:1] not in (b"{", b"["):
            return 0
        return 60

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Documents]:
        selector = options.records
        prefix = simple_prefix(selector) if selector else None
        if selector and prefix is None:
            yield from self._read_with_query(payload, options, selector)
            return
        if prefix is None and _starts_with_array(payload.head(4096)):
            yield from self._read_array(payload, options)
            return
        stream = guarded(payload.open_utf8(), payload, options)
        try:
            streamer = RecordStreamer(_events(stream, payload), prefix)
            if streamer.find_records():
                yield Documents(streamer.items(), name=streamer.section_name)
                yield Documents([streamer.remainder()], name="(document)", index=False)
            else:  # no array of records: the document itself is the one record
                yield Documents([streamer.remainder()])
        finally:
            stream.close()

    @staticmethod
    def _read_array(payload: Payload, options: ReadOptions) -> Iterator[Documents]:
        """A top-level array: ijson builds each item in C, the common and fastest case."""
        stream = guarded(payload.open_utf8(), payload, options)
        try:
            yield Documents(_items(stream, payload))
        finally:
            stream.close()

    def redact(self, payload: Payload, options: ReadOptions, redactor: Redactor,
               out: BinaryIO) -> None:
        """Top-level arrays stream; records inside an object are redacted in memory."""
        if not options.records and _starts_with_array(payload.head(4096)):
            stream = guarded(payload.open_utf8(), payload, options)
            try:
                items = _items(stream, payload)
                redact_json(payload, options, redactor, out, items)
            finally:
                stream.close()
        else:
            redact_json(payload, options, redactor, out, None)

    def _read_with_query(self, payload: Payload, options: ReadOptions,
                         selector: str) -> Iterator[Documents]:
        """A selector with filters or functions needs the whole document in memory."""
        document = load_document(payload, options)
        try:
            found = jmespath.search(selector, document)
        except JMESPathError:  # its message quotes the value it choked on
            raise PayloadError(
                "the policy's records selector could not be applied to this document (a "
                "function got a value of the wrong type); fix the selector",
                file=payload.name) from None
        records = found if isinstance(found, list) else ([] if found is None else [found])
        # Only containers: scalars such as 1 or true are shared objects, and removing
        # every value with the same id would hide unrelated fields from the check.
        chosen = {id(r) for r in records if isinstance(r, (dict, list))}
        yield Documents(records, name=selector)
        yield Documents([_without(document, chosen)], name="(document)", index=False)


def _without(value: Any, chosen: set[int]) -> Any:
    """*value* with the selected records removed, so they are not checked twice."""
    if id(value) in chosen:
        return None
    if isinstance(value, dict):
        return {k: _without(v, chosen) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(v, chosen) for v in value if id(v) not in chosen]
    return value


def _starts_with_array(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["


def _items(stream, payload: Payload) -> Iterator[Any]:
    """The items of a top-level array, built in C; a repeated key keeps every value."""
    return _guard(ijson.items(stream, "item", use_float=True, map_type=KeepAll), payload)


def _events(stream, payload: Payload) -> Iterator[tuple[str, str, Any]]:
    return _guard(ijson.parse(stream, use_float=True), payload)


def _guard(items: Iterator[Any], payload: Payload) -> Iterator[Any]:
    """Pass items through; parse errors become PayloadErrors that never quote the payload."""
    try:
        yield from items
    except (ijson.JSONError, ijson.IncompleteJSONError) as exc:
        raise _locate_error(payload, exc) from None
    except UnicodeDecodeError as exc:
        raise payload.decode_error(exc) from None


def _locate_error(payload: Payload, exc: Exception) -> PayloadError:
    """Find the line and column with the standard parser (error path only)."""
    if payload.path is not None:
        try:
            with payload.path.open("rb") as handle:
                json.load(handle)
        except json.JSONDecodeError as err:
            return PayloadError(f"not valid JSON: {err.msg}", file=payload.name,
                                position=f"line {err.lineno}, column {err.colno}")
        except UnicodeDecodeError as err:  # yajl calls bad UTF-8 a syntax error
            return payload.decode_error(err)
        except ValueError:
            pass
    incomplete = isinstance(exc, ijson.IncompleteJSONError) and "premature EOF" in str(exc)
    reason = "the document ends too early" if incomplete else "malformed JSON"
    return PayloadError(f"not valid JSON: {reason}", file=payload.name)


class NdjsonFormat:
    name = "ndjson"
    extensions = (".ndjson", ".jsonl", ".jsonlines")
    media_types = ("application/x-ndjson", "application/ndjson", "application/jsonl",
                   "application/jsonlines", "application/json-seq")
    description = "Newline-delimited JSON: one record per line"

    def sniff(self, head: bytes) -> int:
        lines = [ln.strip() for ln in head.lstrip(b"\xef\xbb\xbf").splitlines() if ln.strip()]
        if len(head) == 65536:
            lines = lines[:-1]
        if len(lines) < 2:
            return 0
        try:
            for line in lines[:5]:
                json.loads(line)
        except ValueError:
            return 0
        return 75

    def redact(self, payload: Payload, options: ReadOptions, redactor: Redactor,
               out: BinaryIO) -> None:
        records = _ndjson_records(payload.open_text(), payload, options, {"line": 0})
        redact_ndjson(records, redactor, out)

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Documents]:
        position = {"line": 0}
        yield Documents(_ndjson_records(payload.open_text(), payload, options, position),
                        locate=lambda record: f"line {position['line']}")


def _ndjson_records(stream, payload: Payload, options: ReadOptions,
                    position: dict[str, int]) -> Iterator[Any]:
    """Records line by line; a line is read at most up to the record size limit, so a
    huge line without a newline blocks without being held in memory."""
    decode = partial(json.loads, object_pairs_hook=keep_all_pairs)
    limit = options.limits.max_record_bytes
    readline = stream.readline
    number = 0
    try:
        with stream:
            while line := readline(limit + 1):
                number += 1
                position["line"] = number
                if len(line) > limit and line[-1] != "\n":
                    raise options.limits.exceeded("max_record_bytes", file=payload.name,
                                                  position=f"line {number}", what="one line")
                if not line.strip():
                    continue
                try:
                    yield decode(line)
                except json.JSONDecodeError as exc:
                    raise PayloadError(f"not valid JSON: {exc.msg}", file=payload.name,
                                       position=f"line {number}, column {exc.colno}") from None
                except RecursionError:
                    raise options.limits.exceeded("max_depth", file=payload.name,
                                                  position=f"line {number}",
                                                  what="the JSON nesting") from None
    except UnicodeDecodeError as exc:
        raise payload.decode_error(exc, f"line {position['line'] + 1}") from None


@hookimpl
def guardrail_register_formats(register) -> None:
    register(JsonFormat())
    register(NdjsonFormat())
