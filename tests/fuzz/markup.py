"""Writers for the formats people read as pages: HTML, plain text and Markdown.

Each carries prose as well as the records, so a value can be planted in a sentence.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from .exports import COLUMNS, Export, Slot
from .writers import NotRepresentable, Writer, slot_markup, slot_text

__all__ = ["WRITERS"]


def _html_escape(text: str) -> str:
    return html.escape(text, quote=False)


def _html(value: str | Slot) -> str:
    return slot_markup(value, "html", _html_escape) if isinstance(value, Slot) \
        else _html_escape(value)


def write_html(export: Export) -> bytes:
    out = ["<!DOCTYPE html>", '<html lang="en">', '<head><meta charset="utf-8">',
           f"<title>{_html_escape(export.title)}</title></head>", "<body><main>",
           f"<h1>{_html_escape(export.title)}</h1>"]
    out += [f"<p>{_html(line)}</p>" for line in export.lines()]
    out.append("<table>")
    out.append("<thead><tr>" + "".join(f"<th>{c}</th>" for c in COLUMNS) + "</tr></thead>")
    out.append("<tbody>")
    for index in range(len(export.records)):
        out.append("<tr>" + "".join(f"<td>{_html(export.cell(index, c))}</td>"
                                    for c in COLUMNS) + "</tr>")
    out += ["</tbody>", "</table>", "</main></body>", "</html>"]
    return ("\n".join(out) + "\n").encode("utf-8")


def _sentence(export: Export, index: int, value: Callable[[str | Slot], str]) -> str:
    """A record as a sentence of prose, each value written by *value*."""
    cells = {c: value(export.cell(index, c)) for c in COLUMNS}
    return (f"In {cells['month']}, {cells['count']} reports of {cells['category']} in "
            f"{cells['ward']} ({cells['lsoa_code']}, {cells['lsoa_name']}): "
            f"{cells['outcome']}.")


def _plain(value: str | Slot) -> str:
    return slot_text(value) if isinstance(value, Slot) else value


def write_text(export: Export) -> bytes:
    lines = [export.title, ""] + [_plain(line) for line in export.lines()] + [""]
    lines += [_sentence(export, i, _plain) for i in range(len(export.records))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _markdown_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")


def _markdown(value: str | Slot) -> str:
    return slot_markup(value, "markdown", _markdown_escape) if isinstance(value, Slot) \
        else _markdown_escape(value)


def _markdown_cell(value: str | Slot) -> str:
    text = _markdown(value)
    if "\n" in text or "\r" in text:
        raise NotRepresentable("a line break inside a Markdown table row")
    return text


def write_markdown(export: Export) -> bytes:
    lines = [f"# {export.title}", ""] + [_markdown(line) for line in export.lines()] + [""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    for index in range(len(export.records)):
        lines.append("| " + " | ".join(_markdown_cell(export.cell(index, c))
                                       for c in COLUMNS) + " |")
    return ("\n".join(lines) + "\n").encode("utf-8")


WRITERS = (
    Writer("html", ".html", write_html, prose=True),
    Writer("text", ".txt", write_text, prose=True),
    Writer("markdown", ".md", write_markdown, prose=True),
)
