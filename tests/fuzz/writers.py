"""Shared pieces of the format writers: how a slot becomes text, and the writer registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .exports import Export, Markup, Parts, Slot, Text

__all__ = ["NotRepresentable", "Writer", "slot_text", "slot_markup"]

class NotRepresentable(ValueError):
    """The format cannot hold this rendering faithfully (a control character in an XLSX
    cell, a newline inside a Markdown table row): the input is skipped, not failed."""


@dataclass(frozen=True)
class Writer:
    """Writes an export as one format's bytes.

    :param name: the guardrail format name (``--format``).
    :param suffix: the file extension that names the format.
    :param write: the export as bytes; raises NotRepresentable.
    :param redacts: guardrail can write a redacted copy of this format.
    :param prose: it carries lines of prose, where a value can be planted too.
    """

    name: str
    suffix: str
    write: Callable[[Export], bytes]
    redacts: bool = True
    prose: bool = False


def slot_text(slot: Slot) -> str:
    """The slot as plain text, for formats that take no markup; raises NotRepresentable."""
    rendering = slot.rendering
    if isinstance(rendering, Text):
        return slot.prefix + rendering.value + slot.suffix
    raise NotRepresentable(f"{type(rendering).__name__} in a plain text value")


def slot_markup(slot: Slot, family: str, escape: Callable[[str], str]) -> str:
    """The slot as markup of *family*: text escaped, markup of that family as is."""
    rendering = slot.rendering
    if isinstance(rendering, Text):
        body = escape(rendering.value)
    elif isinstance(rendering, Markup) and rendering.family == family:
        body = rendering.markup
    elif isinstance(rendering, Parts):
        raise NotRepresentable(f"{rendering.how} parts as {family} text")
    else:
        raise NotRepresentable(f"{rendering.family} markup in {family}")
    return escape(slot.prefix) + body + escape(slot.suffix)
