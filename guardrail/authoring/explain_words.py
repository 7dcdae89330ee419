"""The words of ``guardrail explain --record N``: what the check decided about one
record, said so that someone who does not read code follows it.

Only masked evidence and screened names reach these lines (see
:mod:`.explain_record`, which gathers what they say).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from guardrail.decision import FindingKind
from guardrail.engine import CompiledPolicy, Evaluation
from guardrail.engine.collector import evidence_of
from guardrail.engine.scanning import ContentScanner, FieldScanner, Hit, as_text
from guardrail.engine.sink import Match
from guardrail.masking import mask_value
from guardrail.policy.model import AUDIT_ACTION, BLOCKING_ACTIONS, UNCLASSIFIED_RULE
from guardrail.policy.paths import normalize_key
from guardrail.policy.waivers import waiver_matches

from .record_tap import RecordTap, Tapped

__all__ = ["RecordField", "RecordWords", "Asked"]


class Asked(Protocol):
    """What was asked: the record's index and the fields to explain (() for all)."""

    @property
    def index(self) -> int: ...

    @property
    def fields(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class RecordField:
    """One field of the record: how reports show it, the path rules classify, its
    value (kept to mask evidence, never printed) and its detectors."""

    label: str
    path: tuple[str | int, ...]
    value: Any
    scanner: FieldScanner | None


class RecordWords:
    """Puts what the check decided about one record into plain sentences."""

    def __init__(self, compiled: CompiledPolicy, evaluation: Evaluation, tap: RecordTap,
                 file: str, request: Asked, idle: Sequence[str]) -> None:
        self.compiled = compiled
        self.destination = compiled.destination
        self.evaluation = evaluation
        self.tapped: Tapped = tap.tapped
        self.file = file
        self.request = request
        self.idle = idle  # detectors the policy runs whose level the destination accepts
        self.today = evaluation.today
        self.position = evaluation.label(tap.tapped.where)  # screened, as reports do

    def render(self, fields: Sequence[RecordField]) -> tuple[list[str], int]:
        dest = self.destination
        kinds = [m.kind for _, _, ms in self.tapped.values for m in ms] + \
            [m.kind for _, _, ms in self.tapped.keys for m in ms] + \
            [k for k, _ in self.tapped.rules]
        blocked = any(k.blocking for k in kinds)
        where = f" ({self.position})" if self.position else ""
        staged = sorted({k.rule for k in kinds if k.action == AUDIT_ACTION and not k.waived_by})
        lines = [f"Record {self.request.index} of {self.file}{where}, for destination "
                 f"'{dest.name}', which accepts data up to level {dest.max_level}.",
                 "Verdict: " + _verdict(blocked, bool(kinds), staged)]
        if self.idle:
            lines.append(f"Content detectors not run: {dest.name} accepts the levels they find: "
                         f"{', '.join(self.idle)}.")
        rewritten = {k.action in _REWRITTEN for k in kinds if k.blocking}
        if rewritten == {True}:
            lines.append("  'guardrail redact' writes a copy with these values replaced as the "
                         "policy says; that copy may be published.")
        elif True in rewritten:
            lines.append("  'guardrail redact' can replace the values blocked 'until' "
                         "replaced, but the others still block the record.")
        self.common = list(dict.fromkeys(
            d for f in fields if f.scanner is not None for d in f.scanner.detectors))
        if self.common:
            by_threshold: dict[float, list[str]] = {}
            for detector in self.common:
                by_threshold.setdefault(detector.min_confidence, []).append(detector.id)
            lines.append(f"{len(self.common)} content detectors read every field's value "
                         "unless a field below says otherwise; each counts what it finds "
                         "with the confidence shown or more:")
            for threshold, names in sorted(by_threshold.items()):
                lines += _wrapped(f"{threshold:.2f}: {', '.join(names)}", "  ", "        ")
        lines.append("")
        for found in fields:
            lines += self._field(found)
        if not self.request.fields:
            lines += self._rules(fields)
        return lines, 1 if blocked else 0

    # -- fields -------------------------------------------------------------------------

    def _field(self, found: RecordField) -> list[str]:
        dest = self.destination
        lines = [f"Field {found.label}"]
        if found.value is None or found.value == "":
            return lines + ["  empty: nothing to check.", ""]
        named = self.compiled.classify(found.path)
        if named.rule == UNCLASSIFIED_RULE:
            lines.append(f"  No rule of the policy names this field, so it is {named.level}, "
                         f"the level the policy gives unknown fields (defaults.unknown_fields; "
                         f"rule {named.rule}).")
        else:
            origin = f", written at {named.rule_origin}" if named.rule_origin else ""
            lines.append(f"  The policy classifies it as {named.level} by its "
                         f"{named.matched_by}{origin} (rule {named.rule}).")
        if self.compiled.exceeds(named.level):
            action = self.compiled.action_for(named.level)
            audit = (f"; but rule {named.rule} is in audit, so for now it is only reported"
                     if action in BLOCKING_ACTIONS and self.evaluation.rollout.audits(named.rule)
                     else "")
            lines.append(f"  {dest.name} accepts at most {dest.max_level}; this field is "
                         f"{named.level}, so the policy says: {action}{audit}.")
        else:
            lines.append(f"  {dest.name} accepts {named.level}: the field itself may go.")
        matches = [m for label, _, ms in self.tapped.values if label == found.label
                   for m in ms]
        for label, name, ms in self.tapped.keys:
            if label == found.label:
                lines.append(f"  Its name is itself personal data, so it is shown as {label}; "
                             f"the name is {_result(ms[0].kind)} (evidence, masked: "
                             f"{evidence_of(name, ms)}).")
                lines += self._waivers(ms)
        lines += self._detectors(found, matches)
        values = [(value, ms) for label, value, ms in self.tapped.values if label == found.label]
        for value, ms in values:
            lines += self._outcome(value, ms)
        if not values:
            lines.append("  Result: nothing in this field is refused.")
        return lines + [""]

    def _detectors(self, found: RecordField, matches: Sequence[Match]) -> list[str]:
        """What each detector found, or came near finding; those that found nothing are
        named once at the top, not under every field."""
        scanner = found.scanner
        if scanner is None or not scanner.detectors:
            return ["  No content detector looks at this field for this destination."]
        lines: list[str] = []
        text = as_text(found.value) or ""
        weak = _below_threshold(scanner, text)
        for detector in scanner.detectors:
            hits = [m for m in matches if m.start is not None and m.kind.rule == detector.id]
            for hit in hits:
                lines.append(f"  Content: {detector.id} found {_masked(text, hit)}, confidence "
                             f"{hit.confidence or 0:.2f} (it counts "
                             f"{detector.min_confidence:.2f} or more); level {hit.kind.level}.")
            if hits:
                continue
            best = max((h for h in weak if h.rule == detector.id),
                       key=lambda h: h.confidence, default=None)
            if best is not None and best.confidence < detector.min_confidence:
                lines.append(f"  Content: {detector.id} found {_masked(text, best)} only with "
                             f"confidence {best.confidence:.2f}, under the "
                             f"{detector.min_confidence:.2f} it counts: not a finding.")
        lines.append("  Content: the other detectors found nothing." if lines
                     else "  Content: the detectors found nothing.")
        ran = {d.id for d in scanner.detectors}
        skipped = [d.id for d in self.common if d.id not in ran]
        if skipped:
            lines.append(f"  Not run on this field: {', '.join(skipped)}.")
        return lines

    def _outcome(self, value: Any, matches: Sequence[Match]) -> list[str]:
        primary = matches[0].kind
        rules = ", ".join(dict.fromkeys(m.kind.rule for m in matches))
        lines = [f"  Result: {_result(primary)} (evidence, masked: "
                 f"{evidence_of(value, matches)}; rules that matched: {rules})."]
        return lines + self._waivers(matches)

    def _waivers(self, matches: Sequence[Match]) -> list[str]:
        lines = []
        expired: dict[Any, list[str]] = {}  # waiver -> rules it would have excused
        for kind in dict.fromkeys(m.kind for m in matches):
            if kind.waived_by:
                lines.append(f"  Waived: {kind.rule} is excused by the {kind.waived_by}.")
            for waiver in self.compiled.waivers:
                if not waiver.active_on(self.today) and \
                        waiver_matches(waiver, kind.rule, kind.field):
                    expired.setdefault(waiver, []).append(kind.rule)
        for waiver, rules in expired.items():
            lines.append(f"  The {waiver.label()} would have excused {' and '.join(rules)}, "
                         f"but it expired on {waiver.expires.isoformat()}.")
        if not lines:
            lines.append("  No waiver (exception) of the policy covers this.")
        return lines

    # -- record rules -------------------------------------------------------------------

    def _rules(self, fields: Sequence[RecordField]) -> list[str]:
        policy = self.compiled.policy
        if not policy.record_rules:
            return ["Record rules: the policy has none."]
        dest = self.destination
        lines = ["Record rules (conditions on the whole record):"]
        matched = {kind.rule: kind for kind, _ in self.tapped.rules}
        checked = {compiled.rule.id: compiled for compiled in self.compiled.rules}
        present = {normalize_key(str(f.path[0])) for f in fields if f.path}
        for rule in policy.record_rules:
            when = f"when {rule.when}"
            compiled = checked.get(rule.id)
            if rule.id in matched:
                kind = matched[rule.id]
                lines.append(f"  {rule.id} ({when}): MATCHED. It makes the record "
                             f"{rule.level}; {dest.name} accepts at most {dest.max_level}, so "
                             f"the record is {_result(kind)}.")
                lines += self._waivers([Match(kind)])
            elif compiled is None:
                lines.append(f"  {rule.id} ({when}): not checked; {dest.name} accepts its "
                             f"level ({rule.level}).")
            elif compiled.roots is not None and compiled.roots.isdisjoint(present) \
                    and not compiled.when_absent:
                lines.append(f"  {rule.id} ({when}): did not match; the record has none of "
                             f"the fields it reads ({', '.join(sorted(compiled.roots))}).")
            else:
                lines.append(f"  {rule.id} ({when}): did not match.")
        return lines


def _verdict(blocked: bool, found: bool, staged: Sequence[str]) -> str:
    if blocked:
        return "BLOCKED: this record may not be published there."
    if staged:
        return (f"allowed for now: {', '.join(staged)} "
                f"{'is' if len(staged) == 1 else 'are'} in audit (staged rollout) and "
                f"would block it once {'it enforces' if len(staged) == 1 else 'they enforce'}.")
    if found:
        return "allowed, with the warnings or waivers below."
    return "allowed: nothing in it is refused."


def _wrapped(text: str, first: str, rest: str, width: int = 88) -> list[str]:
    """*text* broken at spaces into lines of at most *width*, indented."""
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False)


def _result(kind: FindingKind) -> str:
    """What the finding does to the value, in words."""
    action = _ACTIONS.get(kind.action, kind.action)
    if kind.waived_by:
        return f"allowed: {kind.rule} would have it {action}, but a waiver excuses it"
    if kind.action == AUDIT_ACTION:
        return f"allowed: {kind.rule} is in audit, so it is reported, not blocked"
    return f"{action} by {kind.rule}"


_ACTIONS = {
    "block": "blocked",
    "warn": "allowed with a warning",
    "redact": "blocked until redacted",
    "mask": "blocked until masked",
    "hash": "blocked until hashed",
    "drop": "blocked until dropped",
}
_REWRITTEN = frozenset({"redact", "mask", "hash", "drop"})  # what 'guardrail redact' does


def _masked(text: str, hit: Match | Hit) -> str:
    """A match's evidence, masked as reports mask it (the detector's own, if it gave one)."""
    if hit.evidence is not None:
        return f"{hit.evidence} (masked)"
    if not text or hit.start is None:
        return "something (masked)"
    return f"{mask_value(text[hit.start:hit.end])} (masked)"


def _below_threshold(scanner: FieldScanner, text: str) -> tuple[Hit, ...]:
    """What the field's detectors find in *text* whatever their confidence: the same
    detectors, reading, gate and allow list, run with no threshold, so an author sees
    how near a detector came."""
    if not text:
        return ()
    relaxed = [replace(d, min_confidence=0.0) for d in scanner.detectors]
    fields = ContentScanner(relaxed, scanner.allow).for_field(scanner.field)
    return fields.scan(text) if fields is not None else ()
