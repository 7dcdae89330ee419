"""Where the records are in a YAML payload, read in one pass; shared by read and redact.

Each document (``---`` separated) is read in turn; record indices continue across
documents, so an index names one record of the file. In a document:

- a top-level sequence: each item is a record, streamed one at a time;
- a mapping: the records are the list the policy's ``records:`` selector names, else
  the first top-level key holding a list of mappings (as for JSON). Those items are
  streamed as records; the rest of the mapping, records list left empty, is one
  unindexed ``(document)`` section checked like any record. With no such list the
  mapping is one record;
- a scalar: one record ``{"text": ...}`` (free text with no field name of its own);
  an empty document has no records.

Section names: the first document's are those of a one-document file (None,
``cases``, ``(document)``); later ones say which document (``document 2``,
``document 2: cases``, ``(document 2)``). Tags, ``%TAG`` directives and anchor names
come after each document as an unindexed ``(tags)`` section of ``{"text": ...}``
records (see :mod:`guardrail_yaml.tags`), then comments as an unindexed ``(comments)``
section of ``{"text": comment}`` records. Both come sooner, between parts of one records
section, when many pile up, so memory stays bounded. Tags also come sooner so a copy
written item by item never writes a tag before it is judged: before a records list
that is the document, when its own tag or the document's directives are pending, and
once records read since a pending tag reach ``_HOLD_TAGGED`` characters (a writer holds
those records back until then).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

import jmespath
from jmespath.exceptions import (
    ArityError,
    JMESPathError,
    JMESPathTypeError,
    UnknownFunctionError,
    VariadictArityError,
)
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, SequenceNode

from guardrail.plugin import Payload, PayloadError, ReadOptions

from .comments import CommentFinder
from .compose import MAP_TAG, SEQ_TAG, Composer, put
from .select import simple_path, without
from .source import new_parser, open_tee, yaml_errors
from .tags import TagFinder

__all__ = ["YamlReader", "Part", "Done"]

_RESOLVE_EVERY = 1 << 16  # characters of text with a '#' kept before looking for comments
_FLUSH_COMMENTS = 1 << 20  # characters of comments kept before they are handed on
_FLUSH_TAGS = 1 << 20  # characters of tags kept before they are handed on
_HOLD_TAGGED = 1 << 16  # characters of records read since a tag before its tags go on
_SELECTOR_TYPE = ("the records selector could not be applied: a function got a value of "
                  "the wrong type; fix the policy's records selector")


@dataclass
class Part:
    """One section: records in order, how to name and index them, and what they are.

    ``role``: ``items`` (items of a records list), ``query`` (picked by a selector
    query), ``rest`` (the document around its records), ``whole`` (the document is the
    record), ``text`` (a scalar document as ``{"text": ...}``), ``tags`` or
    ``comments``.
    """

    name: str | None
    records: Iterator[Any]
    role: str
    first_index: int = 0
    index: bool = True
    node: Callable[[], Node | None] = lambda: None  # node of the record just produced
    opening: Any = None  # the start event of a records list that is the document itself
    # the record just produced holds, or follows, a tag not judged yet (a later ``tags``
    # part judges it): a writer must not write it before then
    tags_pending: Callable[[], bool] = lambda: False


@dataclass
class Done:
    """End of a document (only when nodes are kept): what the writer needs to rebuild it."""

    root: Node | None
    kind: str  # items, mapping, whole, text, query, empty
    records: Node | None = None  # the streamed records list, if any
    path: tuple[str, ...] = ()  # keys leading to it (mapping)


class _Items:
    """State of a records list being streamed, possibly over several parts."""

    def __init__(self, keep: bool) -> None:
        self.done = False
        self.paused = False
        self.keep = keep  # collect the items' nodes
        self.nodes: list[Node] = []


class YamlReader:
    """Reads one payload into :class:`Part` objects (and :class:`Done` when keeping nodes).

    Parts must be consumed in order, each one's records before the next part.
    """

    def __init__(self, payload: Payload, options: ReadOptions, keep_nodes: bool = False) -> None:
        self.payload = payload
        self.limits = options.limits
        self.keep = keep_nodes
        self.path = simple_path(options.records) if options.records else None
        self.query = options.records if options.records and self.path is None else None
        self.finder = CommentFinder()
        self.tags = TagFinder()
        self.count = 0  # records so far: indices continue across documents
        self.line = 0  # line of the record produced last
        self._found: tuple[str, ...] | None = None
        self._records_node: Node | None = None
        self._document_number = 0
        self._streamed = 0  # characters of streamed records (not part of their document's rest)
        self._sizes = (0, 0)

    def locate(self, record: Any) -> str:
        return f"line {self.line}"

    def parts(self) -> Iterator[Part | Done]:
        self.tee = open_tee(self.payload, self.limits, self.finder)
        parser = None
        try:
            with yaml_errors(self.payload):
                parser = new_parser(self.tee)
                self.get, self.peek = parser.get_event, parser.peek_event
                self.composer = Composer(self.get, self.limits, self.payload.name,
                                         self.finder, self.tags, self.keep)
                self.get()  # stream start
                number = 0
                while self.peek().__class__ is not StreamEndEvent:
                    start = self.get()  # document start
                    self.tags.directives(start.tags, start.start_mark.line + 1,
                                         self.composer.size)
                    number += 1
                    self.composer.new_document()
                    yield from self._document(number)
                self.get()
                self.finder.finish()
                if self.finder.found:
                    yield self._comments()
        finally:
            self.tee.close()
            dispose = getattr(parser, "dispose", None)
            if dispose is not None:
                dispose()

    # -- documents -----------------------------------------------------------------------

    def _document(self, number: int) -> Iterator[Part | Done]:
        root = self.get()
        self._document_number = number
        self.line = root.start_mark.line + 1
        self.tee.checkpoint(f"line {self.line}")
        self._found = None
        self._sizes = (self.composer.size, self._streamed)
        cls = root.__class__
        done: Done
        node: Node | None
        if self.query is not None:
            done = yield from self._query(root, number)
        elif cls is SequenceStartEvent and self.path is None:
            yield from self._items(root, _name(number, None), 1, whole=True)
            done = Done(None, "items")  # a writer writes each item as it comes
        elif cls is MappingStartEvent:
            value, node = yield from self._walk(root, self.path, 1, ())
            self._check_size(root)
            self.line = root.start_mark.line + 1
            if self._found is not None:
                yield Part(_rest_name(number), iter([value]), "rest", index=False)
                done = Done(node, "mapping", records=self._records_node, path=self._found)
            else:
                yield self._single(number, value, "whole")
                done = Done(node, "whole")
        else:
            value = self.composer.value(root, 0)
            node = self.composer.node
            self._check_size(root)
            if value is None:
                done = Done(node, "empty")
            elif isinstance(value, str):
                yield self._single(number, {"text": value}, "text")
                done = Done(node, "text")
            else:  # a sequence when the selector names a key: the document is the record
                yield self._single(number, value, "whole")
                done = Done(node, "whole")
        end = self.get()  # document end
        self.finder.advance(end.end_mark.index)
        yield from self._notes()
        if self.keep:
            yield done

    def _check_size(self, root: Any) -> None:
        """A document read as one record, or the rest around its records, is one record."""
        size, streamed = self._sizes
        if (self.composer.size - size) - (self._streamed - streamed) > \
                self.limits.max_record_bytes:
            what = "the document around its records" if self._found else "one record"
            raise self.limits.exceeded("max_record_bytes", file=self.payload.name,
                                       position=f"line {root.start_mark.line + 1}",
                                       what=f"{what} (aliases expanded)")

    def _single(self, number: int, value: Any, role: str) -> Part:
        self.count += 1
        return Part(_name(number, None), iter([value]), role, first_index=self.count - 1)

    def _items(self, start: Any, name: str | None, depth: int, whole: bool = False
               ) -> Generator[Part, None, SequenceNode | None]:
        """Parts of a streamed records list (more than one if comments are flushed);
        returns its node, unless the list is the *whole* document."""
        self.composer.enter(start, depth)
        if whole and self.tags.found:  # its tag or directives: judged before it is opened
            yield self._tags()
        state = _Items(keep=self.keep and not whole)
        while not state.done:
            state.paused = False
            yield Part(name, self._records(state, depth), "items", first_index=self.count,
                       node=self._node, opening=start if whole else None,
                       tags_pending=self._tags_pending)
            if not (state.done or state.paused):
                raise RuntimeError("YAML sections must be read in order, each to its end")
            if state.paused:
                yield from self._notes()
        if not state.keep:
            return None
        return SequenceNode(start.tag or SEQ_TAG, state.nodes, flow_style=start.flow_style)

    def _records(self, state: _Items, depth: int) -> Iterator[Any]:
        get, composer, finder, tee = self.get, self.composer, self.finder, self.tee
        tags = self.tags
        limit = self.limits.max_record_bytes
        keep = state.keep
        with yaml_errors(self.payload):
            while True:
                event = get()
                if event.__class__ is SequenceEndEvent:
                    state.done = True
                    return
                mark = event.start_mark
                self.line = line = mark.line + 1
                tee.checkpoint(f"line {line}")
                if finder.hashes and finder.pending > _RESOLVE_EVERY:
                    finder.advance(mark.index)
                size = composer.size
                value = composer.value(event, depth)
                size = composer.size - size
                self._streamed += size
                if size > limit:
                    raise self.limits.exceeded("max_record_bytes", file=self.payload.name,
                                               position=f"line {line}",
                                               what="one record (aliases expanded)")
                if keep:
                    state.nodes.append(composer.node)  # type: ignore[arg-type]
                self.count += 1
                yield value
                if finder.found_size > _FLUSH_COMMENTS or tags.found and (
                        tags.size > _FLUSH_TAGS or composer.size - tags.since > _HOLD_TAGGED):
                    state.paused = True
                    return

    def _node(self) -> Node | None:
        return self.composer.node

    def _tags_pending(self) -> bool:
        return bool(self.tags.found)

    def _walk(self, start: Any, path: tuple[str, ...] | None, depth: int,
              keys: tuple[str, ...]) -> Generator[Part, None, tuple[dict[str, Any],
                                                                   MappingNode | None]]:
        """A mapping, built pair by pair until its records list, which is streamed;
        returns (the mapping with that list left empty, its node)."""
        composer, get, keep = self.composer, self.get, self.keep
        composer.enter(start, depth)
        out: dict[str, Any] = {}
        dups: set[str] | None = None
        pairs: list[tuple[Node, Node]] = []
        names: list[str] = []
        node: Node | None
        while True:
            event = get()
            if event.__class__ is MappingEndEvent:
                break
            key = composer.key(event, depth)
            key_node = composer.node
            event = get()
            cls = event.__class__
            if self._found is None and self._holds_records(key, event, path, depth):
                self._found = keys + (key,)
                name = _name(self._document_number, ".".join(self._found))
                node = yield from self._items(event, name, depth + 1)
                self._records_node = node
                value: Any = []
            elif self._found is None and path is not None and len(path) > 1 \
                    and key == path[0] and cls is MappingStartEvent:
                value, node = yield from self._walk(event, path[1:], depth + 1, keys + (key,))
            else:
                value = composer.value(event, depth)
                node = composer.node
            dups = put(out, key, value, dups)
            if keep:
                pairs.append((key_node, node))  # type: ignore[arg-type]
                names.append(key)
        if not keep:
            return out, None
        mapping = MappingNode(start.tag or MAP_TAG, pairs, flow_style=start.flow_style)
        mapping.keys = names  # type: ignore[attr-defined]
        return out, mapping

    def _holds_records(self, key: str, event: Any, path: tuple[str, ...] | None,
                       depth: int) -> bool:
        if event.__class__ is not SequenceStartEvent or event.anchor is not None:
            return False  # an anchored list may be aliased later: it is built, not streamed
        if path is None:
            return depth == 1 and self.peek().__class__ is MappingStartEvent
        return len(path) == 1 and key == path[0]

    def _query(self, root: Any, number: int) -> Generator[Part, None, Done]:
        """A selector with filters or functions: the document is built whole."""
        composer = self.composer
        composer.by_id = {} if self.keep else None
        document = composer.value(root, 0)
        root_node = composer.node
        by_id, composer.by_id = composer.by_id or {}, None
        self._check_size(root)
        try:
            found = jmespath.search(self.query, document)
        except JMESPathError as exc:
            raise PayloadError(_selector_error(exc), file=self.payload.name) from None
        records = found if isinstance(found, list) else ([] if found is None else [found])
        chosen = {id(r) for r in records if isinstance(r, (dict, list))}
        self.count += len(records)
        current: dict[str, Node | None] = {"node": None}

        def each() -> Iterator[Any]:
            for record in records:
                current["node"] = by_id.get(id(record)) if id(record) in chosen else None
                yield record

        line = root.start_mark.line + 1
        self.line = line
        yield Part(_name(number, self.query), each(), "query",
                   first_index=self.count - len(records), node=lambda: current["node"])
        self.line = line
        yield Part(_rest_name(number), iter([without(document, chosen)]), "rest",
                   index=False)
        return Done(root_node, "query")

    def _notes(self) -> Iterator[Part]:
        """What is pending of tags and comments, each as its own section."""
        if self.tags.found:
            yield self._tags()
        if self.finder.found:
            yield self._comments()

    def _tags(self) -> Part:
        found = self.tags.take()

        def each() -> Iterator[dict[str, str]]:
            for line, text in found:
                self.line = line
                yield {"text": text}

        return Part("(tags)", each(), "tags", index=False)

    def _comments(self) -> Part:
        found = self.finder.take()

        def each() -> Iterator[dict[str, str]]:
            for line, text in found:
                self.line = line
                yield {"text": text}

        return Part("(comments)", each(), "comments", index=False)


def _name(number: int, base: str | None) -> str | None:
    if number == 1:
        return base
    return f"document {number}: {base}" if base else f"document {number}"


def _rest_name(number: int) -> str:
    return "(document)" if number == 1 else f"(document {number})"


def _selector_error(exc: JMESPathError) -> str:
    """What went wrong, never jmespath's own text: a type error quotes the payload's value."""
    if isinstance(exc, JMESPathTypeError):
        return _SELECTOR_TYPE
    if isinstance(exc, (ArityError, VariadictArityError)):
        problem = "a function got the wrong number of arguments"
    elif isinstance(exc, UnknownFunctionError):
        problem = "it calls a function JMESPath does not have"
    else:
        problem = "it is not a valid JMESPath query"
    return f"the records selector could not be applied: {problem}; fix the policy's " \
        "records selector"
