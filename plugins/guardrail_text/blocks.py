"""What each line of plain text or Markdown is: blank, text, or part of a pipe table.

Reading and redaction both walk these events, so a redacted copy is cut into the
same sections as the check that judged the original. Markdown pipe tables follow
GitHub's rules (a header row, then a delimiter row with as many cells); lines in
fenced code blocks are always text, as they are rendered as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .lines import split_ending

__all__ = ["Event", "BLANK", "TEXT", "HEADER", "DELIMITER", "ROW", "text_events",
           "markdown_events", "split_cells"]

BLANK, TEXT, HEADER, DELIMITER, ROW = "blank", "text", "header", "delimiter", "row"


class Event(NamedTuple):
    """One line: its kind, 1-based number, text and line break, and table cells."""

    kind: str
    number: int
    text: str
    ending: str
    cells: list[str] | None = None


_new = tuple.__new__  # builds an Event at a third of the cost of calling the class
_PIPE = re.compile(r"(?<!\\)\|")
_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# Lines that end a table rather than continue it (GitHub: "the beginning of another
# block-level structure"); any other non-blank line is a row, pipes or not.
_BLOCK_START = re.compile(r"\s{0,3}(?:#{1,6}(?:\s|$)|>|<|[-*+]\s|\d{1,9}[.)]\s|"
                          r"(?:[-*_]\s*){3,}$)")


def split_cells(text: str) -> list[str]:
    """Cells of a table row: outer pipes optional, ``\\|`` is a literal pipe."""
    row = text.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    if "\\" not in row:  # the common case: a plain split
        return [cell.strip() for cell in row.split("|")]
    return [cell.strip().replace("\\|", "|") for cell in _PIPE.split(row)]


def text_events(lines: Iterable[str], start: int = 1) -> Iterator[Event]:
    """Plain text: every line is text or blank."""
    for number, raw in enumerate(lines, start):
        text, ending = split_ending(raw)
        yield _new(Event, (BLANK if raw.isspace() else TEXT, number, text, ending, None))


def markdown_events(lines: Iterable[str], start: int = 1) -> Iterator[Event]:
    """Markdown: text and blank lines, and pipe tables outside fenced code."""
    source = enumerate(lines, start)
    fence: str | None = None  # the opening fence while inside fenced code
    in_table = False
    held: tuple[int, str] | None = None  # a line read ahead to look for a delimiter row
    while True:
        if held is not None:
            (number, raw), held = held, None
        else:
            found = next(source, None)
            if found is None:
                return
            number, raw = found
        text, ending = split_ending(raw)
        if raw.isspace():
            in_table = False
            yield _new(Event, (BLANK, number, text, ending, None))
            continue
        opening = _FENCE.match(text)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and \
                    len(opening.group(1)) >= len(fence) and not text[opening.end():].strip():
                fence = None
            yield _new(Event, (TEXT, number, text, ending, None))
            continue
        if opening and not (opening.group(1)[0] == "`" and "`" in text[opening.end():]):
            fence, in_table = opening.group(1), False
            yield _new(Event, (TEXT, number, text, ending, None))
            continue
        if in_table:
            if "|" in text or not _BLOCK_START.match(text):
                yield _new(Event, (ROW, number, text, ending, split_cells(text)))
                continue
            in_table = False
        if "|" in text:
            held = next(source, None)
            if held is not None:
                columns = split_cells(text)
                after, after_ending = split_ending(held[1])
                if "|" in after and _DELIMITER.fullmatch(after):
                    alignment = split_cells(after)
                    if len(alignment) == len(columns):
                        yield _new(Event, (HEADER, number, text, ending, columns))
                        yield _new(Event, (DELIMITER, held[0], after, after_ending, alignment))
                        held, in_table = None, True
                        continue
        yield _new(Event, (TEXT, number, text, ending, None))
