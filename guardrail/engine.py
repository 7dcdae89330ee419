"""Pure evaluation: compiled policy + stream of records -> findings.

No I/O, no hooks, no printing. Field classification is computed once per field
shape; record rules are JMESPath expressions compiled once. Tables take a fast
path when only field classification applies: cells are fetched with one
``itemgetter`` call per row and counted in bulk once the listed findings are full.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Callable, Iterable, Sequence

import jmespath

from .decision import Collector, Finding, FindingKind
from .interfaces import Detector
from .masking import mask_value
from .policy.classify import Classifier
from .policy.model import Destination, Policy, RecordRule, Waiver
from .policy.paths import ANY_INDEX, display_path, normalize_key
from .records import Documents, Section, Table

__all__ = ["Evaluator"]

_GLOB_NON_ALNUM = re.compile(r"[^0-9a-z*?\[\]!]+")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class _Plan:
    """What to report when a field shape holds a value."""

    kind: FindingKind
    message: str


@dataclass(frozen=True)
class _CompiledRule:
    rule: RecordRule
    expression: Any  # jmespath.parser.ParsedResult
    roots: frozenset[str] | None  # top-level fields it reads; None = the whole record
    report: tuple[str, ...]


class Evaluator:
    """Evaluates sections of records for one policy and destination.

    :param today: the date waivers are judged against (injectable for tests).
    :param detectors: content detectors to run on every string value.
    """

    def __init__(
        self,
        policy: Policy,
        destination: Destination,
        collector: Collector,
        *,
        today: _dt.date | None = None,
        detectors: Sequence[Detector] = (),
        classifier: Classifier | None = None,
    ) -> None:
        self.policy = policy
        self.destination = destination
        self.collector = collector
        self.today = today or _dt.date.today()
        self.detectors = tuple(detectors)
        self.classifier = classifier or Classifier(policy)
        self._max_rank = policy.rank(destination.max_level)
        self._waivers = [w for w in policy.waivers if self._for_destination(w)]
        self._active = [w for w in self._waivers if w.active_on(self.today)]
        self._rules = [self._compile_rule(r) for r in policy.record_rules
                       if self._exceeds(r.level)]
        self._waiver_cache: dict[tuple[str, str], str | None] = {}

    # -- policy helpers -------------------------------------------------------------

    def notices(self) -> list[str]:
        """Expired exceptions relevant to this destination: they no longer waive anything."""
        return [
            f"{w.label()} expired on {w.expires.isoformat()} and no longer applies"
            for w in self._waivers if not w.active_on(self.today)
        ]

    def _for_destination(self, waiver: Waiver) -> bool:
        return not waiver.destinations or self.destination.name in waiver.destinations

    def _exceeds(self, level: str) -> bool:
        try:
            return self.policy.rank(level) > self._max_rank
        except ValueError:  # a detector level the policy does not know: fail closed
            return True

    def _waived_by(self, rule: str, field: str) -> str | None:
        key = (rule, field)
        if key not in self._waiver_cache:
            self._waiver_cache[key] = next(
                (w.label() for w in self._active if _waiver_matches(w, rule, field)), None
            )
        return self._waiver_cache[key]

    def _kind(self, file: str, section: str | None, rule: str, field: str, level: str):
        action = self.policy.action_for(level, self.destination)
        return FindingKind(file, rule, field, level, action, self._waived_by(rule, field), section)

    @staticmethod
    def _compile_rule(rule: RecordRule) -> _CompiledRule:
        expression = jmespath.compile(rule.when)
        roots = _root_fields(expression.parsed)
        report = rule.fields or (tuple(sorted(roots)) if roots else ("@",))
        return _CompiledRule(rule, expression, roots, report)

    # -- sections ---------------------------------------------------------------------

    def evaluate(self, file: str, section: Section) -> int:
        """Evaluate one section; returns the number of records read."""
        if isinstance(section, Table):
            return _TableRun(self, file, section).run()
        return _DocumentRun(self, file, section).run()

    def field_plan(self, file: str, section: str | None, path: Sequence[str | int],
                   pattern: str) -> _Plan | None:
        """The finding a value at *path* produces, or None when the destination may have it."""
        found = self.classifier.classify(path)
        if not self._exceeds(found.level):
            return None
        kind = self._kind(file, section, found.rule, pattern, found.level)
        message = (f"field '{pattern}' is {found.level} ({found.matched_by}); "
                   f"'{self.destination.name}' accepts at most {self.destination.max_level}")
        return _Plan(kind, message)

    def detect(self, file: str, section: str | None, record: int | None, field: str,
               pattern: str, text: str, locate: Callable[[], str | None] | None) -> None:
        """Run the content detectors over one string value."""
        for detector in self.detectors:
            if not self._exceeds(detector.level):
                continue
            for span in detector.find(text):
                kind = self._kind(file, section, detector.id, pattern, detector.level)
                finding = None
                if self.collector.wants(detector.id):
                    evidence = span.evidence or mask_value(text[span.start:span.end])
                    finding = Finding(file, record, field, detector.id, detector.level,
                                      kind.action, evidence,
                                      f"{detector.id} found in field '{field}'",
                                      locate() if locate else None, section, kind.waived_by)
                self.collector.add(kind, finding)

    def apply_rules(self, file: str, section: str | None, record: int | None, data: Any,
                    rules: Iterable[_CompiledRule], locate) -> None:
        """Evaluate record rules against one record (a dict)."""
        for compiled in rules:
            if not _truthy(compiled.expression.search(data)):
                continue
            rule = compiled.rule
            field = ", ".join(compiled.report)
            kind = self._kind(file, section, rule.id, field, rule.level)
            finding = None
            if self.collector.wants(rule.id):
                values = [data.get(f) if isinstance(data, dict) else None
                          for f in compiled.report]
                evidence = " | ".join(mask_value(v) for v in values if v not in (None, ""))
                message = rule.description or f"record matches rule '{rule.when}'"
                finding = Finding(file, record, field, rule.id, rule.level, kind.action,
                                  evidence, message, locate() if locate else None, section,
                                  kind.waived_by)
            self.collector.add(kind, finding)


class _TableRun:
    """Evaluates one :class:`Table`, choosing the fast path when it can."""

    def __init__(self, evaluator: Evaluator, file: str, table: Table) -> None:
        self.ev = evaluator
        self.file = file
        self.table = table
        self.section = table.name
        self.columns = [str(c) for c in table.columns]
        self.plans = [self._plan(i) for i in range(len(self.columns))]
        present = {normalize_key(c) for c in self.columns} | set(self.columns)
        self.rules = []
        for compiled in evaluator._rules:
            if compiled.roots is not None and not (compiled.roots & present):
                # None of its fields exist: the result is the same for every row.
                if not _truthy(compiled.expression.search({})):
                    continue
            self.rules.append(compiled)

    def _plan(self, index: int) -> _Plan | None:
        name = self.columns[index] if index < len(self.columns) else f"#{index + 1}"
        return self.ev.field_plan(self.file, self.section, (name,), name)

    def run(self) -> int:
        if self.rules or self.ev.detectors:
            return self._run_general()
        return self._run_fast()

    def _run_fast(self) -> int:
        width = len(self.columns)
        bad = [(i, plan) for i, plan in enumerate(self.plans) if plan is not None]
        collector = self.ev.collector
        count = 0
        bulk = 0  # rows whose bad cells are all non-empty and were counted, not listed
        if not bad:
            for count, row in enumerate(self.table.rows, 1):
                if len(row) != width:
                    self._cells(count - 1, row)
            return count
        indices = [i for i, _ in bad]
        getter = itemgetter(*indices) if len(indices) > 1 else _single(indices[0])
        listing = True
        for count, row in enumerate(self.table.rows, 1):
            if len(row) != width:
                self._cells(count - 1, row)
                continue
            values = getter(row)
            if not listing and all(values):
                bulk += 1
                continue
            for (_, plan), value in zip(bad, values):
                if value is not None and value != "":
                    self._hit(count - 1, plan, value)
            listing = any(collector.wants(plan.kind.rule) for _, plan in bad)
        for _, plan in bad:
            collector.add_many(plan.kind, bulk)
        return count

    def _run_general(self) -> int:
        count = 0
        for count, row in enumerate(self.table.rows, 1):
            self._cells(count - 1, row)
            if self.rules:
                record = self._record(row)
                self.ev.apply_rules(self.file, self.section, count - 1, record, self.rules,
                                    self.table.locate)
        return count

    def _record(self, row: Sequence[Any]) -> dict[str, Any]:
        typed = self.table.typed
        record: dict[str, Any] = {}
        for name, value in zip(self.columns, row):
            if not typed and isinstance(value, str) and _NUMBER.match(value):
                value = float(value) if "." in value else int(value)
            record[name] = value
        return record

    def _cells(self, index: int, row: Sequence[Any]) -> None:
        """Check every cell of one row (ragged rows and the general path)."""
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if column >= len(self.plans):
                self.plans.append(self._plan(column))
            plan = self.plans[column]
            if plan is not None:
                self._hit(index, plan, value)
            if self.ev.detectors and isinstance(value, str):
                name = self.columns[column] if column < len(self.columns) else f"#{column + 1}"
                self.ev.detect(self.file, self.section, index, name, name, value,
                               self.table.locate)

    def _hit(self, index: int, plan: _Plan, value: Any) -> None:
        kind = plan.kind
        finding = None
        if self.ev.collector.wants(kind.rule):
            locate = self.table.locate
            finding = Finding(self.file, index, kind.field, kind.rule, kind.level, kind.action,
                              mask_value(value), plan.message, locate() if locate else None,
                              self.section, kind.waived_by)
        self.ev.collector.add(kind, finding)


class _DocumentRun:
    """Evaluates nested records value by value."""

    def __init__(self, evaluator: Evaluator, file: str, docs: Documents) -> None:
        self.ev = evaluator
        self.file = file
        self.docs = docs
        self.section = docs.name
        self.plans: dict[tuple[str | int, ...], _Plan | None] = {}

    def run(self) -> int:
        count = 0
        docs = self.docs
        for count, record in enumerate(docs.records, 1):
            index = docs.first_index + count - 1 if docs.index else None
            self._walk(index, record)
            if self.ev._rules and isinstance(record, dict):
                self.ev.apply_rules(self.file, self.section, index, record, self.ev._rules,
                                    docs.locate)
        return count if docs.index else 0

    def _plan(self, path: tuple[str | int, ...]) -> _Plan | None:
        shape = tuple(ANY_INDEX if isinstance(p, int) else p for p in path)
        if shape not in self.plans:
            pattern = display_path([p if p != ANY_INDEX else 0 for p in shape]).replace(
                "[0]", "[*]") if shape else "@"
            self.plans[shape] = self.ev.field_plan(self.file, self.section, path, pattern)
        return self.plans[shape]

    def _walk(self, index: int | None, record: Any) -> None:
        stack: list[tuple[tuple[str | int, ...], Any]] = [((), record)]
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict):
                stack.extend((path + (str(k),), v) for k, v in reversed(value.items()))
                continue
            if isinstance(value, list):
                stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(value))))
                continue
            if value is None or value == "":
                continue
            plan = self._plan(path)
            field = display_path(path) if path else "@"
            if plan is not None:
                self._hit(index, plan, field, value)
            if self.ev.detectors and isinstance(value, str):
                self.ev.detect(self.file, self.section, index, field, plan.kind.field if plan
                               else field, value, self.docs.locate)

    def _hit(self, index: int | None, plan: _Plan, field: str, value: Any) -> None:
        kind = plan.kind
        finding = None
        if self.ev.collector.wants(kind.rule):
            locate = self.docs.locate
            message = plan.message.replace(f"'{kind.field}'", f"'{field}'", 1)
            finding = Finding(self.file, index, field, kind.rule, kind.level, kind.action,
                              mask_value(value), message, locate() if locate else None,
                              self.section, kind.waived_by)
        self.ev.collector.add(kind, finding)


def _single(index: int) -> Callable[[Sequence[Any]], tuple[Any]]:
    def get(row: Sequence[Any]) -> tuple[Any]:
        return (row[index],)
    return get


def _truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, empty string/list/object are false."""
    if value is None or value is False:
        return False
    return not (isinstance(value, (str, list, dict)) and len(value) == 0)


def _waiver_matches(waiver: Waiver, rule: str, field: str) -> bool:
    if waiver.rule is not None and waiver.rule != rule:
        return False
    if waiver.field is None:
        return True
    pattern = _GLOB_NON_ALNUM.sub("_", waiver.field.lower()).strip("_")
    candidates = {normalize_key(field), normalize_key(field.rsplit(".", 1)[-1])}
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


def _root_fields(node: dict[str, Any]) -> frozenset[str] | None:
    """Top-level record fields a JMESPath expression reads, or None if it reads the whole record."""
    kind = node.get("type")
    children = node.get("children", [])
    if kind == "field":
        return frozenset({node["value"]})
    if kind in ("current", "identity"):
        return None
    if kind in ("subexpression", "index_expression", "projection", "value_projection",
                "filter_projection", "pipe", "flatten"):
        return _root_fields(children[0]) if children else frozenset()
    if kind == "literal":
        return frozenset()
    found: set[str] = set()
    for child in children:
        sub = _root_fields(child)
        if sub is None:
            return None
        found |= sub
    return frozenset(found)
