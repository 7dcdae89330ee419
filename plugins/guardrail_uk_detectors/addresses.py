"""Street addresses: a house number (or flat) and a street name ending in a street word.

``12 Acacia Avenue``, ``Flat 3, 14 High St``, ``158 Queensway, Hemel Hempstead HP1 1AA``.
A street name alone ("On or near Marlowes", police.uk's anonymised locations) is
not an address: without a house number it does not point at one home.
"""

from __future__ import annotations

import re

from guardrail import Span, mask_value

from .base import PatternDetector

__all__ = ["StreetAddressDetector", "STREET_WORDS"]

STREET_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Av|Close|Cl|Lane|Ln|Way|Drive|Dr|Crescent|Cres|Court|Ct|"
    "Place|Pl|Gardens|Gdns|Grove|Gr|Terrace|Terr|Tce|Hill|Park|Square|Sq|Walk|Mews|Row|Rise|"
    "View|Green|End|Parade|Pde|Vale|Meadow|Meadows|Fields|Wharf|Quay|Yard|Gate|Circus|"
    "Broadway|Boulevard|Parkway|Embankment|Approach|Chase|Croft|Dale|Glade|Hollow|Mount|"
    "Orchard|Path|Ridge|Spinney|Wood|Heights|Cottages|Buildings|Market|Bank|Brow|Common|"
    "Crossing|Cross|Garth|Lea|Leys|Mead|Nook|Passage|Promenade|Wynd|Causeway|Side"
)
_NUMBER = r"(?:(?:Flat|Apartment|Apt|Unit|Room) ?[0-9]+[A-Za-z]?,? )?[0-9]{1,4}[A-Za-z]?(?:-[0-9]{1,4})?"
_NAME = r"[A-Z][A-Za-z'\-]+"
_TOWN_OR_POSTCODE = r", (?:[A-Z][A-Za-z'\-]+(?: [A-Z][A-Za-z'\-]+)?|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})"


class StreetAddressDetector(PatternDetector):
    id = "uk.street_address"
    confidence = 0.9
    description = "Street addresses: house number and street name (with town and postcode)"
    pattern = (
        rf"\b{_NUMBER},? (?:{_NAME} ){{0,3}}(?i:{STREET_WORDS})\b(?:{_TOWN_OR_POSTCODE})?"
        rf"|\b{_NUMBER},? {_NAME}(?: {_NAME})?{_TOWN_OR_POSTCODE}"
    )

    _STREET_END = re.compile(rf"(?i:\b(?:{STREET_WORDS}))\b")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        head = value.split(" ", 1)[0]
        if head[:1].isdigit() and len(head.rstrip(",")) > 1 and int(
                re.match(r"[0-9]+", head).group(0)) == 0:  # type: ignore[union-attr]
            return None
        # The second shape ("158 Queensway, Hemel Hempstead") has no street word: it
        # relies on the town after the comma, so it counts for a little less.
        confidence = self.confidence if self._STREET_END.search(value) else 0.75
        return Span(match.start(), match.end(), confidence, mask_value(value))
