"""Check the merged policy for what the schema cannot see, then build a :class:`Policy`.

The checks are the ones that need the whole chain: a level the policy does not
declare, a destination nobody defined, JMESPath and regexes that do not compile,
an exception naming an unknown rule. They run on every piece the schema left
usable, even when other pieces are broken, so one load reports every problem.
A :class:`Policy` is only built from a merged view with no problem at all.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from typing import Any

from jmespath.exceptions import JMESPathError

from ..errors import PolicyProblem
from .canaries import build_canaries, check_canaries, check_reserved
from .detectors import build_detectors, check_detectors
from .marked_yaml import MarkedDocument
from .merge import Merged, resolved_document
from .model import (
    CANARY_PREFIX,
    DEFAULT_LEVELS,
    FIELD_LEVEL_RULE,
    UNCLASSIFIED_RULE,
    Destination,
    FieldRule,
    Policy,
    RecordRule,
    Waiver,
)
from .paths import (
    JMESPathLimitError,
    PathPatternError,
    compile_jmespath,
    compile_path_pattern,
    jmespath_reason,
)
from .problems import Item, Problems
from .schema import one_of

__all__ = ["check_merged", "build_policy"]


def check_merged(merged: Merged, chain: list[MarkedDocument], report: Problems,
                 extra_rule_ids: frozenset[str], *, complete: bool = True) -> None:
    """Report every problem in *merged* that a single document's schema cannot show.

    :param complete: False when a file of the chain could not be read; then nothing
        is reported missing or unknown that the unread file might have provided.
    """
    _Checks(merged, chain[-1], report, extra_rule_ids, complete).run()


class _Checks:
    def __init__(self, merged: Merged, child: MarkedDocument, report: Problems,
                 extra_rule_ids: frozenset[str], complete: bool) -> None:
        self.merged, self.child, self.report = merged, child, report
        self.extra_rule_ids, self.complete = extra_rule_ids, complete
        self.levels = self._levels()
        self.destinations: list[str] | None = (
            list(merged.destinations) if complete and "destinations" not in merged.unknown
            else None)

    def _levels(self) -> tuple[str, ...] | None:
        """The levels other pieces are checked against, or None when they cannot be known."""
        item = self.merged.single.get("levels")
        if "levels" in self.merged.unknown:
            return None
        if item is None:
            return DEFAULT_LEVELS if self.complete else None
        if not self.complete and item.doc is not self.child:
            return None  # the unread file might be the one whose levels win
        usable = (self.report.intact(item) and isinstance(item.value, list) and item.value
                  and all(isinstance(v, str) for v in item.value))
        return tuple(item.value) if usable else None

    def run(self) -> None:
        self._destinations()
        self._default_destination()
        for level, item in self.merged.actions.items():
            self.check_level(item, level, key=True)
        unknown = self.merged.defaults.get("unknown_fields")
        if unknown is not None:
            self.check_level(unknown, unknown.value)
        self._records()
        enforce_from = self.merged.single.get("enforce_from")
        if enforce_from is not None:
            self._check_date(enforce_from, "enforce_from")
        for item in self.merged.fields:
            self._field_rule(item)
        for item in self.merged.rules.values():
            self._record_rule(item)
        check_detectors(self.merged.detectors, self.report, self.extra_rule_ids,
                        self.check_level,
                        ids_known=self.complete and "detectors" not in self.merged.unknown)
        check_canaries(self.merged.canaries, self.report)
        check_reserved([*self.merged.fields, *self.merged.rules.values(),
                        *self.merged.detectors.get("custom", {}).values()], self.report)
        known_rules = self._known_rules()
        for item in self.merged.exceptions:
            self._exception(item, known_rules)

    def check_level(self, item: Item, value: Any, *sub: Any, key: bool = False) -> None:
        """Report *value* (at *sub* in *item*) unless it is one of the policy's levels."""
        levels = self.levels
        if levels is None or not isinstance(value, str) or value in levels:
            return
        if self.report.usable(item, *sub, key=key):
            self.report.add(item, f"unknown level '{value}'"
                            f"{self.report.hint(value, levels) or ';'} "
                            f"expected one of: {one_of(levels)}", *sub, kind="unknown-level")

    def _destinations(self) -> None:
        for item in self.merged.destinations.values():
            spec = item.value
            if isinstance(spec, str):
                self.check_level(item, spec)
            elif isinstance(spec, dict):
                self.check_level(item, spec.get("max_level"), "max_level")
                actions = spec.get("actions")
                if isinstance(actions, dict):
                    for level in actions:
                        self.check_level(item, level, "actions", level, key=True)
        if self.destinations == []:
            self.report.found.append(PolicyProblem(
                self.child.file, 1, 1, "destinations", "no destinations defined; add e.g. "
                "'destinations: {public-web: public}' here or in a policy this one extends",
                "missing-destination"))

    def _default_destination(self) -> None:
        item = self.merged.single.get("default_destination")
        if item is None:
            if self.complete and "default_destination" not in self.merged.unknown:
                self.report.found.append(PolicyProblem(
                    self.child.file, 1, 1, "default_destination", "missing "
                    "'default_destination'; name the destination used when the caller names "
                    "none (the strictest is safest)", "missing-destination"))
            return
        self._check_destination(item)

    def _check_destination(self, item: Item, *sub: Any) -> None:
        names = self.destinations
        value = item.value
        for part in sub:
            value = value[part]
        if not names or not isinstance(value, str) or value in names:
            return
        if self.report.usable(item, *sub):
            self.report.add(item, f"unknown destination '{value}'"
                            f"{self.report.hint(value, names) or ';'} expected one of: "
                            f"{one_of(names)}", *sub, kind="unknown-destination")

    def _records(self) -> None:
        item = self.merged.single.get("records")
        if item is not None and isinstance(item.value, str) and self.report.usable(item):
            self._check_jmespath(item, "records")

    def _check_jmespath(self, item: Item, name: str, *sub: Any) -> None:
        value = item.value
        for part in sub:
            value = value[part]
        try:
            compile_jmespath(value)
        except JMESPathLimitError as exc:
            self.report.add(item, f"the JMESPath in '{name}' {exc}", *sub, kind="bad-jmespath")
        except JMESPathError as exc:
            pos = getattr(exc, "lex_position", None)
            where = f" at character {pos + 1}" if isinstance(pos, int) else ""
            self.report.add(item, f"invalid JMESPath in '{name}'{where}: "
                            f"{jmespath_reason(exc)}; see https://jmespath.org/", *sub,
                            kind="bad-jmespath")

    def _field_rule(self, item: Item) -> None:
        spec = item.value
        if not isinstance(spec, dict):
            return
        self.check_level(item, spec.get("level"), "level")
        self._rollout(item, spec)
        if ("mode" in spec or "enforce_from" in spec) and "id" not in spec:
            key = "mode" if "mode" in spec else "enforce_from"
            if self.report.usable(item, key, key=True):
                self.report.add(item, f"a field rule with '{key}' needs an 'id', so the "
                                "report can name the rule that is in audit; add e.g. "
                                "'id: my.field.rule'", key, kind="rollout-without-id")
        paths = spec.get("path")
        if paths is None or not self.report.usable(item, "path"):
            return
        for index, pattern in enumerate(paths if isinstance(paths, list) else [paths]):
            at: tuple[Any, ...] = ("path", index) if isinstance(paths, list) else ("path",)
            if not isinstance(pattern, str) or not self.report.usable(item, *at):
                continue
            try:
                compile_path_pattern(pattern)
            except PathPatternError as exc:
                self.report.add(item, str(exc), *at, kind=exc.kind)

    def _record_rule(self, item: Item) -> None:
        spec = item.value
        if not isinstance(spec, dict):
            return
        self.check_level(item, spec.get("level"), "level")
        self._rollout(item, spec)
        if isinstance(spec.get("when"), str) and self.report.usable(item, "when"):
            self._check_jmespath(item, "when", "when")

    def _rollout(self, item: Item, spec: dict[str, Any]) -> None:
        if "enforce_from" in spec:
            self._check_date(item, "enforce_from", "enforce_from")

    def _check_date(self, item: Item, name: str, *sub: Any) -> None:
        """Report a YYYY-MM-DD string (the schema checked its shape) that is no real date."""
        value = item.value
        for part in sub:
            value = value[part]
        if isinstance(value, str) and self.report.usable(item, *sub):
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                self.report.add(item, f"'{value}' in '{name}' is not a real date; expected "
                                "YYYY-MM-DD", *sub, kind="bad-date")

    def _known_rules(self) -> set[str] | None:
        """Every rule id an exception may name, or None when a broken piece hides some."""
        if not self.complete or "rules" in self.merged.unknown:
            return None
        ids = {UNCLASSIFIED_RULE, FIELD_LEVEL_RULE} | set(self.extra_rule_ids)
        ids |= {k for k in self.merged.rules if isinstance(k, str)}
        ids |= {k for k in self.merged.detectors.get("custom", {}) if isinstance(k, str)}
        ids |= {item.value["id"] for item in self.merged.fields
                if isinstance(item.value, dict) and isinstance(item.value.get("id"), str)}
        return ids

    def _exception(self, item: Item, known_rules: set[str] | None) -> None:
        spec = item.value
        if not isinstance(spec, dict):
            return
        rule = spec.get("rule")
        if isinstance(rule, str) and rule.startswith(CANARY_PREFIX) and \
                self.report.usable(item, "rule"):
            self.report.add(item, f"a canary is never waived: '{rule}' finds a planted test "
                            "identity, and blocking it is the gate working; remove this "
                            "exception (and the canary from the export, if it should not "
                            "be there)", "rule", kind="canary-waived")
            return
        if (known_rules is not None and isinstance(rule, str) and rule not in known_rules
                and self.report.usable(item, "rule")):
            self.report.add(item, f"exception names unknown rule '{rule}'"
                            f"{self.report.hint(rule, known_rules) or ';'} expected one of: "
                            f"{one_of(sorted(known_rules))}", "rule", kind="unknown-rule")
        destinations = spec.get("destinations")
        if isinstance(destinations, list) and self.report.usable(item, "destinations"):
            for index in range(len(destinations)):
                self._check_destination(item, "destinations", index)
        expires = spec.get("expires")
        if isinstance(expires, str) and self.report.usable(item, "expires"):
            try:
                _dt.date.fromisoformat(expires)
            except ValueError:
                self.report.add(item, f"'{expires}' is not a real date; expected YYYY-MM-DD",
                                "expires", kind="bad-date")


def build_policy(merged: Merged, chain: list[MarkedDocument]) -> Policy:
    """The :class:`Policy` of a merged view that :func:`check_merged` found no problem in."""
    single = merged.single
    levels = tuple(single["levels"].value) if "levels" in single else DEFAULT_LEVELS
    destinations = {}
    for name, item in merged.destinations.items():
        spec = item.value if isinstance(item.value, dict) else {"max_level": item.value}
        destinations[name] = Destination(name=name, max_level=spec["max_level"],
                                         description=spec.get("description", ""),
                                         actions=dict(spec.get("actions") or {}))
    unknown_item = merged.defaults.get("unknown_fields")
    max_findings_item = merged.defaults.get("max_findings")
    field_rules = []
    for item in merged.fields:
        spec = item.value
        kind = next(k for k in ("name", "match", "path") if k in spec)
        patterns = spec[kind] if isinstance(spec[kind], list) else [spec[kind]]
        field_rules.append(FieldRule(kind, tuple(patterns), spec["level"], spec.get("id"),
                                     spec.get("description", ""), item.origin(),
                                     spec.get("mode"), _date(spec.get("enforce_from"))))
    record_rules = [
        RecordRule(rule_id, item.value["when"], item.value["level"],
                   tuple(item.value.get("fields") or ()), item.value.get("description", ""),
                   item.origin(), item.value.get("mode"),
                   _date(item.value.get("enforce_from")))
        for rule_id, item in merged.rules.items()
    ]
    waivers = [
        Waiver(spec["reason"], spec["approved_by"], _dt.date.fromisoformat(spec["expires"]),
               spec.get("rule"), spec.get("field"), tuple(spec.get("destinations") or ()),
               item.origin())
        for item, spec in ((item, item.value) for item in merged.exceptions)
    ]
    metadata = single["metadata"].value
    resolved = resolved_document(merged, chain)
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return Policy(
        name=metadata["name"],
        version=metadata.get("version", ""),
        owner=metadata.get("owner", ""),
        description=metadata.get("description", ""),
        file=chain[-1].file,
        levels=levels,
        destinations=destinations,
        default_destination=single["default_destination"].value,
        unknown_level=unknown_item.value if unknown_item else levels[-1],
        actions={level: item.value for level, item in merged.actions.items()},
        field_rules=tuple(field_rules),
        record_rules=tuple(record_rules),
        waivers=tuple(waivers),
        records=single["records"].value if "records" in single else None,
        max_findings=max_findings_item.value if max_findings_item else None,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sources=tuple(doc.file for doc in chain),
        detectors=build_detectors(merged.detectors),
        resolved=resolved,
        mode=single["mode"].value if "mode" in single else None,
        enforce_from=_date(single["enforce_from"].value) if "enforce_from" in single else None,
        canaries=build_canaries(merged.canaries),
    )


def _date(value: str | None) -> _dt.date | None:
    return _dt.date.fromisoformat(value) if value is not None else None
