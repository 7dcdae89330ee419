"""``guardrail test --format json``: the run as one JSON document, for CI and editors.

::

    {"cases": [{"name": ..., "file": ..., "line": 8, "status": "failed",
                "reason": null, "policy": ..., "destination": ..., "diff": {...}}],
     "errors": [{"file": ..., "line": 3, "column": 5, "path": ..., "message": ...}],
     "coverage": [...], "below_minimum": [...], "summary": {"passed": 1, ...}}

``status`` is one of :data:`~.results.STATUSES`; ``diff`` is null unless the case
failed (or failed as expected), and then holds the expected and actual ``decision``,
the ``missing`` and ``unexpected`` findings (evidence masked, as in the text form),
the ``hints`` and the ``errors`` of payloads that could not be checked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from guardrail.decision import Finding
from guardrail.errors import PolicyProblem

from .case_diff import near_misses
from .case_file import ExpectedFinding
from .coverage import PolicyCoverage
from .results import STATUSES, CaseOutcome, CaseResult, shown_evidence

__all__ = ["render_json"]


def render_json(outcomes: Sequence[CaseOutcome], *, files: int,
                problems: Sequence[PolicyProblem] = (),
                coverage: Sequence[PolicyCoverage] | None = None,
                below_minimum: Sequence[str] = ()) -> str:
    """The whole run as indented JSON with a final newline."""
    summary: dict[str, int] = {"files": files, "cases": len(outcomes)}
    summary.update({status: sum(o.status == status for o in outcomes) for status in STATUSES})
    summary["unreadable"] = len({p.file for p in problems})
    document: dict[str, Any] = {
        "cases": [_case(found) for found in outcomes],
        "errors": [{"file": p.file, "line": p.line, "column": p.column, "path": p.path,
                    "message": p.message} for p in problems],
    }
    if coverage is not None:
        document["coverage"] = [_coverage(c) for c in coverage]
        document["below_minimum"] = list(below_minimum)
    document["summary"] = summary
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _case(found: CaseOutcome) -> dict[str, Any]:
    case, result = found.case, found.result
    return {
        "name": case.name, "file": case.file, "line": case.line, "status": found.status,
        "reason": found.reason, "policy": result.decision.policy["name"] if result else None,
        "destination": result.destination if result else None,
        "diff": _diff(result) if result is not None and not result.passed else None,
    }


def _diff(result: CaseResult) -> dict[str, Any]:
    return {
        "decision": {"expected": result.case.decision, "actual": result.decision.verdict},
        "missing": [_expected(e) for e in result.missing],
        "unexpected": [_actual(f) for f in result.unexpected],
        "hints": [line.strip().removeprefix("hint: ") for line in near_misses(result)],
        "errors": [{"file": e.file, "error": str(e.error)} for e in result.decision.errors],
    }


def _expected(found: ExpectedFinding) -> dict[str, Any]:
    out: dict[str, Any] = {"record": found.record, "field": found.field, "rule": found.rule,
                           "waived": found.waived, "line": found.line}
    for key in ("evidence", "level", "action"):
        if getattr(found, key) is not None:
            out[key] = getattr(found, key)
    if found.evidence is not None:
        out["evidence"] = shown_evidence(found.evidence)
    if found.also is not None:
        out["also"] = list(found.also)
    return out


def _actual(found: Finding) -> dict[str, Any]:
    return {"record": found.record, "field": found.field, "rule": found.rule,
            "evidence": found.evidence, "waived": found.waived_by is not None,
            "level": found.level, "action": found.action, "also": list(found.also)}


def _coverage(found: PolicyCoverage) -> dict[str, Any]:
    return {"policy": found.policy, "file": found.file, "parts": len(found.items),
            "exercised": found.exercised, "percent": round(found.percent, 1),
            "missed": [{"kind": i.kind, "name": i.name, "origin": i.origin}
                       for i in found.missed],
            "inherited_destinations": list(found.inherited)}
