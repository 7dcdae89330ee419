"""Text as a browser shows it: whitespace collapsed, line breaks kept, invisible characters gone.

Detectors must see ``J<b>ohn</b>&nbsp;Smith`` as ``John Smith``: pieces of one block are
joined, every run of whitespace (no-break spaces included) becomes one space, and
characters a browser does not draw (zero-width spaces and joiners, soft hyphens) are
removed, so they cannot split a name or a postcode away from the detectors.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BREAK", "collapse", "collapse_one"]

BREAK = "\u2028"  # a line break a browser shows (<br>, a block edge, a newline in <pre>)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def collapse(pieces: Iterable[str]) -> str:
    """Join the text pieces of one block the way a browser lays them out."""
    return collapse_one("".join(pieces))


def collapse_one(text: str) -> str:
    if not text.isascii():
        text = text.translate(_INVISIBLE)
    if BREAK not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split(BREAK))
    return "\n".join(line for line in lines if line)
