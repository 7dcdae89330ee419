"""The text ``guardrail test`` prints: failing cases with a diff of their findings, the
coverage of each policy, and a summary line.

Findings are written as the YAML a case file takes, so an author can paste a ``+``
line into the case once they agree with it. Evidence is the core's masked evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from guardrail.decision import Finding
from guardrail.policy.marked_yaml import quoted

from .case_file import ExpectedFinding
from .coverage import PolicyCoverage
from .suites import CaseResult

__all__ = ["case_report", "coverage_report", "summary", "below_minimum"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-\[\]*]*")


def case_report(result: CaseResult, *, verbose: bool = False) -> list[str]:
    """``PASS``/``FAIL`` and the case's place; for a failure, what differs."""
    case = result.case
    head = f"{'PASS' if result.passed else 'FAIL'} {case.where}: {case.name}"
    if result.passed:
        return [head] if verbose else []
    lines = [head, f"  policy {result.decision.policy['name']}, destination "
                   f"{result.destination}"]
    for error in result.decision.errors:
        lines.append(f"  {error.file} could not be checked: {error.error}")
    if not result.decision_ok:
        lines.append(f"  decision: expected {case.decision}, got {result.decision.verdict}")
    if result.missing or result.unexpected:
        lines.append("  findings (- expected, not found; + found, not expected):")
        rows: list[tuple[tuple[int, str, str], str]] = []
        rows += [(_key(e.record, e.field), f"      {_expected(e)}") for e, _ in result.matched]
        rows += [(_key(e.record, e.field), f"    - {_expected(e)}") for e in result.missing]
        rows += [(_key(f.record, f.field), f"    + {_actual(f)}") for f in result.unexpected]
        lines += [text for _, text in sorted(rows, key=lambda row: row[0])]
    return lines


def _key(record: int | None, field: str) -> tuple[int, str, str]:
    return (-1 if record is None else record, field, "")


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return text if _PLAIN.fullmatch(text) and text not in ("null", "true", "false", "yes",
                                                            "no", "on", "off") \
        else quoted(text)


def _mapping(pairs: Sequence[tuple[str, object]]) -> str:
    return "{" + ", ".join(f"{key}: {_scalar(value)}" if not isinstance(value, tuple)
                           else f"{key}: [{', '.join(_scalar(v) for v in value)}]"
                           for key, value in pairs) + "}"


def _expected(found: ExpectedFinding) -> str:
    pairs: list[tuple[str, object]] = [("record", found.record), ("field", found.field),
                                       ("rule", found.rule)]
    for key in ("evidence", "level", "action", "also"):
        value = getattr(found, key)
        if value is not None:
            pairs.append((key, value))
    if found.waived:
        pairs.append(("waived", True))
    return _mapping(pairs)


def _actual(found: Finding) -> str:
    pairs: list[tuple[str, object]] = [("record", found.record), ("field", found.field),
                                       ("rule", found.rule), ("evidence", found.evidence)]
    if found.waived_by:
        pairs.append(("waived", True))
    return _mapping(pairs)


def coverage_report(coverage: PolicyCoverage) -> list[str]:
    """How much of one policy the cases exercised, and what they did not."""
    lines = [f"coverage of {coverage.policy} ({coverage.file}): {coverage.exercised} of "
             f"{len(coverage.items)} parts exercised ({coverage.percent:.1f}%)"]
    missed = coverage.missed
    if missed:
        lines.append("  not exercised:")
        lines += [f"    {item.kind} {item.name}{f' at {item.origin}' if item.origin else ''}"
                  for item in missed]
    return lines


def below_minimum(coverage: PolicyCoverage, minimum: float) -> str | None:
    """The message for a policy under ``--min-coverage``, or None."""
    if coverage.percent + 1e-9 >= minimum:
        return None
    return (f"coverage of {coverage.policy} is {coverage.percent:.1f}%, below "
            f"--min-coverage {minimum:g}: add cases that exercise the parts listed")


def summary(results: Sequence[CaseResult], files: int, unreadable: int) -> str:
    """``3 case files, 24 cases: 23 passed, 1 failed``."""
    failed = sum(not r.passed for r in results)
    text = (f"{files} case file{'s' if files != 1 else ''}, {len(results)} "
            f"case{'s' if len(results) != 1 else ''}: {len(results) - failed} passed, "
            f"{failed} failed")
    if unreadable:
        text += f"; {unreadable} case file{'s' if unreadable != 1 else ''} could not be read"
    return text
