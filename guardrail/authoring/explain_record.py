"""``guardrail explain --record N FILE``: why one record may or may not be published.

The record is judged by the check itself (see :mod:`.record_tap`): the file is read
and evaluated exactly as ``guardrail check`` does, and what the engine reported for
record N is put into words (:mod:`.explain_words`) with what the policy says about
each field, detector, record rule and waiver. Values are never printed: evidence is
masked as reports mask it, and field names are shown as reports show them (``#3``
for a name that is personal data).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guardrail.api import Guardrail
from guardrail.contract.limits import Limits
from guardrail.contract.protocols import ReadOptions
from guardrail.contract.records import Documents, Section, Table
from guardrail.decision import FileResult
from guardrail.engine import Collector, DocumentWalk, Evaluation, TableWalk
from guardrail.engine import evaluate as evaluate_section
from guardrail.engine.scanning import select_detectors
from guardrail.errors import UsageError
from guardrail.host.faults import guarded
from guardrail.policy.paths import display_path
from guardrail.runner import CheckRequest, open_payload, source_label

from .explain_words import RecordField, RecordWords
from .record_tap import RecordTap, tap_section

__all__ = ["RecordRequest", "explain_record"]


@dataclass(frozen=True)
class RecordRequest:
    """Which record to explain: *index* (0-based, as reports number records) of
    *section* (a sheet or table name; None: the file's first section)."""

    path: str
    index: int
    destination: str | None = None
    fields: tuple[str, ...] = ()  # only these (as reports name them); () for all
    section: str | None = None
    format: str | None = None
    encoding: str | None = None
    today: _dt.date | None = None


def explain_record(guard: Guardrail, request: RecordRequest) -> tuple[list[str], int]:
    """The explanation's lines and the exit code ``check`` would give the record alone
    (0 publishable, 1 blocked). Raises UsageError (exit 2) for a record or field that
    is not there."""
    compiled = guard.compiled(request.destination)
    tap = RecordTap(request.index)
    evaluation = Evaluation(compiled, tap, today=request.today)
    label = source_label(compiled, request.path, 1)
    section = guarded(guard.registry, Limits(),
                      lambda: _run(guard, request, evaluation, tap, label))
    tapped = tap.tapped
    if not tapped.seen:
        held = f"records 0 to {tapped.read - 1}" if tapped.read else "no records"
        raise UsageError(f"{label} has no record {request.index}: it holds {held} "
                         "(numbered from 0, as reports number them)")
    evaluation.sink = Collector()  # naming fields below must not touch the check's findings
    fields = list(_fields(evaluation, label, section, tapped.record))
    for name in request.fields:
        if not any(name in (f.label, display_path(f.path)) for f in fields):
            raise UsageError(f"record {request.index} of {label} has no field '{name}'; its "
                             f"fields: {', '.join(f.label for f in fields)}")
    if request.fields:
        fields = [f for f in fields if {f.label, display_path(f.path)} & set(request.fields)]
    shown = evaluation.label(section.name) if section is not None else None
    where = f"{label}, section '{shown}'" if shown else label
    idle = [d.id for d in select_detectors(guard.policy, dict(guard.registry.detectors))
             if not d.canary and not compiled.exceeds(d.level)]
    return RecordWords(compiled, evaluation, tap, where, request, idle).render(fields)


def _run(guard: Guardrail, request: RecordRequest, evaluation: Evaluation, tap: RecordTap,
         label: str) -> Section | None:
    """Read and evaluate the whole file as a check does; the chosen section, tapped."""
    check = CheckRequest([request.path], request.destination, request.format,
                         encoding=request.encoding)
    payload, fmt = open_payload(guard.registry, check, request.path, FileResult(file=label))
    options = ReadOptions(records=guard.policy.records, encoding=request.encoding,
                          limits=check.limits)
    chosen: Section | None = None
    names: list[str] = []
    try:
        for section in fmt.read(payload, options):
            names.append(str(evaluation.label(section.name) or ""))
            wanted = chosen is None and (
                section.name == request.section if request.section is not None
                else isinstance(section, Table) or section.index)
            if wanted:
                chosen = section = tap_section(section, request.index, tap.tapped)
            tap.active = wanted
            evaluate_section(evaluation, payload.name, section)
            tap.active = False
    finally:
        evaluation.close()
    if chosen is None:
        raise UsageError(f"{label} has no section '{request.section}'; its sections: "
                         f"{', '.join(n for n in names if n) or '(none named)'}")
    return chosen


def _fields(evaluation: Evaluation, file: str, section: Section | None,
            record: Any) -> Iterator[RecordField]:
    """Every field of *record*, named as the check named it."""
    if isinstance(section, Table):
        walk = TableWalk(evaluation, file, Table(section.columns, [], section.name))
        for index, value in enumerate(record):
            yield RecordField(walk.label(index), (walk.name(index),), value,
                         walk.scanners[index] if index < len(walk.scanners) else None)
        return
    assert isinstance(section, Documents)
    docs = DocumentWalk(evaluation, file, Documents([record], section.name))
    docs.run()
    for keys, value in _leaves(record, ()):
        path = tuple(docs.segments[k][0] if isinstance(k, str) else k for k in keys)
        shown = tuple(docs.segments[k][1] if isinstance(k, str) else k for k in keys)
        entry = docs.by_path.get(path)
        yield RecordField(display_path(shown) if shown else "@", path, value,
                     entry[2] if entry else None)


def _leaves(value: Any, keys: tuple[str | int, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, keys + (key if isinstance(key, str) else str(key),))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _leaves(item, keys + (position,))
    else:
        yield keys, value


