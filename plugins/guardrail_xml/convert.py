"""XML elements as records: the dicts the engine checks field by field.

The shape follows the xmltodict convention, so field paths read naturally:

- attributes are ``"@name"``; child elements are keys (a repeated child becomes a
  list, in document order); an element holding only text is that text, an empty
  one is None;
- text mixed with child elements (or beside attributes) is ``"#text"``, comments
  are ``"<!--text-->"`` and processing instructions ``"?target"``, each a string
  or, when there are several, a list. Data hides in comments, so they are fields
  too. A comment's key normalises to ``text`` (keys are matched ignoring
  punctuation), the free text that shipped policies publish only when the
  content detectors find nothing in it, as the format contract asks for XML
  comments; ``"#comment"`` would normalise to ``comment``, a field name;
- whitespace-only text, comments and processing instructions are not fields;
- names are local names: namespace prefixes vary between producers and policies
  name fields without them. Two attributes of one element whose local names
  collide keep their prefix as written (``"@xlink:href"``).

:mod:`.writeback` walks elements in exactly the same order to put redacted
values back, so both use :func:`child_key` and :func:`attribute_keys`.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from guardrail.plugin import Limits

__all__ = ["Converter", "child_key", "attribute_keys", "local", "blank", "TEXT", "COMMENT"]

TEXT = "#text"
COMMENT = "<!--text-->"
_XML_NS = "http://www.w3.org/XML/1998/namespace"


def local(tag: str) -> str:
    """``{uri}name`` -> ``name``."""
    return tag.rpartition("}")[2]


def blank(text: str | None) -> bool:
    """No data: None, empty or whitespace only."""
    return not text or text.isspace()


def child_key(child: Any, marker: str) -> str | None:
    """The key a child node is read under; None for nodes that hold no data."""
    tag = child.tag
    if tag.__class__ is str:
        return local(tag)
    if tag is etree.Comment:
        return None if blank(child.text) else COMMENT
    if tag is etree.ProcessingInstruction:
        return None if child.target == marker or blank(child.text) else "?" + child.target
    raise ValueError("entity reference in an XML tree without a DTD")


def attribute_keys(element: Any) -> list[tuple[str, str]]:
    """(key, attribute name as lxml spells it) for each attribute, in document order."""
    names = element.attrib.keys()
    keys = ["@" + local(name) for name in names]
    if len(set(keys)) != len(keys):
        keys = [key if keys.count(key) == 1 else "@" + _qualified(element, name)
                for key, name in zip(keys, names, strict=True)]
    return list(zip(keys, names, strict=True))


def _qualified(element: Any, name: str) -> str:
    uri, _, bare = name[1:].rpartition("}")
    if not uri:
        return name
    if uri == _XML_NS:
        return f"xml:{bare}"
    prefix = next((p for p, u in element.nsmap.items() if u == uri and p), None)
    return f"{prefix}:{bare}" if prefix else name


class Converter:
    """Turns record elements (and the rest of the document) into dicts, within the limits.

    :param marker: target of the placeholder processing instructions that stand
        where records were (see :mod:`.walk`); they are not data.
    """

    def __init__(self, limits: Limits, file: str, marker: str) -> None:
        self.limits = limits
        self.file = file
        self.marker = marker
        self._size = 0
        self._max_depth = limits.max_depth
        self._names: dict[str, str] = {}  # tag -> local name

    def record(self, element: Any, depth: int) -> dict[str, Any]:
        """A record element (at *depth*, the root being 1) as a dict."""
        self._size = 0
        value = self._value(element, depth)
        self._check_size(element)
        if isinstance(value, dict):
            return value
        return {local(element.tag): value}  # a text-only record keeps its field name

    def document(self, root: Any) -> dict[str, Any]:
        """The root (records already removed) and the comments and PIs around it."""
        self._size = 0
        out: dict[str, Any] = {}
        for node in reversed(list(root.itersiblings(preceding=True))):
            self._add_node(out, node)
        out[local(root.tag)] = self._value(root, 1)
        for node in root.itersiblings():
            self._add_node(out, node)
        self._check_size(root, "the document outside its records")
        return out

    def _add_node(self, out: dict[str, Any], node: Any) -> None:
        key = child_key(node, self.marker)
        if key is not None:
            self._size += len(node.text)
            _add(out, key, node.text)

    def _value(self, element: Any, depth: int) -> Any:
        # The hot path: one call per element, so lxml is asked as little as possible.
        if depth > self._max_depth:
            raise self.limits.exceeded("max_depth", file=self.file,
                                       position=f"line {element.sourceline}",
                                       what="the element nesting")
        items = element.items()
        text = element.text
        if not items and not len(element):
            if text is None or text.isspace():
                return None
            self._size += len(text)
            return text
        out: dict[str, Any] = {}
        size = 0
        if items:
            if any("{" in name for name, _ in items):
                values = dict(items)
                items = [(key, values[name]) for key, name in attribute_keys(element)]
            else:
                items = [("@" + name, value) for name, value in items]
            for key, value in items:
                size += len(value)
                out[key] = value
        texts = [] if text is None or text.isspace() else [text]
        names = self._names
        for child in element:
            tag = child.tag
            if tag.__class__ is str:
                key = names.get(tag)
                if key is None:
                    if len(names) > 10_000:
                        names.clear()
                    key = names[tag] = local(tag)
                value = self._value(child, depth + 1)
            else:
                key = child_key(child, self.marker)
                value = child.text
                if key is not None:
                    size += len(value)
            if key is not None:
                if key not in out:
                    out[key] = value
                else:
                    _add(out, key, value)
            tail = child.tail
            if tail is not None and not tail.isspace():
                texts.append(tail)
        if texts:
            size += sum(map(len, texts))
            out[TEXT] = texts[0] if len(texts) == 1 else texts
        self._size += size
        return out

    def _check_size(self, element: Any, what: str = "text in one record") -> None:
        if self._size > self.limits.max_record_bytes:
            raise self.limits.exceeded("max_record_bytes", file=self.file,
                                       position=f"line {element.sourceline}", what=what)


def _add(out: dict[str, Any], key: str, value: Any) -> None:
    """Set *key*; a key seen again becomes a list, in document order."""
    if key not in out:
        out[key] = value
        return
    previous = out[key]
    if type(previous) is list:
        previous.append(value)
    else:
        out[key] = [previous, value]
