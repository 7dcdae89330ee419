"""Shared shape of the UK detectors: a candidate pattern, then validation in Python.

The candidate ``pattern`` is written in the common subset of Python ``re`` and
RE2 syntax, so the engine can gate every detector with one RE2 set and only
call :meth:`find` on strings that hold a candidate.
"""

from __future__ import annotations

import re
from typing import ClassVar

from guardrail.plugin import Span

__all__ = ["PatternDetector", "standing_alone", "window_before", "window_around"]


class PatternDetector:
    """A detector made of a candidate regex and a :meth:`validate` step."""

    id: ClassVar[str]
    level: ClassVar[str] = "personal"
    confidence: ClassVar[float] = 0.9
    pattern: ClassVar[str]
    description: ClassVar[str] = ""

    def __init__(self) -> None:
        self._regex = re.compile(self.pattern)

    def find(self, text: str, field: str | None = None) -> list[Span]:
        """Validated spans of *text*; *field* is the name of the field it came from."""
        spans = []
        for match in self._regex.finditer(text):
            span = self.validate(text, match, field)
            if span is not None:
                spans.append(span)
        return spans

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        return self.span(match)

    def span(self, match: re.Match[str], confidence: float | None = None,
             evidence: str | None = None, group: int | str = 0) -> Span:
        start, end = match.span(group)
        # evidence None: the engine masks the matched text, and only if it lists the finding
        return Span(start, end, self.confidence if confidence is None else confidence, evidence)


def window_before(text: str, start: int, size: int = 40) -> str:
    """Lower-cased text just before *start*: where hotwords such as 'DOB' sit."""
    return text[max(0, start - size):start].lower()


def window_around(text: str, start: int, end: int, size: int = 40) -> str:
    return text[max(0, start - size):end + size].lower()



def standing_alone(text: str, match: re.Match[str]) -> bool:
    """True when the match is the whole value bar surrounding spaces: an identifier alone
    in a cell or field needs no cue word to say what it is."""
    return not text[:match.start()].strip() and not text[match.end():].strip()
