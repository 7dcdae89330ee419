"""Plain text and Markdown formats: a record per line, Markdown pipe tables as tables.

A line is the record ``{"text": line}``: the field ``text`` is prose that shipped
policies let through and content detectors judge. Its index is its line number - 1;
blank lines are not records. A Markdown pipe table is a table keyed by its header
row, so ``| Name | Postcode |`` is classified by its column names as a CSV would be.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from guardrail.plugin import Documents, Payload, ReadOptions, Table, hookimpl

from .blocks import Event, markdown_events, text_events
from .lines import LineReader
from .redact import write_redacted
from .sections import Sections
from .sniff import sniff_markdown, sniff_text

if TYPE_CHECKING:
    from guardrail.plugin import Redactor

__all__ = ["LineFormat", "guardrail_register_formats"]


class LineFormat:
    """A line-based text format; ``markdown`` adds pipe tables and fenced code."""

    def __init__(self, name: str, extensions: tuple[str, ...], description: str,
                 markdown: bool, media_types: tuple[str, ...] = ()) -> None:
        # A .txt often holds tab-separated data (Excel's "Text (Tab delimited)"): the
        # extension names this format only when no structured format claims the content.
        self.content_first = not markdown
        self.name = name
        self.extensions = extensions
        self.media_types = media_types
        self.description = description
        self.markdown = markdown

    def sniff(self, head: bytes) -> int:
        return sniff_markdown(head) if self.markdown else sniff_text(head)

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Documents | Table]:
        lines = LineReader(payload, options.limits)
        try:
            yield from Sections(self._events(lines))
        finally:
            lines.close()

    def redact(self, payload: Payload, options: ReadOptions, redactor: Redactor,
               out: BinaryIO) -> None:
        lines = LineReader(payload, options.limits)
        try:
            write_redacted(self._events(lines), redactor, out)
        finally:
            lines.close()

    def _events(self, lines: LineReader) -> Iterator[Event]:
        return markdown_events(lines) if self.markdown else text_events(lines)


@hookimpl
def guardrail_register_formats(register) -> None:
    register(LineFormat("text", (".txt", ".text", ".log"),
                        "Plain text: a record per non-blank line", markdown=False,
                        media_types=("text/plain",)))
    register(LineFormat("markdown", (".md", ".markdown"),
                        "Markdown: a record per line; pipe tables as tables", markdown=True,
                        media_types=("text/markdown", "text/x-markdown")))
