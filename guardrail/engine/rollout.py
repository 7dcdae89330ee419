"""Staged rollout: which rules are still in audit on the day of a check.

A policy, a field rule, a record rule, a custom detector or a detector's settings
may say ``mode: audit`` and/or ``enforce_from: <date>``. A rule in audit reports its
findings with the action ``audit`` instead of a blocking one, so authors can read
what it would have blocked before it does. Decided once per check (per rule id), never per value.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from guardrail.decision import FindingKind
from guardrail.policy.classify import Classification, Classifier
from guardrail.policy.model import (
    AUDIT_ACTION,
    CustomDetectorSpec,
    DetectorSetting,
    FieldRule,
    Policy,
    RecordRule,
)

__all__ = ["Rollout", "StagedFields", "in_audit"]

Staged = FieldRule | RecordRule | CustomDetectorSpec | DetectorSetting


def in_audit(mode: str | None, enforce_from: _dt.date | None, today: _dt.date) -> bool:
    """With a date: audit before it, enforce from it on (whatever the mode says);
    without one: audit only when the mode says so."""
    if enforce_from is not None:
        return today < enforce_from
    return mode == "audit"


class Rollout:
    """The rules (and detectors) in audit on *today*: those that set ``mode`` or
    ``enforce_from`` themselves, and every other one when the policy sets them."""

    def __init__(self, policy: Policy, today: _dt.date) -> None:
        self.policy = policy
        self.default = in_audit(policy.mode, policy.enforce_from, today)
        self.default_until = policy.enforce_from
        # rule id -> (in audit today, the day it enforces from)
        self.own: dict[str, tuple[bool, _dt.date | None]] = {}
        # Detector settings tune a detector, custom or installed, so they come first.
        rules: list[tuple[str | None, Staged]] = [
            *policy.detectors.settings.items(),
            *((spec.id, spec) for spec in policy.detectors.custom),
            *((rule.id, rule) for rule in policy.field_rules),
            *((rule.id, rule) for rule in policy.record_rules)]
        for rule_id, rule in rules:
            if rule_id is not None and (rule.mode is not None or rule.enforce_from is not None):
                self.own.setdefault(rule_id, (in_audit(rule.mode, rule.enforce_from, today),
                                              rule.enforce_from))

    @property
    def active(self) -> bool:
        """Is any rule in audit today?"""
        return self.default or any(audit for audit, _ in self.own.values())

    def audits(self, rule: str) -> bool:
        """Is *rule* in audit today (its own mode, else the policy's)?"""
        own = self.own.get(rule)
        return own[0] if own is not None else self.default

    def staged_field_rules(self) -> frozenset[str]:
        """Field rules in audit today by their own ``mode``/``enforce_from``: rules being
        introduced into a policy that already enforces (see :class:`StagedFields`)."""
        return frozenset(rule.id for rule in self.policy.field_rules
                         if rule.id is not None and self.own.get(rule.id, (False, None))[0])

    def notices(self, counts: Mapping[FindingKind, int]) -> list[str]:
        """One line per rule in audit (and one for the policy when it is): the day it
        enforces from and how many findings it would have blocked."""
        would: Counter[str] = Counter()
        for kind, n in counts.items():
            if kind.action == AUDIT_ACTION and kind.waived_by is None:
                would[kind.rule] += n
        lines = []
        if self.default:
            n = sum(count for rule, count in would.items() if rule not in self.own)
            lines.append(f"policy {self.policy.name} is in audit"
                         f"{_until(self.default_until)}: {_findings(n)} would have blocked")
        for rule, (audit, until) in sorted(self.own.items()):
            if audit:
                lines.append(f"rule {rule} is in audit{_until(until)}: "
                             f"{_findings(would[rule])} would have blocked")
        return lines


def _until(day: _dt.date | None) -> str:
    return f" until {day.isoformat()}" if day is not None else ""


def _findings(n: int) -> str:
    return f"{n} finding{'s' if n != 1 else ''}"




class StagedFields:
    """How the policy classifies fields while some field rules are in audit by their
    own ``mode``/``enforce_from``.

    A field rule in audit must not protect less than no rule at all: until it
    enforces, its fields are judged by the rest of the policy (a column no other rule
    names stays unclassified and blocks), and the rule only reports what it would
    block. A policy in audit as a whole is a dry run of every rule: no fallback there.
    """

    def __init__(self, policy: Policy, rollout: Rollout) -> None:
        self.rollout = rollout
        staged = rollout.staged_field_rules()
        self._settled = Classifier(replace(policy, field_rules=tuple(
            rule for rule in policy.field_rules if rule.id not in staged))) if staged else None

    def settle(self, found: Classification, path: Sequence[str | int],
               exceeds: Callable[[str], bool]) -> tuple[Classification, str | None]:
        """*found*, or what the rest of the policy decides when *found*'s rule is in
        audit and the rest blocks the field (*exceeds* its level); with the id of the
        rule in audit passed over, else None."""
        if self._settled is not None and self.rollout.audits(found.rule):
            instead = self._settled.classify(path)
            if exceeds(instead.level):
                return instead, found.rule
        return found, None
