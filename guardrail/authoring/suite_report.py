"""What ``guardrail test`` prints after the cases (see :mod:`.case_diff` for each
case): the coverage of each policy and a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from .case_diff import case_report
from .coverage import PolicyCoverage
from .results import CaseOutcome

__all__ = ["coverage_report", "summary", "below_minimum", "outcome_report"]


def coverage_report(coverage: PolicyCoverage) -> list[str]:
    """How much of one policy the cases exercised, and what they did not."""
    lines = [f"coverage of {coverage.policy} ({coverage.file}): {coverage.exercised} of "
             f"{len(coverage.items)} parts exercised ({coverage.percent:.1f}%)"]
    missed = coverage.missed
    if missed:
        lines.append("  not exercised:")
        lines += [f"    {item.kind} {item.name}{f' at {item.origin}' if item.origin else ''}"
                  for item in missed]
    if coverage.inherited:
        lines.append(f"  not counted: destination{'s' if len(coverage.inherited) != 1 else ''} "
                     f"{', '.join(coverage.inherited)}, inherited through extends and named "
                     "by no case")
    return lines


def below_minimum(coverage: PolicyCoverage, minimum: float) -> str | None:
    """The message for a policy under ``--min-coverage``, or None."""
    if coverage.percent + 1e-9 >= minimum:
        return None
    return (f"coverage of {coverage.policy} is {coverage.percent:.1f}%, below "
            f"--min-coverage {minimum:g}: add cases that exercise the parts listed")


def outcome_report(found: CaseOutcome, *, verbose: bool = False) -> list[str]:
    """The lines for one case: a failure's diff, an unexpected pass always; passes,
    skips and expected failures with *verbose* only."""
    case = found.case
    if found.status == "skipped":
        return [f"SKIP {case.where}: {case.name} (skip: {case.skip})"] if verbose else []
    if found.status == "xfailed":
        return [f"XFAIL {case.where}: {case.name} (xfail: {case.xfail})"] if verbose else []
    if found.status == "xpassed":
        return [f"XPASS {case.where}: {case.name}: marked 'xfail: {case.xfail}' but it "
                "passed; remove 'xfail' from the case"]
    assert found.result is not None
    return case_report(found.result, verbose=verbose)


def summary(outcomes: Sequence[CaseOutcome], files: int, unreadable: int) -> str:
    """``3 case files, 24 cases: 23 passed, 1 failed`` (and skipped, expected failures
    and unexpected passes when there are any)."""
    count = {status: sum(o.status == status for o in outcomes)
             for status in ("passed", "failed", "skipped", "xfailed", "xpassed")}
    text = (f"{files} case file{'s' if files != 1 else ''}, {len(outcomes)} "
            f"case{'s' if len(outcomes) != 1 else ''}: {count['passed']} passed, "
            f"{count['failed']} failed")
    for status, words in (("skipped", "skipped"), ("xfailed", "failed as expected (xfail)"),
                          ("xpassed", "passed unexpectedly (xfail)")):
        if count[status]:
            text += f", {count[status]} {words}"
    if unreadable:
        text += f"; {unreadable} case file{'s' if unreadable != 1 else ''} could not be read"
    return text
