"""Walking a :class:`~guardrail.records.Table`: no dict per row, three ways.

* Field classification only: one ``itemgetter`` call per row and bulk counting.
* With content detectors: rows are read in batches and turned into columns
  (``zip``, in C); a scanned column is counted with ``Counter`` and each distinct
  value is scanned once, through a per-column cache. Only findings still being
  listed are walked row by row.
* Record rules need rows as records, so a table with applicable rules is read row
  by row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import compress, islice, repeat
from operator import is_, itemgetter
from typing import TYPE_CHECKING, Any

from .policy.paths import normalize_key
from .record_rules import CompiledRule, as_number, with_aliases
from .records import Table
from .scanning import as_text

if TYPE_CHECKING:
    from .engine import Evaluator, Plan
    from .scanning import FieldScanner, Hit

__all__ = ["TableRun"]

_BATCH = 1024  # rows per batch: large enough for C-level counting, small enough to hold
_POOL_AFTER_ROWS = 20 * _BATCH  # small tables are done before a worker would have started


class TableRun:
    """Evaluates one table for one evaluator."""

    def __init__(self, evaluator: Evaluator, file: str, table: Table) -> None:
        self.ev = evaluator
        self.file = file
        self.table = table
        self.section = table.name
        self.columns = [self._header(i, str(c)) for i, c in enumerate(table.columns)]
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

    def _header(self, index: int, name: str) -> str:
        """The column's name, or ``#N`` when the name itself is personal data."""
        hits = self.ev.key_hits(name)
        if not hits:
            return name
        label = f"#{index + 1}"
        self.ev.report_key(self.file, self.section, None, label, name, hits, None, None)
        return label

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
        table_locate = self.table.locate
        self.locate = (lambda src: table_locate(src[0], src[1])) if table_locate else None
        self.bad = [(i, plan) for i, plan in enumerate(self.plans) if plan is not None]
        self.scan = [(i, s.cache, s) for i, s in enumerate(self.scanners) if s is not None]
        self.tally: dict[tuple[int, str, str], int] = {}  # (column, rule, level) -> unlisted
        collector = self.ev.collector
        first = len(collector.findings)
        if self.rules:
            count = self._run_rows()
        elif self.scan:
            count = self._run_batches()
        else:
            count = self._run_classified()
        # Batches are handled column by column; list the findings record by record.
        collector.findings[first:] = sorted(collector.findings[first:],
                                            key=lambda f: -1 if f.record is None else f.record)
        for (column, rule, level), hits in self.tally.items():
            name = self._name(column)
            collector.add_many(self.ev.kind(self.file, self.section, rule, name, level), hits)
        return count

    def _run_classified(self) -> int:
        """Field classification only: one ``itemgetter`` call per row, then bulk counting.

        Once each rule's listed findings are full, a row whose blocked cells are all
        non-empty costs one C call and one ``all``.
        """
        ev = self.ev
        collector = ev.collector
        mark = self.table.mark
        width = len(self.columns)
        bad = self.bad
        getter = itemgetter(*(i for i, _ in bad)) if len(bad) > 1 else \
            (lambda row, i=bad[0][0]: (row[i],)) if bad else None
        listing = True
        bulk = 0  # rows counted, not listed
        count = 0
        for count, row in enumerate(self.table.rows, 1):
            if len(row) != width:
                self._row(count - 1, row, mark() if mark is not None else None)
                continue
            if getter is None:
                continue
            values = getter(row)
            if not listing and all(values):
                bulk += 1
                continue
            where = (row, mark() if mark is not None else None)
            for (_, plan), value in zip(bad, values, strict=True):
                if value is not None and value != "":
                    ev.report_value(plan, count - 1, plan.kind.field, value, self.locate, where)
            listing = any(collector.wants(plan.kind.rule) for _, plan in bad)
        for _, plan in bad:
            collector.add_many(plan.kind, bulk)
        return count

    def _run_batches(self) -> int:
        """Column at a time over batches of rows: repeated values cost one C-level count."""
        rows = iter(self.table.rows)
        mark = self.table.mark
        width = len(self.columns)
        count = 0
        pool = None
        pending: tuple[Any, ...] | None = None
        while True:
            if mark is None:
                batch = list(islice(rows, _BATCH))
                marks: list[Any] = [None] * len(batch)
            else:
                batch, marks = [], []
                for row in islice(rows, _BATCH):
                    batch.append(row)
                    marks.append(mark())
            if not batch:
                if pending is not None:
                    self._batch(*self._resolved(pending, pool))
                return count
            if set(map(len, batch)) != {width}:
                if pending is not None:
                    self._batch(*self._resolved(pending, pool))
                    pending = None
                for offset, row in enumerate(batch):
                    self._row(count + offset, row, marks[offset])
                count += len(batch)
                continue
            columns = list(zip(*batch, strict=True))
            if pool is None and self.ev.jobs > 1 and self.scan and count >= _POOL_AFTER_ROWS:
                pool = self.ev.pool()
            # With a worker, this batch is scanned there while the previous one is counted.
            work = self._unscanned(columns) if pool is not None else []
            if pending is not None and pending[-1] is not None:
                pending = (*pending[:-1], pool.result())  # type: ignore[union-attr]
            if work:
                pool.submit(work)  # type: ignore[union-attr]
            if pending is not None:
                self._batch(*pending)
            pending = (count, batch, marks, columns, work, True if work else None)
            count += len(batch)

    @staticmethod
    def _resolved(pending: tuple[Any, ...], pool: Any) -> tuple[Any, ...]:
        """*pending* with its worker result collected, if it is still out."""
        if pending[-1] is True:
            return (*pending[:-1], pool.result())
        return pending

    def _unscanned(self, columns: list[tuple[Any, ...]]) -> list[tuple[str, list[str]]]:
        """Distinct text values of each scanned column that its cache does not know."""
        work = []
        for column, cache, scanner in self.scan:
            fresh = [v for v in set(columns[column])
                     if v and v.__class__ is str and v not in cache]
            if fresh:
                work.append((scanner.field, fresh))
        return work

    def _batch(self, start: int, batch: list[Sequence[Any]], marks: list[Any],
               columns: list[tuple[Any, ...]], work: list[tuple[str, list[str]]],
               found: list[list[Any]] | None) -> None:
        """Classify and scan one batch, column by column."""
        ready: dict[str, dict[str, Any]] = {}
        if found is not None:  # what the worker found, per field
            for (field, sent), field_hits in zip(work, found, strict=True):
                ready[field] = dict(zip(sent, field_hits, strict=True))
        self._classify_batch(start, batch, marks, columns)
        for column, cache, scanner in self.scan:
            self._scan_column(start, batch, marks, column, columns[column], cache, scanner,
                              ready.get(scanner.field, {}))

    def _classify_batch(self, start: int, batch: list[Sequence[Any]], marks: list[Any],
                        columns: list[tuple[Any, ...]]) -> None:
        ev = self.ev
        collector = ev.collector
        for column, plan in self.bad:
            cells = columns[column]
            if collector.wants(plan.kind.rule):
                for offset, value in enumerate(cells):
                    if value is not None and value != "":
                        ev.report_value(plan, start + offset, plan.kind.field, value,
                                        self.locate, (batch[offset], marks[offset]))
            else:  # listing is full: count non-empty cells in C
                collector.add_many(plan.kind, len(cells) - cells.count("") - cells.count(None))

    def _scan_column(self, start: int, batch: list[Sequence[Any]], marks: list[Any],
                     column: int, cells: tuple[Any, ...], cache: dict[str, tuple[Hit, ...]],
                     scanner: FieldScanner, scanned: dict[str, tuple[Hit, ...]]) -> None:
        counts = Counter(cells)
        distinct = list(counts)
        known = list(map(cache.get, distinct))
        # In C: the values already scanned that hold something, and those never scanned.
        # Values scanned before that hold nothing cost nothing more.
        todo: list[tuple[Any, tuple[Hit, ...]]] = list(
            zip(compress(distinct, known), compress(known, known), strict=True))  # type: ignore[arg-type]
        fresh: list[tuple[Any, str]] = []  # values no cache knows: scanned together below
        for value in compress(distinct, map(is_, known, repeat(None))):
            text = as_text(value) if value else None
            if text is None:
                continue
            hits = cache.get(text)
            if hits is None:
                hits = scanned.get(text)
                if hits is None:
                    fresh.append((value, text))
                    continue
                scanner.remember(text, hits)
            if hits:
                todo.append((value, hits))
        if fresh:
            texts = [text for _, text in fresh]
            for (value, text), hits in zip(fresh, scanner.scan_many(texts), strict=True):
                scanner.remember(text, hits)
                if hits:
                    todo.append((value, hits))
        if not todo:
            return
        wants = self.ev.collector.wants
        tally = self.tally
        listed: dict[Any, tuple[Hit, ...]] = {}
        # Detectors of this column still being listed; usually none after a batch or two.
        open_rules = {d.id for d in scanner.detectors if wants(d.id)}
        for value, hits in todo:
            if open_rules and any(hit.rule in open_rules for hit in hits):
                listed[value] = hits  # some of these are listed: go row by row below
                continue
            times = counts[value]
            for hit in hits:
                key = (column, hit.rule, hit.level)
                tally[key] = tally.get(key, 0) + times
        if listed:
            for offset, value in enumerate(cells):
                value_hits = listed.get(value)
                if value_hits is not None:
                    self._hits(start + offset, column, as_text(value) or "", value_hits,
                               (batch[offset], marks[offset]))

    def _run_rows(self) -> int:
        """Row at a time: record rules need each row as a record."""
        mark = self.table.mark
        count = 0
        for count, row in enumerate(self.table.rows, 1):
            where = mark() if mark is not None else None
            self._row(count - 1, row, where)
            source = (row, where)
            for chosen, chosen_rules in self.variants:
                self.ev.apply_rules(self.file, self.section, count - 1,
                                    self._record(row, chosen), chosen_rules, self.locate,
                                    source)
        return count

    def _row(self, index: int, row: Sequence[Any], mark: Any) -> None:
        """Check every cell of one row."""
        source = (row, mark)
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            while column >= len(self.plans):
                self.plans.append(self._plan(len(self.plans)))
                self.scanners.append(self._scanner(len(self.scanners)))
            plan = self.plans[column]
            if plan is not None:
                self.ev.report_value(plan, index, self._name(column), value, self.locate,
                                     source)
            scanner = self.scanners[column]
            text = as_text(value) if scanner is not None else None
            if text:
                hits = scanner.scan(text)  # type: ignore[union-attr]
                if hits:
                    self._hits(index, column, text, hits, source)

    def _hits(self, index: int, column: int, value: str, hits: tuple[Any, ...],
              source: Any) -> None:
        """List the hits whose detector still wants examples; count the others."""
        wants = self.ev.collector.wants
        for hit in hits:
            if wants(hit.rule):
                name = self._name(column)
                self.ev.report_hits(self.file, self.section, index, name, name, value, (hit,),
                                    self.locate, source)
            else:
                key = (column, hit.rule, hit.level)
                self.tally[key] = self.tally.get(key, 0) + 1

    def _record(self, row: Sequence[Any], chosen: list[tuple[str, int]]) -> dict[str, Any]:
        typed = self.table.typed
        record = {name: row[index] if typed else as_number(row[index])
                  for name, index in chosen if index < len(row)}
        return with_aliases(record)
