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

from guardrail.plugin import Span

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


# The UK numbering plan also carries Jersey, Guernsey and the Isle of Man (+44 too).
_REGIONS = ("GB", "JE", "GG", "IM")
# Numbers people publish on purpose: freephone, non-geographic public and business
# lines (0800 555 111 Crimestoppers, 03xx councils, 0845/0870, premium 09xx). They score
# low only next to words that say an organisation publishes them.
_ORGANISATION = re.compile(r"^(?:80|84|87|3|9)")
# (A look-behind rather than \b: Python's re then skips ahead ~1.5x faster.)
_ORG_CONTEXT = re.compile(
    r"(?<![a-z0-9_])(?:crimestoppers|helpline|switchboard|freephone|anonymously|enquiries|"
    r"victim support|call us|contact us|customer services|council|office|reception|"
    r"hotline|advice line|non-emergency|(?:call|dial|ring|or|on) (?:101|111|999))\b"
)
_NAME_FIELDS = re.compile(r"(?:phone|mobile|tel|contact|fax|landline|number)")


@lru_cache(maxsize=1)
def _valid_patterns() -> re.Pattern[str]:
    patterns = []
    for region in _REGIONS:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        patterns += [getattr(metadata, name).national_number_pattern for name in _TYPES
                     if getattr(metadata, name) is not None
                     and getattr(metadata, name).national_number_pattern]
    return re.compile("|".join(f"(?:{p})" for p in dict.fromkeys(patterns)))


_NOT_DIGITS = str.maketrans("", "", " .-()+\t")
_GROUPS = re.compile(r"(?<=[0-9])(?=[ .\-][0-9])")
# Extraction: starts with +, ( or 0 so the regex engine can skip everything else fast.
_CANDIDATE_TEXT = r"[+(0][0-9 .\-()+]{8,19}[0-9]"
_CANDIDATE = re.compile(_CANDIDATE_TEXT)
# A contact block stored with its line breaks escaped ("Jane Smith\\n+44 7700 900 123\\n
# jane@..."), as logs, JSON strings and many test data sets hold it: the "n" before the
# number is a line break, not part of a reference.
_ESCAPES = ("\\n", "\\r", "\\t")
# How UK numbers are written: an international prefix, or a 0 and the usual groups,
# or eleven digits of a geographic or mobile number run together.
_WRITTEN_AS_PHONE = re.compile(
    r"^(?:(?:\+|00)44 ?(?:\(0\) ?)?[1-9][0-9 \-]{7,12}"
    r"|\(?0[1-9][0-9]{1,3}\)?[ \-][0-9]{3,4}[ \-]?[0-9]{3,4}"
    r"|0[127][0-9]{9})$"
)
_BARE_MOBILE = re.compile(r"^7[0-9]{9}$")  # a mobile whose leading 0 a spreadsheet dropped


def uk_national_number(candidate: str) -> str | None:
    """The national significant number of a UK-written number, or None if it cannot be one."""
    digits = candidate.translate(_NOT_DIGITS)
    if candidate.lstrip("(").startswith("+") or digits.startswith("0044"):
        if not (digits.startswith("44") or digits.startswith("0044")):
            return None
        digits = digits[4:] if digits.startswith("0044") else digits[2:]
        if digits.startswith("0"):  # +44 (0)20 ...
            digits = digits[1:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return None
    if not 9 <= len(digits) <= 10 or digits[0] in "046":
        return None
    return digits


class PhoneDetector(PatternDetector):
    id = "uk.phone"
    confidence = 0.95
    description = "UK telephone numbers (validated against libphonenumber's GB metadata)"
    pattern = _CANDIDATE_TEXT + r"|\b7[0-9]{9}\b"

    def _rate(self, national: str) -> float | None:
        if _valid_patterns().fullmatch(national):
            return self.confidence
        if _DRAMA.match(national):
            return 0.9
        return None

    def wants_field(self, field: str) -> bool:
        """Phone fields are checked even without a leading 0 (spreadsheets drop it)."""
        return _NAME_FIELDS.search(field.lower()) is not None

    def find(self, text: str, field: str | None = None) -> list[Span]:
        spans = []
        for match in _CANDIDATE.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] in "/.+-") and \
                    text[start - 2:start] not in _ESCAPES:
                continue  # inside a longer number or reference
            candidate = match.group(0)
            if candidate.startswith("(") and ")" not in candidate:
                candidate, start = candidate[1:], start + 1  # "(07700 900795)": the bracket is text
            span = self._number(text, start, candidate)
            if span is not None:
                spans.append(span)
        if not spans and field is not None and _NAME_FIELDS.search(field.lower()):
            bare = text.strip()
            if _BARE_MOBILE.match(bare) and _valid_patterns().fullmatch(bare):
                offset = text.index(bare)
                spans.append(Span(offset, offset + len(bare), 0.8))
        return spans

    def _number(self, text: str, start: int, candidate: str) -> Span | None:
        # Usually the candidate is the number; when it runs on into a following number,
        # try the longest prefix of whole digit groups that makes a valid one.
        span = self._valid(text, start, candidate)
        if span is not None:
            return span
        groups = _GROUPS.split(candidate)
        for end in range(len(groups) - 1, 0, -1):
            span = self._valid(text, start, "".join(groups[:end]).rstrip(" -(."))
            if span is not None:
                return span
        national = uk_national_number(candidate)
        if national and (len(national) == 10 and national[0] in "12378" or
                         len(national) == 9 and national.startswith("80")) and \
                _WRITTEN_AS_PHONE.match(candidate.strip()):
            # Written the way UK numbers are written (+44 7700 639093, 0116 764 2842,
            # 07700639093) in a range not allocated yet: what a reader takes for a
            # number, as made-up numbers in test data and fiction are.
            if _ORG_CONTEXT.search(window_before(text, start, 40)):
                return Span(start, start + len(candidate), 0.4)
            return Span(start, start + len(candidate), 0.65 if national[0] in "38" else 0.7)
        if national and _HOTWORDS.search(window_before(text, start, 25)):
            # Right length and prefix, next to a word like "tel": a number even if the
            # range is not allocated yet.
            return Span(start, start + len(candidate), 0.6)
        return None

    def _valid(self, text: str, start: int, written: str) -> Span | None:
        """A span for *written* at *start* if it is a valid UK number."""
        national = uk_national_number(written)
        if national is None:
            return None
        confidence = self._rate(national)
        if confidence is None:
            return None
        if _ORG_CONTEXT.search(window_before(text, start, 40)):
            confidence = 0.4  # an organisation's published number, not a person's
        elif _ORGANISATION.match(national):
            # 03, 08 and 09 lines are mostly organisations', but without words that
            # say so they may be a person's (a sole trader, a personal 0845 line).
            confidence = min(confidence, 0.65)
        return Span(start, start + len(written), confidence)
