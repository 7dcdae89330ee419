"""Writing a redacted copy of an XML payload, streamed through a spool file.

The reader yields the records first and the rest of the document last, and the
redactor must see them in that order; but the root's start tag and any headers
come first in the output. So each redacted record is serialised to a temporary
spool file as it streams (memory stays bounded), and once the rest of the
document is redacted it is written out with each run of records copied from the
spool where its placeholder stands.

Unchanged nodes are written as lxml parsed them: the same elements, attributes,
namespaces, comments and CDATA sections; what may differ is insignificant
formatting (quote style, whitespace inside tags and between top-level nodes,
character references written as characters). The copy is always UTF-8.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from lxml import etree

from guardrail.plugin import Payload, ReadOptions

from .convert import Converter
from .walk import Walk
from .writeback import apply_document, apply_record

if TYPE_CHECKING:
    from guardrail.plugin import Redactor

__all__ = ["write_redacted"]

_XMLNS = re.compile(rb'\sxmlns(?::[^\s=]+)?="[^"]*"')


def write_redacted(payload: Payload, options: ReadOptions, redactor: Redactor,
                   out: BinaryIO) -> None:
    """Redact *payload* into *out*; the sections mirror ``XmlFormat.read`` exactly."""
    from guardrail.plugin import DROPPED

    walk = Walk(payload, options)
    if walk.empty:
        return
    convert = Converter(options.limits, payload.name, walk.marker)
    depth = walk.layout.depth
    records = redactor.documents(section=walk.section, first_index=0, index=True, typed=False,
                                 keep_dropped=True)
    with tempfile.TemporaryFile() as spool:
        runs: list[list[int]] = []  # [start, end] offsets in the spool, per run of records
        for element, run in walk.records():
            if run == len(runs):
                runs.append([spool.tell(), spool.tell()])
            old = convert.record(element, depth)
            new = records.record(old)
            if new is not DROPPED:
                apply_record(element, old, new, walk.marker)
                spool.write(_serialise(element))
                tail = element.tail
                if tail is not None and tail.isspace():
                    spool.write(tail.encode("utf-8"))
            runs[run][1] = spool.tell()
        root = walk.finish()
        old_doc = convert.document(root)
        rest = redactor.documents(section="(document)", first_index=0, index=False,
                                  keep_dropped=True)
        omitted = apply_document(root, old_doc, rest.record(old_doc), walk.marker)
        _assemble(walk, root, omitted, spool, runs, out)


def _serialise(element: Any) -> bytes:
    """A record as UTF-8, without re-declaring the namespaces its ancestors declare."""
    data: bytes = etree.tostring(element, encoding="UTF-8", xml_declaration=False,
                                 with_tail=False)
    parent = element.getparent()
    if element.nsmap and parent is not None and element.nsmap == parent.nsmap:
        end = data.index(b">")  # lxml escapes '>' in attribute values
        data = _XMLNS.sub(b"", data[:end]) + data[end:]
    return data


def _assemble(walk: Walk, root: Any, omitted: list[Any], spool: IO[bytes],
              runs: list[list[int]], out: BinaryIO) -> None:
    if walk.declared:
        extra = f' standalone="{walk.standalone}"' if walk.standalone else ""
        out.write(f'<?xml version="1.0" encoding="UTF-8"{extra}?>\n'.encode())
    for node in reversed(list(root.itersiblings(preceding=True))):
        if node not in omitted:
            out.write(etree.tostring(node, encoding="UTF-8", with_tail=False) + b"\n")
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, with_tail=False)
    pattern = re.compile(rb"<\?" + walk.marker.encode() + rb" (\d+)\?>")
    parts = pattern.split(body)
    out.write(parts[0])
    for index in range(1, len(parts), 2):
        start, end = runs[int(parts[index])]
        spool.seek(start)
        _copy(spool, out, end - start)
        out.write(parts[index + 1])
    for node in root.itersiblings():
        if node not in omitted:
            out.write(b"\n" + etree.tostring(node, encoding="UTF-8", with_tail=False))
    out.write(b"\n")


def _copy(source: IO[bytes], target: BinaryIO, size: int) -> None:
    while size > 0:
        block = source.read(min(size, 1 << 20))
        if not block:
            break
        target.write(block)
        size -= len(block)
