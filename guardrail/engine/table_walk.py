"""Walking a :class:`~guardrail.contract.records.Table`: no dict per row, three ways.

* Field classification only: one ``itemgetter`` call per row and bulk counting.
* With content detectors: rows are read in batches and turned into columns
  (``zip``, in C); each scanned column is counted by value signature with Python
  work only per new value (``column_memory.py``), here or in a worker process
  (``worker.py``). Only findings still being listed are walked row by row.
  A column a field rule already blocks is not counted by its detectors: a value is
  one finding, whatever else it holds; they are asked only for the listed cells.
* Record rules need rows as records, so a table with applicable rules is read row
  by row.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress, islice, repeat
from operator import and_, itemgetter, not_
from typing import TYPE_CHECKING, Any

from guardrail.contract.records import Locator, Table
from guardrail.decision import FindingKind
from guardrail.engine.adjacent import values_of
from guardrail.engine.column_memory import ColumnCount, ColumnCounter
from guardrail.engine.evaluation import published_as_is
from guardrail.engine.record_rules import CompiledRule, as_number, with_aliases
from guardrail.engine.scanning import Signature, as_text
from guardrail.masking import count_redacted, might_be_redacted
from guardrail.policy.paths import normalize_key

Locate = Locator | None  # called with (row, mark)

if TYPE_CHECKING:
    from guardrail.engine.evaluation import Evaluation, Plan
    from guardrail.engine.scanning import FieldScanner, Hit
    from guardrail.engine.worker import ScanPool

__all__ = ["TableWalk"]

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
    filled: dict[int, int] = field(default_factory=dict)  # see TableWalk._count_filled
    hits: list[dict[str, tuple[Hit, ...]]] = field(default_factory=list)  # counted here
    covered: set[int] = field(default_factory=set)  # columns of values seen before only

    def source(self, offset: int) -> tuple[Sequence[Any], Any]:
        """What ``locate`` needs to say where row *offset* is."""
        return self.rows[offset], self.marks[offset]


class TableWalk:
    """Evaluates one table for one check.

    Each column has a *name*, by which rules classify it and record rules read it,
    and a *label*, how reports show it: the name, or ``#N`` when the name is personal
    data or a string no rule uses and no one would call a field name.
    """

    def __init__(self, evaluation: Evaluation, file: str, table: Table) -> None:
        self.ev = evaluation
        self.file = file
        self.table = table
        self.section = table.name
        self.columns: list[str] = []  # names
        self.labels: list[str] = []
        for index, name in enumerate(table.columns):
            self._header(index, str(name))
        self.plans: list[Plan | None] = [self._plan(i) for i in range(len(self.columns))]
        self.scanners: list[FieldScanner | None] = [self._scanner(i)
                                                    for i in range(len(self.columns))]
        present = {normalize_key(c) for c in self.columns} | set(self.columns)
        self.rules: list[CompiledRule] = []
        for compiled in evaluation.rules:
            if compiled.roots is not None and compiled.roots.isdisjoint(present):
                # None of its fields exist: the result is the same for every row.
                if not compiled.when_absent:
                    continue
            self.rules.append(compiled)
        self.variants = self._variants()
        self.plain = not table.typed  # every cell is text
        self.pairs = self._neighbour_pairs()
        # Per pair (by left column): Neighbours.generation after its first batch, or
        # None once a batch was not read whole (see _apply).
        self.marks: dict[int, int | None] = {}
        table_locate = table.locate
        self.locate: Locate = (lambda src: table_locate(src[0], src[1])) if table_locate \
            else None
        self.cell_locates: dict[int, Locate] = {}
        # An impact check groups affected records by an area column (impact_sink.py).
        impact = evaluation.impact
        self.area = impact.area_column(self.columns) if impact is not None else None

    def _header(self, index: int, name: str) -> None:
        """Name and label one column. A name that is personal data the destination may
        not receive is a finding, and the column is then known by its number alone."""
        label = f"#{index + 1}"
        hits = self.ev.name_hits(name)
        if any(self.ev.reports(hit) for hit in hits):
            self.ev.key(self.file, self.section, None, label, name, hits, None, None)
            name = label
        self.columns.append(name)
        self.labels.append(name if not hits and self.ev.shown_name(name) else label)

    def name(self, index: int) -> str:
        """Column *index* as rules know it (``#N`` past the header's end)."""
        return self.columns[index] if index < len(self.columns) else f"#{index + 1}"

    def label(self, index: int) -> str:
        """Column *index* as reports show it."""
        return self.labels[index] if index < len(self.labels) else f"#{index + 1}"

    def plan(self, index: int) -> Plan | None:
        """What a field rule reports for a value in column *index*, if anything."""
        return self.plans[index] if index < len(self.plans) else self._plan(index)

    def _plan(self, index: int) -> Plan | None:
        return self.ev.field_plan(self.file, self.section, (self.name(index),),
                                  self.label(index))

    def _scanner(self, index: int) -> FieldScanner | None:
        scanner = self.ev.scanner
        return scanner.for_field(self.name(index)) if scanner is not None else None

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
        # Columns a field rule reports are walked with their plan; the others' detectors
        # count by signature.
        self.scan = [(i, s) for i, s in enumerate(self.scanners)
                     if s is not None and self.plans[i] is None]
        paired = {column for left, _ in self.pairs for column in (left, left + 1)}
        self.counters = [(i, ColumnCounter(s, self.plain, vocabulary=i in paired))
                         for i, s in self.scan]
        self.fields = [s.field for _, s in self.scan]
        self.tally: dict[FindingKind, int] = {}  # counted, not listed
        self.primaries: dict[tuple[int, Signature], FindingKind] = {}
        if self.rules or self.ev.impact is not None:
            count = self._run_rows()
        elif any(s is not None for s in self.scanners):
            count = self._run_batches()
        else:
            count = self._run_classified()
        sink = self.ev.sink
        for kind, times in self.tally.items():
            sink.count(kind, times)
        return count

    def _run_classified(self) -> int:
        """Field classification only: one ``itemgetter`` call per row, then bulk counting.

        Once each rule's listed findings are full, a row whose blocked cells are all
        non-empty costs one C call and one ``all``.
        """
        ev = self.ev
        sink = ev.sink
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
                    ev.value(self.file, self.section, count - 1, plan.kind.field,
                             plan.kind.field, value, plan, (), self._where(column), where)
            listing = any(sink.wants(plan.kind.rule) for _, plan in bad)
        for _, plan in bad:
            sink.count(plan.kind, bulk)
        return count

    def _run_batches(self) -> int:
        """Column at a time over batches of rows: repeated values cost one C-level count.

        With a worker, batches go to it while it has room (``worker.MAX_IN_FLIGHT``);
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
            if pool is None and self.ev.jobs > 1 and count > _POOL_AFTER_ROWS and self.counters:
                pool = self.ev.pool()
            if pool is not None and pool.can_take():
                pool.submit(self.fields, self.plain,
                            [batch.columns[column] for column, _ in self.counters])
                batch.counts = None  # out at the worker
            else:
                batch.counts = self._count(batch)
            waiting.append(batch)
            # Apply what is done, oldest first; never hold more than a few batches.
            while waiting and (waiting[0].counts is not None or
                               (pool is not None and pool.ready()) or len(waiting) > _WAITING):
                self._apply(waiting.popleft(), pool)

    def _count(self, batch: _Batch) -> list[ColumnCount | None]:
        """Count the batch's scanned columns here; the hits of values scanned for it are
        kept on the batch, for listing."""
        counts = []
        for column, counter in self.counters:
            counts.append(counter.count(batch.columns[column]))
            batch.hits.append(counter.hits)
            if counter.covered:
                batch.covered.add(column)
        return counts

    def _apply(self, batch: _Batch, pool: ScanPool | None) -> None:
        """Classify one batch and add what its scanned columns hold, in row order."""
        if batch.counts is None:  # counted by the worker
            batch.counts = pool.result()  # type: ignore[union-attr]
        self._classify_batch(batch)
        wants = self.ev.sink.wants
        tally = self.tally
        for index, ((column, counter), counted) in enumerate(
                zip(self.counters, batch.counts, strict=True)):
            if counted is None:
                continue
            listed = set()
            for signature, times in counted.counts.items():
                primary = self._primary(column, signature)
                if wants(primary.rule):
                    listed.add(signature)  # some of these are listed: go row by row below
                    continue
                tally[primary] = tally.get(primary, 0) + times
            if not listed:
                continue
            signatures = counted.signatures
            found = batch.hits[index] if batch.hits else {}  # else rescanned here
            cells = batch.columns[column]
            for offset, signature in enumerate(signatures):
                if signature in listed:
                    text = as_text(cells[offset]) or ""
                    hits = found.get(text) or counter.scanner.scan(text)
                    self._hits(batch.start + offset, column, text, hits, batch.source(offset))
        if self.pairs:
            values: dict[int, set[str]] = {}  # per column: shared by its two pairs
            held = {column: counted.signatures
                    for (column, _), counted in zip(self.counters, batch.counts, strict=True)
                    if counted is not None}
            covered, marks = batch.covered, self.marks
            neighbours = self.ev.neighbours
            for left, pair in self.pairs:
                # Both columns hold only values of earlier batches, each passed to the
                # pair and, as it says, read with every other: nothing to read
                # (see vocabulary.py).
                if left in covered and left + 1 in covered \
                        and neighbours.settled(pair, marks.get(left)):  # type: ignore[union-attr]
                    continue
                whole = self._across_columns(
                    batch.columns[left], batch.columns[left + 1], left, pair,
                    lambda offset: batch.start + offset, batch.source, held.get(left),
                    held.get(left + 1), values)
                if not whole:
                    # A value passed over with its row (a cell held something) may be
                    # known to its column and not to the pair: read from then on.
                    marks[left] = None
                elif left not in marks:  # taken once: a later forgetting ends settling
                    marks[left] = neighbours.generation(pair)  # type: ignore[union-attr]

    def _primary(self, column: int, signature: Signature) -> FindingKind:
        """The rule a value with these hits is counted under (see Evaluation.matches)."""
        key = (column, signature)
        found = self.primaries.get(key)
        if found is None:
            label = self.label(column)
            ev = self.ev
            kinds = [ev.kind(self.file, self.section, rule, label, level)
                     for rule, level in signature]
            found = self.primaries[key] = min(kinds, key=lambda k: ev.precedence(k, True))
        return found

    def _count_filled(self, columns: list[tuple[Any, ...]]) -> dict[int, int]:
        """Non-empty cells of each classified column whose findings are no longer listed,
        counted in C as soon as a batch is read, while its cells are still in the CPU
        cache (counting them when the batch is applied, later, costs several times more)."""
        wants = self.ev.sink.wants
        return {column: self._filled(columns[column], plan)
                for column, plan in self.bad
                if not wants(plan.kind.rule) and self._merged(column, plan)}

    def _merged(self, column: int, plan: Plan) -> bool:
        """True when a cell of *column* is one finding of *plan* whatever detectors find
        in it: the plan blocks, or no detector looks at the column."""
        return plan.kind.blocking or self.scanners[column] is None

    def _filled(self, cells: tuple[Any, ...], plan: Plan) -> int:
        """Cells holding a value the plan reports (not empty, not redaction output)."""
        return (len(cells) - cells.count("") - (cells.count(None) if self.table.typed else 0)
                - count_redacted(cells, plan.kind.action))

    def _classify_batch(self, batch: _Batch) -> None:
        ev = self.ev
        sink = ev.sink
        for column, plan in self.bad:
            filled = batch.filled.get(column)
            if filled is not None:  # not listed since the batch was read: counted then
                sink.count(plan.kind, filled)
            elif sink.wants(plan.kind.rule) or not self._merged(column, plan):
                # Listed, or a warning that a detector's hit may turn into a block.
                scanner = self.scanners[column]
                for offset, value in enumerate(batch.columns[column]):
                    if value is not None and value != "":
                        text = as_text(value) if scanner is not None else None
                        ev.value(self.file, self.section, batch.start + offset,
                                 plan.kind.field, plan.kind.field, value, plan,
                                 scanner.scan(text) if text else (),  # type: ignore[union-attr]
                                 self._where(column), batch.source(offset))
            else:
                sink.count(plan.kind, self._filled(batch.columns[column], plan))

    def _run_rows(self) -> int:
        """Row at a time: record rules need each row as a record, an impact check each
        finding's record. Neighbouring cells are read together a batch of rows at a
        time, as in :meth:`_run_batches`."""
        mark = self.table.mark
        count = 0
        held: list[tuple[int, Sequence[Any], Any]] = []
        for count, row in enumerate(self.table.rows, 1):
            at = mark() if mark is not None else None
            self.check_row(count - 1, row, at, neighbours=False)
            held.append((count - 1, row, at))
            if len(held) == _BATCH:
                self._across_rows(held)
                held = []
        self._across_rows(held)
        return count

    def check_row(self, index: int, row: Sequence[Any], mark: Any = None,
                  neighbours: bool = True) -> None:
        """Check one row: its cells, its neighbouring cells read together (unless the
        caller reads them by batch), then the record rules (the slow, general path)."""
        impact = self.ev.impact
        if impact is not None:
            area = self.area
            impact.begin_record(self.file, self.section, index,
                                row[area] if area is not None and area < len(row) else None,
                                self.label(area) if area is not None else None)
        self._row(index, row, mark)
        if neighbours and self.pairs:
            self._across_rows([(index, row, mark)])
        source = (row, mark)
        for chosen, chosen_rules in self.variants:
            if chosen_rules:  # a row read for an impact check may have no rule to meet
                self.ev.apply_rules(self.file, self.section, index,
                                    self._record(row, chosen), chosen_rules, self.locate,
                                    source)

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
            scanner = self.scanners[column]
            text = as_text(value) if scanner is not None else None
            hits = scanner.scan(text) if text else ()  # type: ignore[union-attr]
            if plan is not None or hits:
                label = self.label(column)
                self.ev.value(self.file, self.section, index, label, label, value, plan, hits,
                              self._where(column), source)

    def _neighbour_pairs(self) -> list[tuple[int, FieldScanner]]:
        """Neighbouring columns whose values are also read together (``adjacent.py``):
        both scanned by detectors, neither blocked whole by a field rule (a column its
        rule only warns about is published as it is)."""
        neighbours = self.ev.neighbours
        pairs: list[tuple[int, FieldScanner]] = []
        if neighbours is None:
            return pairs
        kept = list(map(published_as_is, self.plans))
        for left in range(len(self.columns) - 1):
            first, second = self.scanners[left], self.scanners[left + 1]
            if first is None or second is None or not (kept[left] and kept[left + 1]):
                continue
            pair = neighbours.scanner_for(first, second)
            if pair is not None:
                pairs.append((left, pair))
        return pairs

    def _across_rows(self, held: list[tuple[int, Sequence[Any], Any]]) -> None:
        """Read the neighbouring cells of rows checked one by one (index, row, mark)."""
        width = len(self.columns)
        held = [entry for entry in held if len(entry[1]) == width]  # ragged: no pairs
        if not held or not self.pairs:
            return
        rows = [row for _, row, _ in held]
        columns = {c: list(map(itemgetter(c), rows))
                   for left, _ in self.pairs for c in (left, left + 1)}
        # Cells with findings of their own, as each column's scanner remembers them.
        holding = {c: list(map(self.scanners[c].cache.get, cells))  # type: ignore[union-attr]
                   for c, cells in columns.items()}
        values: dict[int, set[str]] = {}
        for left, pair in self.pairs:
            self._across_columns(columns[left], columns[left + 1], left, pair,
                                 lambda offset: held[offset][0],
                                 lambda offset: (held[offset][1], held[offset][2]),
                                 holding[left], holding[left + 1], values)

    def _across_columns(self, lefts: Sequence[Any], rights: Sequence[Any], left: int,
                        pair: FieldScanner, index_of: Any, source: Any,
                        left_holds: Sequence[Any] | None,
                        right_holds: Sequence[Any] | None,
                        values: dict[int, set[str]]) -> bool:
        """Read two neighbouring columns of a run of rows together (``adjacent.py``);
        whether every row was read.

        Rows where a cell holds findings of its own (*left_holds*, *right_holds*: each
        cell's hits or signature; None: no cell holds any) are reported already and
        left out, in C. Rows are walked only where a pair of values holds something.
        *values*: the distinct values of whole text columns of these rows, by column,
        computed when first needed, once for the two pairs a column is in.
        """
        rows: Sequence[int] = range(len(lefts))
        whole = True  # every row of both columns is read
        if left_holds is not None or right_holds is not None:
            free = list(map(and_, map(not_, left_holds or repeat(None)),
                            map(not_, right_holds or repeat(None))))
            if not all(free):
                rows = list(compress(rows, free))
                lefts, rights = list(compress(lefts, free)), list(compress(rights, free))
                whole = False
        if not rows:
            return whole
        distinct = None
        if not self.plain:  # typed cells: only text is read across
            lefts = [v if v.__class__ is str else "" for v in lefts]
            rights = [v if v.__class__ is str else "" for v in rights]
        elif whole:
            def distinct() -> tuple[set[str], set[str]]:
                for column, cells in ((left, lefts), (left + 1, rights)):
                    if column not in values:
                        values[column] = values_of(cells)
                return values[left], values[left + 1]
        found = self.ev.neighbours.find(  # type: ignore[union-attr]
            pair, lefts, rights, distinct)
        if not found:
            return whole
        cells = list(zip(lefts, rights, strict=True))
        for offset in compress(range(len(cells)), map(found.__contains__, cells)):
            first, second = cells[offset]
            join, hits = found[cells[offset]]
            shown = [(self.label(c), self.label(c), text, self._where(c))
                     for c, text in ((left, first), (left + 1, second))]
            row = rows[offset]
            self.ev.across(self.file, self.section, index_of(row), shown, join, hits,
                           source(row))
        return whole

    def _hits(self, index: int, column: int, value: str, hits: tuple[Any, ...],
              source: Any) -> None:
        """Report one listed cell of a column no field rule reports."""
        label = self.label(column)
        self.ev.value(self.file, self.section, index, label, label, value, None, hits,
                      self._where(column), source)

    def _record(self, row: Sequence[Any], chosen: list[tuple[str, int]]) -> dict[str, Any]:
        typed = self.table.typed
        record = {name: row[index] if typed else as_number(row[index])
                  for name, index in chosen if index < len(row)}
        return with_aliases(record)
