"""UK vehicle registration marks next to a person or vehicle context.

Formats (DVLA): current since 2001 ``AB12 CDE``; prefix 1983-2001 ``A123 BCD``;
suffix 1963-1983 ``ABC 123D``. On their own such strings are too often product
codes, so a vehicle word nearby (or a field named for it) is required.
"""

from __future__ import annotations

import re

from guardrail.plugin import Span

from .base import PatternDetector, window_around

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
_CURRENT = re.compile(r"^[A-HJ-PR-Y][A-HJ-PR-Y](0[1-9]|[1-7][0-9]) ?[A-HJ-PR-Z]{3}$")
# Year letters of the prefix (1983-2001) and suffix (1963-1983) series: I, O, Q, U and
# Z were never used.
_PREFIX = re.compile(r"^[A-HJ-NPR-TV-Y][1-9][0-9]{0,2} ?[A-HJ-PR-Y]{3}$")
_SUFFIX = re.compile(r"^[A-HJ-PR-Y]{3} ?[1-9][0-9]{0,2}[A-HJ-NPR-TV-Y]$")


class VehicleRegistrationDetector(PatternDetector):
    id = "uk.vehicle_registration"
    confidence = 0.85
    description = "UK vehicle registration marks (current, prefix and suffix) in a vehicle context"
    pattern = (r"(?i)\b(?:[A-Z]{2}[0-9]{2} ?[A-Z]{3}|[A-Z][0-9]{1,3} ?[A-Z]{3}"
               r"|[A-Z]{3} ?[0-9]{1,3}[A-Z])\b")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0).upper()
        if not (_CURRENT.match(value) or _PREFIX.match(value) or _SUFFIX.match(value)):
            return None
        in_field = field is not None and _FIELD_CONTEXT.search(field) is not None
        nearby = _CONTEXT.search(window_around(text, match.start(), match.end(), 60))
        if not (in_field or nearby):
            return None
        compact = value.replace(" ", "")
        # The leading letters only: a digit of a plate is never shown.
        shown = compact[:2] if compact[:2].isalpha() else compact[:1]
        shown = shown if shown.isalpha() else ""
        return self.span(match, evidence=shown + "*" * (len(compact) - len(shown)))
