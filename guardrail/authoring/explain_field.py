"""``guardrail explain FIELD...``: how the policy classifies a field by its name alone.

One line per field: its level, the rule that set it and where that rule is written,
and what the destination does with it on the day asked: allowed, the action, or the
action a rule in audit (staged rollout) or a waiver holds back. No payload is read,
so content detectors and record rules are not part of the answer (``--record`` is).
"""

from __future__ import annotations

import datetime as _dt

from guardrail.engine.record_rules import compile_rule
from guardrail.engine.rollout import Rollout, StagedFields
from guardrail.policy.classify import Classifier
from guardrail.policy.model import BLOCKING_ACTIONS, Policy
from guardrail.policy.paths import normalize_key, parse_field_path
from guardrail.policy.waivers import WaiverBook, waiver_matches

__all__ = ["explain_fields"]


def explain_fields(policy: Policy, destination: str, names: tuple[str, ...],
                   today: _dt.date | None = None) -> tuple[list[str], int]:
    """One line per field *name* (a path such as ``people[2].name``), and the exit code:
    1 when the destination refuses a field by its name, else 0."""
    target = policy.destinations[destination]
    today = today or _dt.date.today()
    classifier = Classifier(policy)
    rollout = Rollout(policy, today)
    staged_fields = StagedFields(policy, rollout)
    waivers = WaiverBook.for_policy(policy, today, destination=destination)
    # Record rules judge whole records: they may block whatever a field's level is.
    rules = [compile_rule(rule) for rule in policy.record_rules
             if policy.rank(rule.level) > policy.rank(target.max_level)]
    lines = []
    refused = False
    for name in names:
        path = parse_field_path(name)
        # as check judges it: a rule in audit never lowers what the rest decides
        found, passed_over = staged_fields.settle(
            classifier.classify(path), path,
            lambda level: policy.rank(level) > policy.rank(target.max_level))
        staged = f" (rule {passed_over} is in audit and does not apply yet)" \
            if passed_over else ""
        origin = f" at {found.rule_origin}" if found.rule_origin else ""
        verdict, blocks = _verdict(policy, destination, found.level, found.rule, name,
                                   rollout, waivers)
        verdict += staged
        refused = refused or blocks
        reading = [r.rule.id for r in rules
                   if r.roots is None or normalize_key(str(path[0])) in r.roots
                   or name in r.report]
        if reading:
            verdict += (f"; record rule{'s' if len(reading) != 1 else ''} "
                        f"{', '.join(reading)} read{'s' if len(reading) == 1 else ''} it "
                        f"and may block a record (explain --record says which)")
        lines.append(f"{name}: {found.level} ({found.matched_by}{origin}; rule {found.rule}) "
                     f"-> {target.name} accepts at most {target.max_level}: {verdict}")
    return lines, 1 if refused else 0


def _verdict(policy: Policy, destination: str, level: str, rule: str, name: str,
             rollout: Rollout, waivers: WaiverBook) -> tuple[str, bool]:
    """What the destination does with the field, in words, and whether that refuses it."""
    target = policy.destinations[destination]
    if policy.rank(level) <= policy.rank(target.max_level):
        return "allowed", False
    action = policy.action_for(level, target)
    waiver = waivers.covering(rule, name)
    if waiver is not None:
        return f"allowed: {action.upper()} waived by the {waiver.label()}", False
    expired = next((w for w in waivers.expired if waiver_matches(w, rule, name)), None)
    lapsed = (f" (the {expired.label()} expired on {expired.expires.isoformat()})"
              if expired is not None else "")
    if action in BLOCKING_ACTIONS and rollout.audits(rule):
        return (f"AUDIT (rule {rule} is in audit{_until(rollout, rule)}: reported, "
                f"not blocked){lapsed}"), False
    return action.upper() + lapsed, action in BLOCKING_ACTIONS


def _until(rollout: Rollout, rule: str) -> str:
    own = rollout.own.get(rule)
    day = own[1] if own is not None else rollout.default_until
    return f" until {day.isoformat()}" if day is not None else ""
