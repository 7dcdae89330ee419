"""A child policy's catch-all field rule, which silently overrides its parent.

The classifier tries path rules, then name rules, then globs in order, child before
parent, and only then the ``unknown_fields`` default. A child's ``match: ['*']``
therefore decides every field no name or path rule names, before every glob of the
policies it extends (``*_email``, ``*_phone``) and instead of their fail-closed
default: ``reporter_email`` becomes whatever the catch-all says. That is only worth
a warning when it lowers something (a hidden glob or the default above the
catch-all's level); a stricter catch-all fails closed. ``name: '*'`` is a literal
name (only a field called ``*``), never a catch-all: said too, as the author meant
otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..policy.marked_yaml import MarkedDocument
from ..policy.model import FieldRule, Policy
from ..policy.paths import normalize_glob
from .lint_checks import Found

__all__ = ["catch_all_rules"]

CODE = "catch-all-rule"


def _is_catch_all(pattern: str) -> bool:
    glob = normalize_glob(pattern)
    return bool(glob) and set(glob) == {"*"}


def catch_all_rules(policy: Policy, read: Callable[[str], MarkedDocument]) -> Iterator[Found]:
    """A finding for each catch-all pattern of a policy that extends another and that
    hides a rule or default of it above the catch-all's level."""
    if len(policy.sources) < 2:
        return
    rules = list(policy.field_rules)
    for index, rule in enumerate(rules):
        own = _file(rule)
        for number, pattern in enumerate(rule.patterns):
            if rule.kind == "name" and pattern.strip() == "*":
                yield _at(read, rule, number, (
                    "name '*' matches only a field named '*' literally, not every field "
                    "(and a catch-all match '*' would decide before the rules and the "
                    "unknown_fields default of the policies this one extends): name the "
                    "fields this rule is for"))
            if rule.kind != "match" or not _is_catch_all(pattern):
                continue
            rank = policy.rank(rule.level)
            hidden = [(r, p) for r in rules[index + 1:] if r.kind == "match"
                      and _file(r) != own and policy.rank(r.level) > rank for p in r.patterns]
            default = policy.rank(policy.unknown_level) > rank
            if not hidden and not default:
                continue
            parents = _names(read, [s for s in policy.sources if s != own])
            what = []
            if hidden:
                example = next((p for _, p in hidden if "email" in p), hidden[0][1])
                what.append(f"every match rule of {parents} (e.g. its '{example}' rule, "
                            f"{hidden[0][0].level})")
            if default:
                what.append(f"{'its' if hidden else parents + chr(39) + 's'} unknown_fields "
                            f"default ({policy.unknown_level})")
            yield _at(read, rule, number, (
                f"match '{pattern}' decides before {' and '.join(what)}: every field no "
                f"name or path rule names becomes '{rule.level}'; name the fields instead"))


def _file(rule: FieldRule) -> str:
    return rule.origin.rsplit(":", 1)[0]


def _names(read: Callable[[str], MarkedDocument], files: list[str]) -> str:
    names = []
    for file in files:
        data = read(file).data
        meta = data.get("metadata") if isinstance(data, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        names.append(str(name) if name else file)
    return ", ".join(names)


def _at(read: Callable[[str], MarkedDocument], rule: FieldRule, number: int,
        message: str) -> Found:
    """*message* at pattern *number* of *rule* (its origin is ``file:line``)."""
    file, _, line = rule.origin.rpartition(":")
    doc = read(file)
    found = doc.data.get("fields") if isinstance(doc.data, dict) else None
    entries: list[Any] = found if isinstance(found, list) else []
    for index, entry in enumerate(entries):
        if doc.position(("fields", index))[0] == int(line):
            listed = isinstance(entry, dict) and isinstance(entry.get(rule.kind), list)
            sub = (rule.kind, number) if listed else (rule.kind,)
            row, column = doc.position(("fields", index, *sub))
            return Found(file, row, column, CODE, message)
    return Found(file, int(line), 1, CODE, message)
