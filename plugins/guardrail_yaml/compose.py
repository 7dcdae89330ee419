"""YAML events to records: every scalar as written, aliases counted, nothing constructed.

PyYAML's constructors turn ``NO`` into False, ``0123`` into 83 and ``1:30`` into 90,
which would hide a value from the detectors; they can also build Python objects.
This composer never calls a constructor: it reads parser events and keeps each
scalar's text exactly as written (only a plain ``null``/``~``/empty becomes None,
like JSON null). Aliases reuse the anchored value, and every alias followed is
counted with the aliases inside what it points to, so a billion-laughs file hits
``max_entities`` after a few events, without expanding anything.

Every tag outside the core schema, and every anchor's name, is handed to a
:class:`~guardrail_yaml.tags.TagFinder` (both are text the exporter wrote) and counts
towards the size of the record it is in. With ``keep_nodes`` it also builds the
``yaml.nodes`` graph (tags resolved as PyYAML's composer would, styles kept) for
writing a redacted copy.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardrail.plugin import Limits, PayloadError

from .comments import CommentFinder
from .tags import TagFinder, is_core

__all__ = ["Composer", "STR_TAG", "NULL_TAG", "SEQ_TAG", "MAP_TAG", "position", "put"]

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
_BINARY_TAG = "tag:yaml.org,2002:binary"
_PYTHON_TAG = "tag:yaml.org,2002:python/"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_RESOLVER = yaml.resolver.Resolver()


def position(event: Any) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}"


class Composer:
    """Builds values (and optionally nodes) from the events of one payload.

    :param get_event: the parser's ``get_event``.
    :param finder: told about quoted and block scalars, whose ``#`` is not a comment.
    :param tags: given every anchor and every tag that is not a core schema tag.
    """

    def __init__(self, get_event: Callable[[], Any], limits: Limits, file: str,
                 finder: CommentFinder, tags: TagFinder, keep_nodes: bool = False) -> None:
        self.next = get_event
        self.limits = limits
        self.file = file
        self.finder = finder
        self.tags = tags
        self.keep_nodes = keep_nodes
        self.node: Node | None = None  # node of the value built last (keep_nodes only)
        self.by_id: dict[int, Node] | None = None  # container value id -> node, when asked
        self.aliases = 0  # alias expansions so far, in the whole payload
        # characters of scalars built so far, plus one per node (an empty value is not
        # free to check), aliases expanded
        self.size = 0
        self.deepest = 0
        self.anchors: dict[str, tuple[Any, int, int, int, Node | None]] = {}
        self._open: set[str] = set()  # anchors whose node is still being built

    def new_document(self) -> None:
        """Anchors are scoped to one document."""
        self.anchors = {}
        self._open = set()

    # -- values ---------------------------------------------------------------------------

    def value(self, event: Any, depth: int) -> Any:
        """The value whose first event is *event*; consumes the rest of its events."""
        cls = event.__class__
        if event.anchor is not None and cls is not AliasEvent:
            return self._anchored(event, depth)
        if cls is ScalarEvent:
            return self.scalar(event)
        if cls is MappingStartEvent:
            return self.mapping(event, depth + 1)
        if cls is SequenceStartEvent:
            return self.sequence(event, depth + 1)
        if cls is AliasEvent:
            return self.alias(event, depth)
        raise PayloadError(f"not valid YAML: unexpected {cls.__name__}", file=self.file,
                           position=position(event))

    def scalar(self, event: Any) -> Any:
        value = event.value
        tag = event.tag
        style = event.style
        if len(value) > self.limits.max_record_bytes:
            raise self.limits.exceeded("max_record_bytes", file=self.file,
                                       position=position(event), what="one scalar")
        self.size += len(value) + 1
        if style and self.finder.hashes:
            self.finder.protect(event)
        if tag is not None:
            self._check_tag(event)
        if event.anchor is not None:
            self._anchor(event)
        if (not style and tag is None and value in _NULLS) or tag == NULL_TAG:
            out: Any = None
        elif tag == _BINARY_TAG:
            out = _decoded(value)
        else:
            out = value
        if self.keep_nodes:
            # no marks: nodes are only written back, and a document's nodes are all kept
            node = self.node = ScalarNode(_scalar_tag(tag, style, value), value,
                                          style=style or None)
            # written back as it was: plain, quoted, or with its tag shown
            node.implicit = event.implicit  # type: ignore[attr-defined]
        return out

    def mapping(self, start: Any, depth: int) -> dict[str, Any]:
        self.enter(start, depth)
        keep = self.keep_nodes
        pairs: list[tuple[Node, Node]] = []
        names: list[str] = []
        out: dict[str, Any] = {}
        dups: set[str] | None = None
        get = self.next
        finder = self.finder
        limit = self.limits.max_record_bytes
        size = 0
        fast = not keep  # plain pairs inline: most of the reading time is spent here
        while True:
            event = get()
            cls = event.__class__
            if cls is MappingEndEvent:
                break
            if fast and cls is ScalarEvent and event.tag is None and event.anchor is None:
                key = event.value
                size += len(key) + 1
                if event.style and finder.hashes:
                    finder.protect(event)
            else:
                key = self.key(event, depth)
                key_node = self.node
            event = get()
            value: Any
            if fast and event.__class__ is ScalarEvent and event.tag is None \
                    and event.anchor is None:
                value = event.value
                length = len(value)
                if length > limit:
                    self.scalar(event)  # raises
                size += length + 1
                if event.style:
                    if finder.hashes:
                        finder.protect(event)
                elif value in _NULLS:
                    value = None
            else:
                value = self.value(event, depth)
                if keep:
                    pairs.append((key_node, self.node))  # type: ignore[arg-type]
                    names.append(key)
            if key in out:
                dups = put(out, key, value, dups)
            else:
                out[key] = value
        self.size += size
        if keep:
            self.node = MappingNode(start.tag or MAP_TAG, pairs, flow_style=start.flow_style)
            self.node.keys = names  # type: ignore[attr-defined]  # key texts, for the writer
            self._remember(out)
        return out

    def sequence(self, start: Any, depth: int) -> list[Any]:
        self.enter(start, depth)
        keep = self.keep_nodes
        items: list[Node] = []
        out: list[Any] = []
        get = self.next
        while True:
            event = get()
            if event.__class__ is SequenceEndEvent:
                break
            out.append(self.value(event, depth))
            if keep:
                items.append(self.node)  # type: ignore[arg-type]
        if keep:
            self.node = SequenceNode(start.tag or SEQ_TAG, items, flow_style=start.flow_style)
            self._remember(out)
        return out

    def alias(self, event: Any, depth: int) -> Any:
        found = self.anchors.get(event.anchor)
        if found is None:
            problem = ("an alias refers to the node that contains it (a recursive structure)"
                       if event.anchor in self._open else "an alias names an anchor that "
                       "is not defined earlier in the document")
            raise PayloadError(f"not valid YAML: {problem}", file=self.file,
                               position=position(event))
        value, weight, size, height, node = found
        self.aliases += 1 + weight
        self.size += size
        limits = self.limits
        if self.aliases > limits.max_entities:
            raise limits.exceeded("max_entities", file=self.file, position=position(event),
                                  what="YAML alias expansion (nested aliases counted)")
        if depth + height > limits.max_depth:
            raise limits.exceeded("max_depth", file=self.file, position=position(event),
                                  what="nesting through an alias")
        if depth + height > self.deepest:
            self.deepest = depth + height
        self.node = node
        return value

    # -- helpers -------------------------------------------------------------------------

    def _anchored(self, event: Any, depth: int) -> Any:
        """Build an anchored value and note what following an alias to it costs."""
        anchor = event.anchor
        aliases, size, deepest = self.aliases, self.size, self.deepest
        self.deepest = depth
        self._open.add(anchor)
        cls = event.__class__
        if cls is ScalarEvent:
            value = self.scalar(event)
        elif cls is MappingStartEvent:
            value = self.mapping(event, depth + 1)
        else:
            value = self.sequence(event, depth + 1)
        self._open.discard(anchor)
        node = None
        if self.keep_nodes:
            node = self.node
            node.anchor = anchor  # type: ignore[union-attr]  # written back as an anchor
        self.anchors[anchor] = (value, self.aliases - aliases, self.size - size,
                                self.deepest - depth, node)
        self.deepest = max(deepest, self.deepest)
        return value

    def key(self, event: Any, depth: int) -> str:
        """A mapping key as text: a scalar as written, anything else as its JSON form."""
        key = self.value(event, depth)
        if isinstance(key, str):
            return key
        if key is None and event.__class__ is ScalarEvent:
            return event.value
        return json.dumps(key, ensure_ascii=False)

    def enter(self, start: Any, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise self.limits.exceeded("max_depth", file=self.file, position=position(start),
                                       what="nesting of mappings and sequences")
        if depth > self.deepest:
            self.deepest = depth
        self.size += 1
        if start.tag is not None:
            self._check_tag(start)
        if start.anchor is not None:
            self._anchor(start)

    def _check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag.startswith(_PYTHON_TAG):
            raise PayloadError(
                "a !!python/ tag asks the reader to build a Python object (which can run "
                "code); guardrail never builds one and blocks the payload. Remove the tag "
                "from the export", file=self.file, position=position(event))
        if not is_core(tag):
            self.tags.tag(tag, event.start_mark.line + 1, self.size)
            self.size += len(tag)  # checked like a value, so counted like one

    def _anchor(self, event: Any) -> None:
        self.tags.anchor(event.anchor, event.start_mark.line + 1, self.size)
        self.size += len(event.anchor)

    def _remember(self, value: Any) -> None:
        if self.by_id is not None:
            self.by_id[id(value)] = self.node  # type: ignore[assignment]


def put(out: dict[str, Any], key: str, value: Any, dups: set[str] | None) -> set[str] | None:
    """Add a pair; a repeated key keeps every value, as a list: last-wins would hide one."""
    if key not in out:
        out[key] = value
        return dups
    if dups is None:
        dups = set()
    if key not in dups:
        dups.add(key)
        out[key] = [out[key]]
    out[key].append(value)
    return dups


def _scalar_tag(tag: str | None, style: str | None, value: str) -> str:
    """The tag PyYAML's composer would give, so unchanged scalars are written as they were."""
    if tag is not None and tag != "!":
        return tag
    if style or tag == "!":
        return STR_TAG
    return _RESOLVER.resolve(ScalarNode, value, (True, False))


def _decoded(text: str) -> str:
    """A ``!!binary`` value as the text it encodes, so detectors see it; else as written."""
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return text
