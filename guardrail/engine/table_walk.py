"""Walking a :class:`~guardrail.contract.records.Table`: no dict per row, three ways.

* Field classification only: one ``itemgetter`` call per row and bulk counting.
* With content detectors: rows are read in batches and turned into columns
  (``zip``, in C); each scanned column is counted by value signature with Python
  work only per new value (``column_counts.py``), here or in a worker process
  (``parallel.py``). Only findings still being listed are walked row by row.
* Record rules need rows as records, so a table with applicable rules is read row
  by row.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from guardrail.engine.column_memory import ColumnCount, ColumnCounter
from guardrail.masking import count_redacted, might_be_redacted
from guardrail.policy.paths import normalize_key
from guardrail.engine.record_rules import CompiledRule, as_number, with_aliases
from guardrail.contract.records import Locator, Table
from guardrail.engine.scanning import as_text

Locate = Locator | None  # called with (row, mark)

if TYPE_CHECKING:
    from guardrail.engine.evaluator import Evaluator, Plan
    from guardrail.engine.worker import ScanPool
    from guardrail.engine.scanning import FieldScanner, Hit

__all__ = ["TableRun"]

_BATCH = 1024  # rows per batch: large enough for C-level counting, small enough to hold
_POOL_AFTER_ROWS = 20 * _BATCH  # small tables are done before a worker would have started
_WAITING = 8  # batches read ahead of the one being applied, at most


@dataclass(slots=True)
class _Batch:
    """Rows read together, as columns, and what their scanned columns hold."""

    start: int  # index of the first row
    rows: list[Sequence[Any]]
    marks: list[Any]
    columns: list[tuple[Any, ...]]
    counts: list[ColumnCount | None] | None = None  # per scanned column; None: at the worker
    filled: dict[int, int] = field(default_factory=dict)  # see TableRun._count_filled
    hits: list[dict[str, tuple[Hit, ...]]] = field(default_factory=list)  # counted here

    def source(self, offset: int) -> tuple[Sequence[Any], Any]:
        """What ``locate`` needs to say where row *offset* is."""
        return self.rows[offset], self.marks[offset]


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
        table_locate = table.locate
        self.locate: Locate = (lambda src: table_locate(src[0], src[1])) if table_locate \
            else None
        self.cell_locates: dict[int, Locate] = {}

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

    def _where(self, column: int) -> Locate:
        """How a finding in *column* says where it is: the cell (``Sheet1!C12``) when
        the table names cells, else the row."""
        cell = self.table.cell
        if cell is None:
            return self.locate
        found = self.cell_locates.get(column)
        if found is None:
            found = self.cell_locates[column] = lambda src: cell(src[1], column)
        return found

    def run(self) -> int:
        self.bad = [(i, plan) for i, plan in enumerate(self.plans) if plan is not None]
        self.scan = [(i, s) for i, s in enumerate(self.scanners) if s is not None]
        self.plain = not self.table.typed  # every cell is text
        self.counters = [(i, ColumnCounter(s, self.plain)) for i, s in self.scan]
        self.fields = [s.field for _, s in self.scan]
        self.rule_ids = frozenset(d.id for _, s in self.scan for d in s.detectors)
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
            if not listing and all(values) and not might_be_redacted(values):
                bulk += 1
                continue
            where = (row, mark() if mark is not None else None)
            for (column, plan), value in zip(bad, values, strict=True):
                if value is not None and value != "":
                    ev.report_value(plan, count - 1, plan.kind.field, value,
                                    self._where(column), where)
            listing = any(collector.wants(plan.kind.rule) for _, plan in bad)
        for _, plan in bad:
            collector.add_many(plan.kind, bulk)
        return count

    def _run_batches(self) -> int:
        """Column at a time over batches of rows: repeated values cost one C-level count.

        With a worker, batches go to it while it has room (``parallel.MAX_IN_FLIGHT``);
        the others are counted here. Counts are applied in batch order either way.
        """
        rows = iter(self.table.rows)
        mark = self.table.mark
        width = len(self.columns)
        count = 0
        pool: ScanPool | None = None
        waiting: deque[_Batch] = deque()  # read, not yet applied; in order
        while True:
            if mark is None:
                rows_read = list(islice(rows, _BATCH))
                marks: list[Any] = [None] * len(rows_read)
            else:
                rows_read, marks = [], []
                for row in islice(rows, _BATCH):
                    rows_read.append(row)
                    marks.append(mark())
            if not rows_read or set(map(len, rows_read)) != {width}:
                while waiting:
                    self._apply(waiting.popleft(), pool)
                if not rows_read:
                    return count
                for offset, row in enumerate(rows_read):  # ragged rows: one at a time
                    self._row(count + offset, row, marks[offset])
                count += len(rows_read)
                continue
            batch = _Batch(count, rows_read, marks, list(zip(*rows_read, strict=True)))
            batch.filled = self._count_filled(batch.columns)
            count += len(rows_read)
            if pool is None and self.ev.jobs > 1 and count > _POOL_AFTER_ROWS:
                pool = self.ev.pool()
            if pool is not None and pool.can_take():
                pool.submit(self.fields, self.plain,
                            [batch.columns[column] for column, _ in self.counters],
                            self._listing())
                batch.counts = None  # out at the worker
            else:
                batch.counts = self._count(batch)
            waiting.append(batch)
            # Apply what is done, oldest first; never hold more than a few batches.
            while waiting and (waiting[0].counts is not None or
                               (pool is not None and pool.ready()) or len(waiting) > _WAITING):
                self._apply(waiting.popleft(), pool)

    def _listing(self) -> frozenset[str]:
        """Detectors still listing examples: their cells are walked one by one."""
        wants = self.ev.collector.wants
        return frozenset(rule for rule in self.rule_ids if wants(rule))

    def _count(self, batch: _Batch) -> list[ColumnCount | None]:
        """Count the batch's scanned columns here; the hits of values scanned for it are
        kept on the batch, for listing."""
        listing = self._listing()
        counts = []
        for column, counter in self.counters:
            counts.append(counter.count(batch.columns[column], listing))
            batch.hits.append(counter.hits)
        return counts

    def _apply(self, batch: _Batch, pool: ScanPool | None) -> None:
        """Classify one batch and add what its scanned columns hold, in row order."""
        if batch.counts is None:  # counted by the worker
            batch.counts = pool.result()  # type: ignore[union-attr]
        self._classify_batch(batch)
        wants = self.ev.collector.wants
        tally = self.tally
        for index, ((column, counter), counted) in enumerate(
                zip(self.counters, batch.counts, strict=True)):
            if counted is None:
                continue
            listed = set()
            for signature, times in counted.counts.items():
                if any(wants(rule) for rule, _ in signature):
                    listed.add(signature)  # some of these are listed: go row by row below
                    continue
                for rule, level in signature:
                    key = (column, rule, level)
                    tally[key] = tally.get(key, 0) + times
            if not listed:
                continue
            # Rules only stop listing, so one listed now was listed when counted, and
            # each cell's signature was kept.
            signatures = counted.signatures
            assert signatures is not None, "a listed rule was not listed when counted"
            found = batch.hits[index] if batch.hits else {}  # else rescanned here
            cells = batch.columns[column]
            for offset, signature in enumerate(signatures):
                if signature in listed:
                    text = as_text(cells[offset]) or ""
                    hits = found.get(text) or counter.scanner.scan(text)
                    self._hits(batch.start + offset, column, text, hits, batch.source(offset))

    def _count_filled(self, columns: list[tuple[Any, ...]]) -> dict[int, int]:
        """Non-empty cells of each classified column whose findings are no longer listed,
        counted in C as soon as a batch is read, while its cells are still in the CPU
        cache (counting them when the batch is applied, later, costs several times more)."""
        wants = self.ev.collector.wants
        return {column: self._filled(columns[column], plan)
                for column, plan in self.bad if not wants(plan.kind.rule)}

    def _filled(self, cells: tuple[Any, ...], plan: Plan) -> int:
        """Cells holding a value the plan reports (not empty, not redaction output)."""
        return (len(cells) - cells.count("") - (cells.count(None) if self.table.typed else 0)
                - count_redacted(cells, plan.kind.action))

    def _classify_batch(self, batch: _Batch) -> None:
        ev = self.ev
        collector = ev.collector
        for column, plan in self.bad:
            filled = batch.filled.get(column)
            if filled is not None:  # not listed since the batch was read: counted then
                collector.add_many(plan.kind, filled)
            elif collector.wants(plan.kind.rule):
                for offset, value in enumerate(batch.columns[column]):
                    if value is not None and value != "":
                        ev.report_value(plan, batch.start + offset, plan.kind.field, value,
                                        self._where(column), batch.source(offset))
            else:
                collector.add_many(plan.kind, self._filled(batch.columns[column], plan))

    def _run_rows(self) -> int:
        """Row at a time: record rules need each row as a record."""
        mark = self.table.mark
        count = 0
        for count, row in enumerate(self.table.rows, 1):
            self.check_row(count - 1, row, mark() if mark is not None else None)
        return count

    def check_row(self, index: int, row: Sequence[Any], mark: Any = None) -> None:
        """Check one row: its cells, then the record rules (the slow, general path)."""
        self._row(index, row, mark)
        source = (row, mark)
        for chosen, chosen_rules in self.variants:
            self.ev.apply_rules(self.file, self.section, index, self._record(row, chosen),
                                chosen_rules, self.locate, source)

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
                self.ev.report_value(plan, index, self._name(column), value, self._where(column),
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
                                    self._where(column), source)
            else:
                key = (column, hit.rule, hit.level)
                self.tally[key] = self.tally.get(key, 0) + 1

    def _record(self, row: Sequence[Any], chosen: list[tuple[str, int]]) -> dict[str, Any]:
        typed = self.table.typed
        record = {name: row[index] if typed else as_number(row[index])
                  for name, index in chosen if index < len(row)}
        return with_aliases(record)
