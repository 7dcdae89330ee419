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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from functools import partial
from operator import itemgetter
from typing import Any

import jmespath
import jmespath.visitor

from .decision import Collector, Finding, FindingKind
from .interfaces import Detector
from .masking import mask_value
from .policy.classify import Classifier
from .policy.model import Destination, Policy, RecordRule, Waiver
from .policy.paths import ANY_INDEX, display_path, normalize_key
from .records import Documents, Section, Table

__all__ = ["Evaluator"]

_GLOB_NON_ALNUM = re.compile(r"[^0-9a-z*?\[\]!]+")
# Numbers written as text, as CSV writes them; spreadsheets often pad them with spaces.
_INDEX = re.compile(r"\[(?:\*|\d+)\]")
_DOT_SPLIT = re.compile(r'\.(?=(?:[^"]*"[^"]*")*[^"]*$)')
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


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
    when_absent: bool  # its result on a record that has none of its fields

    def applies_to(self, record: dict[str, Any]) -> bool:
        """False when the record has none of the rule's fields and the rule is then false."""
        if self.roots is None or self.when_absent:
            return True
        return not self.roots.isdisjoint(record)


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
        return _CompiledRule(rule, expression, roots, report,
                             _truthy(expression.search({})))

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
               pattern: str, text: str, position: Callable[[], str | None] | None) -> None:
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
                                      position() if position else None, section,
                                      kind.waived_by)
                self.collector.add(kind, finding)

    def apply_rules(self, file: str, section: str | None, record: int | None, data: Any,
                    rules: Iterable[_CompiledRule],
                    position: Callable[[], str | None] | None) -> None:
        """Evaluate record rules against one record (a dict)."""
        for compiled in rules:
            if not _truthy(_INTERPRETER.visit(compiled.expression.parsed, data)):
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
                                  evidence, message, position() if position else None, section,
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
            if compiled.roots is not None and compiled.roots.isdisjoint(present):
                # None of its fields exist: the result is the same for every row.
                if not compiled.when_absent:
                    continue
            self.rules.append(compiled)
        self.variants = self._variants()

    def _variants(self) -> list[tuple[list[tuple[str, int]], list[_CompiledRule]]]:
        """Which column each record field is read from, and the rules to apply.

        A repeated column name gives one record per copy, so a rule sees every
        copy's value rather than only the last one (``count,count`` with ``2,10``).
        """
        # Names are grouped as rules find them: ``Count`` and ``count`` are one field.
        positions: dict[str, list[int]] = {}
        for index, name in enumerate(self.columns):
            positions.setdefault(normalize_key(name), []).append(index)
        repeated = {key for key, found in positions.items() if len(found) > 1}
        depth = max((len(found) for found in positions.values()), default=1)
        variants = []
        for copy in range(depth):
            chosen = [(self.columns[i], i)
                      for i in (found[min(copy, len(found) - 1)] for found in positions.values())]
            rules = self.rules if copy == 0 else [
                r for r in self.rules
                if r.roots is None or not repeated.isdisjoint(map(normalize_key, r.roots))]
            variants.append((chosen, rules))
        return variants

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
            for (_, plan), value in zip(bad, values, strict=True):
                if value is not None and value != "":
                    self._hit(count - 1, plan, value, row)
            listing = any(collector.wants(plan.kind.rule) for _, plan in bad)
        for _, plan in bad:
            collector.add_many(plan.kind, bulk)
        return count

    def _run_general(self) -> int:
        count = 0
        locate = self.table.locate
        for count, row in enumerate(self.table.rows, 1):
            self._cells(count - 1, row)
            if self.rules:
                position = partial(locate, row) if locate else None
                for chosen, rules in self.variants:
                    self.ev.apply_rules(self.file, self.section, count - 1,
                                        self._record(row, chosen), rules, position)
        return count

    def _record(self, row: Sequence[Any], chosen: list[tuple[str, int]]) -> dict[str, Any]:
        typed = self.table.typed
        record: dict[str, Any] = {}
        for name, index in chosen:
            if index >= len(row):
                continue
            value = row[index]
            if not typed and isinstance(value, str) and _NUMBER.match(value):
                value = float(value) if "." in value else int(value)
            record[name] = value
        return _with_aliases(record)

    def _cells(self, index: int, row: Sequence[Any]) -> None:
        """Check every cell of one row (ragged rows and the general path)."""
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if column >= len(self.plans):
                self.plans.append(self._plan(column))
            plan = self.plans[column]
            if plan is not None:
                self._hit(index, plan, value, row)
            if self.ev.detectors and isinstance(value, str):
                name = self.columns[column] if column < len(self.columns) else f"#{column + 1}"
                locate = self.table.locate
                self.ev.detect(self.file, self.section, index, name, name, value,
                               partial(locate, row) if locate else None)

    def _hit(self, index: int, plan: _Plan, value: Any, row: Sequence[Any]) -> None:
        kind = plan.kind
        finding = None
        if self.ev.collector.wants(kind.rule):
            locate = self.table.locate
            finding = Finding(self.file, index, kind.field, kind.rule, kind.level, kind.action,
                              mask_value(value), plan.message, locate(row) if locate else None,
                              self.section, kind.waived_by)
        self.ev.collector.add(kind, finding)


class _DocumentRun:
    """Evaluates nested records value by value."""

    _MAX_CACHED_PATHS = 50_000

    def __init__(self, evaluator: Evaluator, file: str, docs: Documents) -> None:
        self.ev = evaluator
        self.file = file
        self.docs = docs
        self.section = docs.name
        self.detecting = bool(evaluator.detectors)
        self.position: Callable[[], str | None] | None = None
        self.by_shape: dict[tuple[str | int, ...], tuple[_Plan | None, str]] = {}
        self.by_path: dict[tuple[str | int, ...], tuple[_Plan | None, str]] = {}

    def run(self) -> int:
        count = 0
        docs = self.docs
        rules = self.ev._rules
        for count, record in enumerate(docs.records, 1):
            index = docs.first_index + count - 1 if docs.index else None
            self.position = partial(docs.locate, record) if docs.locate else None
            self._walk(index, record, ())
            if rules and isinstance(record, dict):
                view = _with_aliases(record)
                applicable = [r for r in rules if r.applies_to(view)]
                if applicable:
                    self.ev.apply_rules(self.file, self.section, index, view, applicable,
                                        self.position)
        return count if docs.index else 0

    def _plan(self, path: tuple[str | int, ...]) -> tuple[_Plan | None, str]:
        """(plan, field pattern) for a concrete path, cached by path and by shape."""
        found = self.by_path.get(path)
        if found is not None:
            return found
        shape = tuple(ANY_INDEX if isinstance(p, int) else p for p in path)
        found = self.by_shape.get(shape)
        if found is None:
            pattern = _pattern(shape)
            found = (self.ev.field_plan(self.file, self.section, path, pattern), pattern)
            self.by_shape[shape] = found
        if len(self.by_path) < self._MAX_CACHED_PATHS:
            self.by_path[path] = found
        return found

    def _walk(self, index: int | None, value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._walk(index, item, path + (key if isinstance(key, str) else str(key),))
            return
        if isinstance(value, list):
            for position, item in enumerate(value):
                self._walk(index, item, path + (position,))
            return
        if value is None or value == "":
            return
        plan, pattern = self._plan(path)
        if plan is not None:
            self._hit(index, plan, path, value)
        if self.detecting and isinstance(value, str):
            self.ev.detect(self.file, self.section, index, display_path(path) if path else "@",
                           pattern, value, self.position)

    def _hit(self, index: int | None, plan: _Plan, path: tuple[str | int, ...],
             value: Any) -> None:
        kind = plan.kind
        finding = None
        if self.ev.collector.wants(kind.rule):
            field = display_path(path) if path else "@"
            message = plan.message.replace(f"'{kind.field}'", f"'{field}'", 1)
            position = self.position
            finding = Finding(self.file, index, field, kind.rule, kind.level, kind.action,
                              mask_value(value), message, position() if position else None,
                              self.section, kind.waived_by)
        self.ev.collector.add(kind, finding)


def _pattern(shape: tuple[str | int, ...]) -> str:
    """Display form of a shape: list indices shown as ``[*]``."""
    if not shape:
        return "@"
    parts = [0 if p == ANY_INDEX else p for p in shape]
    return display_path(parts).replace("[0]", "[*]")


def _single(index: int) -> Callable[[Sequence[Any]], tuple[Any]]:
    def get(row: Sequence[Any]) -> tuple[Any]:
        return (row[index],)
    return get


_alias = lru_cache(maxsize=4096)(normalize_key)


def _with_aliases(record: dict[str, Any]) -> dict[str, Any]:
    """*record* plus its top-level keys in normalised form (``Count`` -> ``count``).

    Record rules then find fields the way field rules do; without this a ``Count``
    column would make ``count < `5``` null and a small count would be published.
    """
    extra: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(key, str):
            alias = _alias(key)
            if alias != key and alias not in record:
                extra[alias] = value
    return {**record, **extra} if extra else record


class _Interpreter(jmespath.visitor.TreeInterpreter):
    """JMESPath as the spec says: ordering a number against text is null, not a crash.

    jmespath.py raises TypeError for ``"<5" < `5```; one suppressed count written as
    text must not turn a whole check into an internal error.
    """

    def visit_comparator(self, node: dict[str, Any], value: Any) -> Any:
        try:
            return super().visit_comparator(node, value)
        except TypeError:
            return None


_INTERPRETER = _Interpreter()


def _truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, empty string/list/object are false."""
    if value is None or value is False:
        return False
    return not (isinstance(value, (str, list, dict)) and len(value) == 0)


def _waiver_matches(waiver: Waiver, rule: str, field: str) -> bool:
    """Does *waiver* cover a finding of *rule* on *field* (a pattern like ``people[*].name``)?

    The waiver's field may name the field, its last key, or an enclosing field,
    with or without list indices, and may use globs.
    """
    if waiver.rule is not None and waiver.rule != rule:
        return False
    if waiver.field is None:
        return True
    pattern = ".".join(_GLOB_NON_ALNUM.sub("_", part.lower()).strip("_")
                       for part in _segments(waiver.field))
    keys = [normalize_key(part) for part in _segments(field)]
    candidates = {".".join(keys[:end]) for end in range(1, len(keys) + 1)} | {keys[-1]}
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


def _segments(path: str) -> list[str]:
    """Keys of a displayed path, list indices dropped: ``a[*]."b c".d`` -> ``[a, b c, d]``."""
    bare = _INDEX.sub("", path)
    return [part.strip('"') for part in _DOT_SPLIT.split(bare) if part] or [path]


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
