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
from dataclasses import dataclass, field
from itertools import compress, islice, repeat
from operator import is_, itemgetter
from typing import TYPE_CHECKING, Any, Literal

from .policy.paths import normalize_key
from .record_rules import CompiledRule, as_number, with_aliases
from .records import Table
from .scanning import Signature, as_text, signature_of

if TYPE_CHECKING:
    from .engine import Evaluator, Plan
    from .parallel import ScanPool, Work
    from .scanning import FieldScanner, Hit

__all__ = ["TableRun"]

_BATCH = 1024  # rows per batch: large enough for C-level counting, small enough to hold
_POOL_AFTER_ROWS = 20 * _BATCH  # small tables are done before a worker would have started
_KNOWN_LIMIT = 50_000  # values whose signature a column remembers before starting again
_KNOWN_MAX_LENGTH = 256  # longer values (free text) rarely repeat: not remembered
_NOTHING: dict[Any, Signature] = {"": (), None: ()}  # empty cells hold nothing
# A column of a batch: each cell's signature (None: unknown) and the unknown values.
Lookup = tuple[list[Signature | None], set[Any]]


@dataclass(slots=True)
class _Batch:
    """Rows read together, as columns, and what the worker was sent and found for them."""

    start: int  # index of the first row
    rows: list[Sequence[Any]]
    marks: list[Any]
    columns: list[tuple[Any, ...]]
    lookups: list[Lookup | None] | None = None  # per scanned column, made when read
    sent: Work = field(default_factory=list)
    found: list[list[Signature]] | None = None

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
        self.scan = [(i, s) for i, s in enumerate(self.scanners) if s is not None]
        # Per scanned column: value -> signature, the (rule, level) of each hit in it.
        self.known: dict[int, dict[Any, Signature]] = {
            i: dict(_NOTHING) for i, _ in self.scan}
        self.quiet = dict.fromkeys(self.known, True)  # no new value could hold anything
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
        """Column at a time over batches of rows: repeated values cost one C-level count.

        With a worker, batch *n* is scanned there while batch *n-1* is counted here.
        """
        rows = iter(self.table.rows)
        mark = self.table.mark
        width = len(self.columns)
        count = 0
        pool: ScanPool | None = None
        pending: _Batch | None = None
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
                if pending is not None:
                    self._finish(pending, pool)
                    pending = None
                if not rows_read:
                    return count
                for offset, row in enumerate(rows_read):  # ragged rows: one at a time
                    self._row(count + offset, row, marks[offset])
                count += len(rows_read)
                continue
            batch = _Batch(count, rows_read, marks, list(zip(*rows_read, strict=True)))
            count += len(rows_read)
            if pool is None and self.ev.jobs > 1 and count > _POOL_AFTER_ROWS:
                pool = self.ev.pool()
            if pool is not None:
                batch.lookups = [self._lookup(column, scanner, batch.columns[column])
                                 for column, scanner in self.scan]
                work = self._unscanned(batch.lookups)
                if pending is not None and pending.sent:
                    pending.found = pool.result()
                if work:  # the worker takes its share; the rest is scanned here
                    batch.sent = pool.submit(work)
            if pending is not None:
                self._finish(pending, pool)
            pending = batch

    def _finish(self, batch: _Batch, pool: ScanPool | None) -> None:
        """Classify and scan one batch, column by column, with what the worker found."""
        if batch.sent and batch.found is None:
            batch.found = pool.result()  # type: ignore[union-attr]
        found: dict[str, dict[str, Signature]] = {}
        for (field, sent), signatures in zip(batch.sent, batch.found or (), strict=True):
            found[field] = dict(zip(sent, signatures, strict=True))
        self._classify_batch(batch)
        for index, (column, scanner) in enumerate(self.scan):
            lookup = batch.lookups[index] if batch.lookups is not None else False
            self._scan_column(batch, column, scanner, lookup, found.get(scanner.field, {}))

    def _unscanned(self, lookups: list[Lookup | None]) -> Work:
        """Distinct text values of each scanned column that no cache knows and that may
        hold something: what is worth sending to the worker."""
        work = []
        for (_, scanner), lookup in zip(self.scan, lookups, strict=True):
            if lookup is None or not lookup[1]:
                continue
            cache = scanner.cache
            fresh = [v for v in lookup[1] if v and v.__class__ is str and v not in cache]
            if fresh:
                work.append((scanner.field, fresh))
        return work

    def _lookup(self, column: int, scanner: FieldScanner, cells: tuple[Any, ...]) -> Lookup | None:
        """The signature of each cell the column knows (None if not) and the unknown values
        that may hold something; None when no cell can hold anything.

        Values no detector's RE2 gate can match, joined (references, codes, months), are
        settled in C and not remembered: they need no Python work per value. A column
        quiet in its last batch is first tried whole, which is two C passes in all.
        """
        plain = not self.table.typed  # every cell is text
        if plain and self.quiet[column] and scanner.holds_nothing(cells):
            return None
        known = self.known[column]
        if len(known) > _KNOWN_LIMIT:
            known.clear()
            known.update(_NOTHING)
        signatures = list(map(known.get, cells))
        if None not in signatures:
            return signatures, set()
        missing = set(compress(cells, map(is_, signatures, repeat(None))))
        self.quiet[column] = quiet = plain and scanner.holds_nothing(missing)
        if quiet:
            return list(map(dict.fromkeys(missing, ()).get, cells, signatures)), set()
        return signatures, missing

    def _classify_batch(self, batch: _Batch) -> None:
        ev = self.ev
        collector = ev.collector
        for column, plan in self.bad:
            cells = batch.columns[column]
            if collector.wants(plan.kind.rule):
                for offset, value in enumerate(cells):
                    if value is not None and value != "":
                        ev.report_value(plan, batch.start + offset, plan.kind.field, value,
                                        self.locate, batch.source(offset))
            else:  # listing is full: count non-empty cells in C
                empty = cells.count("") + (cells.count(None) if self.table.typed else 0)
                collector.add_many(plan.kind, len(cells) - empty)

    def _scan_column(self, batch: _Batch, column: int, scanner: FieldScanner,
                     lookup: Lookup | None | Literal[False],
                     found: dict[str, Signature]) -> None:
        """Count what one column of a batch holds, scanning only values not seen before.

        Every value seen maps to its *signature*, the (rule, level) of each hit in it,
        so a batch costs two C-level passes (look up, count) plus Python work per new
        value and per distinct signature, not per cell.
        """
        cells = batch.columns[column]
        if lookup is False:
            lookup = self._lookup(column, scanner, cells)
        if lookup is None:
            return
        signatures, missing = lookup
        new_hits: dict[str, tuple[Hit, ...]] = {}
        if missing:
            learned = self._learn(missing, scanner, found, self.known[column], new_hits)
            signatures = list(map(learned.get, cells, signatures))
        counts = Counter(signatures)
        del counts[()]
        if not counts:
            return
        wants = self.ev.collector.wants
        tally = self.tally
        # Detectors still listing examples; usually none after a batch or two.
        open_rules = {d.id for d in scanner.detectors if wants(d.id)}
        listed: set[Signature] = set()
        for signature, times in counts.items():
            if open_rules and any(rule in open_rules for rule, _ in signature):
                listed.add(signature)  # some of these are listed: go row by row below
                continue
            for rule, level in signature:
                key = (column, rule, level)
                tally[key] = tally.get(key, 0) + times
        for offset, signature in enumerate(signatures if listed else ()):
            if signature in listed:
                text = as_text(cells[offset]) or ""
                hits = new_hits.get(text) or scanner.scan(text)
                self._hits(batch.start + offset, column, text, hits, batch.source(offset))

    def _learn(self, values: set[Any], scanner: FieldScanner, found: dict[str, Signature],
               known: dict[Any, Signature],
               new_hits: dict[str, tuple[Hit, ...]]) -> dict[Any, Signature]:
        """Signatures of values the column does not know: from a value learned since the
        batch was looked up, the field's cache, the worker's answers, or one scan of all
        the rest together. Values scanned here keep their hits in *new_hits*."""
        learned: dict[Any, Signature] = {}
        fresh: list[tuple[Any, str]] = []
        for value in values:
            signature = known.get(value)
            if signature is None:
                text = as_text(value) if value else None
                if text is None:
                    signature = known[value] = ()
                else:
                    hits = scanner.cache.get(text)
                    if hits is None:
                        signature = found.get(text)
                        if signature is None:
                            fresh.append((value, text))
                            continue
                    else:
                        signature = signature_of(hits)
                    if len(text) <= _KNOWN_MAX_LENGTH:
                        known[value] = signature
            learned[value] = signature
        if fresh:
            texts = [text for _, text in fresh]
            for (value, text), hits in zip(fresh, scanner.scan_many(texts), strict=True):
                scanner.remember(text, hits)
                signature = learned[value] = signature_of(hits)
                if hits:
                    new_hits[text] = hits
                if len(text) <= _KNOWN_MAX_LENGTH:
                    known[value] = signature
        return learned

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
