"""Tags, ``%TAG`` directives and anchor names: text the exporter wrote, checked like comments.

A tag is text too: ``!<tag:jane.smith@example.com,2000:case>``, or a
``%TAG !e! tag:jane.smith@example.com,2000:`` directive whose prefix every ``!e!x``
tag carries; so is an anchor's name (``&AB123456C``). The parsers hand each tag over
already expanded (handle replaced by its prefix, ``%20`` decoded). Each tag outside the
core schema (``tag:yaml.org,2002:``), each anchor name and each ``%TAG`` directive is
kept with its line (a directive: the line its document's directives start on) and
checked as an unindexed ``(tags)`` section of ``{"text": ...}`` records, made readable
first, since a detector does not see a name glued to ``:`` or ``_``: a tag's URI
punctuation separates its parts with `` | `` and underscores become spaces
(``tag:example.com,2000:Jane_Smith`` reads ``tag | example.com | 2000 | Jane Smith``),
an anchor's ``-`` and ``_`` become spaces, and a directive reads
``%TAG !e! tag | jane.smith@example.com | 2000``. A text met many times before the
next ``(tags)`` section is checked once, at the first line it was seen on. ``%YAML``
directives hold only a version number (the parsers refuse anything else) and the
non-specific tag ``!`` holds no text, so neither is kept.
"""

from __future__ import annotations

import re

__all__ = ["CORE_PREFIX", "DIRECTIVE", "TagFinder", "anchor_text", "is_core", "tag_text"]

CORE_PREFIX = "tag:yaml.org,2002:"
DIRECTIVE = "%TAG "  # how a directive's record starts: ``%TAG !e! tag | example.com``
_TAG_BREAKS = re.compile(r"[\s_]*[!:,;/?#\[\]=&$*<>][\s_!:,;/?#\[\]=&$*<>]*")
_TAG_SPACES = re.compile(r"[\s_]+")
_ANCHOR_SPACES = re.compile(r"[-_]+")


def is_core(tag: str) -> bool:
    """A core schema tag (``!!str``, ``!!binary``...) or ``!``: no text of the exporter's."""
    return tag == "!" or tag.startswith(CORE_PREFIX)


def tag_text(tag: str) -> str:
    """A tag (or a tag prefix) as the text its ``(tags)`` record holds."""
    return _TAG_SPACES.sub(" ", _TAG_BREAKS.sub(" | ", tag)).strip(" |")


def anchor_text(anchor: str) -> str:
    """An anchor's name as the text its ``(tags)`` record holds."""
    return _ANCHOR_SPACES.sub(" ", anchor).strip()


class TagFinder:
    """Collects ``(line, text)`` of tags, anchors and directives until :meth:`take`."""

    def __init__(self) -> None:
        self.found: dict[str, int] = {}  # text -> first line, in the order first seen
        self.size = 0  # characters of the texts in found
        self.since = 0  # the composer's size when the first of them was found

    def tag(self, tag: str, line: int, size: int) -> None:
        """A node's tag, on 1-based *line*; *size* is the composer's size so far."""
        if not is_core(tag):
            self._add(tag_text(tag), line, size)

    def anchor(self, anchor: str, line: int, size: int) -> None:
        self._add(anchor_text(anchor), line, size)

    def directives(self, tags: dict[str, str] | None, line: int, size: int) -> None:
        """The ``%TAG`` directives of a document (a document start event's ``tags``)."""
        for handle, prefix in (tags or {}).items():
            self._add(f"{DIRECTIVE}{handle} {tag_text(prefix)}".rstrip(), line, size)

    def _add(self, text: str, line: int, size: int) -> None:
        if not text or text in self.found:
            return
        if not self.found:
            self.since = size
        self.found[text] = line
        self.size += len(text)

    def take(self) -> list[tuple[int, str]]:
        """The texts found so far, forgotten here."""
        found, self.found, self.size = self.found, {}, 0
        return [(line, text) for text, line in found.items()]
