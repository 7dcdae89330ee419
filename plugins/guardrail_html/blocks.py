"""Collecting text as the walk meets it: one record per run of a block, or a cell's text."""

from __future__ import annotations

from typing import Any, Protocol

from selectolax.lexbor import LexborNode

from .paths import ElementPath
from .text import BREAK, collapse

__all__ = ["TextRun", "CellText"]


class _Sink(Protocol):
    keep: bool

    def add(self, text: str, where: ElementPath | None, note: str,
            target: tuple[Any, ...] | None) -> None: ...


class TextRun:
    """Collects the text runs of one block element; each run becomes one record."""

    absorbs = False

    def __init__(self, walker: _Sink, path: ElementPath | None, hidden: bool) -> None:
        self.walker = walker
        self.path = path
        self.hidden = hidden
        self.pieces: list[str] = []
        self.nodes: list[LexborNode | None] | None = [] if walker.keep else None

    def add(self, text: str, node: LexborNode) -> None:
        self.pieces.append(text)
        if self.nodes is not None:
            self.nodes.append(node)

    def line_break(self) -> None:
        if self.pieces:
            self.pieces.append(BREAK)
            if self.nodes is not None:
                self.nodes.append(None)  # an element (<br>, a block's edge), not a text node

    def close(self) -> None:
        if not self.pieces:
            return
        text = collapse(self.pieces)
        if text:
            target = ("run", self.pieces, self.nodes) if self.nodes is not None else None
            self.walker.add(text, self.path, " (hidden)" if self.hidden else "", target)
        self.pieces = []
        if self.nodes is not None:
            self.nodes = []


class CellText(TextRun):
    """All the text of one table cell: blocks inside it are line breaks, not records."""

    absorbs = True

    def close(self) -> None:
        self.line_break()
