"""Clean, realistic exports (police.uk-style ASB statistics) and where a value is planted.

An export is a list of records with only the fields ``asb-public-web`` publishes, plus a
few lines of prose for the formats that carry prose (text, Markdown, HTML). Clean, it
is allowed by that policy; the fuzzing plants an identifier in one place (a
:class:`Slot`) and checks that it no longer is.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

__all__ = ["COLUMNS", "PUBLIC_SLOTS", "Export", "Slot", "Text", "Markup", "Parts",
           "Rendering", "clean_export", "CONTEXTS"]

COLUMNS = ("month", "category", "ward", "lsoa_code", "lsoa_name", "outcome", "count")
# Fields a planted value may go in: public in asb-public-web, so only a content detector
# can stop it. Each is followed by another public column, for values split across two.
PUBLIC_SLOTS = ("category", "ward", "lsoa_name", "outcome")

_CATEGORIES = ("Anti-social behaviour", "Criminal damage and arson", "Public order",
               "Vehicle nuisance", "Littering and fly-tipping", "Noise nuisance")
_WARDS = ("Boxmoor", "Apsley and Corner Hall", "Adeyfield West", "Gadebridge", "Grovehill",
          "Highfield", "Leverstock Green", "Nash Mills", "Bennetts End", "Warners End")
_OUTCOMES = ("Investigation complete; no suspect identified", "Local resolution",
             "Under investigation", "Advice given", "Community protection warning issued",
             "Awaiting court outcome", "Unable to prosecute suspect", "")
_PROSE = ("Reports of anti-social behaviour fell again this quarter.",
          "Most reports concerned noise late at night and litter near the shops.",
          "Patrols were increased around the town centre on Friday evenings.",
          "The figures below are published each month and include every ward.",
          "Counts under five are suppressed to protect the people involved.",
          "Residents can report problems online or at the library.")
# How a value is written into a record or a sentence; "{}" is the value.
CONTEXTS = {
    "postcode": ("{}", "Incident near {}", "Reported from {} area"),
    "phone": ("{}", "Call {} after 6pm", "Contact number {}"),
    "email": ("{}", "Reply to {}", "Complaint sent by {}"),
    "nhs_number": ("{}", "NHS number {}", "Patient {} treated at the scene"),
    "nino": ("{}", "NI number {}", "Claimant NINO {}"),
    "name": ("{}", "Advice given to {}", "Complaint from {} about noise"),
}


@dataclass(frozen=True)
class Text:
    """Plain text, escaped as the format escapes any value."""

    value: str


@dataclass(frozen=True)
class Markup:
    """Markup written as is by formats of *family* (``html``, ``xml``, ``markdown``)."""

    family: str
    markup: str


@dataclass(frozen=True)
class Parts:
    """A value cut in two, *how*: ``cells`` (adjacent fields), ``array`` (a list of two
    strings) or ``children`` (two child elements)."""

    parts: tuple[str, ...]
    how: str


Rendering = Text | Markup | Parts


@dataclass(frozen=True)
class Slot:
    """Where the planted value goes: a record's *field*, or (record None) a line of prose
    inserted before prose line *line*. *prefix* and *suffix* are the words around it."""

    rendering: Rendering
    record: int | None
    field: str | None = None
    line: int = 0
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Export:
    """Records and prose, and at most one planted slot."""

    records: tuple[dict[str, str], ...]
    prose: tuple[str, ...]
    slot: Slot | None = None
    title: str = "Anti-social behaviour statistics"

    def with_slot(self, slot: Slot | None) -> Export:
        return replace(self, slot=slot)

    def reordered(self, order: Sequence[int]) -> Export:
        """The same export with its records (and the slot's record) in *order*."""
        records = tuple(self.records[i] for i in order)
        slot = self.slot
        if slot is not None and slot.record is not None:
            slot = replace(slot, record=list(order).index(slot.record))
        return replace(self, records=records, slot=slot)

    def cell(self, record: int, column: str) -> str | Slot:
        """A record's value, or the slot when the planted value sits there (a value cut
        across two cells is two plain values)."""
        slot = self.slot
        if slot is not None and slot.record == record and slot.field is not None:
            rendering = slot.rendering
            if isinstance(rendering, Parts) and rendering.how == "cells":
                if column == slot.field:
                    return rendering.parts[0]
                if column == next_column(slot.field):
                    return rendering.parts[1]
            elif column == slot.field:
                return slot
        return self.records[record][column]

    def lines(self) -> list[str | Slot]:
        """The prose, with the slot in its place when it is a line of prose."""
        lines: list[str | Slot] = list(self.prose)
        if self.slot is not None and self.slot.record is None:
            lines.insert(min(self.slot.line, len(lines)), self.slot)
        return lines


def next_column(column: str) -> str:
    return COLUMNS[COLUMNS.index(column) + 1]


@dataclass
class _Vocabulary:
    rng: random.Random
    codes: dict[str, str] = field(default_factory=dict)

    def record(self) -> dict[str, str]:
        ward = self.rng.choice(_WARDS)
        code = self.codes.setdefault(ward, f"E0{self.rng.randrange(1_002_000, 1_035_000)}")
        return {
            "month": f"2026-{self.rng.randrange(1, 13):02d}",
            "category": self.rng.choice(_CATEGORIES),
            "ward": ward,
            "lsoa_code": code,
            "lsoa_name": f"Dacorum {self.rng.randrange(1, 30):03d}{self.rng.choice('ABCDE')}",
            "outcome": self.rng.choice(_OUTCOMES),
            # 0 or 5 and over: counts of 1 to 4 are personal in asb-public-web
            "count": str(self.rng.choice((0, *range(5, 60)))),
        }


def clean_export(rng: random.Random, records: int, prose: int) -> Export:
    """An export that asb-public-web allows: *records* records, *prose* lines of prose."""
    vocabulary = _Vocabulary(rng)
    return Export(tuple(vocabulary.record() for _ in range(records)),
                  tuple(rng.sample(_PROSE, min(prose, len(_PROSE)))))
