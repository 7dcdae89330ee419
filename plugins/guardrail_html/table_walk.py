"""The table part of the walk: rows and cells into a grid, the rest of a table as text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from selectolax.lexbor import LexborNode

from guardrail.plugin import PayloadError

from .blocks import CellText, TextRun
from .elements import PLAIN_CELL, is_hidden, span
from .model import Context, TableModel
from .paths import ElementPath, numbered, segment
from .tables import MAX_COLSPAN, MAX_ROWSPAN, Row, build_grid
from .text import BREAK, collapse, collapse_one

if TYPE_CHECKING:
    from .walk import Walker

__all__ = ["TableReader"]


class TableReader:
    """Reads ``<table>`` elements for a :class:`~guardrail_html.walk.Walker`: rows and
    cells into a grid; captions, attributes, comments and nested tables through the walker.
    """

    def __init__(self, walker: Walker) -> None:
        self.walker = walker
        self.keep = walker.keep
        self.limits = walker.limits
        self.file = walker.file

    def read(self, node: LexborNode, path: ElementPath, context: Context) -> None:
        """Read one table (and, through the walker, any table nested in it)."""
        model = TableModel(str(path), node=node if self.keep else None)
        self.walker.page.tables.append(model)  # before any table nested in it
        rows: list[Row] = []
        groups = 0
        for child, nth, repeated in numbered(node):
            tag = child.tag or ""
            if tag in ("thead", "tbody", "tfoot"):
                groups += 1
                section = self._enter(child, tag, nth, repeated, context)
                number = 0
                row = child.child
                while row is not None:
                    if row.tag == "tr":
                        number += 1
                        rows.append(self._row(row, number, section, len(rows) + 1, groups,
                                              tag == "thead"))
                    elif row.tag != "-text" or (row.text_content or "").strip():
                        self._walk_one(row, 1, False, section, section[0])
                    row = row.next
            elif tag == "tr":
                rows.append(self._row(child, nth, context, len(rows) + 1, 0, False))
            else:
                self._walk_one(child, nth, repeated, context, path)
        try:
            model.grid = build_grid(rows, keep_layout=self.keep)
        except ValueError as exc:
            raise PayloadError(f"{exc}; the table cannot be checked", file=self.file,
                               position=model.name) from None

    def _enter(self, node: LexborNode, tag: str, nth: int, repeated: bool,
               context: Context, attributes: dict[str, str | None] | None = None
               ) -> Context:
        """The context inside *node*, after checking its attributes and depth."""
        parent_path, hidden, depth, pre, foreign = context
        if attributes is None:
            attributes = node.attributes
        path = ElementPath(parent_path, segment(tag, nth, repeated))
        if depth + 1 > self.limits.max_depth:
            raise self.limits.exceeded("max_depth", file=self.file, position=str(path),
                                       what="an element's nesting")
        hidden = hidden or is_hidden(tag, attributes)
        if attributes:
            self.walker.read_attributes(node, tag, attributes, path, hidden, foreign)
        return (path, hidden, depth + 1, pre, foreign)

    def _walk_one(self, node: LexborNode, nth: int, repeated: bool, context: Context,
                  where: ElementPath | None) -> None:
        """Walk a node found where the table's rows are (a caption, a form, a script)."""
        block = TextRun(self.walker, where, context[1])
        stack: list[Any] = [(block.close,), (node, nth, repeated, context, block)]
        self.walker.loop(stack)

    def _row(self, node: LexborNode, nth: int, context: Context, number: int, group: int,
             in_head: bool) -> Row:
        # Rows and cells always carry :nth-of-type: counting siblings first would cost
        # a second pass over the largest part of most pages.
        inner = self._enter(node, "tr", nth, True, context)
        texts: list[str] = []
        spans: list[tuple[int, int]] | None = None
        all_th = True
        handles: list[Any] | None = [] if self.keep else None
        seen: dict[str, int] = {}
        cell = node.child
        while cell is not None:
            tag = cell.tag or ""
            if tag == "td" or tag == "th":
                nth_cell = seen[tag] = seen.get(tag, 0) + 1
                all_th = all_th and tag == "th"
                attributes = cell.attributes
                if attributes and ("colspan" in attributes or "rowspan" in attributes):
                    if spans is None:
                        spans = [(1, 1)] * len(texts)
                    spans.append((span(attributes.get("colspan"), 1, MAX_COLSPAN),
                                  span(attributes.get("rowspan"), 0, MAX_ROWSPAN)))
                elif spans is not None:
                    spans.append((1, 1))
                texts.append(self._cell(cell, tag, nth_cell, attributes, inner, handles))
            elif tag != "-text" or (cell.text_content or "").strip():
                self._walk_one(cell, seen.get(tag, 0) + 1, True, inner, inner[0])
            cell = cell.next
        return Row(number, group, in_head, texts, spans, all_th, handles)

    def _cell(self, node: LexborNode, tag: str, nth: int,
              attributes: dict[str, str | None], context: Context,
              handles: list[Any] | None) -> str:
        """A cell's text; its attributes, comments and nested tables are read on the way."""
        first = node.child
        if first is not None and first.next is None and first.is_text_node and \
                (not attributes or PLAIN_CELL.issuperset(attributes)):
            # the common cell: one text node and no attribute worth reading
            text = first.text_content or ""
            if len(text) > self.limits.max_record_bytes:
                raise self.limits.exceeded("max_record_bytes", file=self.file,
                                           position=str(context[0]), what="one table cell")
            if (attributes.get("class") or "").strip():
                path = ElementPath(context[0], segment(tag, nth, True))
                self.walker.read_attributes(node, tag, attributes, path, context[1], context[4])
            if handles is not None:
                handles.append((node, [text], [first]))
            if context[3]:
                text = text.replace("\n", BREAK)
            return collapse_one(text)
        inner = self._enter(node, tag, nth, True, context, attributes)
        collector = CellText(self.walker, inner[0], inner[1])
        stack: list[Any] = []
        self.walker.push_children(stack, node, inner, collector)
        self.walker.loop(stack)
        if handles is not None:
            handles.append((node, collector.pieces, collector.nodes))
        return collapse(collector.pieces)

