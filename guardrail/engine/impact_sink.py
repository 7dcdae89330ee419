"""The sink of an impact check: every finding passes through, so affected records and
distinct values are exact, and the report still lists a few of each rule.

A check normally counts a table's findings in bulk without knowing their records;
after an incident the records are the point. In an impact check the walkers go record
by record, pass every finding to an :class:`ImpactSink` (as a value, however many
are listed) and tell it where each record starts and which area it belongs to
(``begin_record``). Distinct values are
counted by keyed BLAKE2b digests whose key is drawn per check and never leaves the
process, so no figure can be turned back into a name. A value is people-like when a
detector recognised it (a name, an address, a phone number, an identifier): a field
rule says a whole column may not go out, not that each cell is a person (free-text
notes, case references).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from guardrail.decision import FileResult, FindingKind
from guardrail.engine.collector import Collector
from guardrail.engine.scanning import as_text
from guardrail.engine.sink import Match
from guardrail.impact import AREA_WORDS, MASKED_AREA, NO_AREA, Impact, PageImpact
from guardrail.policy.paths import normalize_key

__all__ = ["ImpactSink", "area_column", "MAX_DISTINCT"]

# Distinct values counted per check (about 200 bytes each, kept in three sets: the
# whole check's, its page's and its rule's): beyond this the distinct figures are lower
# bounds, said in the report, rather than memory growing with the payload.
MAX_DISTINCT = 250_000
# An area value shown must group at least this many records of the check: a value met
# once may be a person's name typed into the area field, which no detector recognises
# on its own (a bare surname).
MIN_AREA_RECORDS = 2
_MAX_AREAS = 5_000  # distinct area names per check; later ones are "(other areas)"
_MAX_AREA_LENGTH = 80
_OTHER_AREAS = "(other areas)"
# Records closed whose area and verdict are kept: a finding may come after its record
# ended (neighbouring cells of a batch of rows are read together, a line is read with
# the next); a batch is 1024 rows.
_RECENT = 4096
_DIGESTS_CACHED = 65_536  # raw text -> digest, for values seen again (a name per row)
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SPACES = re.compile(r"\s+")


def area_column(names: Sequence[str], chosen: Sequence[str]) -> int | None:
    """The index of the field records are grouped by: the first named in *chosen*
    (compared as rules compare names), else the first whose words include an area word
    (``Ward``, ``policing_area``, ``NeighbourhoodName``)."""
    if chosen:
        keys = [normalize_key(name) for name in names]
        for wanted in chosen:
            key = normalize_key(wanted)
            if key in keys:
                return keys.index(key)
        return None
    for index, name in enumerate(names):
        if any(word.lower() in AREA_WORDS for word in _WORDS.findall(name)):
            return index
    return None


@dataclass
class _Page:
    records: int = 0  # affected
    outside: int = 0
    distinct: set[int] = field(default_factory=set)
    areas: Counter[str] = field(default_factory=Counter)
    area_field: str | None = None


@dataclass
class _Open:
    """The record being read: findings for it settle its area when it ends."""

    file: str
    section: str | None
    index: int
    area: str
    affected: bool = False


class ImpactSink:
    """A :class:`Collector` that also tallies the impact (see the module docstring).

    :param screen: True when a text holds personal data the destination may not have
        (an area name so flagged is shown masked).
    :param area_fields: field names to group by, else area words decide.
    """

    def __init__(self, collector: Collector, screen: Callable[[str], bool],
                 area_fields: Sequence[str] = ()) -> None:
        self.collector = collector
        self.screen = screen
        self.area_fields = tuple(area_fields)
        self._key = os.urandom(32)
        self._pages: dict[str, _Page] = {}
        self._all: set[int] = set()
        self._by_rule: set[int] = set()
        self._rule_counts: Counter[str] = Counter()
        self._area_names: dict[str, str] = {}
        self._area_records: Counter[str] = Counter()  # records per area, affected or not
        self._flagged: set[str] = set()  # areas a finding was made in: shown masked
        self._open: _Open | None = None
        # (file, section, record) -> [area, affected] of records closed lately
        self._recent: OrderedDict[tuple[str, str | None, int], list[Any]] = OrderedDict()
        self._digests: dict[str, int] = {}
        self._seen_words: set[int] = set()  # see _note_words
        self.capped = False

    # -- what walkers tell it ------------------------------------------------------

    def area_column(self, names: Sequence[str]) -> int | None:
        """The column of *names* records are grouped by, if any."""
        return area_column(names, self.area_fields)

    def begin_record(self, file: str, section: str | None, index: int | None,
                     area: Any, area_label: str | None) -> None:
        """Record *index* of *section* starts; *area* is its area field's value (None
        when it has none), *area_label* that field as reports show it."""
        self._close()
        if index is None:
            return
        page = self._page(file)
        if area_label is not None and page.area_field is None:
            page.area_field = area_label
        name = self._area_name(area) if area_label is not None else NO_AREA
        self._area_records[name] += 1
        self._open = _Open(file, section, index, name)

    def end_section(self) -> None:
        self._close()
        self.collector.end_section()

    # -- the Sink protocol --------------------------------------------------------

    def wants(self, rule: str) -> bool:
        # Read row by row, every finding reaches value() anyway: only listing is asked.
        return self.collector.wants(rule)

    def value(self, record: int | None, field: str, value: Any, matches: Sequence[Match],
              position: str | None) -> None:
        self.collector.value(record, field, value, matches, position)
        kind = matches[0].kind
        if not _impact(kind):
            return
        self._affects(kind, record, field)
        for match in matches:  # the phone number beside a name in a note counts too
            # (a name read across two cells is counted whole, by distinct_across)
            if match.start is not None and match.message is None and _impact(match.kind):
                self._distinct(match.kind, _span(value, match))

    def distinct_across(self, kind: FindingKind, text: str) -> None:
        """A value read across two neighbouring cells (``Margaret`` | ``Okafor``): one
        value, counted whole rather than as its two halves."""
        if _impact(kind):
            self._distinct(kind, text)

    def key(self, record: int | None, label: str, key: str, matches: Sequence[Match],
            position: str | None) -> None:
        self.collector.key(record, label, key, matches, position)
        kind = matches[0].kind
        if _impact(kind):
            self._affects(kind, record, label)
            self._distinct(kind, key)

    def record(self, record: int | None, kind: FindingKind, fields: Sequence[str],
               data: Any, message: str, position: str | None) -> None:
        self.collector.record(record, kind, fields, data, message, position)
        if _impact(kind):
            self._affects(kind, record, None)

    def count(self, kind: FindingKind, times: int) -> None:
        # Counted without records (no walker does in an impact check): the records
        # figure is then a lower bound, and says so.
        self.collector.count(kind, times)
        if times and _impact(kind):
            self.capped = True

    # -- tallying -----------------------------------------------------------------

    def _page(self, file: str) -> _Page:
        found = self._pages.get(file)
        if found is None:
            found = self._pages[file] = _Page()
        return found

    def _affects(self, kind: FindingKind, record: int | None, field: str | None) -> None:
        page = self._page(kind.file)
        if record is None:
            page.outside += 1
            return
        current = self._open
        if current is not None and current.index == record and current.file == kind.file \
                and current.section == kind.section:
            current.affected = True
            area = current.area
        else:
            # A finding for a record already closed (neighbouring cells are read a batch
            # of rows later): counted now if it was not then.
            closed = self._recent.get((kind.file, kind.section, record))
            if closed is None:
                closed = [NO_AREA, False]  # long gone (not seen in practice): no area known
            area = closed[0]
            if not closed[1]:
                closed[1] = True
                page.records += 1
                page.areas[area] += 1
        if field is not None and field == page.area_field:
            self._flagged.add(area)  # the area's value itself is personal data

    def _close(self) -> None:
        current, self._open = self._open, None
        if current is None:
            return
        recent = self._recent
        recent[(current.file, current.section, current.index)] = [current.area,
                                                                  current.affected]
        if len(recent) > _RECENT:
            recent.popitem(last=False)
        if current.affected:
            page = self._page(current.file)
            page.records += 1
            page.areas[current.area] += 1

    def _digest(self, text: str) -> int | None:
        """The keyed digest of *text* as a reader takes it (case, spacing and width
        aside: ``MARGARET  OKAFOR`` is Margaret Okafor); None for blank text."""
        found = self._digests.get(text)
        if found is None:
            normal = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()
            if not normal:
                return None
            found = int.from_bytes(hashlib.blake2b(
                normal.encode("utf-8", "surrogatepass"), key=self._key,
                digest_size=8).digest(), "big")
            if len(self._digests) >= _DIGESTS_CACHED:
                self._digests.clear()
            self._digests[text] = found
        return found

    def _distinct(self, kind: FindingKind, text: str | None) -> None:
        value = self._digest(text) if text else None
        if value is None:
            return
        page = self._page(kind.file)
        if len(self._all) >= MAX_DISTINCT:
            self.capped = True
            return
        self._all.add(value)
        page.distinct.add(value)
        self._note_words(kind, text)  # type: ignore[arg-type]
        by_rule = hash((kind.rule, value))
        if by_rule not in self._by_rule:
            self._by_rule.add(by_rule)
            self._rule_counts[kind.rule] += 1

    def _note_words(self, kind: FindingKind, text: str) -> None:
        """Remember what a found value's words were, so that an area field holding the
        same person ("Hughes Daniel", a bare "Okafor" beside "Margaret Okafor") is not
        shown as a place: the value's words in any order, and for a name each word."""
        words = _words(text)
        if not words:
            return
        self._seen_words.add(self._digest(" ".join(sorted(words))) or 0)
        if "name" in kind.rule:
            self._seen_words.update(self._digest(word) or 0 for word in words
                                    if len(word) > 1)

    def _mentions_found(self, area: str) -> bool:
        """Does *area* spell a value found in the check, or one word of a found name?"""
        words = _words(area)
        if not words:
            return False
        if self._digest(" ".join(sorted(words))) in self._seen_words:
            return True
        return len(words) == 1 and self._digest(words[0]) in self._seen_words

    def _area_name(self, value: Any) -> str:
        """An area as reports may show it: screened, once per distinct value."""
        text = as_text(value)
        if text is None:
            return NO_AREA
        found = self._area_names.get(text)
        if found is None:
            if len(self._area_names) >= _MAX_AREAS:
                return _OTHER_AREAS
            found = self._area_names[text] = self._screened_area(text)
        return found

    def _screened_area(self, text: str) -> str:
        text = _SPACES.sub(" ", text).strip()
        if not text:
            return NO_AREA
        if len(text) > _MAX_AREA_LENGTH or not text.isprintable() or self.screen(text) \
                or text in (MASKED_AREA, NO_AREA, _OTHER_AREAS):
            return MASKED_AREA
        return text

    def _shown_area(self, area: str) -> str:
        """An area as the result shows it: masked when a finding was made in it, or
        when it groups too few records to be a place (see MIN_AREA_RECORDS)."""
        if area in (NO_AREA, MASKED_AREA, _OTHER_AREAS):
            return area
        if area in self._flagged or self._area_records[area] < MIN_AREA_RECORDS \
                or self._mentions_found(area):
            return MASKED_AREA
        return area

    def _areas(self, counts: Counter[str]) -> Counter[str]:
        shown: Counter[str] = Counter()
        for area, n in counts.items():
            shown[self._shown_area(area)] += n
        return shown

    # -- the result ---------------------------------------------------------------

    def result(self, files: Sequence[FileResult]) -> Impact:
        """The impact of the check that read *files*."""
        self._close()
        pages = []
        areas: Counter[str] = Counter()
        fields = []
        records: Counter[str] = Counter()
        for result in files:  # two payloads shown alike (the same file twice) add up
            records[result.file] += result.records
        for file, page in self._pages.items():
            if not page.records and not page.outside:
                continue
            page_areas = self._areas(page.areas)
            areas.update(page_areas)
            if page.area_field is not None and page.area_field not in fields:
                fields.append(page.area_field)
            pages.append(PageImpact(file, records.get(file, 0), page.records,
                                    page.outside, len(page.distinct),
                                    _ranked(page_areas) if page.area_field else ()))
        pages.sort(key=lambda p: (-p.records_affected, -p.distinct_values, p.file))
        return Impact(
            pages=tuple(pages),
            pages_checked=len(files),
            records_checked=sum(f.records for f in files),
            records_affected=sum(p.records_affected for p in pages),
            distinct_values=len(self._all),
            distinct_by_rule=_ranked(self._rule_counts),
            area_field=", ".join(fields) if fields else None,
            by_area=_ranked(areas) if fields else (),
            capped=self.capped,
            pages_unreadable=sum(1 for f in files if f.error),
            area_fields_asked=tuple(  # the caller's words, screened like any name
                name if name.isprintable() and len(name) <= _MAX_AREA_LENGTH
                and not self.screen(name) else "(a field name holding personal data)"
                for name in self.area_fields),
        )


def _impact(kind: FindingKind) -> bool:
    """Is a finding of *kind* part of the impact? One that blocks; not a canary (a
    planted test identity is nobody's data)."""
    return kind.blocking and not kind.canary


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    """*text*'s words as a reader takes them: case, width and punctuation aside."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _ranked(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _span(value: Any, match: Match) -> str | None:
    """The part of the value a rule matched (the name inside a sentence), or the whole
    value for a field rule."""
    text = as_text(value)
    if text is None:
        return None
    if match.start is not None and match.end is not None:
        return text[match.start:match.end]
    return text
