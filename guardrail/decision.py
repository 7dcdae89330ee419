"""Findings and the decision they add up to.

Findings are small frozen records: one per value and location, carrying every rule
that matched it. Counts are exact (see ``guardrail.engine.collector``); only the
first ``max_findings`` of each rule are listed.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from guardrail.errors import EXIT_ALLOW, EXIT_BLOCKED, EXIT_INTERNAL, EXIT_PAYLOAD, GuardrailError
from guardrail.impact import Impact
from guardrail.policy.model import BLOCKING_ACTIONS, CANARY_PREFIX, Waiver

__all__ = ["Finding", "FindingKind", "FileResult", "Decision", "PublishBlocked", "TextMatch",
           "DEFAULT_MAX_FINDINGS", "line_of"]

DEFAULT_MAX_FINDINGS = 50
_LIST_INDEX = re.compile(r"\[\d+\]")


class TextMatch(NamedTuple):
    """Where a detector found something inside one string (``text[start:end]``), for
    masking it in place; ``evidence`` is already masked (``HP3 ***``)."""

    rule: str
    level: str
    start: int
    end: int
    evidence: str


@dataclass(frozen=True)
class FindingKind:
    """What a group of findings has in common; counts are kept per kind."""

    file: str
    rule: str
    field: str  # field pattern, list indices shown as [*]
    level: str
    action: str
    waived_by: str | None = None
    section: str | None = None

    def __post_init__(self) -> None:
        # Kinds are counted once per finding, millions of times: hash once.
        object.__setattr__(self, "_hash", hash((self.file, self.rule, self.field, self.level,
                                                self.action, self.waived_by, self.section)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    @property
    def blocking(self) -> bool:
        return self.waived_by is None and self.action in BLOCKING_ACTIONS

    @property
    def canary(self) -> bool:
        """Are these findings of a planted test identity (a canary of the policy)?"""
        return self.rule.startswith(CANARY_PREFIX)


@dataclass(frozen=True)
class Finding:
    """One value that the destination may not receive. ``evidence`` is always masked."""

    file: str
    record: int | None
    field: str
    rule: str
    level: str
    action: str
    evidence: str
    message: str = ""
    position: str | None = None
    section: str | None = None
    waived_by: str | None = None
    also: tuple[str, ...] = ()  # the other rules that matched the same value
    # What decided: "field" (a field rule, by the field's name), "detector" (found in
    # the value), "neighbours" (found in the value read together with the next field's)
    # or "record" (a record rule): each has its own remedy.
    found_by: str = "detector"
    # The line number when the position names one (line-based formats): for reports
    # that locate findings by line (SARIF), without reading the position's text.
    line: int | None = None

    @property
    def blocking(self) -> bool:
        """True when this finding stops publication (in enforce mode)."""
        return self.waived_by is None and self.action in BLOCKING_ACTIONS

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule that matched the value, the deciding one first."""
        return (self.rule, *self.also)

    @property
    def canary(self) -> bool:
        """Did a planted test identity (a canary of the policy) decide this finding?"""
        return self.rule.startswith(CANARY_PREFIX)

    @property
    def field_pattern(self) -> str:
        """The field as counts name it (:attr:`FindingKind.field`): list indices as
        ``[*]``, so a report can group a finding with its count."""
        return _LIST_INDEX.sub("[*]", self.field)

    def to_dict(self) -> dict[str, Any]:
        """Optional attributes are left out when unset; ``record`` is always there (null
        for the document around the records) so consumers can rely on the key."""
        found = {k: v for k, v in asdict(self).items()
                 if (v is not None or k == "record") and k != "also"}
        if self.also:
            found["also"] = list(self.also)
        return found


@dataclass
class FileResult:
    """Per-payload outcome: how many records were read and whether it could be read at all."""

    file: str
    format: str | None = None
    records: int = 0
    error: str | None = None
    error_kind: str | None = None  # "payload" | "internal"
    # SHA-256 of the bytes checked, when a decision log asked for it (see ledger/).
    sha256: str | None = None


@dataclass
class Decision:
    """The outcome of checking one or more payloads against a policy for a destination."""

    policy: dict[str, Any]
    destination: str
    mode: str  # enforce, audit, or redact (what the original held when a copy was made)
    files: list[FileResult]
    findings: list[Finding]
    counts: dict[FindingKind, int]
    notices: list[str] = field(default_factory=list)
    # Only the waivers that suppressed at least one finding, in the policy's order.
    waivers_used: tuple[Waiver, ...] = ()
    # True when the check ignored every exception (``--no-waivers``): a report must not
    # then suggest adding an exception the policy may already have.
    waivers_ignored: bool = False
    # The exceptions that had expired on the day judged: a report suggests renewing one
    # that would cover a finding rather than writing a second.
    waivers_expired: tuple[Waiver, ...] = ()
    judged_on: str = ""  # the day waivers and staged rollout were judged on (ISO date)
    # Pages and records that held personal data, distinct values, areas: set by a check
    # that asked for it (audit mode on the CLI; see guardrail/impact.py).
    impact: Impact | None = None
    checked_at: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc)
                            .isoformat(timespec="seconds"))

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def blocking_count(self) -> int:
        return sum(n for kind, n in self.counts.items() if kind.blocking)

    @property
    def allowed(self) -> bool:
        """True when every payload could be read and nothing blocking was found."""
        return not self.errors and self.blocking_count == 0

    @property
    def verdict(self) -> str:
        return "allow" if self.allowed else "block"

    @property
    def exit_code(self) -> int:
        """0 publishable, 1 blocked by policy, 3 unreadable payload, 4 internal error.

        In audit mode policy findings never change the exit code; errors still do.
        """
        kinds = {f.error_kind for f in self.errors}
        if "internal" in kinds:
            return EXIT_INTERNAL
        if "payload" in kinds:
            return EXIT_PAYLOAD
        if self.allowed or self.mode == "audit":
            return EXIT_ALLOW
        return EXIT_BLOCKED

    @property
    def canary_hits(self) -> dict[str, int]:
        """Values per canary id that this check saw (rules ``canary.<id>``), by id: a
        planted test identity reached the check, which blocked it (see docs/canaries.md)."""
        hits: Counter[str] = Counter()
        for kind, n in self.counts.items():
            if kind.canary:
                hits[kind.rule[len(CANARY_PREFIX):]] += n
        return dict(sorted(hits.items()))

    def file_counts(self, file: str) -> tuple[int, int, int]:
        """(blocking, warning, waived) finding counts for one payload."""
        blocking = warning = waived = 0
        for kind, n in self.counts.items():
            if kind.file != file:
                continue
            if kind.waived_by:
                waived += n
            elif kind.blocking:
                blocking += n
            else:
                warning += n
        return blocking, warning, waived

    def grouped_counts(self) -> list[dict[str, Any]]:
        """Exact counts per rule and field (summed over files), most frequent first."""
        totals: Counter[tuple[str, str, str, str, str | None]] = Counter()
        for kind, n in self.counts.items():
            totals[(kind.rule, kind.field, kind.level, kind.action, kind.waived_by)] += n
        rows = [
            {"rule": r, "field": f, "level": lvl, "action": a, "count": n,
             **({"waived_by": w} if w else {})}
            for (r, f, lvl, a, w), n in totals.items()
        ]
        return sorted(rows, key=lambda row: (-row["count"], row["rule"], row["field"]))

    def summary(self) -> str:
        """One line a person can read: the verdict and why."""
        if self.errors:
            first = self.errors[0]
            return f"BLOCKED: {first.file} could not be checked: {first.error}"
        blocking = self.blocking_count
        if blocking:
            fields = sorted({k.field for k in self.counts if k.blocking})
            shown = ", ".join(fields[:5]) + (", ..." if len(fields) > 5 else "")
            return (f"BLOCKED: {blocking} finding{'s' if blocking != 1 else ''} may not go to "
                    f"'{self.destination}' (fields: {shown})")
        return f"ALLOWED: publishable to '{self.destination}'"

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable report (``--report json``)."""
        rules: Counter[str] = Counter()
        for kind, n in self.counts.items():
            rules[kind.rule] += n
        return {
            "decision": self.verdict,
            "mode": self.mode,
            "destination": self.destination,
            "policy": self.policy,
            "checked_at": self.checked_at,
            "files": [
                {k: v for k, v in asdict(f).items() if v is not None and k != "sha256"}
                for f in self.files
            ],
            "counts": {
                "blocking": self.blocking_count,
                "by_rule": dict(sorted(rules.items())),
                "by_rule_and_field": self.grouped_counts(),
            },
            "findings": [f.to_dict() for f in self.findings],
            "findings_listed": len(self.findings),
            "findings_total": sum(self.counts.values()),
            "notices": list(self.notices),
            "waivers_used": [{"label": w.label(), "origin": w.origin}
                             for w in self.waivers_used],
            "waivers_ignored": self.waivers_ignored,
            "waivers_expired": [{"label": w.label(), "origin": w.origin,
                                 "expires": w.expires.isoformat()}
                                for w in self.waivers_expired],
            "judged_on": self.judged_on,
            "canary_hits": self.canary_hits,
            "impact": self.impact.to_dict() if self.impact is not None else None,
        }


_LINE = re.compile(r"(?:^|\()line (\d+)\b")


def line_of(position: str | None) -> int | None:
    """The line a position names: format plugins write ``line 14`` (or ``line 14,
    column 3``; ``table 2 (line 14)``) for line-based formats. None otherwise."""
    found = _LINE.search(position) if position else None
    return int(found.group(1)) if found else None


class PublishBlocked(GuardrailError):
    """Raised by :meth:`guardrail.Guardrail.enforce`; carries the blocking decision."""

    exit_code = EXIT_BLOCKED

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(decision.summary())
