"""Load a page: bytes within the limits, decoded as a browser would, parsed by Lexbor.

A page is parsed whole (a DOM cannot be streamed), so three things are checked while
its bytes are read, before anything is parsed, so memory stays bounded:

* its size against ``max_file_bytes``;
* its tags against one per KiB of ``max_file_bytes`` (4,194,304 by default): Lexbor's
  tree costs about 170 bytes per node, so a page of nothing but ``<br>`` would
  otherwise take 40 times its size;
* the longest stretch with no ``<`` against ``max_record_bytes``: one text node of
  100 MB is blocked after 16 MiB, not after the whole page has been parsed.

Then the nesting guard (:mod:`.nesting`) runs before Lexbor does, and the source is
checked for what the tree would lose (:mod:`.source`): a page whose elements repeat an
attribute is blocked, and the doctype's ids are kept for the walk to read.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO, NamedTuple

from selectolax.lexbor import LexborHTMLParser

from guardrail.plugin import Payload, PayloadError, ReadOptions

from .nesting import GATE_LIMIT_FACTOR, deepest_nesting
from .source import leading_doctype, repeated_attribute

__all__ = ["load_page", "LoadedPage", "declared_charset", "max_tags"]

_CHUNK = 1 << 20
# WHATWG: these labels mean windows-1252 in a browser, and UTF-16 in a <meta> means UTF-8.
_BROWSER_LABELS = {"latin1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252",
                   "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8",
                   "utf-32": "utf-8"}


def max_tags(options: ReadOptions) -> int:
    """How many tags a page may have: one per KiB of the file size limit."""
    return max(options.limits.max_file_bytes // 1024, 1)


class LoadedPage(NamedTuple):
    """A parsed page, the encoding it was decoded from and what its doctype holds past
    the name ``html`` (None for none: Lexbor keeps only the name)."""

    tree: LexborHTMLParser
    encoding: str
    doctype: str | None


def load_page(payload: Payload, options: ReadOptions) -> LoadedPage:
    """The parsed page (see :class:`LoadedPage`)."""
    encoding = payload.text_encoding()  # before reading: a stream cannot be peeked after
    data = _read_capped(payload, options)
    text, encoding = _decode(data, payload, encoding)
    del data
    limits = options.limits
    threshold = GATE_LIMIT_FACTOR * limits.max_depth
    if deepest_nesting(text, threshold) > threshold:
        raise limits.exceeded("max_depth", file=payload.name,
                              what="the nesting of the page's elements")
    repeated = repeated_attribute(text)
    if repeated is not None:
        line = text.count("\n", 0, repeated) + 1
        raise PayloadError(
            "an element repeats an attribute; browsers keep the first, but the page still "
            "holds the others: fix the export", file=payload.name,
            position=f"line {line}")
    return LoadedPage(LexborHTMLParser(text), encoding, leading_doctype(text))


def _read_capped(payload: Payload, options: ReadOptions) -> bytearray:
    limits = options.limits
    if payload.path is not None and payload.path.stat().st_size > limits.max_file_bytes:
        raise limits.exceeded("max_file_bytes", file=payload.name, what="the page")
    tag_cap = max_tags(options)
    data = bytearray()
    tags = 0
    run_start = 0  # where the bytes since the last "<" start
    stream: BinaryIO = payload.open_binary()
    try:
        while chunk := stream.read(_CHUNK):
            if len(data) + len(chunk) > limits.max_file_bytes:
                raise limits.exceeded("max_file_bytes", file=payload.name, what="the page")
            first = chunk.find(b"<")
            end = len(data) + (len(chunk) if first < 0 else first)
            if end - run_start > limits.max_record_bytes:
                raise limits.exceeded("max_record_bytes", file=payload.name,
                                      position=f"byte {run_start}",
                                      what="a stretch of text with no markup")
            if first >= 0:
                run_start = len(data) + chunk.rfind(b"<") + 1
            tags += chunk.count(b"<")
            if tags > tag_cap:
                raise PayloadError(
                    f"the page has more than {tag_cap:,} tags: an HTML page is parsed whole, "
                    "so it may have one tag per KiB of the file size limit; the payload is "
                    "blocked. If it is genuine, raise the limit with --max-file-size",
                    file=payload.name)
            data += chunk
    finally:
        stream.close()
    if len(data) - run_start > limits.max_record_bytes:
        raise limits.exceeded("max_record_bytes", file=payload.name, position=f"byte {run_start}",
                              what="a stretch of text with no markup")
    return data


def _decode(data: bytearray, payload: Payload, encoding: str) -> tuple[str, str]:
    """Caller's encoding, else a BOM, else the page's <meta charset>, else UTF-8; strictly."""
    if not payload.encoding and encoding == "utf-8":
        encoding = declared_charset(data) or "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise PayloadError(
            f"content is not valid {encoding} text; pass --encoding with the right encoding "
            "or fix the page", file=payload.name, position=f"byte {exc.start}") from None


def declared_charset(data: bytes | bytearray) -> str | None:
    """The encoding a ``<meta>`` in the first 1024 bytes declares, as Python names it."""
    head = LexborHTMLParser(data[:1024].decode("ascii", errors="replace"))
    for meta in head.css("meta"):
        attributes = meta.attributes
        label = attributes.get("charset")
        if not label and (attributes.get("http-equiv") or "").lower() == "content-type":
            content = (attributes.get("content") or "").lower()
            if "charset=" in content:
                label = content.split("charset=", 1)[1].split(";")[0]
        if label:
            label = label.strip().strip("'\"").lower()
            try:
                name = codecs.lookup(label).name
            except LookupError:
                continue  # browsers ignore a label they do not know
            if not _is_text_codec(name):
                continue
            return _BROWSER_LABELS.get(name, name)
    return None


def _is_text_codec(name: str) -> bool:
    """False for base64, rot13 and the other codecs that do not decode text."""
    return bool(getattr(codecs.lookup(name), "_is_text_encoding", True))
