"""Walking :class:`~guardrail.contract.records.Documents`: nested records, value by value.

Plans (classification and detectors) are cached per concrete path and per path
shape, so a field is classified once however many records hold it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from guardrail.policy.paths import ANY_INDEX, display_path
from guardrail.engine.record_rules import as_number, with_aliases
from guardrail.contract.records import Documents
from guardrail.engine.scanning import as_text

if TYPE_CHECKING:
    from guardrail.engine.evaluator import Evaluator, Plan
    from guardrail.engine.scanning import FieldScanner

__all__ = ["DocumentRun", "path_pattern"]

_Entry = tuple["Plan | None", str, "FieldScanner | None"]


class DocumentRun:
    """Evaluates nested records for one evaluator."""

    _MAX_CACHED_PATHS = 50_000

    def __init__(self, evaluator: Evaluator, file: str, docs: Documents) -> None:
        self.ev = evaluator
        self.file = file
        self.docs = docs
        self.section = docs.name
        # Plans depend on the file, section name and path only: sections of the same name
        # (runs of lines between tables, one per blank line) share them.
        caches = evaluator.section_caches.setdefault((file, docs.name), ({}, {}, {}))
        self.by_shape: dict[tuple[str | int, ...], _Entry] = caches[0]
        self.by_path: dict[tuple[str | int, ...], _Entry] = caches[1]
        # key -> (path segment, hits): a key holding personal data becomes "[detector]"
        self.segments: dict[str, tuple[str, Any]] = caches[2]
        self.record: Any = None
        self.index: int | None = None

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
        self._walk(record, ())
        rules = self.ev.rules
        if rules and isinstance(record, dict):
            view = with_aliases(record if self.docs.typed else
                                {key: as_number(value) for key, value in record.items()})
            applicable = [r for r in rules if r.applies_to(view)]
            if applicable:
                self.ev.apply_rules(self.file, self.section, index, view, applicable,
                                    self.docs.locate, record)

    def segment_of(self, key: str) -> str:
        """The path segment *key* was given when it was walked (``[detector]`` when the
        key itself is personal data), without reporting it again."""
        found = self.segments.get(key)
        return found[0] if found is not None else key

    def _entry(self, path: tuple[str | int, ...]) -> _Entry:
        """(plan, field pattern, scanner) for a concrete path, cached by path and shape."""
        found = self.by_path.get(path)
        if found is not None:
            return found
        shape = tuple(ANY_INDEX if isinstance(p, int) else p for p in path)
        found = self.by_shape.get(shape)
        if found is None:
            pattern = path_pattern(shape)
            scanner = self.ev.scanner.for_field(pattern) if self.ev.scanner else None
            found = (self.ev.field_plan(self.file, self.section, path, pattern), pattern,
                     scanner)
            self.by_shape[shape] = found
        if len(self.by_path) < self._MAX_CACHED_PATHS:
            self.by_path[path] = found
        return found

    def _walk(self, value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._walk(item, path + (self._segment(key if isinstance(key, str) else str(key),
                                                       path),))
            return
        if isinstance(value, list):
            for position, item in enumerate(value):
                self._walk(item, path + (position,))
            return
        if value is None or value == "":
            return
        plan, pattern, scanner = self._entry(path)
        if plan is not None:
            wanted = self.ev.collector.wants(plan.kind.rule)
            field = (display_path(path) if path else "@") if wanted else pattern
            self.ev.report_value(plan, self.index, field, value, self.docs.locate, self.record)
        if scanner is not None:
            text = as_text(value)
            hits = scanner.scan(text) if text else ()
            if hits and text:
                field = display_path(path) if path else "@"
                self.ev.report_hits(self.file, self.section, self.index, field, pattern, text,
                                    hits, self.docs.locate, self.record)


    def _segment(self, key: str, path: tuple[str | int, ...]) -> str:
        """The key as a path segment; a key that is personal data becomes ``[detector]``."""
        found = self.segments.get(key)
        if found is None:
            hits = self.ev.key_hits(key)
            found = (f"[{hits[0].rule}]", hits) if hits else (key, ())
            if len(self.segments) >= self._MAX_CACHED_PATHS:
                self.segments.clear()
            self.segments[key] = found
        segment, hits = found
        if hits:
            label = display_path(path + (segment,))
            self.ev.report_key(self.file, self.section, self.index, label, key, hits,
                               self.docs.locate, self.record)
        return segment


def path_pattern(shape: tuple[str | int, ...]) -> str:
    """Display form of a shape: list indices shown as ``[*]``."""
    if not shape:
        return "@"
    parts = [0 if p == ANY_INDEX else p for p in shape]
    return display_path(parts).replace("[0]", "[*]")
