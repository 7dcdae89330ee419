"""Writing a redacted copy of a page: the same walk as a check, then edits in the DOM.

The page is walked exactly as :func:`~guardrail_html.walk_page` walks it for a check,
each section goes through the redactor in the order ``read`` yields it, and every
changed value is written back where it came from:

* a block of text or a table cell: the new text goes back into the text nodes it was
  read from, each kept character in its own node, each replacement where it starts
  (:mod:`.runs`), so bold, links and line breaks survive; dropped: its text nodes go;
* an attribute is set, or removed when dropped; a comment is replaced or removed;
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

from guardrail import Payload, ReadOptions
from guardrail.redaction import DROPPED, Redactor

from .model import TEXT_SECTION, JsonBlock, TableModel, TextRecord
from .page import load_page
from .runs import rewrite_run, transfer
from .tables import Row, cell_columns
from .walk import walk_page

__all__ = ["redact_page"]

_CLOSING_RAW = re.compile(r"</(script|style)", re.I)


def redact_page(payload: Payload, options: ReadOptions, redactor: Redactor,
                out: BinaryIO) -> None:
    """Redact *payload* into *out* (see the module docstring)."""
    tree, encoding = load_page(payload, options)
    page = walk_page(tree, options.limits, payload.name, keep=True)
    for model in page.tables:
        _table(model, redactor)
    for block in page.scripts:
        _json(block, redactor)
    if page.texts:
        _texts(page.texts, redactor)
    _declare_utf8(tree, encoding)
    out.write((tree.html or "").encode("utf-8"))


def _texts(texts: list[TextRecord], redactor: Redactor) -> None:
    section = redactor.documents(section=TEXT_SECTION)
    styles: dict[int, tuple[LexborNode, list[tuple[int, int, str | None]]]] = {}
    for record in texts:
        original = {"text": record.text}
        new = section.record(original)
        if new is original:
            continue
        text = None if new is DROPPED else new.get("text")
        if text == record.text:
            continue
        target = record.target
        assert target is not None
        if target[0] == "css":  # applied together, from the end, once all are known
            node, start, end = target[1], target[2], target[3]
            styles.setdefault(node.mem_id, (node, []))[1].append((start, end, text))
        else:
            _apply(target, None if text is None else str(text), record.text)
    for node, edits in styles.values():
        _edit_css(node, edits)


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
    if kind in ("attr", "js-attr"):
        node, name = target[1], target[2]
        if text is None:
            del node.attrs[name]
        else:
            node.attrs[name] = text
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


def _edit_css(node: LexborNode, edits: list[tuple[int, int, str | None]]) -> None:
    css = node.text(deep=True)
    for start, end, text in sorted(edits, reverse=True):
        quote = css[start - 1]
        new = (text or "").replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", " ")
        css = css[:start] + new + css[end:]
    _set_text(_text_nodes(node), _raw_safe(css))


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
