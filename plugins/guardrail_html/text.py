"""Text as a browser shows it: whitespace collapsed, line breaks kept, invisible characters gone.

Detectors must see ``J<b>ohn</b>&nbsp;Smith`` as ``John Smith``: pieces of one block are
joined, every run of whitespace (no-break spaces included) becomes one space, and
characters a browser does not draw (zero-width spaces and joiners, soft hyphens) are
removed, so they cannot split a name or a postcode away from the detectors. Control
characters Python counts as whitespace (vertical tab, form feed, the information
separators, NEL) are kept for the core's reading, which drops them as unseen: a form
feed inside ``HP3 9QT`` must not cut it in two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["BREAK", "collapse", "collapse_one"]

BREAK = "\u2028"  # a line break a browser shows (<br>, a block edge, a newline in <pre>)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile("[\x0b\x0c\x1c-\x1f\x85]")
_SPACES = re.compile("[^\\S\x0b\x0c\x1c-\x1f\x85]+")  # whitespace, but not those


def collapse(pieces: Iterable[str]) -> str:
    """Join the text pieces of one block the way a browser lays them out."""
    return collapse_one("".join(pieces))


def collapse_one(text: str) -> str:
    if not text.isascii():
        text = text.translate(_INVISIBLE)
    words = str.split if _CONTROL.search(text) is None else _words
    if BREAK not in text:
        return " ".join(words(text))
    lines = (" ".join(words(line)) for line in text.split(BREAK))
    return "\n".join(line for line in lines if line)


def _words(text: str) -> list[str]:
    return [word for word in _SPACES.split(text) if word]
