"""Read a policy file, resolve ``extends``, validate everything and build a :class:`Policy`.

Every problem in every file of the chain is collected before raising, so an
author sees all their mistakes at once, each as ``file:line:col``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from ..errors import PolicyError, PolicyProblem
from .detectors import build_detectors, merge_detectors
from .marked_yaml import MarkedDocument, dotted_path, load_marked_yaml
from .model import (
    DEFAULT_LEVELS,
    FIELD_LEVEL_RULE,
    UNCLASSIFIED_RULE,
    Destination,
    FieldRule,
    Policy,
    RecordRule,
    Waiver,
)
from .paths import PathPatternError, compile_path_pattern, jmespath_reason
from .problems import Item, Problems
from .schema import did_you_mean, schema_problems

__all__ = ["load_policy", "PolicyLookup"]

PolicyLookup = Callable[[str], "Path | None"]
"""Maps a shipped policy name to its file, or None when no plugin provides it."""


def load_policy(
    name_or_path: str | Path,
    lookup: PolicyLookup,
    *,
    extra_rule_ids: frozenset[str] = frozenset(),
) -> Policy:
    """Load, resolve and validate a policy by shipped name or by file path.

    :param lookup: finds shipped policies by name (provided by policy plugins).
    :param extra_rule_ids: rule ids from detector plugins that exceptions may name.
    """
    path = _locate(str(name_or_path), lookup, None)
    chain: list[MarkedDocument] = []
    problems: list[PolicyProblem] = []
    _load_chain(path, lookup, chain, problems, stack=())
    if problems:
        raise PolicyError(problems)
    merged = _merge(chain)
    report = Problems()
    policy = _build(merged, chain, report, extra_rule_ids)
    if report:
        raise PolicyError(sorted(report.found, key=lambda p: (p.file, p.line, p.column)))
    assert policy is not None
    return policy


def _locate(ref: str, lookup: PolicyLookup, base: Path | None) -> Path:
    looks_like_path = ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref
    if looks_like_path:
        candidate = Path(ref) if base is None or Path(ref).is_absolute() else base / ref
        if candidate.is_file():
            return candidate
        raise PolicyError(f"policy file not found: {candidate}")
    shipped = lookup(ref)
    if shipped is not None:
        return shipped
    if base is None and Path(ref).is_file():
        return Path(ref)
    raise PolicyError(
        f"no policy named '{ref}'; run 'guardrail policies' to list shipped policies "
        "or pass a path to a .yaml file"
    )


def _load_chain(
    path: Path,
    lookup: PolicyLookup,
    chain: list[MarkedDocument],
    problems: list[PolicyProblem],
    stack: tuple[Path, ...],
) -> None:
    """Load *path* and, depth first, the policies it extends (parents end up first)."""
    resolved = path.resolve()
    if resolved in stack:
        cycle = " -> ".join(str(p) for p in (*stack, resolved))
        raise PolicyError(f"policy 'extends' forms a cycle: {cycle}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: policy is not valid UTF-8 (byte {exc.start})") from None
    doc = load_marked_yaml(text, str(path))
    found = schema_problems(doc)
    problems.extend(found)
    if found or not isinstance(doc.data, dict):
        return
    parents = doc.data.get("extends") or []
    parents = [parents] if isinstance(parents, str) else parents
    for index, ref in enumerate(parents):
        try:
            parent = _locate(ref, lookup, path.parent)
        except PolicyError as exc:
            where = ("extends", index) if isinstance(doc.data["extends"], list) else ("extends",)
            line, col = doc.position(where)
            problems.append(PolicyProblem(doc.file, line, col, dotted_path(where), exc.message))
            continue
        if any(Path(p.file).resolve() == parent.resolve() for p in chain):
            continue  # diamond: already loaded
        _load_chain(parent, lookup, chain, problems, stack + (resolved,))
    chain.append(doc)


def _merge(chain: list[MarkedDocument]) -> dict[str, Any]:
    """Combine parents then child: maps are updated, lists concatenated (child rules first)."""
    out: dict[str, Any] = {"destinations": {}, "actions": {}, "defaults": {}, "fields": [],
                           "rules": {}, "exceptions": [], "detectors": {}}
    for doc in chain:
        data = doc.data
        for key in ("levels", "default_destination", "records", "metadata"):
            if key in data:
                out[key] = Item(data[key], doc, (key,))
        for key in ("destinations", "actions", "defaults"):
            for name, value in (data.get(key) or {}).items():
                out[key][name] = Item(value, doc, (key, name))
        # A child's field rules are tried before its parents'.
        out["fields"] = [
            Item(v, doc, ("fields", i)) for i, v in enumerate(data.get("fields") or [])
        ] + out["fields"]
        for i, rule in enumerate(data.get("rules") or []):
            out["rules"][rule["id"]] = Item(rule, doc, ("rules", i))
        out["exceptions"] += [
            Item(v, doc, ("exceptions", i)) for i, v in enumerate(data.get("exceptions") or [])
        ]
        merge_detectors(out["detectors"], data, doc, Item)
    return out


def _build(
    merged: dict[str, Any],
    chain: list[MarkedDocument],
    report: Problems,
    extra_rule_ids: frozenset[str],
) -> Policy | None:
    child = chain[-1]
    levels_item = merged.get("levels")
    levels = tuple(levels_item.value) if levels_item else DEFAULT_LEVELS

    def check_level(item: Item, value: Any, *sub: Any) -> str:
        if value not in levels:
            hint = did_you_mean(value, levels)
            report.add(item, f"unknown level '{value}'{hint or ';'} expected one of: "
                       f"{', '.join(levels)}", *sub)
        return str(value)

    destinations: dict[str, Destination] = {}
    for name, item in merged["destinations"].items():
        spec = item.value if isinstance(item.value, dict) else {"max_level": item.value}
        sub = ("max_level",) if isinstance(item.value, dict) else ()
        check_level(item, spec["max_level"], *sub)
        for level, _ in (spec.get("actions") or {}).items():
            check_level(item, level, "actions", level)
        destinations[name] = Destination(
            name=name,
            max_level=spec["max_level"],
            description=spec.get("description", ""),
            actions=dict(spec.get("actions") or {}),
        )
    if not destinations:
        report.found.append(PolicyProblem(
            child.file, 1, 1, "destinations", "no destinations defined; add e.g. 'destinations: "
            "{public-web: public}' here or in a policy this one extends"))

    default_item = merged.get("default_destination")
    default_destination = default_item.value if default_item else ""
    if default_item and default_destination not in destinations:
        report.add(default_item, f"unknown destination '{default_destination}'"
                   f"{did_you_mean(default_destination, destinations) or ';'} expected one of: "
                   f"{', '.join(destinations)}")
    if not default_item:
        report.found.append(PolicyProblem(
            child.file, 1, 1, "default_destination", "missing 'default_destination'; name the "
            "destination used when the caller names none (the strictest is safest)"))

    actions = {}
    for level, item in merged["actions"].items():
        check_level(item, level)
        actions[level] = item.value

    unknown_item = merged["defaults"].get("unknown_fields")
    unknown_level = levels[-1]
    if unknown_item:
        unknown_level = check_level(unknown_item, unknown_item.value)
    max_findings_item = merged["defaults"].get("max_findings")

    field_rules = []
    for item in merged["fields"]:
        spec = item.value
        kind = next(k for k in ("name", "match", "path") if k in spec)
        patterns = spec[kind] if isinstance(spec[kind], list) else [spec[kind]]
        check_level(item, spec["level"], "level")
        if kind == "path":
            for index, pattern in enumerate(patterns):
                try:
                    compile_path_pattern(pattern)
                except PathPatternError as exc:
                    at: tuple[Any, ...] = ("path", index) if isinstance(spec["path"], list) \
                        else ("path",)
                    report.add(item, str(exc), *at)
        field_rules.append(FieldRule(kind, tuple(patterns), spec["level"], spec.get("id"),
                                     spec.get("description", ""), item.origin()))

    record_rules = []
    for rule_id, item in merged["rules"].items():
        spec = item.value
        check_level(item, spec["level"], "level")
        try:
            jmespath.compile(spec["when"])
        except JMESPathError as exc:
            pos = getattr(exc, "lex_position", None)
            where = f" at character {pos + 1}" if isinstance(pos, int) else ""
            report.add(item, f"invalid JMESPath in 'when'{where}: "
                       f"{jmespath_reason(exc)}; see https://jmespath.org/", "when")
        record_rules.append(RecordRule(rule_id, spec["when"], spec["level"],
                                       tuple(spec.get("fields") or ()),
                                       spec.get("description", ""), item.origin()))

    detectors = build_detectors(merged["detectors"], report, levels, extra_rule_ids,
                                check_level)
    known_rules = ({UNCLASSIFIED_RULE, FIELD_LEVEL_RULE} | set(merged["rules"])
                   | {c.id for c in detectors.custom}
                   | {r.id for r in field_rules if r.id} | set(extra_rule_ids))
    waivers = []
    for item in merged["exceptions"]:
        spec = item.value
        if spec.get("rule") and spec["rule"] not in known_rules:
            report.add(item, f"exception names unknown rule '{spec['rule']}'"
                       f"{did_you_mean(spec['rule'], known_rules) or ';'} expected one of: "
                       f"{', '.join(sorted(known_rules))}", "rule")
        for index, dest in enumerate(spec.get("destinations") or ()):
            if dest not in destinations:
                report.add(item, f"unknown destination '{dest}'"
                           f"{did_you_mean(dest, destinations) or ';'} expected one of: "
                           f"{', '.join(destinations)}", "destinations", index)
        try:
            expires = _dt.date.fromisoformat(spec["expires"])
        except ValueError:
            report.add(item, f"'{spec['expires']}' is not a real date; expected YYYY-MM-DD",
                       "expires")
            continue
        waivers.append(Waiver(spec["reason"], spec["approved_by"], expires, spec.get("rule"),
                              spec.get("field"), tuple(spec.get("destinations") or ()),
                              item.origin()))

    if report:
        return None
    metadata = merged["metadata"].value
    resolved = _resolved_document(merged, chain)
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return Policy(
        name=metadata["name"],
        version=metadata.get("version", ""),
        owner=metadata.get("owner", ""),
        description=metadata.get("description", ""),
        file=child.file,
        levels=levels,
        destinations=destinations,
        default_destination=default_destination,
        unknown_level=unknown_level,
        actions=actions,
        field_rules=tuple(field_rules),
        record_rules=tuple(record_rules),
        waivers=tuple(waivers),
        records=merged["records"].value if merged.get("records") else None,
        max_findings=max_findings_item.value if max_findings_item else None,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sources=tuple(doc.file for doc in chain),
        detectors=detectors,
        resolved=resolved,
    )


def _resolved_document(merged: dict[str, Any], chain: list[MarkedDocument]) -> dict[str, Any]:
    """The effective policy as plain data: what ``guardrail validate --resolved`` prints.

    It names every policy in the chain with its version, so the hash of the
    resolved policy changes when any of them does.
    """
    out: dict[str, Any] = {"apiVersion": "guardrail/v1", "kind": "Policy"}
    out["resolved_from"] = [
        {"name": meta["name"], "version": meta.get("version", "")}
        for meta in (doc.data["metadata"] for doc in chain)
    ]
    for key in ("metadata", "levels", "default_destination", "records"):
        if merged.get(key):
            out[key] = merged[key].value
    for key in ("destinations", "actions", "defaults"):
        out[key] = {name: item.value for name, item in merged[key].items()}
    out["fields"] = [item.value for item in merged["fields"]]
    out["rules"] = [item.value for item in merged["rules"].values()]
    out["exceptions"] = [item.value for item in merged["exceptions"]]
    detectors: dict[str, Any] = {}
    for key, item in merged["detectors"].items():
        if key == "settings":
            detectors[key] = {name: entry.value for name, entry in item.items()}
        elif key == "custom":
            detectors[key] = [entry.value for entry in item.values()]
        else:
            detectors[key] = item.value
    if detectors:
        out["detectors"] = detectors
    return out
