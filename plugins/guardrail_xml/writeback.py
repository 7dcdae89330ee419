"""Putting redacted record values back into the elements they were read from.

The redactor returns a copy of each record in which only changed values differ
(unchanged ones are the same objects) and dropped keys are missing. This walks
the element in the order :class:`~.convert.Converter` read it and changes only
the nodes whose value changed: text and attribute values are replaced, dropped
attributes, elements, comments and PIs are removed, and everything else is left
as it was parsed.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from guardrail.plugin import DROPPED

from .convert import TEXT, attribute_keys, blank, child_key, local

__all__ = ["apply_record", "apply_document", "GONE"]

GONE: Any = object()
"""A value that is no longer there: its key was dropped, or the record was."""


def apply_record(element: Any, old: dict[str, Any], new: Any, marker: str) -> None:
    """Write redacted record *new* (read as *old*) back into *element*."""
    if new is old:
        return
    if not isinstance(new, dict):
        new = {}
    if not element.attrib and not len(element):  # a text-only record: {tag: text}
        key = local(element.tag)
        _apply(element, old[key], new.get(key, GONE), marker)
    else:
        _apply(element, old, new, marker)


def apply_document(root: Any, old: dict[str, Any], new: Any, marker: str) -> list[Any]:
    """Write the redacted document record back into the root and the nodes around it.

    Returns the comments and PIs outside the root that were dropped: lxml cannot
    remove a node that has no parent, so the writer leaves them out.
    """
    omitted: list[Any] = []
    if new is old:
        return omitted
    if not isinstance(new, dict):
        new = {}
    nodes = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    counters: dict[Any, Any] = {}
    for node in nodes:
        key = local(node.tag) if node is root else child_key(node, marker)
        if key is None:
            continue
        before, after = _pick(old, new, key, counters)
        if node is root:
            _apply(root, before, {} if after is GONE else after, marker)
        elif after is GONE:
            omitted.append(node)
        elif after is not before:
            _set_node_text(node, after)
    return omitted


def _apply(element: Any, old: Any, new: Any, marker: str) -> None:
    if new is old:
        return
    if not isinstance(old, dict):  # an element read as its text (or None)
        element.text = None if new is GONE else _text(new)
        return
    if not isinstance(new, dict):
        new = {}
    attrib = element.attrib
    for key, name in attribute_keys(element):
        if key not in new:
            del attrib[name]
        elif new[key] is not old[key]:
            attrib[name] = _text(new[key]) or ""
    _apply_texts(element, old.get(TEXT), new.get(TEXT, GONE))
    counters: dict[Any, Any] = {}
    removed = []
    for child in element:
        child_name = child_key(child, marker)
        if child_name is None:
            continue
        before, after = _pick(old, new, child_name, counters)
        if after is GONE:
            removed.append(child)
        elif after is not before:
            if child.tag.__class__ is str:
                _apply(child, before, after, marker)
            else:
                _set_node_text(child, after)
    for child in removed:
        _remove_keeping_text(child)


def _pick(old: dict[str, Any], new: dict[str, Any], key: str,
          counters: dict[Any, Any]) -> tuple[Any, Any]:
    """(old, new) value of the next node read under *key*; repeated keys are lists."""
    index = counters.get(key, 0)
    counters[key] = index + 1
    before = old[key]
    after = new.get(key, GONE)
    if type(before) is not list:
        return before, after
    aligned = counters.get((key, "aligned"))
    if aligned is None:
        aligned = counters[(key, "aligned")] = _align(before, after)
    return before[index], aligned[index]


def _align(before: list[Any], after: Any) -> list[Any]:
    """The new value (or GONE) of each item of a list the redactor rewrote.

    The redactor is asked to leave dropped items in place (``keep_dropped=True``),
    so items line up one to one; anything else drops the whole list, so nothing
    the redactor removed can survive.
    """
    if type(after) is not list or len(after) != len(before):
        return [GONE] * len(before)
    return [GONE if item is DROPPED else item for item in after]


def _apply_texts(element: Any, old: Any, new: Any) -> None:
    """Replace the text nodes read as ``#text`` (the element's text, then children's tails)."""
    if new is old or old is None:
        return
    slots: list[tuple[Any, str]] = []
    if not blank(element.text):
        slots.append((element, "text"))
    slots += [(child, "tail") for child in element if not blank(child.tail)]
    if type(old) is list:
        olds, news = old, _align(old, new)
    else:
        olds, news = [old], [new]
    for (node, attr), before, after in zip(slots, olds, news, strict=True):
        if after is not before:
            setattr(node, attr, None if after is GONE else _text(after))


def _remove_keeping_text(child: Any) -> None:
    """Remove *child*; a tail that is text (not indentation) stays where it was."""
    parent = child.getparent()
    tail = child.tail
    if not blank(tail):
        previous = child.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(child)


def _set_node_text(node: Any, value: Any) -> None:
    """A comment or PI's new text, made valid for its kind ('--' ends comments, '?>' PIs)."""
    text = _text(value) or ""
    if node.tag is etree.Comment:
        text = text.replace("--", "- -")
        node.text = text + " " if text.endswith("-") else text
    else:
        node.text = text.replace("?>", "? >")


def _text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)
