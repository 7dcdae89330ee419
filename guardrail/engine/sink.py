"""What the walkers report to: a sink, not a subclass.

The engine decides what a value means and hands the result to a :class:`Sink`. A
check's sink (:class:`~guardrail.engine.collector.Collector`) counts findings and
keeps a few of each rule; a redaction's sink (``guardrail.redact.recorder``) also
notes what each finding's action asks to change. Neither needs to know how a
table or a document is walked, and the walkers never know who listens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

from guardrail.decision import FindingKind

__all__ = ["Match", "Sink"]


class Match(NamedTuple):
    """One rule that matched one value.

    :param kind: what the finding is counted as (rule, level, action, waiver).
    :param start: where a detector's match starts in the value's text; None when a
        field rule covers the whole value.
    :param end: where the detector's match ends (None for a field rule).
    :param evidence: the detector's own masked evidence, if it gave one.
    :param confidence: the detector's confidence (None for a field rule).
    :param message: why a field rule matched (None for a detector).
    """

    kind: FindingKind
    start: int | None = None
    end: int | None = None
    evidence: str | None = None
    confidence: float | None = None
    message: str | None = None

    @property
    def whole(self) -> bool:
        """True for a field rule: the whole value is what the destination may not have."""
        return self.start is None


class Sink(Protocol):
    """Receives what evaluation finds. One call per value, however many rules matched.

    ``matches`` is never empty and is ordered: the first is the finding's primary rule
    (blocking before warning, field rules before detectors, higher levels first).
    """

    def wants(self, rule: str) -> bool:
        """True while findings of *rule* should be reported with details (record,
        exact field, position); False lets walkers count instead of walking."""

    def value(self, record: int | None, field: str, value: Any, matches: Sequence[Match],
              position: str | None) -> None:
        """A value at *field* of *record* matched every rule in *matches*."""

    def key(self, record: int | None, label: str, key: str, matches: Sequence[Match],
            position: str | None) -> None:
        """A field name (a CSV header, a JSON key) is itself personal data; *label*
        (``#3``, ``[uk.email]``) is how reports name it."""

    def record(self, record: int | None, kind: FindingKind, fields: Sequence[str],
               data: Any, message: str, position: str | None) -> None:
        """A record rule matched *data* (a record); *fields* are the ones it reports."""

    def count(self, kind: FindingKind, times: int) -> None:
        """*times* more findings of *kind* that are counted, not listed."""

    def end_section(self) -> None:
        """A section (a table, a run of documents) is finished; findings so far are final."""
