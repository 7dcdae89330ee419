"""UK vehicle registration marks next to a person or vehicle context.

Formats (DVLA): current since 2001 ``AB12 CDE``; prefix 1983-2001 ``A123 BCD``;
suffix 1963-1983 ``ABC 123D``. A mark alone in a cell is found; in prose, a current
mark in upper case with an age identifier already issued is distinctive enough, while
prefix and suffix marks (and lower case) look too much like product codes and need a
vehicle word nearby or a field named for the registration.
"""

from __future__ import annotations

import datetime as _dt
import re

from guardrail.plugin import Span

from .base import PatternDetector, standing_alone, window_around

__all__ = ["VehicleRegistrationDetector"]

_CONTEXT = re.compile(
    r"\b(?:vehicles?|cars?|vans?|lorr(?:y|ies)|trucks?|motorbikes?|motorcycles?|mopeds?|"
    r"scooters?|taxis?|cabs?|hatchback|saloon|estate|suv|4x4|reg|vrm|registrations?|plates?|"
    r"number plate|index|drivers?|driving|drove|drives|driven|parked|parking|owner|keeper|"
    r"anpr|dvla|mot|"
    # makes: "a silver Vauxhall Corsa YR19 KHD" names no vehicle word
    r"vauxhall|ford|toyota|bmw|audi|mercedes|nissan|honda|peugeot|renault|volkswagen|vw|kia|"
    r"hyundai|mini|fiat|citroen|skoda|seat|mazda|volvo|land rover|range rover|jaguar|tesla|"
    r"suzuki|mitsubishi|lexus|porsche|dacia|mg|cupra|jeep|subaru|alfa romeo|smart|yamaha|"
    r"kawasaki|triumph|ducati|transit|corsa|fiesta|focus|golf|polo|astra|qashqai|yaris)\b"
)
_FIELD_CONTEXT = re.compile(r"(?:vrm|reg|vehicle|plate|index)", re.IGNORECASE)
# Words that say a code is something else (unless a vehicle word says otherwise).
_NOT_VEHICLE = re.compile(r"\b(?:product|code|sku|part|model|serial|batch|item|order|ref|"
                          r"reference|version|form|invoice|ticket|catalogue)\b")
_OTHER_FIELDS = re.compile(r"(?:code|sku|product|part|order|serial|batch|item)",
                           re.IGNORECASE)
# Memory tag: a region letter (no I, J, Q, U or Z), then any letter but I, Q or Z.
_CURRENT = re.compile(r"^[A-HK-PR-TV-Y][A-HJ-PR-Y]([0-9]{2}) ?[A-HJ-PR-Z]{3}$")
# Year letters of the prefix (1983-2001) and suffix (1963-1983) series: I, O, Q, U and
# Z were never used.
_PREFIX = re.compile(r"^[A-HJ-NPR-TV-Y][1-9][0-9]{0,2} ?[A-HJ-PR-Y]{3}$")
_SUFFIX = re.compile(r"^[A-HJ-PR-Y]{3} ?[1-9][0-9]{0,2}[A-HJ-NPR-TV-Y]$")




def _issued_age(age: str, today: _dt.date | None = None) -> bool:
    """March marks carry the year (02 on), September ones the year + 50 (51 on)."""
    today = today or _dt.date.today()
    year = today.year % 100
    number = int(age)
    return 2 <= number <= year or 51 <= number <= 50 + year


class VehicleRegistrationDetector(PatternDetector):
    id = "uk.vehicle_registration"
    confidence = 0.85
    description = "UK vehicle registration marks (current, prefix and suffix) in a vehicle context"
    pattern = (r"(?i)\b(?:[A-Z]{2}[0-9]{2} ?[A-Z]{3}|[A-Z][0-9]{1,3} ?[A-Z]{3}"
               r"|[A-Z]{3} ?[0-9]{1,3}[A-Z])\b")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        written = match.group(0)
        value = written.upper()
        current = _CURRENT.match(value)
        if current is not None:
            if not _issued_age(current.group(1)):
                return None
        elif not (_PREFIX.match(value) or _SUFFIX.match(value)):
            return None
        confidence = self._confidence(text, match, field, current is not None and
                                      written == value)
        if confidence is None:
            return None
        compact = value.replace(" ", "")
        # The leading letters only: a digit of a plate is never shown.
        shown = compact[:2] if compact[:2].isalpha() else compact[:1]
        shown = shown if shown.isalpha() else ""
        return self.span(match, confidence, evidence=shown + "*" * (len(compact) - len(shown)))

    def _confidence(self, text: str, match: re.Match[str], field: str | None,
                    distinctive: bool) -> float | None:
        """How sure: a vehicle word or field, a mark alone in a cell, an upper-case
        current mark; None when nothing says it is a plate."""
        if field is not None and _FIELD_CONTEXT.search(field):
            return self.confidence
        window = window_around(text, match.start(), match.end(), 60)
        if _CONTEXT.search(window):
            return self.confidence
        if field is not None and _OTHER_FIELDS.search(field):
            return None  # alone in an order_ref or product_code column: a code
        if standing_alone(text, match):
            return 0.8 if distinctive else 0.65
        if distinctive and not _NOT_VEHICLE.search(window):
            return 0.7
        return None
