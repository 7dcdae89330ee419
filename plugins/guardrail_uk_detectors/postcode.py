"""UK postcodes: every valid outward/inward shape, with or without the space, any case.

Rules (Royal Mail PAF): the first letter is not Q, V or X; the second is not I,
J or Z; a letter in the third position of A9A is one of ABCDEFGHJKPSTUW; a
letter in the fourth position of AA9A is one of ABEHMNPRVWXY; the two inward
letters never use C, I, K, M, O or V. GIR 0AA is the one historic exception.
A bare outward code ("HP1") is not a postcode on its own.
"""

from __future__ import annotations

import re

from guardrail.plugin import Span

from .base import PatternDetector

__all__ = ["PostcodeDetector", "is_postcode"]

_SHAPE = re.compile(
    r"^(?:(?P<a>[A-Z])(?P<d>[0-9])(?P<x>[0-9A-Z]?)|(?P<a2>[A-Z])(?P<b2>[A-Z])(?P<d2>[0-9])"
    r"(?P<x2>[0-9A-Z]?))(?P<inward>[0-9][A-Z]{2})$"
)
_FIRST_BAD = set("QVX")
_SECOND_BAD = set("IJZ")
_THIRD_OK = set("ABCDEFGHJKPSTUW")  # A9A
_FOURTH_OK = set("ABEHMNPRVWXY")  # AA9A
_INWARD_BAD = set("CIKMOV")


def is_postcode(candidate: str) -> bool:
    """True for a full, valid UK postcode (spaces and case ignored)."""
    text = candidate.replace(" ", "").upper()
    if text == "GIR0AA":
        return True
    shape = _SHAPE.match(text)
    if shape is None:
        return False
    if shape["inward"][1] in _INWARD_BAD or shape["inward"][2] in _INWARD_BAD:
        return False
    if shape["a"]:  # A9, A99, A9A
        if shape["a"] in _FIRST_BAD:
            return False
        extra = shape["x"]
        return not extra or extra.isdigit() or extra in _THIRD_OK
    if shape["a2"] in _FIRST_BAD or shape["b2"] in _SECOND_BAD:
        return False
    extra = shape["x2"]
    return not extra or extra.isdigit() or extra in _FOURTH_OK


class PostcodeDetector(PatternDetector):
    id = "uk.postcode"
    confidence = 0.95
    description = "UK postcodes (full: outward and inward code)"
    pattern = r"(?i)\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}\b"

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        if not is_postcode(value):
            return None
        compact = value.replace(" ", "").upper()
        # Lower-case runs such as "ab1 2cd" are rarer in real exports than words
        # that happen to fit, so they count for less.
        confidence = self.confidence if value.isupper() else 0.7
        return self.span(match, confidence, evidence=f"{compact[:-3]} ***")
