"""HTML pages, read as a browser shows them (Lexbor, the HTML5 parsing algorithm).

The seed incident was an HTML page: 61 anti-social-behaviour cases with names and
addresses, in a table, on a public web page. A page is read as sections:

* each ``<table>`` is a :class:`~guardrail.Table` named by a CSS-like path
  (``body > main > table:nth-of-type(2)``); columns from its header row, one record
  per ``<tr>``, positions ``body > main > table:nth-of-type(2) row 3`` (rows counted
  from the top of the table, header included);
* each ``<script type="application/json">`` or ``application/ld+json`` block is a
  :class:`~guardrail.Documents` section of its JSON (``head > script (JSON-LD)``), so
  ``author.name`` is a field like any other;
* everything else is one ``(page text)`` section of ``{"text": ...}`` records, one
  per block of text, attribute value, unknown tag or attribute name, comment or
  script, positioned by a CSS-like path (``body > main > p:nth-of-type(3)``,
  ``body > header > img[alt]``), hidden text included and marked ``(hidden)``.
  Positions are structure only: ids and classes are the page's content (:mod:`.paths`).
  See :mod:`.elements` for exactly what is read.

A page is parsed whole: a DOM cannot be streamed. The tree is dropped before the
engine runs, and the page's size, tags and nesting are capped (:mod:`.page`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from guardrail.plugin import Documents, Payload, ReadOptions, Table, hookimpl

from .model import TEXT_SECTION, JsonBlock, Page, TableModel, TextRecord
from .page import load_page
from .redact import redact_page
from .walk import walk_page

if TYPE_CHECKING:
    from guardrail.plugin import Redactor

__all__ = ["HtmlFormat", "guardrail_register_formats"]

_STRONG = (("<!doctype html", 100), ("<html", 98), ("<head", 95), ("<body", 95))
# A fragment that starts with one of these is HTML (80: above the XML format's 70 for a
# root element, which it gives only 5 for <html>, <head> or <body>).
_WEAK = ("<table", "<div", "<p>", "<p ", "<h1", "<h2", "<ul", "<section", "<main", "<meta",
         "<title", "<span", "<a href", "<form", "<script", "<link")


class HtmlFormat:
    """HTML and XHTML pages (``.html``, ``.htm``, ``.xhtml``)."""

    name = "html"
    extensions = (".html", ".htm", ".xhtml", ".xht", ".shtml")
    media_types = ("text/html", "application/xhtml+xml")
    markup = True  # a .txt that starts with a tag is not promoted to HTML (detection.py)
    description = "HTML page: tables, text, attributes, comments, JSON-LD; hidden text included"

    def sniff(self, head: bytes) -> int:
        """100 for a doctype, 98 ``<html``, 95 ``<head``/``<body``, 97 XHTML, 80 a fragment."""
        text = _ascii_lower(head)
        stripped = text.lstrip()
        if stripped.startswith("<?xml"):  # XHTML is HTML; any other XML is not ours
            return 97 if ("<!doctype html" in text or "<html" in text) else 0
        if not stripped.startswith("<"):
            return 0
        for marker, score in _STRONG:
            if marker in text:
                return score
        return 80 if stripped.startswith(_WEAK) else 0

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Table | Documents]:
        loaded = load_page(payload, options)
        page = walk_page(loaded.tree, options.limits, payload.name, doctype=loaded.doctype)
        del loaded  # the DOM is several times the page: free it before the engine runs
        yield from sections(page)

    def redact(self, payload: Payload, options: ReadOptions, redactor: Redactor,
               out: BinaryIO) -> None:
        """Write the page with what the policy forbids replaced (see :mod:`.redact`)."""
        redact_page(payload, options, redactor, out)


def sections(page: Page) -> Iterator[Table | Documents]:
    """Tables, then JSON blocks, then the page's text, each in document order."""
    for model in page.tables:
        yield _table(model)
    for block in page.scripts:
        yield _json(block)
    if page.texts:
        yield _texts(page.texts)


def _table(model: TableModel) -> Table:
    grid = model.grid
    assert grid is not None
    numbers = grid.numbers
    state = {"row": 0}

    def rows() -> Iterator[list[str]]:
        for index, row in enumerate(grid.rows):
            state["row"] = numbers[index]
            yield row

    return Table(grid.columns, rows(), name=model.name, mark=lambda: state["row"],
                 locate=lambda row, number: f"{model.name} row {number}")


def _json(block: JsonBlock) -> Documents:
    value = block.value
    if isinstance(value, list):
        state = {"item": 0}

        def items() -> Iterator[object]:
            for index, item in enumerate(value):
                state["item"] = index
                yield item

        return Documents(items(), name=block.name,
                         locate=lambda record: f"{block.position}, item {state['item']}")
    return Documents([value], name=block.name, locate=lambda record: block.position)


def _texts(texts: list[TextRecord]) -> Documents:
    state: dict[str, TextRecord | None] = {"current": None}

    def records() -> Iterator[dict[str, str]]:
        for record in texts:
            state["current"] = record
            yield {"text": record.text}

    def locate(record: object) -> str | None:
        current = state["current"]
        return current.position if current is not None else None

    return Documents(records(), name=TEXT_SECTION, locate=locate)


def _ascii_lower(head: bytes) -> str:
    """The first bytes as lower-case text, past a BOM, comments and blank space."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = head[:2048].decode("utf-16", errors="ignore").encode("ascii", "ignore")
        except UnicodeError:
            return ""
    text = head[:4096].decode("ascii", errors="ignore").lower().lstrip("\ufeff")
    while text.lstrip().startswith("<!--"):
        end = text.find("-->")
        if end < 0:
            break
        text = text[end + 3:]
    return text


@hookimpl
def guardrail_register_formats(register) -> None:
    register(HtmlFormat())
