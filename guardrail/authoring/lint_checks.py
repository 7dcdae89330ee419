"""What ``guardrail lint`` checks beyond loading: rules that never decide, waivers
running out, rollout dates that have come, destinations that do not say why they
may receive sensitive data.

Each file of an ``extends`` chain is checked on its own (a child overriding its
parent's field rule is the point of ``extends``, not a mistake), and only on the
pieces the policy schema finds intact, so a policy that fails to load still gets
these findings for the rest, and none about a piece already reported broken.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..policy.marked_yaml import MarkedDocument
from ..policy.merge import Merged, merge_chain
from ..policy.paths import (
    PathPatternError,
    compile_path_pattern,
    match_path,
    normalize_glob,
    normalize_key,
)
from ..policy.problems import Item, Problems
from ..policy.schema import check_schema

__all__ = ["Found", "semantic_findings", "EXPIRY_WARNING_DAYS"]

EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class Found:
    """A finding of these checks: where, which code, what to change."""

    file: str
    line: int
    column: int
    code: str
    message: str


def semantic_findings(doc: MarkedDocument, levels: tuple[str, ...] | None,
                      today: _dt.date) -> list[Found]:
    """Every lint finding in one policy file.

    :param levels: the levels of the policy the file belongs to, or None when they
        cannot be known (a broken chain): then destinations are not judged.
    """
    report = Problems()
    report.mark_broken(doc, check_schema(doc)[1])
    if not isinstance(doc.data, dict):
        return []
    merged = merge_chain([doc], report)
    found = [*_field_rules(merged, report), *_waivers(merged, report, today),
             *_rollouts(merged, report, today)]
    if levels:
        found += _destinations(merged, report, levels)
    return found


def _at(doc: MarkedDocument, path: tuple[Any, ...], code: str, message: str, *,
        key: bool = False) -> Found:
    line, column = doc.position(path, key=key)
    return Found(doc.file, line, column, code, message)


@dataclass(frozen=True)
class _Pattern:
    kind: str  # "name" | "match" | "path"
    text: str  # as written
    key: Any  # normalised: a key, a glob or a shape pattern
    level: str
    item: Item
    sub: tuple[Any, ...]  # path inside the rule to this pattern

    def line(self) -> int:
        return self.item.doc.position(self.item.path + self.sub)[0]


def _patterns(merged: Merged, report: Problems) -> Iterator[_Pattern]:
    """Every intact pattern of every intact field rule, in the order the classifier
    tries them."""
    for item in merged.fields:
        spec = item.value
        kinds = [k for k in ("name", "match", "path") if k in spec]
        if not report.intact(item) or len(kinds) != 1 or not isinstance(spec.get("level"), str):
            continue
        kind, values = kinds[0], spec[kinds[0]]
        listed = isinstance(values, list)
        for index, text in enumerate(values if listed else [values]):
            sub = (kind, index) if listed else (kind,)
            try:
                key: Any = (normalize_key(text) if kind == "name" else normalize_glob(text)
                            if kind == "match" else compile_path_pattern(text))
            except PathPatternError:
                continue  # the loader reports it
            yield _Pattern(kind, text, key, spec["level"], item, sub)


def _field_rules(merged: Merged, report: Problems) -> Iterator[Found]:
    """Patterns of one file that another pattern of the file always beats.

    The classifier tries path rules in order, then the first name rule for a key, then
    globs in order: a later pattern that an earlier one of its kind covers never
    decides a field, nor does a glob without wildcards that a name rule also names.
    Across files of an ``extends`` chain that is how a child overrides its parent, so
    only patterns written in one file are compared.
    """
    patterns = list(_patterns(merged, report))
    names = {p.key: p for p in reversed(patterns) if p.kind == "name"}  # the first of each
    for index, pattern in enumerate(patterns):
        earlier = next((e for e in patterns[:index] if e.kind == pattern.kind
                        and _covers(pattern.kind, e.key, pattern.key)), None)
        if earlier is None and pattern.kind == "match" and not _WILDCARD.search(pattern.key):
            earlier = names.get(pattern.key)  # names are tried before globs, wherever written
        if earlier is None:
            continue
        where = ("earlier in this rule" if earlier.item is pattern.item
                 else f"in the {earlier.kind} rule on line {earlier.line()}")
        same = earlier.level == pattern.level
        what = f"{pattern.kind} '{pattern.text}'"
        if same:
            message = (f"{what} is already covered by '{earlier.text}' {where}, at the same "
                       f"level '{pattern.level}'; remove this one")
        else:
            narrower = "" if earlier.kind == "name" else ", or make that one narrower"
            message = (f"{what} can never give level '{pattern.level}': '{earlier.text}' "
                       f"{where} always decides first and gives '{earlier.level}'; remove "
                       f"one of them{narrower}")
        code = "duplicate-field-rule" if same else "shadowed-field-rule"
        yield _at(pattern.item.doc, pattern.item.path + pattern.sub, code, message)


_GLOB_SPECIAL = re.compile(r"[?\[\]!]")
_WILDCARD = re.compile(r"[*?\[\]!]")


def _covers(kind: str, earlier: Any, later: Any) -> bool:
    """Whether every field *later* matches is matched by *earlier* (same kind)."""
    if kind == "name":
        return bool(earlier == later)
    if kind == "path":
        return match_path(earlier, later)
    if earlier == later or earlier == "*":
        return True
    # With only '*' wildcards, the earlier glob covers the later one exactly when it
    # matches the later glob's text, its wildcards read as ordinary characters.
    return not _GLOB_SPECIAL.search(earlier) and fnmatch.fnmatchcase(later, earlier)


def _waivers(merged: Merged, report: Problems, today: _dt.date) -> Iterator[Found]:
    for item in merged.exceptions:
        spec = item.value
        if not report.intact(item):
            continue
        try:
            expires = _dt.date.fromisoformat(spec.get("expires"))
            approver = str(spec["approved_by"])
        except (TypeError, ValueError, KeyError):
            continue  # the loader reports it
        days = (expires - today).days
        target = " and ".join(part for part in (
            f"rule {spec['rule']}" if spec.get("rule") else "",
            f"field {spec['field']}" if spec.get("field") else "") if part)
        what = f"the exception for {target} (approved by {approver})"
        if days < 0:
            ago = "yesterday" if days == -1 else f"{-days} days ago"
            yield _at(item.doc, item.path + ("expires",), "waiver-expired",
                      f"{what} expired on {expires} ({ago}) and no longer applies; remove it, "
                      "or renew it with a new 'expires' and approval")
        elif days <= EXPIRY_WARNING_DAYS:
            when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
            yield _at(item.doc, item.path + ("expires",), "waiver-expiring",
                      f"{what} expires on {expires} ({when}); renew it with a new 'expires' "
                      "and approval, or fix what it waives before then")


def _rollouts(merged: Merged, report: Problems, today: _dt.date) -> Iterator[Found]:
    """An ``enforce_from`` that has come: the audit is over, the keys are dead."""
    top = merged.single.get("enforce_from")
    pieces: list[tuple[Item, tuple[str, ...], str]] = \
        [(top, (), "every rule of the policy enforces now")] if top is not None else []
    detectors = merged.detectors
    for item in [*merged.fields, *merged.rules.values(),
                 *detectors.get("custom", {}).values()]:
        if isinstance(item.value, dict) and "enforce_from" in item.value:
            rule = item.value.get("id")
            pieces.append((item, ("enforce_from",),
                           f"rule {rule} enforces now" if rule else "the rule enforces now"))
    for name, item in detectors.get("settings", {}).items():
        if isinstance(item.value, dict) and "enforce_from" in item.value:
            pieces.append((item, ("enforce_from",), f"detector {name} enforces now"))
    for item, sub, what in pieces:
        if not report.usable(item, *sub):
            continue
        value = item.value["enforce_from"] if sub else item.value
        try:
            day = _dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            continue  # the loader reports it
        if day <= today:
            days = (today - day).days
            since = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
            yield _at(item.doc, item.path + sub, "enforce-from-passed",
                      f"enforce_from {day} has come ({since}): {what}; "
                      "remove 'enforce_from' and any 'mode: audit' beside it")


def _destinations(merged: Merged, report: Problems,
                  levels: tuple[str, ...]) -> Iterator[Found]:
    lowest = levels[0]
    for name, item in merged.destinations.items():
        spec = item.value
        if not report.intact(item):
            continue
        level = spec if isinstance(spec, str) else spec.get("max_level")
        described = isinstance(spec, dict) and str(spec.get("description", "")).strip()
        if level not in levels or level == lowest or described:
            continue
        fix = ("add 'description:' saying who receives it and under what agreement"
               if isinstance(spec, dict) else
               f"write it as a mapping: '{name}: {{max_level: {level}, description: ...}}' "
               "saying who receives it and under what agreement")
        yield _at(item.doc, item.path, "undocumented-destination",
                  f"destination '{name}' may receive '{level}' data, above '{lowest}', but "
                  f"has no description of why; {fix}", key=True)
