"""URLs as detectors read them (percent-decoded) and as a redacted copy must write them.

``?q=Jane+Smith`` is shown to detectors as ``?q=Jane Smith``. The redactor returns the
decoded text changed (``?q=J*** S****``); written back as it is, the link would hold a
raw space and stop being a valid URL. :func:`encode_back` keeps every unchanged stretch
exactly as the page wrote it and percent-encodes only what the redactor put in.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import quote

from .runs import edits
from .text import collapse_one

__all__ = ["decode_url", "encode_back", "URL_SAFE", "CSS_URL_SAFE"]

# What the redactor writes stays as it is when a URL may hold it: not "%" (a "%" it wrote
# is "%25"), not spaces or brackets; an unquoted CSS url() cannot hold quotes or parens.
URL_SAFE = "!#$&'()*+,-./:;=?@_~"
CSS_URL_SAFE = "!#$&*+,-./:;=?@_~"
_ESCAPE = re.compile(r"(?:%[0-9A-Fa-f]{2})+|\+")


def decode_url(value: str) -> str:
    """*value* percent-decoded, ``+`` as a space (as a form would send it)."""
    return "".join(text for text, _ in _decoded(value))


def encode_back(value: str, seen: str, new: str, safe: str = URL_SAFE) -> str:
    """*new* (the redacted form of *seen*, which is *value* decoded and collapsed) as a URL.

    Unchanged stretches keep the page's own encoding; replaced ones are percent-encoded.
    """
    pieces = _decoded(value)
    chars: list[str] = []
    sources: list[str] = []
    for text, source in pieces:
        if not text:
            continue
        if len(text) == 1:
            chars.append(text)
            sources.append(source)
        else:  # several characters from one escape: the first carries it, the rest nothing
            chars.extend(text)
            sources.extend([source] + [""] * (len(text) - 1))
    decoded = "".join(chars)
    if collapse_one(decoded) != decoded or decoded != seen:
        return quote(new, safe=safe)  # whitespace was collapsed: no safe mapping back
    out = []
    for tag, i1, i2, j1, j2 in edits(seen, new):
        out.append("".join(sources[i1:i2]) if tag == "equal" else quote(new[j1:j2], safe=safe))
    return "".join(out)


def _decoded(value: str) -> list[tuple[str, str]]:
    """(decoded text, what the page wrote for it), one character or escape at a time."""
    out: list[tuple[str, str]] = []
    position = 0
    for match in _ESCAPE.finditer(value):
        out.extend((char, char) for char in value[position:match.start()])
        written = match.group()
        if written == "+":
            out.append((" ", "+"))
        else:
            out.extend(_bytes(written))
        position = match.end()
    out.extend((char, char) for char in value[position:])
    return out


def _bytes(written: str) -> list[tuple[str, str]]:
    """A run of %XX escapes, decoded as UTF-8 the way ``unquote`` does, per character."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    out: list[tuple[str, str]] = []
    pending = ""
    for index in range(0, len(written), 3):
        escape = written[index:index + 3]
        pending += escape
        text = decoder.decode(bytes([int(escape[1:], 16)]))
        if text:
            out.append((text, pending))
            pending = ""
    text = decoder.decode(b"", final=True)
    if text or pending:
        out.append((text, pending))
    return out
