"""``guardrail explain --record N FILE``: why one record may or may not be published.

The record is judged by the check itself (see :mod:`.record_tap`): the file is read and
evaluated exactly as ``guardrail check`` does, and what the engine reported for record
N is put into words with what the policy says about each field, detector, record
rule and waiver. Values are never printed: evidence is masked as reports mask it,
and field names are shown as reports show them (``#3`` for a name that is personal
data).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from guardrail.api import Guardrail
from guardrail.contract.limits import Limits
from guardrail.contract.protocols import ReadOptions
from guardrail.contract.records import Documents, Section, Table
from guardrail.decision import FileResult, FindingKind
from guardrail.engine import Collector, CompiledPolicy, DocumentWalk, Evaluation, TableWalk
from guardrail.engine import evaluate as evaluate_section
from guardrail.engine.collector import evidence_of
from guardrail.engine.evaluation import waiver_matches
from guardrail.engine.scanning import FieldScanner, as_text, select_detectors
from guardrail.engine.sink import Match
from guardrail.errors import UsageError
from guardrail.host.faults import guarded
from guardrail.masking import mask_value
from guardrail.policy.model import UNCLASSIFIED_RULE
from guardrail.policy.paths import display_path, normalize_key
from guardrail.runner import CheckRequest, open_payload, source_label

from .record_tap import RecordTap, Tapped, tap_section

__all__ = ["RecordRequest", "explain_record"]


@dataclass(frozen=True)
class RecordRequest:
    """Which record to explain: *index* (0-based, as reports number records) of
    *section* (a sheet or table name; None: the file's first section)."""

    path: str
    index: int
    destination: str | None = None
    fields: tuple[str, ...] = ()  # only these (as reports name them); () for all
    section: str | None = None
    format: str | None = None
    encoding: str | None = None
    today: _dt.date | None = None


@dataclass(frozen=True)
class _Field:
    """One field of the record: how reports show it, the path rules classify, its
    value (kept to mask evidence, never printed) and its detectors."""

    label: str
    path: tuple[str | int, ...]
    value: Any
    scanner: FieldScanner | None


def explain_record(guard: Guardrail, request: RecordRequest) -> tuple[list[str], int]:
    """The explanation's lines and the exit code ``check`` would give the record alone
    (0 publishable, 1 blocked). Raises UsageError (exit 2) for a record or field that
    is not there."""
    compiled = guard.compiled(request.destination)
    tap = RecordTap(request.index)
    evaluation = Evaluation(compiled, tap, today=request.today)
    label = source_label(compiled, request.path, 1)
    section = guarded(guard.registry, Limits(),
                      lambda: _run(guard, request, evaluation, tap, label))
    tapped = tap.tapped
    if not tapped.seen:
        held = f"records 0 to {tapped.read - 1}" if tapped.read else "no records"
        raise UsageError(f"{label} has no record {request.index}: it holds {held} "
                         "(numbered from 0, as reports number them)")
    evaluation.sink = Collector()  # naming fields below must not touch the check's findings
    fields = list(_fields(evaluation, label, section, tapped.record))
    for name in request.fields:
        if not any(name in (f.label, display_path(f.path)) for f in fields):
            raise UsageError(f"record {request.index} of {label} has no field '{name}'; its "
                             f"fields: {', '.join(f.label for f in fields)}")
    if request.fields:
        fields = [f for f in fields if {f.label, display_path(f.path)} & set(request.fields)]
    shown = evaluation.label(section.name) if section is not None else None
    where = f"{label}, section '{shown}'" if shown else label
    idle = [d.id for d in select_detectors(guard.policy, dict(guard.registry.detectors))
             if not compiled.exceeds(d.level)]
    return _Words(compiled, evaluation, tap, where, request, idle).render(fields)


def _run(guard: Guardrail, request: RecordRequest, evaluation: Evaluation, tap: RecordTap,
         label: str) -> Section | None:
    """Read and evaluate the whole file as a check does; the chosen section, tapped."""
    check = CheckRequest([request.path], request.destination, request.format,
                         encoding=request.encoding)
    payload, fmt = open_payload(guard.registry, check, request.path, FileResult(file=label))
    options = ReadOptions(records=guard.policy.records, encoding=request.encoding,
                          limits=check.limits)
    chosen: Section | None = None
    names: list[str] = []
    try:
        for section in fmt.read(payload, options):
            names.append(str(evaluation.label(section.name) or ""))
            wanted = chosen is None and (
                section.name == request.section if request.section is not None
                else isinstance(section, Table) or section.index)
            if wanted:
                chosen = section = tap_section(section, request.index, tap.tapped)
            tap.active = wanted
            evaluate_section(evaluation, payload.name, section)
            tap.active = False
    finally:
        evaluation.close()
    if chosen is None:
        raise UsageError(f"{label} has no section '{request.section}'; its sections: "
                         f"{', '.join(n for n in names if n) or '(none named)'}")
    return chosen


def _fields(evaluation: Evaluation, file: str, section: Section | None,
            record: Any) -> Iterator[_Field]:
    """Every field of *record*, named as the check named it."""
    if isinstance(section, Table):
        walk = TableWalk(evaluation, file, Table(section.columns, [], section.name))
        for index, value in enumerate(record):
            yield _Field(walk.label(index), (walk.name(index),), value,
                         walk.scanners[index] if index < len(walk.scanners) else None)
        return
    assert isinstance(section, Documents)
    docs = DocumentWalk(evaluation, file, Documents([record], section.name))
    docs.run()
    for keys, value in _leaves(record, ()):
        path = tuple(docs.segments[k][0] if isinstance(k, str) else k for k in keys)
        shown = tuple(docs.segments[k][1] if isinstance(k, str) else k for k in keys)
        entry = docs.by_path.get(path)
        yield _Field(display_path(shown) if shown else "@", path, value,
                     entry[2] if entry else None)


def _leaves(value: Any, keys: tuple[str | int, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, keys + (key if isinstance(key, str) else str(key),))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _leaves(item, keys + (position,))
    else:
        yield keys, value


class _Words:
    """Puts what the check decided about one record into plain sentences."""

    def __init__(self, compiled: CompiledPolicy, evaluation: Evaluation, tap: RecordTap,
                 file: str, request: RecordRequest, idle: Sequence[str]) -> None:
        self.compiled = compiled
        self.destination = compiled.destination
        self.evaluation = evaluation
        self.tapped: Tapped = tap.tapped
        self.file = file
        self.request = request
        self.idle = idle  # detectors the policy runs whose level the destination accepts
        self.today = evaluation.today
        self.position = evaluation.label(tap.tapped.where)  # screened, as reports do

    def render(self, fields: Sequence[_Field]) -> tuple[list[str], int]:
        dest = self.destination
        kinds = [m.kind for _, _, ms in self.tapped.values for m in ms] + \
            [m.kind for _, _, ms in self.tapped.keys for m in ms] + \
            [k for k, _ in self.tapped.rules]
        blocked = any(k.blocking for k in kinds)
        where = f" ({self.position})" if self.position else ""
        lines = [f"Record {self.request.index} of {self.file}{where}, for destination "
                 f"'{dest.name}', which accepts data up to level {dest.max_level}.",
                 "Verdict: " + ("BLOCKED: this record may not be published there." if blocked
                                else "allowed, with the warnings or waivers below."
                                if kinds else "allowed: nothing in it is refused.")]
        if self.idle:
            lines.append(f"Content detectors not run: {dest.name} accepts the levels they find: "
                         f"{', '.join(self.idle)}.")
        if any(k.blocking and k.action in _REWRITTEN for k in kinds):
            lines.append("  'guardrail redact' writes a copy with the values below replaced "
                         "as the policy says; that copy may be published.")
        lines.append("")
        for found in fields:
            lines += self._field(found)
        if not self.request.fields:
            lines += self._rules(fields)
        return lines, 1 if blocked else 0

    # -- fields -------------------------------------------------------------------------

    def _field(self, found: _Field) -> list[str]:
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
            lines.append(f"  {dest.name} accepts at most {dest.max_level}; this field is "
                         f"{named.level}, so the policy says: "
                         f"{self.compiled.action_for(named.level)}.")
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

    def _detectors(self, found: _Field, matches: Sequence[Match]) -> list[str]:
        scanner = found.scanner
        if scanner is None or not scanner.detectors:
            return ["  No content detector looks at this field for this destination."]
        lines = [f"  {len(scanner.detectors)} content detectors looked at its value:"]
        text = as_text(found.value) or ""
        quiet: dict[float, list[str]] = {}  # threshold -> detectors that found nothing
        for detector in scanner.detectors:
            hits = [m for m in matches if m.start is not None and m.kind.rule == detector.id]
            if not hits:
                quiet.setdefault(detector.min_confidence, []).append(detector.id)
            for hit in hits:
                shown = hit.evidence if hit.evidence is not None else \
                    mask_value(text[hit.start:hit.end]) if text else "(masked)"
                lines.append(f"    {detector.id} found {shown} (masked), confidence "
                             f"{hit.confidence or 0:.2f}; the policy counts "
                             f"{detector.min_confidence:.2f} or more; level {hit.kind.level}.")
        for threshold, names in sorted(quiet.items()):
            lines.append(f"    nothing with confidence {threshold:.2f} or more from "
                         f"{', '.join(names)}.")
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

    def _rules(self, fields: Sequence[_Field]) -> list[str]:
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


def _result(kind: FindingKind) -> str:
    """What the finding does to the value, in words."""
    action = _ACTIONS.get(kind.action, kind.action)
    if kind.waived_by:
        return f"allowed: {kind.rule} would have it {action}, but a waiver excuses it"
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
