"""XML format: the repeated elements of an export are its records, streamed with lxml.

Records are found automatically (see :mod:`.layout`) and read as dicts (see
:mod:`.convert`); everything else in the document (root attributes, headers,
comments outside records) is checked too, as one unindexed "(document)" record.
Parsing is hardened (see :mod:`.parse`): no DOCTYPE, so no entity is ever
declared, expanded or fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from guardrail.plugin import Documents, Payload, ReadOptions, hookimpl

from .convert import Converter
from .parse import head_text
from .walk import Walk

if TYPE_CHECKING:
    from guardrail.plugin import Redactor

__all__ = ["XmlFormat", "guardrail_register_formats"]

_PROLOG = re.compile(r"(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE\s+([^\s>\[]+)[^>]*>|\s)*", re.S | re.I)
_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_HTML = ("html", "head", "body")


class XmlFormat:
    name = "xml"
    extensions = (".xml",)
    media_types = ("application/xml", "text/xml", "+xml")
    markup = True  # a .txt that starts with a tag is not promoted to XML (detection.py)
    description = "XML document: the repeated elements are the records (lxml, hardened)"

    def sniff(self, head: bytes) -> int:
        """90 for an XML declaration, 70 for a root element; HTML pages score 5."""
        text = head_text(head[:4096]).lstrip()
        if not text.startswith("<"):
            return 0
        prolog = _PROLOG.match(text)
        found = _ELEMENT.match(text, prolog.end())
        doctype = prolog.group(1)
        if (doctype or "").lower() in _HTML or (found and found.group(1).lower() in _HTML):
            return 5  # an HTML page, even written as XHTML: the html format's
        if text.startswith("<?xml"):
            return 90
        return 70 if found else 0

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Documents]:
        walk = Walk(payload, options)
        if walk.empty:
            return
        convert = Converter(options.limits, payload.name, walk.marker)
        depth = walk.layout.depth

        def records() -> Iterator[dict[str, Any]]:
            for element, _ in walk.records():
                yield convert.record(element, depth)

        # typed=False: element text is text as written, so a rule on <count>3</count>
        # compares the number
        yield Documents(records(), name=walk.section, locate=lambda _: f"line {walk.line}",
                        typed=False)
        root = walk.finish()
        yield Documents([convert.document(root)], name="(document)", index=False,
                        locate=lambda _: f"line {root.sourceline}")

    def redact(self, payload: Payload, options: ReadOptions, redactor: Redactor,
               out: BinaryIO) -> None:
        """Write *payload* with offending values replaced or removed (see :mod:`.redact`)."""
        from .redact import write_redacted

        write_redacted(payload, options, redactor, out)


@hookimpl
def guardrail_register_formats(register) -> None:
    register(XmlFormat())
