"""Person names: a title and a name, or a forename and surname pair from name lists.

Name lists: US Census 1990 forenames and surnames (public domain, via the
``names`` package) plus hand-curated UK names; see ``data/build_name_lists.py``.
Names right after a public role ("Chief Constable", "Councillor", "PC") are
officials acting in public, as in a press release, and are reported with a
confidence below the default threshold; policies can allowlist public figures
and place names that look like names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from guardrail import Span, mask_value

from .base import PatternDetector, window_before

__all__ = ["PersonNameDetector", "forenames", "surnames"]

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Revd|MR|MRS|MS|MISS|DR)"
_WORD = r"[A-Z][A-Za-z'\-]+"
_PUBLIC_ROLE = re.compile(
    r"(?:chief constable|deputy chief constable|assistant chief constable|constable|"
    r"superintendent|inspector|sergeant|sgt|detective|det|pc|pcso|dc|ds|di|dci|dsi|"
    r"councillor|cllr|commissioner|mayor|minister|secretary|mp|msp|mla|chair|chairman|"
    r"chairwoman|chief executive|ceo|director|head|leader|spokesperson|spokesman|"
    r"spokeswoman|officer|judge|justice|magistrate|president|prime minister|king|queen|"
    r"prince|princess|saint|st)\.?\s*$"
)


def _load(name: str) -> frozenset[str]:
    text = resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if line)


@lru_cache(maxsize=1)
def forenames() -> frozenset[str]:
    return _load("forenames.txt")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return _load("surnames.txt")


def _key(token: str) -> str:
    token = token.lower()
    if token.endswith(("'s", "’s")):
        token = token[:-2]
    return token.replace("'", "").replace("’", "")


class PersonNameDetector(PatternDetector):
    id = "person.name"
    confidence = 0.85
    description = "Person names: title + name, forename + surname from name lists"
    pattern = (rf"\b{_TITLES}\.? (?:[A-Z]\.? )*{_WORD}"
               rf"|\b{_WORD}(?: {_WORD})+"
               rf"|\b[A-Z][A-Z'\-]+, {_WORD}")

    def __init__(self) -> None:
        super().__init__()
        self._title = re.compile(rf"^{_TITLES}\.? (?:[A-Z]\.? )*({_WORD})")
        self._forenames = forenames()
        self._surnames = surnames()

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        candidate = match.group(0)
        start = match.start()
        titled = self._title.match(candidate)
        if titled:
            return self._found(text, start, start + titled.end(), candidate[:titled.end()], 0.9)
        if ", " in candidate:
            surname, forename = candidate.split(", ", 1)
            if _key(surname) in self._surnames and _key(forename) in self._forenames:
                return self._found(text, start, match.end(), candidate, self.confidence)
            return None
        tokens = candidate.split(" ")
        offset = start
        for index, token in enumerate(tokens):
            key = _key(token)
            if key in self._forenames:
                for width in (2, 1):  # forename [middle name] surname
                    last = index + width
                    if last < len(tokens) and _key(tokens[last]) in self._surnames and \
                            (width == 1 or _key(tokens[index + 1]) in self._forenames):
                        begin = offset
                        end = begin + len(" ".join(tokens[index:last + 1]))
                        return self._found(text, begin, end, text[begin:end], self.confidence)
            offset += len(token) + 1
        return None

    def _found(self, text: str, start: int, end: int, value: str, confidence: float) -> Span:
        if _PUBLIC_ROLE.search(window_before(text, start, 30)):
            confidence = 0.3  # an official named in their public role
        return Span(start, end, confidence, mask_value(value))
