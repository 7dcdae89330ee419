"""What an incident needs to know: which pages and records held personal data, how many
distinct people-like values they showed, and in which areas.

After a leak the first questions are not "which rule fired" but "whose data was out,
and where": the impact of a check answers them from exact figures, counted in a check
that lists every finding (see ``guardrail.engine.impact_sink``). Nothing here holds a
raw value: distinct values are counted by keyed digests that leave the process never,
and area names are shown only when the detectors find nothing in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Impact", "PageImpact", "AREA_WORDS", "MASKED_AREA", "NO_AREA"]

# Field names that say where a record belongs: the words police, council and health
# exports group cases by. A field is an area field when one of its words is one of
# these (``Ward``, ``policing_area``, ``NeighbourhoodName``).
AREA_WORDS = ("area", "ward", "district", "borough", "neighbourhood", "neighborhood",
              "beat", "locality", "division", "sector", "parish", "constituency", "region",
              "patch", "zone", "lsoa", "msoa")

MASKED_AREA = "(area masked: it may hold personal data)"
NO_AREA = "(no area given)"


@dataclass(frozen=True)
class PageImpact:
    """One page (payload) that held personal data the destination may not receive."""

    file: str
    records: int  # records read
    records_affected: int  # records holding at least one blocking finding
    outside_records: int  # blocking findings outside any record (headers, page text)
    distinct_values: int  # distinct people-like values shown on this page
    by_area: tuple[tuple[str, int], ...] = ()  # records affected per area

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "records": self.records,
                "records_affected": self.records_affected,
                "outside_records": self.outside_records,
                "distinct_values": self.distinct_values,
                "by_area": dict(self.by_area)}


@dataclass(frozen=True)
class Impact:
    """The impact list of one check: pages most affected first.

    ``distinct_values`` counts each value (a name, a postcode, an email address) once
    however many pages or rules showed it; ``distinct_by_rule`` counts per rule. When
    ``capped`` is True the pages showed more distinct values than are counted in memory
    and the distinct figures are lower bounds. An area is shown masked when a detector
    found anything in it, or when it groups only one record of the check (a value met
    once in an area field may be a person's name).
    """

    pages: tuple[PageImpact, ...]
    pages_checked: int
    records_checked: int
    records_affected: int
    distinct_values: int
    distinct_by_rule: tuple[tuple[str, int], ...]
    area_field: str | None = None  # the field records were grouped by, as reports show it
    by_area: tuple[tuple[str, int], ...] = ()
    capped: bool = False
    pages_unreadable: int = 0  # pages that could not be read: they may hold anything
    area_fields_asked: tuple[str, ...] = ()  # --area-field, when given

    @property
    def pages_affected(self) -> int:
        return len(self.pages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pages_checked": self.pages_checked,
            "pages_affected": self.pages_affected,
            "records_checked": self.records_checked,
            "records_affected": self.records_affected,
            "distinct_values": self.distinct_values,
            "distinct_by_rule": dict(self.distinct_by_rule),
            "area_field": self.area_field,
            "by_area": dict(self.by_area),
            "capped": self.capped,
            "pages_unreadable": self.pages_unreadable,
            "area_fields_asked": list(self.area_fields_asked),
            "pages": [page.to_dict() for page in self.pages],
        }
