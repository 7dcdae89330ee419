"""What the walk finds on a page: tables, JSON blocks and text records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborNode

from .paths import ElementPath
from .tables import Grid

__all__ = ["Page", "TextRecord", "TableModel", "JsonBlock", "Context", "TEXT_SECTION"]

TEXT_SECTION = "(page text)"

# The walk's context for a node: (path, hidden, depth, preformatted, in SVG/MathML).
Context = tuple[ElementPath | None, bool, int, bool, bool]


@dataclass(slots=True)
class TextRecord:
    """A ``{"text": ...}`` record: the text, where it is, and (redaction) where it came from.

    ``target`` is ``("run", pieces, nodes)`` (the raw text pieces and the text node each
    came from, None for a line break), ``("attr", element, name)``, ``("url", element,
    name, value)`` (a URL as written; detectors saw it decoded), ``("js-attr", element,
    name, code)`` (an event handler), ``("comment", node)`` (a processing instruction
    too), ``("own", element)`` (a textarea, a title...), ``("script", element, code)``,
    ``("css", element, start, end, is_url)`` (one string or url() of a stylesheet),
    ``("css-attr", element, name, start, end, is_url)`` (the same in a ``style``
    attribute), ``("names", element, unknown_tag, attribute_names)`` (names no vocabulary
    knows) or ``("doctype", node)``. ``code`` is the JavaScript as written; the record's
    text is what detectors were shown.
    """

    text: str
    where: ElementPath | None
    note: str
    target: tuple[Any, ...] | None

    @property
    def position(self) -> str:
        return f"{self.where if self.where is not None else 'document'}{self.note}"


@dataclass
class TableModel:
    """One ``<table>``: its section name (a CSS-like path) and its rows laid out."""

    name: str
    grid: Grid | None = None
    node: LexborNode | None = None


@dataclass
class JsonBlock:
    """One JSON or JSON-LD ``<script>``: its section name, position and parsed value."""

    name: str
    position: str
    value: Any
    node: LexborNode | None = None


@dataclass
class Page:
    """Everything inspected on a page, in the order ``read`` yields it."""

    tables: list[TableModel] = field(default_factory=list)
    scripts: list[JsonBlock] = field(default_factory=list)
    texts: list[TextRecord] = field(default_factory=list)
