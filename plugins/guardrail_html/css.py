"""The text in a stylesheet or a ``style`` attribute: its quoted strings and ``url()``s.

Colours such as ``#b294bb`` look like postcodes and numbers like phone numbers, and a
stylesheet shows nothing else, so only what can hold words is read: quoted strings
(``content: "..."``, font names) and the targets of ``url(...)``, percent-decoded as
links are. A redacted copy writes each one back in place (:func:`edit_css`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .text import collapse_one
from .urls import CSS_URL_SAFE, decode_url, encode_back

__all__ = ["css_texts", "edit_css", "CssEdit"]

_CSS = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\''
                  r'|(?i:url)\(\s*((?:[^\s"\'()\\]|\\.)+)\s*\)', re.S)

# (start, end, text or None to empty it, is a url(), what detectors were shown)
CssEdit = tuple[int, int, str | None, bool, str]


def css_texts(css: str) -> Iterator[tuple[int, int, str, bool, str]]:
    """``(start, end, text, is_url, label)`` for each string or url() that holds text;
    *label* names it in a position (``CSS string 2``, ``CSS url 1``)."""
    strings = urls = 0
    for match in _CSS.finditer(css):
        if match.group(3) is not None:
            raw = match.group(3)
            if raw.startswith("data:") and ";base64," in raw[:100]:
                continue  # an embedded image or font: no text to read
            urls += 1
            text = collapse_one(decode_url(raw))
            if text:
                yield match.start(3), match.end(3), text, True, f"CSS url {urls}"
            continue
        group = 1 if match.group(1) is not None else 2
        strings += 1
        text = collapse_one(match.group(group))
        if text:
            yield match.start(group), match.end(group), text, False, f"CSS string {strings}"


def edit_css(css: str, edits: list[CssEdit]) -> str:
    """*css* with each edited string or url() replaced, from the end so offsets hold."""
    for start, end, text, is_url, seen in sorted(edits, key=lambda e: e[0], reverse=True):
        if is_url:
            new = encode_back(css[start:end], seen, text or "", CSS_URL_SAFE)
        else:
            quote = css[start - 1]
            new = (text or "").replace("\\", "\\\\").replace(quote, "\\" + quote) \
                .replace("\n", " ")
        css = css[:start] + new + css[end:]
    return css
