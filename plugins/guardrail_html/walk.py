"""One walk over the parsed page: its tables, its JSON blocks and every other piece of text.

What is read, and why, is in :mod:`.elements`; tables in :mod:`.table_walk`. The same
walk serves redaction: with ``keep=True`` every record remembers the DOM nodes its text
came from.
"""

from __future__ import annotations

import json
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from guardrail.plugin import Limits, PayloadError, keep_all_pairs

from .blocks import TextRun
from .css import css_texts
from .elements import (
    BLOCK,
    JSON_TYPES,
    OWN_TEXT,
    PRE,
    URLS,
    attribute_text,
    is_hidden,
    js_for_detectors,
    json_depth,
)
from .model import TEXT_SECTION, Context, JsonBlock, Page, TextRecord
from .paths import ElementPath, numbered, segment
from .table_walk import TableReader
from .text import BREAK, collapse_one
from .vocabulary import known_element, unknown_names

__all__ = ["Walker", "walk_page", "TEXT_SECTION"]


class Walker:
    """Walks one parsed page, depth-first without recursion, into a :class:`Page`."""

    def __init__(self, tree: LexborHTMLParser, limits: Limits, file: str, keep: bool,
                 doctype: str | None = None) -> None:
        self.tree = tree
        self.limits = limits
        self.file = file
        self.keep = keep
        self.doctype = doctype
        self.page = Page()
        self.tables = TableReader(self)

    def add(self, text: str, where: ElementPath | None, note: str,
            target: tuple[Any, ...] | None) -> None:
        if len(text) > self.limits.max_record_bytes:
            raise self.limits.exceeded("max_record_bytes", file=self.file,
                                       position=f"{where}{note}", what="one piece of text")
        self.page.texts.append(TextRecord(text, where, note, target if self.keep else None))

    # -- the walk --------------------------------------------------------------------

    def run(self) -> Page:
        root = self.tree.root
        if root is None:
            return self.page
        document = root.parent or root
        context: Context = (None, False, 0, False, False)
        self.walk_children(document, context, TextRun(self, None, False))
        return self.page

    def walk_children(self, parent: LexborNode, context: Context, container: TextRun) -> None:
        stack: list[Any] = [(container.close,)]
        self.push_children(stack, parent, context, container)
        self.loop(stack)

    def loop(self, stack: list[Any]) -> None:
        """Visit queued nodes; a one-item entry is a callback (a block has ended)."""
        while stack:
            entry = stack.pop()
            if len(entry) == 1:
                entry[0]()
                continue
            node, nth, repeated, context, container = entry
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                if text:
                    if len(text) > self.limits.max_record_bytes:
                        raise self.limits.exceeded("max_record_bytes", file=self.file,
                                                   position=str(context[0]), what="one text node")
                    container.add(text.replace("\n", BREAK) if context[3] else text, node)
            elif tag == "-comment" or tag is None:  # None: a processing instruction
                self._comment(node, nth, context)
            elif tag[0] != "-":
                self._element(stack, node, tag, nth, repeated, context, container)
            elif tag == "-doctype" and self.doctype:
                self.add(self.doctype, ElementPath(None, "doctype"), "", ("doctype", node))

    def push_children(self, stack: list[Any], parent: LexborNode, context: Context,
                      container: TextRun) -> None:
        """Queue *parent*'s children, first child on top, each with its :nth-of-type."""
        stack.extend(reversed([(child, nth, repeated, context, container)
                               for child, nth, repeated in numbered(parent)]))

    def _element(self, stack: list[Any], node: LexborNode, tag: str, nth: int, repeated: bool,
                 context: Context, container: TextRun) -> None:
        parent_path, hidden, depth, pre, foreign = context
        depth += 1
        attributes = node.attributes
        path = ElementPath(parent_path, segment(tag, nth, repeated))
        if depth > self.limits.max_depth:
            raise self.limits.exceeded("max_depth", file=self.file, position=str(path),
                                       what="an element's nesting")
        hides = not hidden and is_hidden(tag, attributes)
        hidden = hidden or hides
        block = tag in BLOCK and not foreign  # <svg> is a block; what is inside it is not
        foreign = foreign or tag in ("svg", "math")
        if block and not container.absorbs:
            container.close()  # the text before a block is a record before the block's own
        if attributes or not known_element(tag):
            self.read_attributes(node, tag, attributes, path, hidden, foreign)
        inner: Context = (None if tag == "html" else path, hidden, depth,
                           pre or tag in PRE, foreign)
        if tag == "br":
            container.line_break()
        elif tag == "script":
            self._script(node, attributes, path, hidden)
        elif tag == "style":
            self._style(node, path, hidden)
        elif tag in OWN_TEXT:
            self._own_text(node, tag, path, hidden)
        elif tag == "template":
            content = node.template_fragments()
            if content:
                self.walk_children(content[0], (path, True, depth, pre, foreign),
                                   TextRun(self, path, True))
        elif tag == "table" and not foreign:
            self.tables.read(node, path, (path, hidden, depth, pre, foreign))
            if container.absorbs:
                container.line_break()
        elif hides:
            # Hidden text is its own record, so its position can say so; the text around
            # it stays one run, as the browser shows it ("Jane <span hidden>x</span>Smith").
            if block and container.absorbs:
                container.line_break()
            own = TextRun(self, path, True)
            stack.append((own.close,))
            self.push_children(stack, node, inner, own)
        elif block:
            if container.absorbs:
                container.line_break()
                stack.append((container.line_break,))
                self.push_children(stack, node, inner, container)
            else:
                own = TextRun(self, path, hidden)
                stack.append((own.close,))
                self.push_children(stack, node, inner, own)
        else:
            self.push_children(stack, node, inner, container)

    # -- pieces of text that are not in the flow ---------------------------------------

    def read_attributes(self, node: LexborNode, tag: str, attributes: dict[str, str | None],
                        path: ElementPath, hidden: bool, foreign: bool) -> None:
        """The names no vocabulary knows, as one record, then one record per attribute that
        carries text (see :func:`.elements.attribute_text`), or per string of a style."""
        hide = " (hidden)" if hidden else ""
        names = unknown_names(tag, attributes)
        if names:
            unknown_tag = not known_element(tag)
            self.add(" ".join(names), path, " (names)" + hide,
                     ("names", node, unknown_tag, names[1:] if unknown_tag else names))
        for index, (name, value) in enumerate(attributes.items(), 1):
            if name == "style" and value:
                for start, end, text, is_url, label in css_texts(value):
                    self.add(text, path, f"[style] ({label}){hide}",
                             ("css-attr", node, name, start, end, is_url))
                continue
            text = attribute_text(name, value, foreign)
            if not text:
                continue
            # an unknown name is the page's content: the position gives its place instead
            note = (f"[{name}]" if name not in names else f" (attribute {index})") + hide
            if name.startswith("on"):  # an event handler is JavaScript
                self.add(js_for_detectors(text), path, note, ("js-attr", node, name, text))
            elif name in URLS:
                self.add(text, path, note, ("url", node, name, value))
            else:
                self.add(text, path, note, ("attr", node, name))

    def _comment(self, node: LexborNode, nth: int, context: Context) -> None:
        """A comment, or a processing instruction (``<?php ...?>``), which browsers make a
        comment of; Lexbor keeps it as its own kind of node, with no tag."""
        if node.tag is None:
            text = collapse_one((node.html or "").removeprefix("<?").removesuffix(">")
                                .removesuffix("?"))
        else:
            text = (node.comment_content or "").strip()
        if text:
            where = (context[0].child(f"comment {nth}") if context[0] is not None
                     else ElementPath(None, f"comment {nth}"))
            self.add(text, where, "", ("comment", node))

    def _own_text(self, node: LexborNode, tag: str, path: ElementPath, hidden: bool) -> None:
        raw = node.text(deep=True)
        if tag in PRE:
            raw = raw.replace("\n", BREAK)
        text = collapse_one(raw)
        if text:
            self.add(text, path, " (hidden)" if hidden or tag in ("noembed", "noframes") else "",
                     ("own", node))

    def _script(self, node: LexborNode, attributes: dict[str, str | None], path: ElementPath,
                hidden: bool) -> None:
        raw = node.text(deep=True)
        if not raw.strip():
            return
        kind = (attributes.get("type") or "").split(";")[0].strip().lower()
        if kind in JSON_TYPES or kind.endswith("+json"):
            label = "JSON-LD" if kind == "application/ld+json" else "JSON"
            value = self._json(raw, path)
            self.page.scripts.append(JsonBlock(f"{path} ({label})", str(path), value,
                                               node if self.keep else None))
            return
        if len(raw) > self.limits.max_record_bytes:
            raise self.limits.exceeded("max_record_bytes", file=self.file, position=str(path),
                                       what="one script")
        code = raw.strip()
        self.add(js_for_detectors(code), path, " (hidden)" if hidden else "",
                 ("script", node, code))

    def _json(self, raw: str, path: ElementPath) -> Any:
        if len(raw) > self.limits.max_record_bytes:
            raise self.limits.exceeded("max_record_bytes", file=self.file, position=str(path),
                                       what="one JSON block")
        try:
            value = json.loads(raw, object_pairs_hook=keep_all_pairs)
        except json.JSONDecodeError as exc:
            raise PayloadError(
                f"a JSON <script> block is not valid JSON ({exc.msg}); fix the block or "
                "remove it", file=self.file,
                position=f"{path}, line {exc.lineno}, column {exc.colno}") from None
        except RecursionError:
            raise self.limits.exceeded("max_depth", file=self.file, position=str(path),
                                       what="the nesting of a JSON block") from None
        if json_depth(value, self.limits.max_depth) > self.limits.max_depth:
            raise self.limits.exceeded("max_depth", file=self.file, position=str(path),
                                       what="the nesting of a JSON block")
        return value

    def _style(self, node: LexborNode, path: ElementPath, hidden: bool) -> None:
        css = node.text(deep=True)
        for start, end, text, is_url, label in css_texts(css):
            self.add(text, path, f" ({label})" + (" (hidden)" if hidden else ""),
                     ("css", node, start, end, is_url))


def walk_page(tree: LexborHTMLParser, limits: Limits, file: str, keep: bool = False,
              doctype: str | None = None) -> Page:
    """Everything guardrail inspects on the page; ``keep`` for redaction; *doctype* is
    what the page's doctype holds past its name (:func:`.source.leading_doctype`)."""
    return Walker(tree, limits, file, keep, doctype).run()
