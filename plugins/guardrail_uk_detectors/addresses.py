"""Street addresses: a house number (or flat) and a street name ending in a street word.

``12 Acacia Avenue``, ``Flat 3, 14 High St``, ``158 Queensway, Hemel Hempstead HP1 1AA``.
A street name alone ("On or near Marlowes", police.uk's anonymised locations) is
not an address: without a house number it does not point at one home.
"""

from __future__ import annotations

import re

from guardrail.plugin import Span

from .base import PatternDetector

__all__ = ["StreetAddressDetector", "STREET_WORDS"]

STREET_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Av|Close|Cl|Lane|Ln|Way|Drive|Dr|Crescent|Cres|Court|Ct|"
    "Place|Pl|Gardens|Gdns|Grove|Gr|Terrace|Terr|Tce|Hill|Park|Square|Sq|Walk|Mews|Row|Rise|"
    "View|Green|End|Parade|Pde|Vale|Meadow|Meadows|Fields|Wharf|Quay|Yard|Gate|Circus|"
    "Broadway|Boulevard|Parkway|Embankment|Approach|Chase|Croft|Dale|Glade|Hollow|Mount|"
    "Orchard|Path|Ridge|Spinney|Wood|Heights|Cottages|Buildings|Market|Bank|Brow|Common|"
    "Crossing|Cross|Garth|Lea|Leys|Mead|Nook|Passage|Promenade|Wynd|Causeway|Side|Dell|"
    "Drove|Fold|Loke|Twitten|Strand|Esplanade|Mall|Village|Estate|Precinct"
)
# Street words that make a whole street name on their own ("122 Broadway").
_STANDALONE = frozenset({"broadway", "parade", "promenade", "embankment", "strand",
                         "esplanade", "mall", "quay", "wharf", "boulevard", "causeway",
                         "precinct", "crescent", "terrace", "green", "village", "estate"})
# One-word street names end like these ("31 Queensway", "164 Longlands", "51 Highbarns").
_ONE_WORD_STREET = re.compile(
    r"[a-z](?:way|gate|lands|fields|field|side|wood|woods|croft|dale|mead|leys|barns|bury|"
    r"hill|hills|end|green|row|walk|mews|rise|park|court|close|grove|bank|brook|moor|holme|"
    r"thorpe|combe|cross|gardens|place|drive|lane|street|road|avenue|crescent|view|ridge|"
    r"meadow|meadows|hurst|field|ford|stead|wick|worth|ley|ton)$"
)
_NUMBER = (r"(?:(?:Flat|Apartment|Apt|Unit|Room) ?[0-9]+[A-Za-z]?,? )?"
           r"[0-9]{1,4}[A-Za-z]?(?:-[0-9]{1,4})?")
_NAME = r"[A-Z][A-Za-z'\-]+"
_TOWN_OR_POSTCODE = (r", (?:[A-Z][A-Za-z'\-]+(?: [A-Z][A-Za-z'\-]+)?"
                     r"|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})")


_STREET_SET = frozenset(w.lower() for w in STREET_WORDS.split("|"))
_HOUSE = r"[0-9]{1,4}[A-Za-z]?(?:-[0-9]{1,4})?"
_TOWN = r"[A-Z][A-Za-z'\-]+(?: [A-Z][a-z'\-]+)?"
_FULL_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"
# A house number and the run of capitalised words after it; which of them is the
# street word is a set lookup in Python (a regex alternation of ~100 street words,
# in every case, is several times slower).
_RUN = re.compile(rf"({_HOUSE}),? ({_NAME}(?: {_NAME}){{0,4}})(,?)")
_TAIL = re.compile(rf"(?:,? {_FULL_POSTCODE}|, {_TOWN}(?:,? {_FULL_POSTCODE})?)?")
_TOWN_TAIL = re.compile(rf" {_TOWN}(?:,? {_FULL_POSTCODE})?| {_FULL_POSTCODE}")
_HOUSE_WORDS = ("Cottage|Cottages|House|Farm|Farmhouse|Rectory|Vicarage|Lodge|Barn|Barns|Manor|"
                "Hall|Villa|Bungalow|Court|Mill|Grange|Oast|Stables|Mansions|Chambers|Flats|"
                "Apartments|Towers|Coach House|Old School|Granary|Croft")
# A house name, then a street or place, then a town: "Rose Cottage, Church Road, Flaunden".
_HOUSE_NAME = re.compile(
    rf"(?:(?:Flat|Apartment|Apt|Unit) [0-9A-Z]{{1,4}}, )?(?:The )?(?:{_NAME} ){{0,2}}"
    rf"(?:{_HOUSE_WORDS}), (?:{_NAME} ){{0,3}}{_NAME}, {_TOWN}(?:,? {_FULL_POSTCODE})?"
)
_HOUSE_WORD_COMMA = re.compile(rf"(?:{_HOUSE_WORDS}), ")
_LOWER_STREET = re.compile(r" ([a-z]+)\b")
_FLAT_BEFORE = re.compile(r"(?:Flat|Apartment|Apt|Unit|Room) ?[0-9]+[A-Za-z]?,? $", re.IGNORECASE)


class StreetAddressDetector(PatternDetector):
    id = "uk.street_address"
    confidence = 0.9
    description = "Street addresses: house number and street name (with town and postcode)"
    # The candidate pattern the engine gates with (RE2 syntax).
    pattern = (
        rf"\b{_NUMBER},? (?:{_NAME} ){{0,3}}(?i:{STREET_WORDS})\b"
        rf"|\b{_NUMBER},? {_NAME}(?: {_NAME})?{_TOWN_OR_POSTCODE}"
        rf"|\b(?:{_HOUSE_WORDS}), {_NAME}"
    )

    def find(self, text: str, field: str | None = None) -> list[Span]:
        spans = []
        for run in _RUN.finditer(text):
            start = run.start()
            if start and (text[start - 1].isalnum() or text[start - 1] in "/-."):
                continue  # part of a longer number or reference (ASB/2026/004512)
            if run.group(1)[0] == "0" and not run.group(1).lstrip("0")[:1].isdigit():
                continue  # house number 0
            words = run.group(2).split(" ")
            offset = run.start(2)
            end = None
            for index, word in enumerate(words):
                lowered = word.lower()
                # The last street word of the run: "92 Warners End Road", not "92 Warners End"
                if lowered in _STREET_SET and (index or lowered in _STANDALONE):
                    end = offset + len(word)
                offset += len(word) + 1
            confidence = self.confidence
            if end is None and not run.group(3):
                lower = _LOWER_STREET.match(text, run.end(2))  # "27 Old Mill close"
                if lower is not None and lower.group(1) in _STREET_SET:
                    end = lower.end()
            if end is None and (len(words) == 1 or words[0] == "The") and \
                    _ONE_WORD_STREET.search(words[-1].lower()) and \
                    len(words[-1]) > 5 and not run.group(3):
                # "outside 61 Marlowes"-like one-word streets: only the common endings
                end = run.end(2)
                confidence = 0.75
            if end is not None:
                end = _TAIL.match(text, end).end()  # type: ignore[union-attr]
            elif run.group(3) and len(words) <= 2:
                # "158 Queensway, Hemel Hempstead": no street word, a town or postcode follows
                tail = _TOWN_TAIL.match(text, run.end())
                if tail is None:
                    continue
                end, confidence = tail.end(), 0.75
            else:
                continue
            begin = start
            if start > 5:  # "Flat 3, 14 High Street", "Flat 2B 27 Park Road"
                before = _FLAT_BEFORE.search(text, max(0, start - 16), start)
                begin = before.start() if before else start
            spans.append(Span(begin, end, confidence))
        # The house-name pattern can start anywhere, so it is slow (~17 us on a note):
        # run it only when a house word and a comma are there at all.
        if not spans and ", " in text and _HOUSE_WORD_COMMA.search(text):
            for named in _HOUSE_NAME.finditer(text):
                spans.append(Span(named.start(), named.end(), 0.8))
        return spans
