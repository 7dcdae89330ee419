"""Writing a redacted copy: every part's records through the redactor, then out as YAML.

A document that is a list of records is written item by item as each is redacted, so
memory stays flat however long the list; any other document is written once its
parts are done (see :mod:`guardrail_yaml.rebuild`). Anchors keep their names and
aliases stay aliases where the anchored node is unchanged.

Comments are not written: PyYAML keeps none, and leaving them out is safe (they were
checked like every value, and are not published). Directives (``%YAML``, ``%TAG``) and
the original line breaks (CR LF) are not kept either: a tag is written in full. A tag
whose ``(tags)`` record the redactor changed or dropped is left off every node that
carries it (as is every tag under a ``%TAG`` prefix it changed), so the node is
written as if it had never had one; such an anchor name is replaced by a neutral one.
While tags are pending, items of a list written item by item are held back until
their ``(tags)`` section has been judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardrail.plugin import DROPPED

from .compose import MAP_TAG, SEQ_TAG, STR_TAG
from .layout import Done, Part
from .rebuild import REMOVED, Rebuild, skeleton
from .tags import DIRECTIVE, anchor_text, is_core, tag_text

__all__ = ["write_copy"]

_Dumper: Any
try:
    from yaml.cyaml import CSafeDumper as _Dumper  # type: ignore[no-redef]
except ImportError:  # PyYAML built without libyaml
    _Dumper = yaml.SafeDumper
_RESOLVER = yaml.resolver.Resolver()


def write_copy(parts: Iterable[Part | Done], redactor: Any, out: BinaryIO) -> None:
    """Hand every part's records to *redactor* and write the redacted documents to *out*."""
    dumper = _Dumper(out, encoding="utf-8", allow_unicode=True, width=1 << 30)
    try:
        _Writer(redactor, dumper.emit).run(parts)
    finally:
        dumper.dispose()


class _Writer:
    def __init__(self, redactor: Any, emit: Any) -> None:
        self.redactor = redactor
        self.emit = emit
        self.first = True
        self.bad_texts: set[str] = set()  # (tags) records the redactor changed
        self.bad_prefixes: set[str] = set()  # texts of %TAG prefixes it changed
        self.held: list[Node] = []  # streamed items waiting for their tags to be judged
        self._new_document()

    def _new_document(self) -> None:
        self.replaced: dict[int, Any] = {}  # record node id -> its rebuilt node
        self.single: tuple[Any, Any] | None = None  # (record, redacted) of a one-record part
        self.streaming = False  # writing a list of records item by item
        self.anchors: dict[int, str] = {}  # node id -> anchor written for it
        self.names: set[str] = set()

    def run(self, parts: Iterable[Part | Done]) -> None:
        self.emit(StreamStartEvent(encoding="utf-8"))
        for part in parts:
            if isinstance(part, Done):
                self._finish(part)
            else:
                self._part(part)
        self.emit(StreamEndEvent())

    def _part(self, part: Part) -> None:
        # keep_dropped: a dropped list item stays as DROPPED, so items map back to nodes
        section = self.redactor.documents(section=part.name, first_index=part.first_index,
                                          typed=False,
                                          index=part.index, keep_dropped=True)
        role = part.role
        if part.opening is not None and not self.streaming:
            self._start_document()
            start = part.opening
            tag = start.tag if start.tag and self._allowed(start.tag) else SEQ_TAG
            self.emit(SequenceStartEvent(None, tag, tag == SEQ_TAG,
                                         flow_style=start.flow_style))
            self.streaming = True
        for value in part.records:
            new = section.record(value)
            if role == "tags":
                if new is not value:
                    self._forbid(value["text"])
            elif role == "items" or role == "query":
                node = part.node()
                if node is None:  # a scalar a query picked: it is rewritten where it sits
                    continue
                rebuilt = REMOVED if new is DROPPED else node if new is value else \
                    Rebuild({}, ()).node(node, value, new)
                if self.streaming:
                    if rebuilt is not REMOVED:
                        if self.held or part.tags_pending():
                            self.held.append(rebuilt)
                        else:
                            self._node(rebuilt)
                elif rebuilt is not node or role == "query":
                    # a query's record sits in the rest as None: the rest needs its node
                    self.replaced[id(node)] = rebuilt
            elif role != "comments":
                self.single = (value, new)
        if role == "tags":
            held, self.held = self.held, []
            for node in held:
                self._node(node)

    def _forbid(self, text: str) -> None:
        """A ``(tags)`` record the redactor changed: no tag or anchor reading so is
        written, nor any tag under a ``%TAG`` prefix reading so."""
        self.bad_texts.add(text)
        if text.startswith(DIRECTIVE):
            prefix = text[len(DIRECTIVE):].partition(" ")[2]
            if prefix:
                self.bad_prefixes.add(prefix)

    def _allowed(self, tag: str) -> bool:
        if not self.bad_texts or is_core(tag):
            return True
        text = tag_text(tag)
        return text not in self.bad_texts and not any(text.startswith(p)
                                                      for p in self.bad_prefixes)

    def _finish(self, done: Done) -> None:
        if self.held:  # the reader hands on every pending tag before a document ends
            raise RuntimeError("YAML records were held for tags that were never judged")
        if self.streaming:
            self.emit(SequenceEndEvent())
            self.emit(DocumentEndEvent(explicit=False))
        else:
            root = self._root(done)
            if root is not None:
                self._start_document()
                self._node(root)
                self.emit(DocumentEndEvent(explicit=False))
        self._new_document()

    def _root(self, done: Done) -> Node | None:
        """The document's root rebuilt, or None when the whole document is dropped."""
        streamed = (id(done.records),) if done.records is not None else ()
        rebuild = Rebuild(self.replaced, streamed)
        if done.kind == "empty" or self.single is None or done.root is None:
            return done.root
        value, new = self.single
        if new is DROPPED:
            if done.kind != "mapping":
                return None  # the whole document was the record
            new = skeleton(done.path)
        if done.kind == "text":
            text = new.get("text") if isinstance(new, dict) else None
            return rebuild.node(done.root, value["text"], text)  # type: ignore[no-any-return]
        return rebuild.node(done.root, value, new)  # type: ignore[no-any-return]

    def _start_document(self) -> None:
        self.emit(DocumentStartEvent(explicit=not self.first))
        self.first = False

    def _node(self, node: Node) -> None:
        """Emit *node*: a node written before with an anchor becomes an alias."""
        anchor = getattr(node, "anchor", None)
        if anchor is not None:
            written = self.anchors.get(id(node))
            if written is not None:
                self.emit(AliasEvent(written))
                return
            if self.bad_texts and anchor_text(anchor) in self.bad_texts:
                anchor = "a"  # a name the redactor changed: a neutral one instead
            while anchor in self.names:  # a name the document defines twice
                anchor += "_"
            self.names.add(anchor)
            self.anchors[id(node)] = anchor
        emit, tag = self.emit, node.tag
        allowed = not self.bad_texts or self._allowed(tag)
        if node.__class__ is ScalarNode:
            value = node.value
            implicit = getattr(node, "implicit", None)  # None: a value the redactor wrote
            if not allowed:  # written as it would have been read with no tag
                tag = STR_TAG if node.style else _RESOLVER.resolve(ScalarNode, value,
                                                                   (True, False))
                implicit = None
            if implicit is None:
                implicit = (tag == _RESOLVER.resolve(ScalarNode, value, (True, False)),
                            tag == _RESOLVER.resolve(ScalarNode, value, (False, True)))
            emit(ScalarEvent(anchor, tag, implicit, value, style=node.style))
        elif node.__class__ is SequenceNode:
            tag = tag if allowed else SEQ_TAG
            emit(SequenceStartEvent(anchor, tag, tag == _RESOLVER.resolve(SequenceNode, None,
                                                                           True),
                                    flow_style=node.flow_style))
            for item in node.value:
                self._node(item)
            emit(SequenceEndEvent())
        else:
            assert node.__class__ is MappingNode
            tag = tag if allowed else MAP_TAG
            emit(MappingStartEvent(anchor, tag, tag == _RESOLVER.resolve(MappingNode, None,
                                                                          True),
                                   flow_style=node.flow_style))
            for key, item in node.value:
                self._node(key)
                self._node(item)
            emit(MappingEndEvent())
