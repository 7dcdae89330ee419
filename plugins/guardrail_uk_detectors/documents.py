"""UK identity documents: passport numbers and driving licence numbers.

A UK passport number is nine digits with no check digit of its own, so it needs a
cue: a word such as "passport" before it, a field named for it, or the machine
readable zone of the passport (number, ICAO 9303 check digit, ``GBR``). A DVLA
driving licence number carries its holder's surname and date of birth in a fixed
16-character structure, which is distinctive enough alone.
"""

from __future__ import annotations

import datetime as _dt
import re

from guardrail.plugin import Span

from .base import PatternDetector, standing_alone

__all__ = ["PassportDetector", "DrivingLicenceDetector", "mrz_check_digit"]

_PASSPORT_FIELD = re.compile(r"passport", re.IGNORECASE)
_PASSPORT_NUMBER = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
_MRZ_WEIGHTS = (7, 3, 1)


def mrz_check_digit(text: str) -> str:
    """ICAO 9303 check digit: digits as themselves, A-Z as 10-35, '<' as 0, weights 7 3 1."""
    total = 0
    for i, char in enumerate(text):
        value = int(char) if char.isdigit() else 0 if char == "<" else ord(char) - 55
        total += value * _MRZ_WEIGHTS[i % 3]
    return str(total % 10)


class PassportDetector(PatternDetector):
    id = "uk.passport"
    confidence = 0.9
    description = "UK passport numbers (nine digits after a passport cue, or in the MRZ)"
    # The cue is part of the candidate: nine-digit numbers are everywhere, and only
    # those after the word (or followed by an MRZ check digit and GBR) reach Python.
    pattern = (r"(?i)passport[a-z .:#=,;()'/-]{0,30}[0-9]{9}\b"
               r"|\b[0-9]{9}[0-9<]GBR[0-9]{6}")

    def wants_field(self, field: str) -> bool:
        """A passport_number column holds bare numbers: read every value."""
        return _PASSPORT_FIELD.search(field) is not None

    def find(self, text: str, field: str | None = None) -> list[Span]:
        if field is not None and _PASSPORT_FIELD.search(field):
            number = _PASSPORT_NUMBER.search(text)
            if number is not None and standing_alone(text, number):
                return [Span(number.start(), number.end(), self.confidence, "*********")]
        return super().find(text, field)

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        if value[:1].isdigit():  # MRZ line 2: the number, its check digit, GBR
            if mrz_check_digit(value[:9]) != value[9]:
                return None
            return Span(match.start(), match.start() + 9, 0.95, "*********")
        end = match.end()
        return Span(end - 9, end, self.confidence, "*********")


# DVLA: surname (5, padded with 9), decade, month (+50 for women), day, year,
# two initials (padded with 9), an arbitrary digit, two check characters.
_LICENCE = re.compile(
    r"^(?P<surname>[A-Z][A-Z9]{4})(?P<decade>[0-9])(?P<month>[0-9]{2})(?P<day>[0-9]{2})"
    r"(?P<year>[0-9])(?P<initials>[A-Z][A-Z9])[0-9](?P<check>[A-Z0-9]{2})$"
)


def is_driving_licence(candidate: str) -> bool:
    """True when *candidate* has the DVLA structure and a real date of birth in it."""
    shape = _LICENCE.match(candidate.replace(" ", "").upper())
    if shape is None:
        return False
    surname = shape["surname"]
    if "9" in surname and surname[surname.index("9"):] != "9" * (5 - surname.index("9")):
        return False  # padding comes only after the letters of the name
    month = int(shape["month"]) % 50
    try:
        _dt.date(2000, month, int(shape["day"]))  # a leap year: 29 February is a birthday
    except ValueError:
        return False
    return int(shape["month"]) <= 12 or 51 <= int(shape["month"]) <= 62


class DrivingLicenceDetector(PatternDetector):
    id = "uk.driving_licence"
    confidence = 0.9
    description = "UK driving licence numbers (DVLA structure and the date of birth in it)"
    pattern = r"(?i)\b[A-Z][A-Z9]{4} ?[0-9]{6} ?[A-Z][A-Z9][0-9][A-Z0-9]{2}\b"

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        if not is_driving_licence(value):
            return None
        confidence = self.confidence if value.isupper() else 0.7
        return self.span(match, confidence, evidence="***** ****** *****")
