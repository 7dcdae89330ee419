"""One streaming pass over an XML payload: record elements as they end, then the rest.

Memory stays bounded: each record is handed out while it is still in the tree
(so its namespaces resolve) and removed as soon as the caller is done with it.
Where a run of consecutive records was, a placeholder processing instruction
stays, so the rest of the document (root, headers, comments, text between
records) keeps its order and the redactor can write the records back in place.
What stays is measured: more than ``max_record_bytes`` outside the records, or
between two records, blocks the payload.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterator
from typing import Any

from lxml import etree

from guardrail.plugin import Payload, ReadOptions

from .layout import SNIFF_BYTES, Layout, choose_layout
from .parse import (
    CHUNK,
    check_declaration,
    check_prolog,
    declaration,
    effective_encoding,
    head_tree,
    is_blank,
    pull_parser,
    read_chunks,
    syntax_error,
)

__all__ = ["Walk"]


class Walk:
    """Reads the head, refuses what must not be parsed, chooses the records, then streams.

    :ivar empty: the payload holds nothing but whitespace (no sections at all).
    :ivar line: line of the record element last handed out.
    """

    def __init__(self, payload: Payload, options: ReadOptions) -> None:
        self.payload = payload
        self.limits = options.limits
        self.forced = options.encoding
        self.marker = "guardrail-records-" + uuid.uuid4().hex
        self.root: Any = None
        self.line = 0
        self.runs = 0
        self._open: Any = None    # placeholder of the run of records still open
        self._fed = self._since = self._outside = 0
        self._done = False
        self._chunks: Generator[bytes, None, None] = read_chunks(payload, self.limits)
        try:
            self._start(payload)
        except BaseException:
            self._chunks.close()
            raise

    def _start(self, payload: Payload) -> None:
        self._head: list[bytes] = []
        for chunk in self._chunks:
            self._head.append(chunk)
            if sum(map(len, self._head)) >= SNIFF_BYTES:
                break
        head = b"".join(self._head)
        self.empty = len(head) < SNIFF_BYTES and is_blank(head)
        self.declared, self.standalone = declaration(head)
        self.encoding = effective_encoding(head[:1024], self.forced)
        tree = None
        if not self.empty:
            check_declaration(head[:1024], payload, self.forced)
            tree = head_tree(self._head, self.forced)
            if tree is not None:
                check_prolog(tree.getroottree(), payload)
        self.layout: Layout = choose_layout(tree)
        self.section = self.layout.section(tree.tag if tree is not None else "*")

    def records(self) -> Iterator[tuple[Any, int]]:
        """(record element, run number) for each record; the element is removed on resume."""
        if self.empty or self._done:
            return
        self._done = True
        parser = pull_parser(self.layout.tag, self.forced)
        etree.clear_error_log()
        try:
            for chunk in self._all_chunks():
                parser.feed(chunk)
                self._fed += len(chunk)
                yield from self._events(parser)
                if self._fed - self._since > self.limits.max_record_bytes + CHUNK:
                    raise self.limits.exceeded(
                        "max_record_bytes", file=self.payload.name,
                        what="a record, or the document between two records")
            root = parser.close()
            yield from self._events(parser)
        except etree.XMLSyntaxError as exc:
            raise syntax_error(exc, self.payload, self.limits, self.encoding) from None
        finally:
            self._chunks.close()
        if self.root is None:
            self.root = root
            check_prolog(root.getroottree(), self.payload)

    def finish(self) -> Any:
        """The root once every record is out (None for an empty payload)."""
        for _ in self.records():
            pass
        return self.root

    def _all_chunks(self) -> Iterator[bytes]:
        head, self._head = self._head, []
        while head:
            yield head.pop(0)
        yield from self._chunks

    def _events(self, parser: etree.XMLPullParser) -> Iterator[tuple[Any, int]]:
        for _, element in parser.read_events():
            parent = element.getparent()
            if parent is None:
                continue
            if self.root is None:
                self.root = element.getroottree().getroot()
                check_prolog(self.root.getroottree(), self.payload)
            if not self._is_record(parent):
                continue
            previous = element.getprevious()
            if previous is None or previous is not self._open:
                self._open = etree.ProcessingInstruction(self.marker, str(self.runs))
                element.addprevious(self._open)
                self._measure_outside(self._open)
                self.runs += 1
            self.line = element.sourceline
            yield element, self.runs - 1
            tail = element.tail
            if tail is not None and not tail.isspace():
                self._open.tail = tail  # text between records belongs to the document
                self._open = None
            parent.remove(element)
            self._since = self._fed

    def _is_record(self, parent: Any) -> bool:
        wrapper = self.layout.wrapper
        if wrapper is None:
            return parent is self.root
        return parent.tag == wrapper and parent.getparent() is self.root

    def _measure_outside(self, placeholder: Any) -> None:
        """Count what stays in memory between this run of records and the previous one."""
        size = 0
        node = placeholder.getprevious()
        while node is not None and not _is_placeholder(node, self.marker):
            size += len(etree.tostring(node, with_tail=True))
            node = node.getprevious()
        if node is None:
            size += len(placeholder.getparent().text or "")
        self._outside += size
        if self._outside > self.limits.max_record_bytes:
            raise self.limits.exceeded("max_record_bytes", file=self.payload.name,
                                       position=f"line {placeholder.getparent().sourceline}",
                                       what="the document outside its records")


def _is_placeholder(node: Any, marker: str) -> bool:
    return node.tag is etree.ProcessingInstruction and node.target == marker
