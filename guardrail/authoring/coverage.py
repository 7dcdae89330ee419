"""Which parts of a policy its test cases exercised.

A part is exercised when a case's decision shows it at work:

* a field rule (and ``defaults.unknown_fields``) when it classified a field of a
  case's payload, whatever the level (a field classified public leaves no finding,
  so the classification of every field is recorded as the check runs);
* a detector or a record rule when a finding carries its id (as the deciding rule or
  among the ``also`` rules of a value);
* a destination when a case was checked for it. Only the destinations a policy's
  cases answer for count: those its own file declares, its default destination, and
  any a case names; the others it inherits through ``extends`` are listed apart
  (``inherited``), not counted against it;
* a waiver (an ``exceptions`` entry) when it waived a finding;
* a canary when a finding carries its rule (``canary.<id>``): a case planted it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from guardrail.engine.scanning import select_detectors
from guardrail.errors import PolicyError
from guardrail.policy.marked_yaml import read_marked_yaml
from guardrail.policy.model import FIELD_LEVEL_RULE, UNCLASSIFIED_RULE
from guardrail.policy.safe_yaml import decode_policy

from .results import CaseResult
from .suites import SuiteRunner

__all__ = ["CoverageItem", "PolicyCoverage", "policy_coverage"]


@dataclass(frozen=True)
class CoverageItem:
    """One part of a policy: ``kind`` (field rule, detector, ...), a name and where it is
    written (``file:line``, empty for installed detectors)."""

    kind: str
    name: str
    origin: str
    exercised: bool


@dataclass(frozen=True)
class PolicyCoverage:
    """The parts of one policy and whether a case exercised each."""

    policy: str
    file: str
    items: tuple[CoverageItem, ...]
    inherited: tuple[str, ...] = ()  # destinations from extends that no case used

    @property
    def exercised(self) -> int:
        return sum(item.exercised for item in self.items)

    @property
    def percent(self) -> float:
        return 100.0 * self.exercised / len(self.items) if self.items else 100.0

    @property
    def missed(self) -> list[CoverageItem]:
        return [item for item in self.items if not item.exercised]


def policy_coverage(runner: SuiteRunner, results: Iterable[CaseResult]) -> list[PolicyCoverage]:
    """Coverage of every policy the results were checked against, in order of first use."""
    by_policy: dict[str, list[CaseResult]] = {}
    for result in results:
        by_policy.setdefault(result.policy_file, []).append(result)
    return [_coverage(runner, cases) for cases in by_policy.values()]


def _coverage(runner: SuiteRunner, results: list[CaseResult]) -> PolicyCoverage:
    guard = runner.guard(results[0].case)
    policy = guard.policy
    classified: set[tuple[str, str]] = set()
    rules: set[str] = set()
    waivers: set[str] = set()
    destinations = {result.destination for result in results}
    for result in results:
        classified |= result.classified
        rules.update(kind.rule for kind in result.decision.counts)
        # the shared waiver book's answer: only waivers that suppressed a finding
        waivers.update(waiver.label() for waiver in result.decision.waivers_used)
        for finding in result.decision.findings:
            rules.update(finding.also)
    items: list[CoverageItem] = []
    for rule in policy.field_rules:
        name = rule.id or f"{rule.kind} {', '.join(rule.patterns[:3])}" \
            f"{', ...' if len(rule.patterns) > 3 else ''}"
        items.append(CoverageItem("field rule", name, rule.origin,
                                  (rule.id or FIELD_LEVEL_RULE, rule.origin) in classified))
    items.append(CoverageItem("field rule", f"{UNCLASSIFIED_RULE} (defaults.unknown_fields: "
                              f"{policy.unknown_level})", "",
                              any(rule == UNCLASSIFIED_RULE for rule, _ in classified)))
    canaries = {canary.rule: canary.origin for canary in policy.canaries}
    for detector in select_detectors(policy, dict(guard.registry.detectors)):
        if detector.canary:  # exercised when a case plants it and sees it blocked
            items.append(CoverageItem("canary", detector.id, canaries.get(detector.id, ""),
                                      detector.id in rules))
        else:
            items.append(CoverageItem("detector", detector.id, "", detector.id in rules))
    for record_rule in policy.record_rules:
        items.append(CoverageItem("record rule", record_rule.id, record_rule.origin,
                                  record_rule.id in rules))
    own = _own_destinations(policy.file)
    inherited: list[str] = []
    for name in policy.destinations:
        if name in own or name in destinations or name == policy.default_destination:
            items.append(CoverageItem("destination", name, own.get(name, ""),
                                      name in destinations))
        else:
            inherited.append(name)
    for waiver in policy.waivers:
        label = waiver.label()
        items.append(CoverageItem("waiver", label.split(" approved by ")[0], waiver.origin,
                                  label in waivers))
    return PolicyCoverage(policy.name, policy.file, tuple(items), tuple(inherited))


def _own_destinations(file: str) -> dict[str, str]:
    """The destinations written in the policy file itself, each with its file:line
    (none when the file cannot be read again: every destination is then inherited
    unless a case uses it or it is the default)."""
    try:
        text = decode_policy(Path(file).read_bytes(), file)
        doc, _ = read_marked_yaml(text, file)
    except (OSError, PolicyError):
        return {}
    found = doc.data.get("destinations") if isinstance(doc.data, dict) else None
    if not isinstance(found, dict):
        return {}
    return {str(name): f"{file}:{doc.position(('destinations', name), key=True)[0]}"
            for name in found}
