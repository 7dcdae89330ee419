"""Comments in YAML text, found next to the parser rather than by a second parser.

PyYAML's scanner (and libyaml's) throws comments away, yet ``# call John Smith on
07700 900123`` is as published as any value. A ``#`` starts a comment when it is at
the start of a line or follows a space or tab, and is not inside a scalar. Plain
scalars cannot contain `` #`` (the scanner ends them there), so only quoted and
block scalars can: the composer reports their spans, taken from the parser's own
marks, and every other such ``#`` runs to the end of its line as a comment. The text
comes from the same bytes the parser reads (see :class:`~guardrail_yaml.source.Tee`),
so stdin works and nothing is read twice. Text is resolved only up to the start of
the event the reader is at, when every scalar before it is known.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

__all__ = ["CommentFinder"]

_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_BLANK = " \t\r\n\x85\u2028\u2029"


def _breaks(text: str) -> int:
    """Line breaks in *text*, counted as YAML counts lines (CR LF is one)."""
    if "\r" not in text and "\x85" not in text and "\u2028" not in text \
            and "\u2029" not in text:
        return text.count("\n")
    return len(_BREAK.findall(text))


class CommentFinder:
    """Collects ``(line, text)`` of each comment, 1-based lines, in order."""

    def __init__(self) -> None:
        self.hashes = False  # a '#' in text not resolved yet: scalar spans are needed
        self.found: list[tuple[int, str]] = []
        self.found_size = 0
        self._chunks: list[str] = []
        self._pending = 0
        self._buf = ""  # unresolved text, starting at character self._base
        self._base = 0
        self._line = 0  # 0-based line of self._base
        self._prev = "\n"  # the character before self._base
        self._spans: deque[tuple[int, int, int, bool]] = deque()

    @property
    def pending(self) -> int:
        """Characters read by the parser and not resolved yet."""
        return self._pending

    def feed(self, text: str) -> None:
        """Text the parser has just read. Without a '#' pending it is only counted."""
        if not text:
            return
        if not self.hashes and "#" not in text:
            if self._buf or self._chunks:
                text = self._buf + "".join(self._chunks) + text
                self._buf, self._chunks = "", []
            self._skip(text)
            return
        self._chunks.append(text)
        self._pending += len(text)
        if "#" in text:
            self.hashes = True

    def _skip(self, text: str) -> None:
        count = _breaks(text)
        if text[0] == "\n" and self._prev == "\r":
            count -= 1  # a CR LF split across two reads is one break
        self._line += count
        self._base += len(text)
        self._prev = text[-1]
        self._pending = 0

    def protect(self, event: Any) -> None:
        """A quoted or block scalar: a ``#`` inside it is content, except after a block
        scalar's indicator on its first line (``key: |  # comment``)."""
        start, end = event.start_mark, event.end_mark
        self._spans.append((start.index, end.index, start.line, event.style in "|>"))

    def advance(self, upto: int) -> None:
        """Resolve the text before character *upto* (the start of the current event)."""
        if self._chunks:
            self._buf += "".join(self._chunks)
            self._chunks = []
        cut = upto - self._base
        if cut <= 0:
            return
        region = self._buf[:cut]
        if self.hashes and "#" in region:
            self._scan(region)
        self._skip(region)
        self._buf = self._buf[cut:]
        self._pending = len(self._buf)
        self._spans.clear()  # every span known so far ends before the current event
        if "#" not in self._buf:
            self.hashes = False

    def finish(self) -> None:
        """Resolve everything: the parser has read the whole payload."""
        self.advance(self._base + len(self._buf) + sum(len(c) for c in self._chunks))

    def take(self) -> list[tuple[int, str]]:
        """The comments found so far, forgotten here."""
        found, self.found, self.found_size = self.found, [], 0
        return found

    def _scan(self, region: str) -> None:
        spans = self._spans
        line, counted = self._line, 0
        prev_char = self._prev
        pos = region.find("#")
        while pos != -1:
            before = region[pos - 1] if pos else prev_char
            if before not in _BLANK:
                pos = region.find("#", pos + 1)
                continue
            piece = region[counted:pos]
            line += _breaks(piece) - (1 if piece[:1] == "\n" and
                                      (region[counted - 1] if counted else prev_char) == "\r"
                                      else 0)
            counted = pos
            absolute = self._base + pos
            while spans and spans[0][1] <= absolute:
                spans.popleft()
            if spans and spans[0][0] <= absolute and not (spans[0][3] and
                                                          line == spans[0][2]):
                pos = region.find("#", pos + 1)
                continue
            found = _BREAK.search(region, pos)
            end = found.start() if found else len(region)
            text = region[pos + 1:end].strip()
            if text:
                self.found.append((line + 1, text))
                self.found_size += len(text)
            pos = region.find("#", end)
