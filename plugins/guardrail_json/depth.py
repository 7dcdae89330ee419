"""Nesting depth of a JSON stream, bounded before the parser meets it.

ijson names every event with its prefix (``item.item.item...``): a hostile document
nested a hundred thousand levels deep makes those names cost gigabytes. The guard
bounds the depth chunk by chunk in C-level byte operations: the chunk's brackets are
kept (``translate``), adjacent open-close pairs are cancelled pass by pass
(``replace``; one pass per level of the deepest closed group), and what is left is
some closers then some openers. The depth never exceeds the larger of the depths at
the chunk's two ends plus the passes. Brackets inside strings can only raise that
bound. When the bound passes the limit, a file's exact depth is measured with ijson's
prefix-free ``basic_parse`` and the payload blocks only if the document really is that
deep; a stream (which cannot be read twice) blocks.
"""

from __future__ import annotations

import io
import json
from itertools import accumulate
from typing import Any

import ijson

from guardrail.plugin import Payload, PayloadError, ReadOptions, StreamGuard, keep_all_pairs

__all__ = ["DepthGuard", "guarded", "exact_depth_exceeds", "load_document"]


_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class DepthGuard(StreamGuard):
    """A binary stream that raises once the document may nest deeper than the limit."""

    def __init__(self, raw: Any, payload: Payload, options: ReadOptions) -> None:
        super().__init__(raw)
        self._payload = payload
        self._limits = options.limits
        self._depth = 0  # an upper bound of the depth where the last chunk ended
        self._checked = False
        self._in_string = False
        self._run = 0  # bytes of the string being read, so far

    def inspect(self, buffer: Any, size: int) -> None:
        chunk = bytes(buffer[:size])
        if not self._checked:
            self._bound_depth(chunk)
        self._measure_strings(chunk)

    def _bound_depth(self, chunk: bytes) -> None:
        limit = self._limits.max_depth
        brackets = chunk.translate(_BRACKETS, _NOT_BRACKETS)
        marks, passes = brackets, 0
        while b"()" in marks and self._depth + passes <= limit:
            marks = marks.replace(b"()", b"")
            passes += 1
        closers = marks.count(b")")
        end = self._depth - closers + (len(marks) - closers)
        if b"()" in marks or max(self._depth, end) + passes > limit:
            # near the limit: walk this chunk's brackets one by one for the exact peak
            peak, end = _walk(self._depth, brackets)
            if peak > limit:
                self._settle()
                return
        self._depth = max(end, 0)

    def _measure_strings(self, chunk: bytes) -> None:
        """Block a string longer than the record limit before the parser builds it
        (a 100 MB string would then be scanned by every detector). Quotes toggle
        string state; escaped quotes are not counted."""
        quotes = chunk.count(b'"') - chunk.count(b'\\"')
        if quotes <= 0:
            if self._in_string:
                self._run += len(chunk)
        else:
            self._in_string ^= quotes % 2 == 1
            self._run = len(chunk) - chunk.rfind(b'"') - 1 if self._in_string else 0
        if self._in_string and self._run > self._limits.max_record_bytes:
            raise self._limits.exceeded("max_record_bytes", file=self._payload.name,
                                        what="one JSON string")

    def _settle(self) -> None:
        """Many open brackets: measure exactly (files), or fail closed (streams)."""
        if self._payload.path is None or exact_depth_exceeds(self._payload,
                                                             self._limits.max_depth):
            raise self._limits.exceeded("max_depth", file=self._payload.name,
                                        what="the JSON nesting")
        self._checked = True  # the whole file was measured: nothing more to count


def _walk(depth: int, brackets: bytes) -> tuple[int, int]:
    """(deepest, final) depth reached by *brackets* (``(`` and ``)`` only) from *depth*."""
    steps = accumulate((1 if mark == 40 else -1 for mark in brackets), initial=depth)
    peak = end = depth
    for end in steps:
        if end > peak:
            peak = end
    return peak, end


def exact_depth_exceeds(payload: Payload, limit: int) -> bool:
    """True when the document nests deeper than *limit* (prefix-free events, bounded memory)."""
    depth = 0
    with payload.open_utf8() as stream:
        try:
            for event, _ in ijson.basic_parse(stream):
                if event in ("start_map", "start_array"):
                    depth += 1
                    if depth > limit:
                        return True
                elif event in ("end_map", "end_array"):
                    depth -= 1
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError):
            return False  # not a depth problem: the reader reports it with its position
    return False


def guarded(stream: Any, payload: Payload, options: ReadOptions) -> io.BufferedReader:
    """*stream* read through a :class:`DepthGuard`."""
    return io.BufferedReader(DepthGuard(stream, payload, options), 65536)


def load_document(payload: Payload, options: ReadOptions) -> Any:
    """The whole document in memory (filtering selectors, redacting records in an object)."""
    with guarded(payload.open_utf8(), payload, options) as stream:
        try:
            return json.load(stream, object_pairs_hook=keep_all_pairs)
        except json.JSONDecodeError as exc:
            raise PayloadError(f"not valid JSON: {exc.msg}", file=payload.name,
                               position=f"line {exc.lineno}, column {exc.colno}") from None
        except UnicodeDecodeError as exc:
            raise payload.decode_error(exc) from None
        except RecursionError:  # deeper than Python's stack, below the limit the user set
            raise options.limits.exceeded("max_depth", file=payload.name,
                                          what="the JSON nesting") from None
