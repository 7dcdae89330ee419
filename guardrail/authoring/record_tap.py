"""What a check decides about one record, taken from the check itself.

``explain --record N`` must say what ``guardrail check`` says. Rather than judging the
record again, :class:`RecordTap` is the check's own sink (a
:class:`~guardrail.engine.collector.Collector` that asks for every finding in detail,
as a check asks for those it lists) and keeps,
besides, every call the engine makes for the chosen record: each value with every
rule it broke, each field name that is personal data, each record rule that matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from guardrail.contract.records import Documents, Section, Table
from guardrail.decision import FindingKind
from guardrail.engine.collector import Collector
from guardrail.engine.sink import Match

__all__ = ["Tapped", "RecordTap", "tap_section"]


@dataclass
class Tapped:
    """What the engine reported for the chosen record of the chosen section.

    :param values: (field label, value, matches) for each value that broke a rule;
        values stay in memory only, to mask evidence, and are never printed.
    :param keys: (field label, name, matches) for each field name that is personal data.
    :param rules: (kind, reported fields) for each record rule that matched.
    :param record: the record as read (a row or a document), once it has been read.
    """

    values: list[tuple[str, Any, Sequence[Match]]] = field(default_factory=list)
    keys: list[tuple[str, str, Sequence[Match]]] = field(default_factory=list)
    rules: list[tuple[FindingKind, Sequence[str]]] = field(default_factory=list)
    record: Any = None
    seen: bool = False
    read: int = 0  # records of the section read
    where: str | None = None  # where the record is (line 3), if the reader says


class RecordTap(Collector):
    """A check's collector that also keeps what concerns record *index* while
    :attr:`active` (set while the chosen section is evaluated)."""

    def __init__(self, index: int) -> None:
        super().__init__(1)  # counts stay exact; only the chosen record's calls are kept
        self.index = index
        self.active = False
        self.tapped = Tapped()

    def wants(self, rule: str) -> bool:
        """Every finding is reported in detail, as a check reports those it lists, so
        the chosen record's are never only counted."""
        return True

    def _mine(self, record: int | None) -> bool:
        return self.active and record == self.index

    def value(self, record: int | None, field: str, value: Any, matches: Sequence[Match],
              position: str | None) -> None:
        super().value(record, field, value, matches, position)
        if self._mine(record):
            self.tapped.values.append((field, value, tuple(matches)))

    def key(self, record: int | None, label: str, key: str, matches: Sequence[Match],
            position: str | None) -> None:
        # Counted as Collector.key counts it, without passing through value() above:
        # the name is a finding of its own, not a value of the field.
        Collector.value(self, record, label, key, matches, position)
        # A table's header is reported once, for no record: it belongs to every row.
        if self._mine(record) or (self.active and record is None):
            self.tapped.keys.append((label, key, tuple(matches)))

    def record(self, record: int | None, kind: FindingKind, fields: Sequence[str],
               data: Any, message: str, position: str | None) -> None:
        super().record(record, kind, fields, data, message, position)
        if self._mine(record):
            self.tapped.rules.append((kind, tuple(fields)))


def tap_section(section: Section, index: int, tapped: Tapped) -> Section:
    """*section*, reading as before, noting record *index* in *tapped* as it passes."""
    if isinstance(section, Table):
        locate, mark = section.locate, section.mark

        def where(row: Any) -> str | None:
            return locate(row, mark() if mark is not None else None) if locate else None
        return replace(section, rows=_note(section.rows, index, tapped, tuple, where))
    assert isinstance(section, Documents)
    return replace(section, records=_note(section.records, index - section.first_index,
                                          tapped, lambda item: item, section.locate))


def _note(items: Iterable[Any], index: int, tapped: Tapped, keep: Callable[[Any], Any],
          where: Callable[[Any], str | None] | None) -> Iterator[Any]:
    """*items* as they are; a copy of item *index* (a reader may reuse a row) is kept,
    with where it is, asked as soon as it is read (a reader's position moves on)."""
    for position, item in enumerate(items):
        if position == index:
            tapped.record, tapped.seen = keep(item), True
            tapped.where = where(item) if where is not None else None
        tapped.read = position + 1
        yield item
