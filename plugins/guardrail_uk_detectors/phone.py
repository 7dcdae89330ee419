"""UK telephone numbers: mobile and landline, +44 / 0044 / 0 forms, spaces, dashes, brackets.

Validity comes from Google's libphonenumber metadata for GB (the ``phonenumbers``
package): its per-type number patterns are compiled once and matched against the
national significant number, which is ~100x faster than ``phonenumbers.parse``
per candidate and gives the same answer. Ofcom's ranges reserved for drama
(07700 900xxx, 01632 960xxx, 0113 496 0xxx, ...) look exactly like real numbers in
test data and fiction, so they count as phone numbers too.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from guardrail import Span

from .base import PatternDetector, window_before

__all__ = ["PhoneDetector", "uk_national_number"]

_TYPES = ("fixed_line", "mobile", "toll_free", "premium_rate", "personal_number", "voip",
          "uan", "pager")
# Ofcom numbers for drama: https://www.ofcom.org.uk (TV and radio drama numbers).
_DRAMA = re.compile(
    r"^(?:7700900\d{3}|1632960\d{3}|11[3-8]4960\d{3}|1[2-9]14960\d{3}|1914980\d{3}"
    r"|2079460\d{3}|2890180\d{3}|2920180\d{3}|3069990\d{3}|8081570\d{3}|9098790\d{3}"
    r"|2[89]\d{7})$"
)
_HOTWORDS = re.compile(r"\b(?:tel|phone|mobile|mob|call|caller|contact|number|ring|text)")


@lru_cache(maxsize=1)
def _valid_patterns() -> re.Pattern[str]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("GB")
    patterns = [getattr(metadata, name).national_number_pattern for name in _TYPES
                if getattr(metadata, name) is not None
                and getattr(metadata, name).national_number_pattern]
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def uk_national_number(candidate: str) -> str | None:
    """The national significant number of a UK-written number, or None if it cannot be one."""
    digits = re.sub(r"\D", "", candidate)
    compact = candidate.replace(" ", "")
    if compact.startswith("+") or digits.startswith("0044"):
        digits = digits[4:] if digits.startswith("0044") else digits[2:]
        if digits.startswith("0"):  # +44 (0)20 ...
            digits = digits[1:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return None
    if not 9 <= len(digits) <= 10 or digits[0] in "04 6":
        return None
    return digits


class PhoneDetector(PatternDetector):
    id = "uk.phone"
    confidence = 0.95
    description = "UK telephone numbers (validated against libphonenumber's GB metadata)"
    pattern = (r"(?:\+ ?44 ?(?:\(0\) ?)?|\b0044 ?(?:\(0\) ?)?|\(0|\b0)[1-9]"
               r"(?:[0-9]|[ \-]?\(?[0-9]|\)[ \-]?[0-9]){7,12}")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        candidate = match.group(0)
        # The pattern may run on into a following number: try the longest prefix of
        # whole digit groups that makes a valid number.
        groups = re.split(r"(?<=[0-9])(?=[ \-][0-9])", candidate)
        for end in range(len(groups), 0, -1):
            prefix = "".join(groups[:end])
            national = uk_national_number(prefix)
            if national is None:
                continue
            if _valid_patterns().fullmatch(national):
                confidence = self.confidence
            elif _DRAMA.match(national):
                confidence = 0.9
            else:
                continue
            start = match.start()
            stop = start + len(prefix)
            return Span(start, stop, confidence, _mask_phone(prefix))
        national = uk_national_number(candidate)
        if national and _HOTWORDS.search(window_before(text, match.start(), 25)):
            # Right length and prefix, next to a word like "tel": a number even if the
            # range is not allocated yet.
            return Span(match.start(), match.end(), 0.6, _mask_phone(candidate))
        return None


def _mask_phone(number: str) -> str:
    kept = 0
    out = []
    for char in number:
        if char.isdigit():
            kept += 1
            out.append(char if kept <= 2 else "*")
        else:
            out.append(char)
    return "".join(out).strip()
