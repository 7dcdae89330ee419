"""What ``guardrail test`` prints after the cases (see :mod:`.case_diff` for each
case): the coverage of each policy and a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from .coverage import PolicyCoverage
from .results import CaseResult

__all__ = ["coverage_report", "summary", "below_minimum"]


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
