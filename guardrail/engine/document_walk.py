"""Walking :class:`~guardrail.contract.records.Documents`: nested records, value by value.

Plans (classification and detectors) are cached per concrete path and per path
shape, so a field is classified once however many records hold it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from guardrail.contract.records import Documents
from guardrail.engine.adjacent import EDGE
from guardrail.engine.evaluation import published_as_is
from guardrail.engine.record_rules import as_number, with_aliases
from guardrail.engine.scanning import as_text
from guardrail.policy.paths import ANY_INDEX, display_path

if TYPE_CHECKING:
    from guardrail.engine.evaluation import Evaluation, Plan
    from guardrail.engine.scanning import FieldScanner, Hit

__all__ = ["DocumentWalk", "path_pattern"]

_Entry = tuple["Plan | None", str, "FieldScanner | None"]
Path = tuple[str | int, ...]
_SHORT_LIST = 64  # items of a longer list are a column of values, not one line of text
_UNSET = object()  # no value of the record walked yet


class _Leaf(NamedTuple):
    """A text value no rule blocks, which its next sibling may be read with."""

    text: str
    scanner: FieldScanner
    pattern: str
    shown: Path


class DocumentWalk:
    """Evaluates nested records for one check.

    Each value has two paths. Rules classify and detectors scan by its *path*: the
    keys as written, except that a key which is personal data becomes ``[detector]``.
    Reports show its *shown* path, where a key no one would call a field name (a line
    of prose used as a key) is ``#N``, numbered in the order such keys are met.
    """

    _MAX_CACHED_PATHS = 50_000

    def __init__(self, evaluation: Evaluation, file: str, docs: Documents) -> None:
        self.ev = evaluation
        self.file = file
        self.docs = docs
        self.section = docs.name
        # Plans depend on the file, section name and path only: sections of the same name
        # (runs of lines between tables, one per blank line) share them.
        caches = evaluation.section_caches.setdefault((file, docs.name), ({}, {}, {}))
        self.by_shape: dict[tuple[str | int, ...], _Entry] = caches[0]
        self.by_path: dict[tuple[str | int, ...], _Entry] = caches[1]
        # key -> (segment, shown segment, hits); a key holding personal data is
        # "[detector]" in both
        self.segments: dict[str, tuple[str, str, Any]] = caches[2]
        self.record: Any = None
        self.index: int | None = None
        # Lines of one text: what each recent line ends with (the tail of its paragraph,
        # read with the next line's start), with its record; the line before is kept
        # too, for re-checks of a redacted line.
        self._lines = docs.lines and docs.index and evaluation.neighbours is not None
        self._tails: dict[int, tuple[str, _Leaf, Any]] = {}
        self._opening: _Leaf | None | object = _UNSET
        self._closing: _Leaf | None = None
        #: False while redacting: the line before is written already, so a match across
        #: two lines is reported (and masked) in the later line only.
        self.report_earlier = True

    def run(self) -> int:
        count = 0
        docs = self.docs
        for count, record in enumerate(docs.records, 1):
            self.check(record, docs.first_index + count - 1 if docs.index else None)
        return count if docs.index else 0

    def check(self, record: Any, index: int | None) -> None:
        """Evaluate one record (*index* None for a section that is not a list of records)."""
        self.index = index
        self.record = record
        if self.ev.impact is not None:
            self._begin_record(record, index)
        if self._lines:
            self._opening, self._closing = _UNSET, None
        self._walk(record, (), ())
        if self._lines and index is not None:
            self._read_on(index, record)
        rules = self.ev.rules
        if rules and isinstance(record, dict):
            view = with_aliases(record if self.docs.typed else
                                {key: as_number(value) for key, value in record.items()})
            applicable = [r for r in rules if r.applies_to(view)]
            if applicable:
                self.ev.apply_rules(self.file, self.section, index, view, applicable,
                                    self.docs.locate, record)

    def _begin_record(self, record: Any, index: int | None) -> None:
        """Tell an impact check a record starts, with its area field's value."""
        impact = self.ev.impact
        assert impact is not None
        area, label = None, None
        if isinstance(record, dict):
            keys = [str(key) for key in record]
            found = impact.area_column(keys)
            if found is not None and self.ev.shown_name(keys[found]) \
                    and not self.ev.name_hits(keys[found]):
                label = keys[found]
                area = list(record.values())[found]
        impact.begin_record(self.file, self.section, index, area, label)

    def segment_of(self, key: str) -> str:
        """The shown segment *key* was given when it was walked (``[detector]`` when the
        key itself is personal data, ``#N`` when reports may not print it), without
        reporting it again: how a redaction finds the fields a check reported."""
        found = self.segments.get(key)
        return found[1] if found is not None else key

    def _entry(self, path: Path, shown: Path) -> _Entry:
        """(plan, shown field pattern, scanner) for a concrete path, cached by path and
        shape (the shown path follows from the path: one shown segment per key)."""
        found = self.by_path.get(path)
        if found is not None:
            return found
        shape = tuple(ANY_INDEX if isinstance(p, int) else p for p in path)
        found = self.by_shape.get(shape)
        if found is None:
            pattern = path_pattern(tuple(ANY_INDEX if isinstance(p, int) else p
                                         for p in shown))
            # Detectors' field settings and cues (a key named "NHS #") see the real key.
            scanner = self.ev.scanner.for_field(path_pattern(shape)) \
                if self.ev.scanner else None
            found = (self.ev.field_plan(self.file, self.section, path, pattern), pattern,
                     scanner)
            self.by_shape[shape] = found
        if len(self.by_path) < self._MAX_CACHED_PATHS:
            self.by_path[path] = found
        return found

    def _walk(self, value: Any, path: Path, shown: Path) -> _Leaf | None:
        """Evaluate *value* and everything in it. Returns the value as a leaf a
        neighbour may be read with (text no rule reported), else None."""
        if isinstance(value, dict):
            previous = None
            for key, item in value.items():
                segment, shown_segment = self._segment(
                    key if isinstance(key, str) else str(key), shown)
                leaf = self._walk(item, path + (segment,), shown + (shown_segment,))
                if leaf is not None and previous is not None:
                    self._across(previous, leaf)
                previous = leaf
            return None
        if isinstance(value, list):
            previous = None
            short = len(value) <= _SHORT_LIST
            for position, item in enumerate(value):
                leaf = self._walk(item, path + (position,), shown + (position,))
                if short and leaf is not None and previous is not None:
                    self._across(previous, leaf)
                previous = leaf
            return None
        if value is None or value == "":
            return None
        plan, pattern, scanner = self._entry(path, shown)
        hits: tuple[Hit, ...] = ()
        if scanner is not None:
            text = as_text(value)
            if text:
                hits = scanner.scan(text)
        # A line is read on into the next whatever it holds; other values are read
        # with a neighbour when they hold nothing and reach the destination as they are.
        neighbourly = not hits and published_as_is(plan)
        leaf = _Leaf(value, scanner, pattern, shown) \
            if (neighbourly or self._lines) and scanner is not None \
            and value.__class__ is str and self.ev.neighbours else None
        if self._lines:
            self._edge(leaf)
        if plan is None and not hits:
            return leaf
        if hits or self.ev.sink.wants(plan.kind.rule):  # type: ignore[union-attr]
            field = display_path(shown) if shown else "@"
        else:
            field = pattern
        self.ev.value(self.file, self.section, self.index, field, pattern, value, plan, hits,
                      self.docs.locate, self.record)
        return leaf if neighbourly else None

    def _edge(self, leaf: _Leaf | None) -> None:
        """Note a text value of a line's record: the first is read with the line before,
        the last with the line after."""
        if self._opening is _UNSET:
            self._opening = leaf
        self._closing = leaf

    def _read_on(self, index: int, record: Any) -> None:
        """Read the end of the lines before with the start of this one, as one text."""
        before = self._tails.get(index - 1)
        opening, closing = self._opening, self._closing
        if before is not None and isinstance(opening, _Leaf):
            self._across(before[1], opening, earlier=(index - 1, before[2]),
                         left_text=before[0])
        self._tails = {} if before is None else {index - 1: before}
        if closing is not None:
            # A line of one value carries the paragraph on: a code broken over several
            # short lines ("CA", "21 93", "76 C") is read whole.
            tail = f"{before[0]} {closing.text}" \
                if before is not None and opening is closing else closing.text
            self._tails[index] = (tail[-EDGE:], closing, record)

    def _across(self, left: _Leaf, right: _Leaf, earlier: tuple[int, Any] | None = None,
                left_text: str | None = None) -> None:
        """Read two neighbouring values together (``adjacent.py``): sibling values of one
        object (an element's children), items of a short list, or the end of a line
        and the start of the next (*earlier*: the left value's record; *left_text*: the
        end of the paragraph so far, read in place of the left value's own text)."""
        neighbours = self.ev.neighbours
        assert neighbours is not None  # only values read with a neighbour are leaves
        pair = neighbours.scanner_for(left.scanner, right.scanner)
        if pair is None:
            return
        before = left.text if left_text is None else left_text
        join, hits = neighbours.read_on(pair, before, right.text) if earlier \
            else neighbours.across(pair, before, right.text)
        if hits:
            locate = self.docs.locate
            cells = [(display_path(leaf.shown) if leaf.shown else "@", leaf.pattern,
                      text, locate) for leaf, text in ((left, before), (right, right.text))]
            self.ev.across(self.file, self.section, self.index, cells, join, hits,
                           self.record, earlier=earlier,
                           left_reported=earlier is None or self.report_earlier)

    def _segment(self, key: str, shown: Path) -> tuple[str, str]:
        """The key's segment and shown segment (see the class docstring); a key that is
        personal data is reported, under its shown path, each time it is met."""
        found = self.segments.get(key)
        if found is None:
            hits = tuple(h for h in self.ev.name_hits(key) if self.ev.reports(h))
            if hits:
                found = (f"[{hits[0].rule}]", f"[{hits[0].rule}]", hits)
            elif self.ev.shown_name(key):
                found = (key, key, ())
            else:
                found = (key, self.ev.unnamed_key(self.file, key), ())
            if len(self.segments) >= self._MAX_CACHED_PATHS:
                self.segments.clear()
            self.segments[key] = found
        segment, shown_segment, hits = found
        if hits:
            label = display_path(shown + (shown_segment,))
            self.ev.key(self.file, self.section, self.index, label, key, hits,
                        self.docs.locate, self.record)
        return segment, shown_segment



def path_pattern(shape: tuple[str | int, ...]) -> str:
    """Display form of a shape: list indices shown as ``[*]``."""
    if not shape:
        return "@"
    parts = [0 if p == ANY_INDEX else p for p in shape]
    return display_path(parts).replace("[0]", "[*]")
