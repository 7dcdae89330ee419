"""A check's sink: one finding per value, counted exactly, a few of each rule kept.

A million-row export with one bad column gives a readable decision in bounded memory:
every finding is counted under its primary rule, and only the first
``max_findings`` of each rule are kept with details.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from guardrail.decision import DEFAULT_MAX_FINDINGS, Finding, FindingKind, line_of
from guardrail.engine.scanning import as_text
from guardrail.engine.sink import Match
from guardrail.masking import mask_value

__all__ = ["Collector", "evidence_of"]


class Collector:
    """Counts findings exactly and keeps the first ``max_findings`` of each rule."""

    def __init__(self, max_findings: int = DEFAULT_MAX_FINDINGS) -> None:
        self.max_findings = max_findings
        self.counts: Counter[FindingKind] = Counter()
        self.findings: list[Finding] = []
        self._kept: Counter[str] = Counter()
        self._section_start = 0

    def wants(self, rule: str) -> bool:
        """True while findings of *rule* are still being listed."""
        return self._kept[rule] < self.max_findings

    def _keep(self, kind: FindingKind) -> bool:
        """Count one finding of *kind*; True when it should be listed."""
        self.counts[kind] += 1
        if self._kept[kind.rule] < self.max_findings:
            self._kept[kind.rule] += 1
            return True
        return False

    def value(self, record: int | None, field: str, value: Any, matches: Sequence[Match],
              position: str | None) -> None:
        primary = matches[0]
        kind = primary.kind
        if not self._keep(kind):
            return
        self.findings.append(Finding(
            kind.file, record, field, kind.rule, kind.level, kind.action,
            evidence_of(value, matches), _message(field, matches), position, kind.section,
            kind.waived_by, _also(matches), _found_by(primary), line_of(position)))

    def key(self, record: int | None, label: str, key: str, matches: Sequence[Match],
            position: str | None) -> None:
        self.value(record, label, key, matches, position)

    def record(self, record: int | None, kind: FindingKind, fields: Sequence[str],
               data: Any, message: str, position: str | None) -> None:
        if not self._keep(kind):
            return
        values = [data.get(f) if isinstance(data, dict) else None for f in fields]
        evidence = " | ".join(mask_value(v) for v in values if v not in (None, ""))
        self.findings.append(Finding(kind.file, record, kind.field, kind.rule, kind.level,
                                     kind.action, evidence, message, position, kind.section,
                                     kind.waived_by, found_by="record",
                                     line=line_of(position)))

    def count(self, kind: FindingKind, times: int) -> None:
        if times:
            self.counts[kind] += times

    def end_section(self) -> None:
        """Tables are walked column by column: list a section's findings record by record."""
        start = self._section_start
        self.findings[start:] = sorted(self.findings[start:],
                                       key=lambda f: -1 if f.record is None else f.record)
        self._section_start = len(self.findings)


def evidence_of(value: Any, matches: Sequence[Match]) -> str:
    """One mask per value, whichever rules matched it: two masks of one value made
    differently would together reveal more than either (``H** 9**`` and ``HP3 ***``).

    A detector's own evidence is used when its match is the whole value or the value's
    primary finding; otherwise the whole value is masked.
    """
    text = as_text(value)  # what the detectors scanned: numbers of 6+ digits as digits
    if text is not None:
        stripped = text.strip()
        for match in matches:
            if match.evidence is not None and match.start is not None \
                    and text[match.start:match.end].strip() == stripped:
                return match.evidence
        primary = matches[0]
        if primary.start is not None:
            return primary.evidence if primary.evidence is not None \
                else mask_value(text[primary.start:primary.end])
    return mask_value(value)


def _found_by(primary: Match) -> str:
    """What decided: a field rule (the whole value), a detector reading two neighbouring
    values together (it says so in its message), or a detector in the value."""
    if primary.whole:
        return "field"
    return "neighbours" if primary.message is not None else "detector"


def _message(field: str, matches: Sequence[Match]) -> str:
    primary = matches[0]
    kind = primary.kind
    if primary.message is not None:
        text = primary.message if field == kind.field else \
            primary.message.replace(f"'{kind.field}'", f"'{field}'", 1)
    else:
        text = f"{kind.rule} found in '{field}' (confidence {primary.confidence or 0:.2f})"
    also = _also(matches)
    return f"{text}; also {', '.join(also)}" if also else text


def _also(matches: Sequence[Match]) -> tuple[str, ...]:
    """The other rules that matched the value, each once, in precedence order."""
    if len(matches) == 1:
        return ()
    first = matches[0].kind.rule
    return tuple(dict.fromkeys(m.kind.rule for m in matches[1:] if m.kind.rule != first))
