"""Hardened lxml parsing: nothing fetched, no entity expanded, DTDs refused, errors without content.

Every parser here is built with the same options: entities are never resolved,
the network is never used, no DTD is loaded and lxml's ``huge_tree`` safety
limits stay on. On top of that, a document with a DOCTYPE is refused outright
(:func:`check_prolog`), so no entity, internal or external, is ever declared.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator
from typing import Any

from lxml import etree

from guardrail.plugin import Limits, Payload, PayloadError

__all__ = ["CHUNK", "head_tree", "pull_parser", "read_chunks", "check_prolog",
           "check_declaration", "effective_encoding", "syntax_error", "is_blank",
           "head_text", "declaration"]

CHUNK = 64 * 1024
LIBXML_MAX_DEPTH = 256          # libxml2's nesting limit without huge_tree
LIBXML_MAX_TEXT = 10_000_000    # libxml2's text node / attribute limit without huge_tree

_HARDENED: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
    "dtd_validation": False, "attribute_defaults": False, "strip_cdata": False,
    "remove_blank_text": False,
}
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
         codecs.BOM_UTF16_BE)
_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_WIDE = ("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4", "ucs4", "iso-10646")


def pull_parser(tag: str | None, encoding: str | None) -> etree.XMLPullParser:
    """The streaming parser: 'end' events only, for *tag* (a Clark name) or every element."""
    return etree.XMLPullParser(events=("end",), tag=tag, encoding=encoding, **_HARDENED)


def head_tree(chunks: list[bytes], encoding: str | None) -> etree._Element | None:
    """The partial tree of the first bytes (recovering from the cut), to choose the records."""
    parser = etree.XMLParser(recover=True, encoding=encoding, **_HARDENED)
    try:
        for chunk in chunks:
            parser.feed(chunk)
        return parser.close()
    except etree.XMLSyntaxError:
        return None
    finally:
        etree.clear_error_log()


def read_chunks(payload: Payload, limits: Limits) -> Generator[bytes, None, None]:
    """The payload's bytes in chunks; blocks once more than ``max_file_bytes`` were read."""
    stream = payload.open_binary()
    total = 0
    try:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > limits.max_file_bytes:
                raise limits.exceeded("max_file_bytes", file=payload.name,
                                      what="bytes read so far")
            yield chunk
    finally:
        stream.close()


def is_blank(head: bytes) -> bool:
    """Only a byte order mark and whitespace: an empty document, which holds no data."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    return not head.strip(b" \t\r\n\x00")


def check_declaration(head: bytes, payload: Payload, forced: str | None) -> None:
    """Refuse a single-byte document whose declaration claims UTF-16/32.

    libxml2 would switch decoders after the declaration and report a confusing
    syntax error; the real fault is the declaration.
    """
    if forced or not head.startswith(b"<?xml"):
        return
    found = _DECLARED.match(head)
    if found and found.group(1).decode("ascii").lower().startswith(_WIDE):
        raise PayloadError(
            f"the XML declaration says the text is {found.group(1).decode('ascii')}, but the "
            "bytes are single-byte text with no byte order mark; fix the declaration or pass "
            "--encoding with the real encoding", file=payload.name, position="line 1")


def check_prolog(tree: etree._ElementTree, payload: Payload) -> None:
    """Refuse any DOCTYPE: DTDs are where entities live.

    Expanding internal entities with a counter would still let a DTD hide data
    outside every record (entity values, default attributes, comments in the
    internal subset, which libxml2 does not even keep), and exports never need
    one. Refusing the DOCTYPE blocks billion laughs and external entities
    (files, URLs) before a single reference is looked at.
    """
    info = tree.docinfo
    if not info.doctype:
        return
    dtd = info.internalDTD
    entities = list(dtd.iterentities()) if dtd is not None else []
    if info.system_url or info.public_id or any(e.system_url for e in entities):
        reason = ("refers to an external DTD or entity; guardrail never fetches them (no "
                  "network, no local files)")
    elif entities:
        reason = ("declares entities in its DTD; guardrail never expands entities, which can "
                  "hide data or expand without bound")
    else:
        reason = "has a DOCTYPE declaration; guardrail does not read DTDs, which can hide data"
    raise PayloadError(f"the document {reason}. Remove the DOCTYPE from the export",
                       file=payload.name)


def syntax_error(exc: etree.XMLSyntaxError, payload: Payload, limits: Limits,
                 encoding: str | None) -> PayloadError:
    """A PayloadError for a libxml2 error, named by its kind; libxml2's text can quote content.

    :param encoding: what the parser decoded with (:func:`effective_encoding`), for
        naming the first undecodable byte.
    """
    entry = next((e for e in exc.error_log if e.level >= etree.ErrorLevels.ERROR), None)
    kind = entry.type_name if entry is not None else ""
    text = entry.message if entry is not None else (exc.msg or "")
    line, column = (entry.line, entry.column) if entry is not None else exc.position
    where = f"line {line}, column {column}" if line else None
    etree.clear_error_log()
    if "depth" in text.lower():
        if limits.max_depth <= LIBXML_MAX_DEPTH:
            return limits.exceeded("max_depth", file=payload.name, position=where,
                                   what="the element nesting")
        return PayloadError(f"elements are nested more than {LIBXML_MAX_DEPTH} deep, the XML "
                            "parser's fixed limit; the payload is blocked",
                            file=payload.name, position=where)
    if "amplification" in text:
        return PayloadError("the document's entities expand without bound; the payload is "
                            "blocked. Remove the DOCTYPE from the export", file=payload.name,
                            position=where)
    if kind == "ERR_RESOURCE_LIMIT":
        if limits.max_record_bytes <= LIBXML_MAX_TEXT:
            return limits.exceeded("max_record_bytes", file=payload.name, position=where,
                                   what="one text node or attribute value")
        return PayloadError(f"a text node or attribute value is larger than {LIBXML_MAX_TEXT:,} "
                            "bytes, the XML parser's fixed limit; the payload is blocked",
                            file=payload.name, position=where)
    if kind == "ERR_INVALID_ENCODING":
        name = encoding or "UTF-8"
        offset = payload.first_bad_byte(name)
        if offset is not None:
            where = f"{where}, byte {offset}" if where else f"byte {offset}"
        return PayloadError(f"content is not valid {name} text; fix the XML declaration, pass "
                            "--encoding with the right encoding or fix the export",
                            file=payload.name, position=where)
    if kind == "ERR_UNSUPPORTED_ENCODING":
        return PayloadError("the XML declaration names an encoding that is not supported; fix "
                            "the declaration or pass --encoding", file=payload.name,
                            position=where)
    reason = kind.removeprefix("ERR_").replace("_", " ").lower() or "syntax error"
    return PayloadError(f"not well-formed XML ({reason}); fix the export or check that it "
                        "is XML", file=payload.name, position=where)


def effective_encoding(head: bytes, forced: str | None) -> str | None:
    """The encoding the parser decodes with: forced, else the BOM's, else the declared one."""
    if forced:
        return forced
    for bom, name in ((codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16"),
                      (codecs.BOM_UTF16_BE, "UTF-16")):
        if head.startswith(bom):
            return name
    found = _DECLARED.match(head)
    return found.group(1).decode("ascii") if found else None


def head_text(head: bytes) -> str:
    """The head as text: UTF-16/32 by BOM or zero bytes, else UTF-8 (a cut character ignored)."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return head.decode("utf-32", errors="ignore")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("utf-8-sig", errors="ignore")


_STANDALONE = re.compile(r"<\?xml[^>]*?standalone\s*=\s*[\"'](yes|no)[\"']")


def declaration(head: bytes) -> tuple[bool, str | None]:
    """(has an XML declaration, its standalone value or None), for writing a copy."""
    text = head_text(head[:1024])
    if not text.startswith("<?xml"):
        return False, None
    found = _STANDALONE.match(text)
    return True, found.group(1) if found else None
