"""Walking a :class:`~guardrail.records.Table`: one pass, no dict per row.

Blocked cells of a row are fetched with one ``itemgetter`` call; once each rule's
listed findings are full, rows whose blocked cells are all non-empty are counted
in bulk. Content detectors scan only the columns they apply to, through a
per-column cache, and record rules build a small dict only when a table has
the fields they read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .policy.paths import normalize_key
from .record_rules import CompiledRule, as_number, with_aliases
from .records import Table

if TYPE_CHECKING:
    from .engine import Evaluator, Plan
    from .scanning import FieldScanner

__all__ = ["TableRun"]


class TableRun:
    """Evaluates one table for one evaluator."""

    def __init__(self, evaluator: Evaluator, file: str, table: Table) -> None:
        self.ev = evaluator
        self.file = file
        self.table = table
        self.section = table.name
        self.columns = [str(c) for c in table.columns]
        self.plans: list[Plan | None] = [self._plan(i) for i in range(len(self.columns))]
        self.scanners: list[FieldScanner | None] = [self._scanner(i)
                                                    for i in range(len(self.columns))]
        present = {normalize_key(c) for c in self.columns} | set(self.columns)
        self.rules: list[CompiledRule] = []
        for compiled in evaluator.rules:
            if compiled.roots is not None and compiled.roots.isdisjoint(present):
                # None of its fields exist: the result is the same for every row.
                if not compiled.when_absent:
                    continue
            self.rules.append(compiled)
        self.variants = self._variants()

    def _name(self, index: int) -> str:
        return self.columns[index] if index < len(self.columns) else f"#{index + 1}"

    def _plan(self, index: int) -> Plan | None:
        name = self._name(index)
        return self.ev.field_plan(self.file, self.section, (name,), name)

    def _scanner(self, index: int) -> FieldScanner | None:
        scanner = self.ev.scanner
        return scanner.for_field(self._name(index)) if scanner is not None else None

    def _variants(self) -> list[tuple[list[tuple[str, int]], list[CompiledRule]]]:
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

    def run(self) -> int:
        ev = self.ev
        collector = ev.collector
        locate = self.table.locate
        width = len(self.columns)
        bad = [(i, plan) for i, plan in enumerate(self.plans) if plan is not None]
        getter = _getter([i for i, _ in bad])
        scan = [(i, s.cache, s) for i, s in enumerate(self.scanners) if s is not None]
        rules = self.rules
        listing = True
        bulk = 0  # rows whose blocked cells were all non-empty: counted, not listed
        count = 0
        for count, row in enumerate(self.table.rows, 1):
            if len(row) != width:
                self._cells(count - 1, row)
            else:
                if getter is not None:
                    values = getter(row)
                    if not listing and all(values):
                        bulk += 1
                    else:
                        for (_, plan), value in zip(bad, values, strict=True):
                            if value is not None and value != "":
                                ev.report_value(plan, count - 1, plan.kind.field, value,
                                                locate, row)
                        listing = any(collector.wants(plan.kind.rule) for _, plan in bad)
                for column, cache, scanner in scan:
                    value = row[column]
                    if value and value.__class__ is str:
                        hits = cache.get(value)
                        if hits is None:
                            hits = scanner.scan(value)
                        if hits:
                            name = self.columns[column]
                            ev.report_hits(self.file, self.section, count - 1, name, name,
                                           hits, locate, row)
            if rules:
                for chosen, chosen_rules in self.variants:
                    ev.apply_rules(self.file, self.section, count - 1,
                                   self._record(row, chosen), chosen_rules, locate, row)
        for _, plan in bad:
            collector.add_many(plan.kind, bulk)
        return count

    def _record(self, row: Sequence[Any], chosen: list[tuple[str, int]]) -> dict[str, Any]:
        typed = self.table.typed
        record = {name: row[index] if typed else as_number(row[index])
                  for name, index in chosen if index < len(row)}
        return with_aliases(record)

    def _cells(self, index: int, row: Sequence[Any]) -> None:
        """Check every cell of a row whose length differs from the header's."""
        locate = self.table.locate
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            while column >= len(self.plans):
                self.plans.append(self._plan(len(self.plans)))
                self.scanners.append(self._scanner(len(self.scanners)))
            plan = self.plans[column]
            name = self._name(column)
            if plan is not None:
                self.ev.report_value(plan, index, name, value, locate, row)
            scanner = self.scanners[column]
            if scanner is not None and isinstance(value, str):
                hits = scanner.scan(value)
                if hits:
                    self.ev.report_hits(self.file, self.section, index, name, name, hits,
                                        locate, row)


def _getter(indices: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]] | None:
    if not indices:
        return None
    if len(indices) > 1:
        return itemgetter(*indices)
    only = indices[0]

    def get(row: Sequence[Any]) -> tuple[Any, ...]:
        return (row[only],)
    return get
