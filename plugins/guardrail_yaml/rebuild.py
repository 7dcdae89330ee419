"""Redacted values put back into a document's nodes, so unchanged values stay as written.

Each rebuilt node reads back (with this plugin's reader) as the redacted value, and
whatever the redactor left alone keeps its original node, so its style and tag
survive (``'0123'`` stays quoted, ``count: 5`` stays plain). A replaced value
becomes a ``!!str`` scalar that keeps its original style where it can; the emitter
quotes it whenever plain text would read back as something else. Nodes are never
changed in place: one reached through an alias may also be used elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardrail.plugin import DROPPED

from .compose import MAP_TAG, NULL_TAG, SEQ_TAG, STR_TAG

__all__ = ["Rebuild", "REMOVED", "skeleton"]

REMOVED: Any = object()  # a record the redactor dropped, wherever its node sits


def skeleton(path: tuple[str, ...]) -> Any:
    """What is left of a document whose non-record part is dropped: the way to its records."""
    out: Any = []
    for key in reversed(path):
        out = {key: out}
    return out


class Rebuild:
    """Rebuilds nodes so they read back as the redacted values.

    :param replaced: node id -> its rebuilt node (records rebuilt one by one), or
        ``REMOVED``.
    :param streamed: ids of records lists, whose items are in *replaced*.
    """

    def __init__(self, replaced: dict[int, Any], streamed: Iterable[int]) -> None:
        self.replaced = replaced
        self.streamed = frozenset(streamed)
        # records sit somewhere below: an unchanged value must still be walked
        self.deep = bool(replaced or self.streamed)

    def node(self, node: Node, old: Any, new: Any, shared: bool = False) -> Any:
        """*node* as it must be written for *new* (*old* is what it was read as).

        :param shared: *node* is inside an anchored node, which may be written elsewhere
            too (through an alias): a copy then gets its own scalars.
        """
        swap = self.replaced.get(id(node))
        if swap is not None:
            return swap
        if id(node) in self.streamed:
            return self.relist(node)  # type: ignore[arg-type]
        if new is old and (not self.deep or node.__class__ is ScalarNode):
            return node
        shared = shared or hasattr(node, "anchor")
        if node.__class__ is MappingNode and isinstance(old, dict) and isinstance(new, dict):
            return self._mapping(node, old, new, shared)  # type: ignore[arg-type]
        if node.__class__ is SequenceNode and isinstance(old, list) and isinstance(new, list):
            items = [item for _, item in self._items(node.value, old, new, shared)]
            return _copy(node, items, shared)  # type: ignore[arg-type]
        return _fresh(new, node)

    def relist(self, node: SequenceNode) -> SequenceNode:
        """A records list with each record's rebuilt node."""
        items = [self.replaced.get(id(item), item) for item in node.value]
        return _copy(node, [item for item in items if item is not REMOVED], False)

    def _items(self, nodes: list[Node], old: list[Any], new: list[Any], shared: bool
               ) -> list[tuple[int | None, Node]]:
        """Items rebuilt in order, each with the index of the item it comes from. The
        redactor leaves DROPPED where it drops an item (``keep_dropped``); a list that
        is shorter anyway is matched by identity or by how many items are left."""
        if len(new) == len(old):
            return [(i, self.node(item, before, after, shared)) for i, (item, before, after)
                    in enumerate(zip(nodes, old, new, strict=False))
                    if after is not DROPPED and self.replaced.get(id(item)) is not REMOVED]
        new = [item for item in new if item is not DROPPED]
        out: list[tuple[int | None, Node]] = []
        j = 0
        for i, (item, before) in enumerate(zip(nodes, old, strict=False)):
            surplus = (len(old) - i) - (len(new) - j)
            if j < len(new) and (new[j] is before or surplus <= 0):
                rebuilt = self.node(item, before, new[j], shared)
                j += 1
                if rebuilt is not REMOVED:
                    out.append((i, rebuilt))
            # else the redactor dropped this item
        out.extend((None, _fresh(value)) for value in new[j:])
        return out

    def _mapping(self, node: MappingNode, old: dict[str, Any], new: dict[str, Any],
                 shared: bool) -> Any:
        """Pairs rebuilt, each where its original pair was (a repeated key's pairs too)."""
        pairs: list[tuple[Node, Node]] = node.value
        names: list[str] = getattr(node, "keys", None) or _key_texts(pairs)
        if len(new) == len(pairs) and list(new) == names:  # same keys, none repeated
            out = [(k, self.node(v, old[name], new[name], shared))
                   for (k, v), name in zip(pairs, names, strict=True)]
            if not any(v is REMOVED for _, v in out):
                return _copy_mapping(node, out, names, shared)
        groups: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            groups.setdefault(name, []).append(i)
        renamed = iter([k for k in old if k not in new])  # keys the redactor replaced
        placed: list[tuple[tuple[int, int], str, tuple[Node, Node]]] = []
        extra = len(pairs)
        for key, value in new.items():
            same = key in old
            source = key if same else next(renamed, None)
            if source is None:
                placed.append(((extra, 0), key, (_fresh(key), _fresh(value))))
                extra += 1
                continue
            where = groups[source]
            if len(where) == 1:
                rebuilt = self.node(pairs[where[0]][1], old[source], value, shared)
                if rebuilt is not REMOVED:
                    key_node = pairs[where[0]][0] if same else _fresh(key)
                    placed.append(((where[0], 0), key, (key_node, rebuilt)))
                continue
            # a repeated key: its values were read as one list, one item per pair
            items = self._items([pairs[i][1] for i in where], old[source], value, shared) \
                if isinstance(value, list) else []
            if len(items) < 2:  # one pair would read back as a single value, not a list
                placed.append(((where[0], 0), key, (_fresh(key), _fresh(value))))
                continue
            for n, (index, item) in enumerate(items):
                at = where[index] if index is not None else where[-1]
                key_node = pairs[at][0] if same and index is not None else _fresh(key)
                placed.append(((at, n), key, (key_node, item)))
        placed.sort(key=lambda entry: entry[0])
        return _copy_mapping(node, [pair for _, _, pair in placed],
                             [key for _, key, _ in placed], shared)


def _copy_mapping(node: MappingNode, pairs: list[tuple[Node, Node]], names: list[str],
                  shared: bool) -> MappingNode:
    """*node* itself if nothing changed, else a new node with *pairs*."""
    if len(pairs) == len(node.value) and all(a[0] is b[0] and a[1] is b[1] for a, b in
                                             zip(pairs, node.value, strict=True)):
        return node
    if shared:
        kept = {id(n) for pair in node.value for n in pair}
        pairs = [(_own(k, kept), _own(v, kept)) for k, v in pairs]
    copy = MappingNode(node.tag, pairs, flow_style=node.flow_style)
    copy.keys = names  # type: ignore[attr-defined]
    return copy


def _copy(node: SequenceNode, items: list[Node], shared: bool) -> SequenceNode:
    """*node* itself if nothing changed, else a new node with *items*."""
    if len(items) == len(node.value) and all(a is b for a, b in
                                             zip(items, node.value, strict=True)):
        return node
    if shared:
        kept = {id(n) for n in node.value}
        items = [_own(item, kept) for item in items]
    return SequenceNode(node.tag, items, flow_style=node.flow_style)


def _own(node: Node, kept: set[int]) -> Node:
    """A copy's own scalar: the original may still be written (through an alias), and a
    node written twice would be given an anchor it never had."""
    if node.__class__ is ScalarNode and id(node) in kept:
        own = ScalarNode(node.tag, node.value, style=node.style)
        own.implicit = getattr(node, "implicit", None)  # type: ignore[attr-defined]
        return own
    return node


def _fresh(value: Any, like: Node | None = None) -> Node:
    """A node that reads back as *value*; a replaced scalar keeps its style."""
    if value is None:
        return ScalarNode(NULL_TAG, "null")
    if isinstance(value, dict):
        mapping = MappingNode(MAP_TAG, [(_fresh(k), _fresh(v)) for k, v in value.items()],
                              flow_style=getattr(like, "flow_style", None))
        mapping.keys = [str(k) for k in value]  # type: ignore[attr-defined]
        return mapping
    if isinstance(value, list):
        return SequenceNode(SEQ_TAG, [_fresh(v) for v in value if v is not DROPPED],
                            flow_style=getattr(like, "flow_style", None))
    # the emitter falls back to another style when the kept one cannot hold the value
    style = like.style if isinstance(like, ScalarNode) and like.style else None
    return ScalarNode(STR_TAG, value if isinstance(value, str) else str(value), style=style)


def _key_texts(pairs: list[tuple[Node, Node]]) -> list[str]:
    return [k.value if isinstance(k, ScalarNode) else "" for k, _ in pairs]
