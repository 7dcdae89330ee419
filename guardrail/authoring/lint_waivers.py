"""Exceptions that can never suppress anything, found on the loaded policy.

A waiver is only ever asked about a finding: a field above what a destination
accepts, a content detector's hit, a record rule. When the field it names is
classified at a level every destination it applies to already accepts, and no
other rule could report that field there, nothing is ever waived and the entry is
dead weight that readers take for a real exception. Only a waiver's field as a
plain name is judged, as the classifier sees it at the top of a record; a glob or
a path, or a policy whose installed detectors run, is left alone rather than guessed
at.

A waiver for a detector on a field that its field rule blocks whole is idle too:
one value is one finding, and the field rule's (blocking, enforced, unwaived) comes
first; the detector's hit only rides along with it ("also"), and a field blocked
whole is never read together with its neighbours, so the detector never reports it
alone there. That is judged only when every destination the waiver applies to
blocks the field's level, the field's rule enforces, and no other exception could
waive the field rule's finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..policy.classify import Classification, Classifier
from ..policy.marked_yaml import MarkedDocument
from ..policy.model import (
    FIELD_LEVEL_RULE,
    UNCLASSIFIED_RULE,
    CustomDetectorSpec,
    Policy,
    Waiver,
)
from ..policy.paths import normalize_key
from .lint_checks import Found

__all__ = ["idle_waivers"]

CODE = "waiver-never-applies"
# Globs and paths may reach other fields; "(section name)", "(key)" and "#3" are where
# a report puts findings in names, which no field rule classifies.
_NOT_A_NAME = set("*?[].()#")


def idle_waivers(policy: Policy, read: Callable[[str], MarkedDocument]) -> Iterator[Found]:
    """A finding for each exception of *policy* that can never suppress a finding.

    :param read: the marked document of a policy file, to place each finding.
    """
    classifier = Classifier(policy)
    for waiver in policy.waivers:
        field = waiver.field
        plain = field is not None and not _NOT_A_NAME & set(field)
        found = classifier.classify((field,)) if field is not None and plain else None
        if found is not None and waiver.rule == UNCLASSIFIED_RULE \
                and found.rule != UNCLASSIFIED_RULE \
                and found.matched_by.startswith(("name rule", "match rule")):
            # Name and match rules classify a key wherever it is: it is never unclassified.
            yield _at(read, waiver, "rule", f"field '{field}' is always classified, by "
                      f"{found.matched_by} ({found.rule_origin}), so rule {UNCLASSIFIED_RULE} "
                      "never reports it and this exception never suppresses anything: remove "
                      f"it, or name rule {found.rule} if that is what it waives")
            continue
        reported = _levels_reported(policy, waiver, found)
        if reported is None:
            if found is not None and _rides_along(policy, waiver, found):
                names = list(waiver.destinations) or list(policy.destinations)
                where = (f"destination '{names[0]}' blocks" if len(names) == 1 else
                         "every destination it applies to blocks")
                yield _at(read, waiver, "rule", (
                    f"{where} field '{field}' whole ('{found.level}', by {found.matched_by}, "
                    f"rule {found.rule}), and that finding decides: {waiver.rule}'s hit in "
                    f"it is only reported with it, never alone, so this exception never "
                    f"suppresses anything: remove it, or waive rule {found.rule} if the "
                    "field may go there"))
            continue
        levels, why = reported
        names = list(waiver.destinations) or list(policy.destinations)
        if not all(policy.rank(level) <= policy.rank(policy.destinations[name].max_level)
                   for level in levels for name in names):
            continue
        shown = ", ".join(f"'{level}'" for level in sorted(levels, key=policy.rank))
        if waiver.destinations:
            listed = ", ".join(f"'{name}'" for name in names)
            whom = (f"destinations {listed} already accept" if len(names) > 1
                    else f"destination {listed} already accepts")
            fix, where = f"or name a destination that does not accept {shown}", "destinations"
        else:
            whom, fix = "every destination already accepts", "or fix the rule it waives"
            where = "rule" if waiver.rule else "field"
        yield _at(read, waiver, where, f"{whom} {shown}, {why}; this exception never "
                  f"suppresses anything: remove it, {fix}")


def _levels_reported(policy: Policy, waiver: Waiver, found: Classification | None,
                     ) -> tuple[set[str], str] | None:
    """Every level a finding this waiver covers could have, and what gives them; None
    when that cannot be known."""
    by_rule = {UNCLASSIFIED_RULE: policy.unknown_level}
    by_rule |= {r.id: r.level for r in policy.field_rules if r.id}
    by_rule |= {r.id: r.level for r in policy.record_rules}
    by_rule |= {spec.id: _custom_level(policy, spec) for spec in policy.detectors.custom}
    if waiver.rule in by_rule:  # a rule's findings always have its level
        return {by_rule[waiver.rule]}, f"the level of rule {waiver.rule}"
    if found is None or waiver.rule not in (None, found.rule):
        return None  # a glob or a path, or a rule reaching the field from elsewhere
    why = f"the level of field '{waiver.field}'"
    if waiver.rule == FIELD_LEVEL_RULE:
        return {found.level}, why
    if waiver.rule is not None or policy.detectors.run:
        return None  # installed detectors' levels are not the policy's to know
    records = {r.level for r in policy.record_rules}
    custom = {_custom_level(policy, spec) for spec in policy.detectors.custom}
    return {found.level, *records, *custom}, why


def _rides_along(policy: Policy, waiver: Waiver, found: Classification) -> bool:
    """Does a detector waived on a plain field only ever report along with the field
    rule's blocking finding there (see the module docstring)?"""
    own = {r.id for r in policy.field_rules if r.id} | {r.id for r in policy.record_rules}
    if waiver.rule is None or waiver.rule in own or waiver.rule in (
            UNCLASSIFIED_RULE, FIELD_LEVEL_RULE, found.rule):
        return False
    if policy.mode == "audit" or policy.enforce_from is not None:
        return False
    rule = next((r for r in policy.field_rules if r.origin == found.rule_origin), None)
    if rule is not None and (rule.mode == "audit" or rule.enforce_from is not None):
        return False
    key = normalize_key(str(waiver.field))
    if any(normalize_key(p.rsplit(".", 1)[-1].strip('"[]*')) == key
           for r in policy.field_rules if r.kind == "path" for p in r.patterns):
        return False  # nested under a path rule, the field may be classified otherwise
    names = list(waiver.destinations) or list(policy.destinations)
    for name in names:
        destination = policy.destinations[name]
        if policy.rank(found.level) <= policy.rank(destination.max_level) or \
                policy.action_for(found.level, destination) != "block":
            return False
    for other in policy.waivers:  # one that may waive the field rule's finding there
        if other is waiver or other.rule not in (None, found.rule):
            continue
        if other.field is not None and other.field != waiver.field and \
                _NOT_A_NAME.isdisjoint(other.field):
            continue  # another plain field (a glob or a path: may reach this one)
        if not other.destinations or set(other.destinations) & set(names):
            return False
    return True


def _custom_level(policy: Policy, spec: CustomDetectorSpec) -> str:
    setting = policy.detectors.settings.get(spec.id)
    return setting.level if setting and setting.level else spec.level


def _at(read: Callable[[str], MarkedDocument], waiver: Waiver, key: str,
        message: str) -> Found:
    """*message* at *key* of the exception *waiver* (its origin is ``file:line``)."""
    file, _, line = waiver.origin.rpartition(":")
    doc = read(file)
    entries = doc.data.get("exceptions") if isinstance(doc.data, dict) else None
    for index in range(len(entries) if isinstance(entries, list) else 0):
        if doc.position(("exceptions", index))[0] == int(line):
            row, column = doc.position(("exceptions", index, key))
            return Found(file, row, column, CODE, message)
    return Found(file, int(line), 1, CODE, message)
