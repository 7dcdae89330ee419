"""What a sample export holds, field by field: the survey ``guardrail init`` writes a
policy from.

The sample is read by the format plugins exactly as a check reads it; every field is
listed (a column, or a nested path such as ``contact.email`` or ``items[*].name``),
with how many records give it a value and what the policy's content detectors find in
those values (counts per detector and one masked example each: never a value).

A field whose *name* holds personal data (a CSV header that is an email address, a
JSON object keyed by person) is *withheld*: it is known only by the label reports give
it (``#3``, ``[email]``), so neither the terminal nor the written policy ever shows it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guardrail.api import Guardrail
from guardrail.contract.limits import Limits
from guardrail.contract.protocols import ReadOptions
from guardrail.contract.records import Documents, Table
from guardrail.decision import FileResult
from guardrail.engine import Collector, CompiledPolicy, Evaluation
from guardrail.engine.document_walk import path_pattern
from guardrail.engine.scanning import as_text
from guardrail.errors import PayloadError, UsageError
from guardrail.host.faults import guarded
from guardrail.policy.paths import ANY_INDEX
from guardrail.runner import CheckRequest, open_payload

__all__ = ["SurveyedField", "Survey", "survey_sample", "rule_pattern"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JOINERS = re.compile(r"[_.\-:@?#]+")
_CACHED_VALUES = 10_000  # distinct values remembered per field (repeats are not rescanned)

Shape = tuple["str | int", ...]


@dataclass
class SurveyedField:
    """One field of the sample.

    :param path: its keys as written, ``ANY_INDEX`` for list items (a column: one key).
    :param column: True for a table's column (a ``name`` rule), False for a document
        path (a ``path`` rule).
    :param label: how the terminal shows it (``#N`` when reports would not print it).
    :param withheld: the detector that found personal data in its name; the name is
        then never shown nor written, only *label*.
    :param values: records that give it a non-empty value.
    :param hits: per detector, values in which it found something.
    :param evidence: per detector, the first masked example.
    :param levels: per detector, the level it reports.
    """

    path: Shape
    column: bool
    label: str
    withheld: str | None = None
    values: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    evidence: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    seen: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict, repr=False)

    @property
    def pattern(self) -> str:
        """How a rule of the policy names it: the column name, or a path pattern."""
        return self.path[0] if self.column else rule_pattern(self.path)  # type: ignore[return-value]


@dataclass
class Survey:
    """The fields of one sample, in the order they were first met."""

    label: str  # how the sample is named (screened like a report names a payload)
    format: str
    records: int
    fields: list[SurveyedField]
    truncated: bool = False  # more records than were read


def rule_pattern(path: Shape) -> str:
    """A path rule's pattern for *path*: ``contact.email``, ``items[*].name``,
    ``"home address".line1``. Keys that are not identifiers are JSON-quoted, which is
    JMESPath's quoted identifier."""
    out: list[str] = []
    for part in path:
        if part == ANY_INDEX:
            out.append("[*]")
            continue
        key = str(part)
        text = key if _IDENT.fullmatch(key) else json.dumps(key)
        out.append(f".{text}" if out else text)
    return "".join(out)


def survey_sample(guard: Guardrail, sample: str, *, destination: str, fmt: str | None = None,
                  encoding: str | None = None, max_records: int = 0,
                  limits: Limits | None = None) -> Survey:
    """Read *sample* with the installed formats and survey its fields against the
    detectors and name screening of *guard*'s policy bound for *destination*.

    :param max_records: stop after this many records (0: read them all).
    :raises UsageError: the sample cannot be read (missing, unknown format, malformed).
    """
    limits = limits or Limits()
    return guarded(guard.registry, limits, lambda: _Surveyor(
        guard, destination, sample, fmt, encoding, max_records, limits).run())


class _Surveyor:
    def __init__(self, guard: Guardrail, destination: str, sample: str, fmt: str | None,
                 encoding: str | None, max_records: int, limits: Limits) -> None:
        self.guard = guard
        self.destination = destination
        self.compiled: CompiledPolicy = guard.compiled(destination)
        # The engine's own screening of names (what reports may print).
        self.evaluation = Evaluation(self.compiled, Collector(1))
        self.sample = sample
        self.fmt = fmt
        self.encoding = encoding
        self.max_records = max_records
        self.limits = limits
        self.fields: dict[Any, SurveyedField] = {}
        self.records = 0
        self.truncated = False
        self.name = _sample_name(self.compiled, sample)

    def run(self) -> Survey:
        request = CheckRequest([self.sample], format=self.fmt, encoding=self.encoding,
                               limits=self.limits)
        result = FileResult(file=self.name)
        try:
            payload, reader = open_payload(self.guard.registry, request, self.sample, result)
            sections = reader.read(payload, ReadOptions(records=self.guard.policy.records,
                                                        encoding=self.encoding,
                                                        limits=self.limits))
            try:
                for section in sections:
                    if self._full():
                        break
                    if isinstance(section, Table):
                        self._table(section)
                    elif isinstance(section, Documents):
                        self._documents(section)
            finally:
                close = getattr(sections, "close", None)
                if close is not None:
                    close()
        except PayloadError as exc:
            where = f" at {exc.position}" if exc.position else ""
            raise UsageError(f"cannot read the sample {self.name}{where}: {exc.reason}") \
                from None
        return Survey(self.name, result.format or "?", self.records,
                      list(self.fields.values()), self.truncated)

    def _full(self) -> bool:
        if self.max_records and self.records >= self.max_records:
            self.truncated = True
            return True
        return False

    # -- tables -----------------------------------------------------------------------

    def _table(self, table: Table) -> None:
        columns: list[SurveyedField | None] = []
        for index, raw in enumerate(table.columns):
            name = str(raw)
            if not name:
                columns.append(None)  # reported by checks as an unnamed column
                continue
            withheld = self._personal(name)
            key: Any = ("#", index) if withheld else ("col", name)
            found = self.fields.get(key)
            if found is None:
                label = name if not withheld and self.evaluation.shown_name(name) \
                    else f"#{index + 1}"
                found = self.fields[key] = SurveyedField(
                    (f"#{index + 1}",) if withheld else (name,), True, label, withheld)
            columns.append(found)
        for row in table.rows:
            if self._full():
                break
            self.records += 1
            for surveyed, value in zip(columns, row, strict=False):
                if surveyed is not None:
                    self._value(surveyed, value)

    # -- documents ----------------------------------------------------------------------

    def _documents(self, docs: Documents) -> None:
        for record in docs.records:
            if self._full():
                break
            if docs.index:
                self.records += 1
            self._walk(record, (), (), None)

    def _walk(self, value: Any, path: Shape, shown: Shape, withheld: str | None) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                name = key if isinstance(key, str) else str(key)
                rule = self._personal(name)
                if rule is not None:
                    segment = f"[{rule}]"
                    self._walk(item, path + (segment,), shown + (segment,), withheld or rule)
                else:
                    shown_name = name if self.evaluation.shown_name(name) \
                        else self.evaluation.unnamed_key(self.name, name)
                    self._walk(item, path + (name,), shown + (shown_name,), withheld)
            return
        if isinstance(value, list):
            for item in value:
                self._walk(item, path + (ANY_INDEX,), shown + (ANY_INDEX,), withheld)
            return
        if not path:
            return  # a record that is a bare value: no field to name
        key = ("doc", shown) if withheld else ("doc", path)
        found = self.fields.get(key)
        if found is None:
            found = self.fields[key] = SurveyedField(
                shown if withheld else path, False, path_pattern(shown), withheld)
        self._value(found, value)

    # -- values and names -------------------------------------------------------------

    def _value(self, surveyed: SurveyedField, value: Any) -> None:
        if value is None or value == "" or isinstance(value, (dict, list)):
            return
        surveyed.values += 1
        text = as_text(value)
        if not text:
            return
        found = surveyed.seen.get(text)
        if found is None:
            scanned = path_pattern(tuple(surveyed.path)) if not surveyed.column \
                else str(surveyed.path[0])
            found = tuple(
                (match.rule, match.level, match.evidence)
                for match in self.guard.scan_text(text, self.destination, field=scanned))
            if len(surveyed.seen) < _CACHED_VALUES:
                surveyed.seen[text] = found
        for rule in dict.fromkeys(rule for rule, _, _ in found):
            surveyed.hits[rule] += 1
        for rule, level, evidence in found:
            surveyed.evidence.setdefault(rule, evidence)
            surveyed.levels.setdefault(rule, level)

    def _personal(self, name: str) -> str | None:
        """The detector that finds personal data in *name* (or in its words, once
        ``_ . -`` are read as spaces), if any."""
        hits = self.compiled.name_hits(name)
        if not hits:
            words = _JOINERS.sub(" ", name).strip()
            if words and words != name:
                hits = self.compiled.name_hits(words)
        return hits[0].rule if hits else None


def _sample_name(compiled: CompiledPolicy, sample: str) -> str:
    """The sample's file name as messages show it; a name that holds personal data
    (``Jane Smith.csv``) is not shown."""
    if sample == "-":
        return "<stdin>"
    name = Path(sample).name
    return name if name and not compiled.holds_personal_data(name) else "<sample>"

