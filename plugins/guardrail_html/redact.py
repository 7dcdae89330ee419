"""Writing a redacted copy of a page: the same walk as a check, then edits in the DOM.

The page is walked exactly as :func:`~guardrail_html.walk_page` walks it for a check,
each section goes through the redactor in the order ``read`` yields it, and every
changed value is written back where it came from:

* a block of text or a table cell: the new text goes back into the text nodes it was
  read from, each kept character in its own node, each replacement where it starts
  (:mod:`.runs`), so bold, links and line breaks survive; dropped: its text nodes go;
* an attribute is set, or removed when dropped; a URL gets the new text percent-encoded
  where it changed (:mod:`.urls`); a string or url() of a stylesheet or ``style``
  attribute is rewritten in place (:mod:`.css`);
* a comment (or a processing instruction) is replaced by a comment, or removed;
* names no vocabulary knows: an unknown attribute is removed; an unknown element is
  replaced by the redacted text of its name and keeps its content in its place
  (``<p>Contact <jane@example.com> today</p>`` becomes ``<p>Contact [REDACTED]
  today</p>``); these go last, once every other edit inside the element is made;
* the doctype: Lexbor writes only its name; the copy gets the page's doctype back as it
  was, unless the redactor changed it: then its ids are left out, and a name other than
  ``html`` removes it (the page keeps its quirks mode);
* a script, ``<title>`` or ``<textarea>`` gets the new text, or is removed when dropped;
* a dropped column loses its cells (a cell spanning a kept column stays, empty, with a
  smaller ``colspan``); a header that is personal data is replaced;
* a JSON block is serialised again, only when something in it changed.

Everything else is left alone, then the tree is serialised by Lexbor: markup is
normalised the HTML5 way (quotes, implied ``<tbody>``), the text a browser shows is
not. The copy is UTF-8, and says so in its ``<meta charset>``.
"""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO

from selectolax.lexbor import LexborHTMLParser, LexborNode

from guardrail.plugin import DROPPED, Payload, ReadOptions, Redactor

from .css import CssEdit, edit_css
from .model import TEXT_SECTION, JsonBlock, TableModel, TextRecord
from .page import load_page
from .runs import rewrite_run, transfer
from .tables import Row, cell_columns
from .urls import encode_back
from .walk import walk_page

__all__ = ["redact_page"]

_CLOSING_RAW = re.compile(r"</(script|style)", re.I)
# Where Lexbor wrote the doctype: after any comments and instructions that precede it.
_WRITTEN_DOCTYPE = re.compile(r"\A((?:<!--.*?-->|<\?[^>]*>)*)<!DOCTYPE [^>]*>", re.S)


def redact_page(payload: Payload, options: ReadOptions, redactor: Redactor,
                out: BinaryIO) -> None:
    """Redact *payload* into *out* (see the module docstring)."""
    tree, encoding, doctype = load_page(payload, options)
    page = walk_page(tree, options.limits, payload.name, keep=True, doctype=doctype)
    for model in page.tables:
        _table(model, redactor)
    for block in page.scripts:
        _json(block, redactor)
    doctype_changed = _texts(page.texts, redactor) if page.texts else False
    _declare_utf8(tree, encoding)
    html = tree.html or ""
    if doctype is not None and not doctype_changed:
        html = _WRITTEN_DOCTYPE.sub(lambda m: f"{m.group(1)}<!DOCTYPE {doctype}>", html, count=1)
    out.write(html.encode("utf-8"))


def _texts(texts: list[TextRecord], redactor: Redactor) -> bool:
    """Redact the page's text records; True when the doctype was among the changes."""
    section = redactor.documents(section=TEXT_SECTION)
    # (node, attribute or None for a <style>) -> edits, applied together once all are known
    styles: dict[tuple[int, str | None], tuple[LexborNode, list[CssEdit]]] = {}
    names: list[tuple[tuple[Any, ...], str | None]] = []
    doctype_changed = False
    for record in texts:
        original = {"text": record.text}
        new = section.record(original)
        if new is original:
            continue
        value = None if new is DROPPED else new.get("text")
        if value == record.text:
            continue
        text = None if value is None else str(value)
        target = record.target
        assert target is not None
        kind = target[0]
        if kind in ("css", "css-attr"):
            node, attribute = target[1], (target[2] if kind == "css-attr" else None)
            start, end, is_url = target[-3:]
            styles.setdefault((node.mem_id, attribute), (node, []))[1].append(
                (start, end, text, is_url, record.text))
        elif kind == "names":  # after every edit inside the element (it may go)
            names.append((target, text))
        else:
            doctype_changed = doctype_changed or kind == "doctype"
            _apply(target, text, record.text)
    for (_, attribute), (node, edits) in styles.items():
        if attribute is None:
            _set_text(_text_nodes(node), _raw_safe(edit_css(node.text(deep=True), edits)))
        else:
            node.attrs[attribute] = edit_css(node.attributes.get(attribute) or "", edits)
    for target, text in reversed(names):
        _rename(target, text)
    return doctype_changed


def _apply(target: tuple[Any, ...], text: str | None, seen: str) -> None:
    """Write *text* (the redacted form of *seen*) where a record came from; None removes it.

    JavaScript was shown to detectors with its quotes normalised (``js_for_detectors``);
    the copy keeps the code's own quotes.
    """
    kind = target[0]
    if kind == "run":
        rewrite_run(target[1], target[2], text or "")
        return
    if text is not None and kind in ("js-attr", "script"):
        text = transfer(target[-1], seen, text)
    if kind in ("attr", "js-attr", "url"):
        node, name = target[1], target[2]
        if text is None:
            del node.attrs[name]
        else:
            node.attrs[name] = encode_back(target[3], seen, text) if kind == "url" else text
    elif kind == "doctype":
        if not (target[1].html or "").lower().startswith("<!doctype html>"):
            target[1].remove()  # its name was redacted; its ids are never written
    elif kind == "comment":
        if text is None:
            target[1].remove()
        else:
            target[1].replace_with(_comment(text))
    elif kind in ("own", "script"):
        node = target[1]
        if text is None:
            node.remove()
        else:
            _set_text(_text_nodes(node), _raw_safe(text) if kind == "script" else text)


def _set_text(nodes: list[LexborNode], text: str) -> None:
    """The first text node gets *text*, the others are removed."""
    if not nodes:
        return
    first, rest = nodes[0], nodes[1:]
    for node in rest:
        node.remove()
    if text:
        first.replace_with(text)
    else:
        first.remove()


def _text_nodes(node: LexborNode) -> list[LexborNode]:
    found = []
    child = node.child
    while child is not None:
        if child.is_text_node:
            found.append(child)
        child = child.next
    return found


def _comment(text: str) -> LexborNode:
    """A comment node holding *text*, which cannot end it early (``--``, a leading ``>``)."""
    safe = text.replace("--", "- -")
    if safe.startswith((">", "->")) or safe.endswith("-"):
        safe = f" {safe} "
    node = LexborHTMLParser(f"<!--{safe}-->", is_fragment=True).root
    assert node is not None
    return node


def _raw_safe(text: str) -> str:
    """Text that cannot end the <script> or <style> it is written into."""
    return _CLOSING_RAW.sub(lambda m: "<\\/" + m.group(1), text).replace("<!--", "<\\!--")


def _rename(target: tuple[Any, ...], text: str | None) -> None:
    """Remove the unknown attributes of an element; an unknown element gives way to the
    redacted text of its name (nothing when dropped), its content staying in place."""
    _, node, unknown_tag, attributes = target
    for name in attributes:
        if name in node.attributes:
            del node.attrs[name]
    if unknown_tag:
        if text:
            node.insert_before(text)
        node.unwrap(delete_empty=True)


def _json(block: JsonBlock, redactor: Redactor) -> None:
    section = redactor.documents(section=block.name)
    value = block.value
    node = block.node
    assert node is not None
    if isinstance(value, list):
        items = [section.record(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return
        new_value: Any = [item for item in items if item is not DROPPED]
    else:
        new_value = section.record(value)
        if new_value is value:
            return
        if new_value is DROPPED:
            node.remove()
            return
    # "<" only appears inside JSON strings, where \u003c means the same.
    text = json.dumps(new_value, ensure_ascii=False).replace("<", "\\u003c")
    _set_text(_text_nodes(node), text)


def _table(model: TableModel, redactor: Redactor) -> None:
    grid = model.grid
    assert grid is not None
    section = redactor.table(grid.columns, section=model.name, typed=False)
    kept = set(section.keep)
    names = dict(zip(section.keep, section.columns, strict=True))
    renamed = {j: str(names[j]) for j in section.keep if names[j] != grid.columns[j]}
    for row, starts in zip(grid.header, grid.header_starts, strict=True):
        for index, (_, pieces, nodes) in enumerate(row.handles or ()):
            columns = cell_columns(row, starts, index)
            new = next((renamed[c] for c in columns if c in renamed), None)
            if new is not None:
                rewrite_run(pieces, nodes, new)
        _drop_cells(row, starts, kept, len(grid.columns))
    for values, row, starts in zip(grid.rows, grid.data, grid.starts, strict=True):
        new_values = section.row(values)
        unchanged = all(a is b for a, b in zip(new_values, values, strict=False))
        if unchanged and len(kept) == len(grid.columns):
            continue
        by_column = dict(zip(section.keep, new_values, strict=False))
        for index, (_, pieces, nodes) in enumerate(row.handles or ()):
            column = cell_columns(row, starts, index).start
            if column in by_column and by_column[column] != values[column]:
                value = by_column[column]
                rewrite_run(pieces, nodes, "" if value is None else str(value))
        _drop_cells(row, starts, kept, len(grid.columns))


def _drop_cells(row: Row, starts: list[int] | None, kept: set[int], width: int) -> None:
    """Remove the cells of dropped columns; a cell also over a kept column is emptied
    (its text was in the dropped one) and spans fewer columns."""
    if len(kept) == width:
        return
    for index, (node, pieces, nodes) in enumerate(row.handles or ()):
        columns = cell_columns(row, starts, index)
        dropped = [c for c in columns if c not in kept]
        if not dropped:
            continue
        if len(dropped) == len(columns):
            node.remove()
            continue
        if columns.start not in kept:
            rewrite_run(pieces, nodes, "")
        node.attrs["colspan"] = str(len(columns) - len(dropped))


def _declare_utf8(tree: LexborHTMLParser, encoding: str) -> None:
    """The copy is UTF-8: a page that declared another encoding must now say UTF-8."""
    declared = False
    for meta in tree.css("meta"):
        attributes = meta.attributes
        if "charset" in attributes:
            meta.attrs["charset"] = "utf-8"
            declared = True
        elif (attributes.get("http-equiv") or "").lower() == "content-type":
            meta.attrs["content"] = "text/html; charset=utf-8"
            declared = True
    if declared or encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        return
    head = tree.head
    if head is None:
        return
    meta = tree.create_node("meta")
    meta.attrs["charset"] = "utf-8"
    if head.child is not None:
        head.child.insert_before(meta)
    else:
        head.insert_child(meta)
