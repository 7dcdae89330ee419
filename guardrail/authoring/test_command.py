"""``guardrail test``: load case files, run them, print the results, choose the exit code.

A case file that cannot be read is reported (every problem, at file:line:col) and the
other files still run, so one typo does not hide the rest; the exit code is then 2.
A case marked ``skip`` is not run; one marked ``xfail`` runs, and passing fails the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from guardrail.errors import EXIT_USAGE, PolicyProblem
from guardrail.host.registry import Registry

from .case_file import CaseFileError
from .coverage import policy_coverage
from .results import CaseOutcome, outcome
from .suite_json import render_json
from .suite_report import below_minimum, coverage_report, outcome_report, summary
from .suites import SuiteRunner, find_case_files

__all__ = ["run_tests", "FORMATS"]

FORMATS = ("text", "json")

Echo = Callable[[str], None]


def run_tests(paths: Sequence[str], registry: Registry, out: Echo, err: Echo, *,
              verbose: bool = False, coverage: bool = False,
              min_coverage: float | None = None, fmt: str = "text") -> int:
    """Run every case file under *paths*, writing results to *out* and problems to *err*
    (*fmt* ``json``: one JSON document to *out*, problems in it as well).

    Returns 0 when every case passed, was skipped or failed as its ``xfail`` expects
    (and coverage is at least *min_coverage*), 1 when a case failed, passed despite
    ``xfail``, or coverage is short, 2 when a case file could not be read.
    """
    text = fmt == "text"
    problems: list[PolicyProblem] = []
    try:
        files = find_case_files(paths)
    except CaseFileError as exc:
        err(f"guardrail: error: {exc.message}")
        if not text:
            out(render_json([], files=0, problems=exc.problems).rstrip("\n"))
        return EXIT_USAGE
    runner = SuiteRunner(registry)
    outcomes: list[CaseOutcome] = []
    unreadable = 0
    for file in files:
        try:
            suite = runner.load(file)
        except CaseFileError as exc:
            err(f"guardrail: error: {exc.message}")
            problems.extend(exc.problems)
            unreadable += 1
            continue
        for case in suite.cases:
            found = outcome(case, None if case.skip else runner.run(case))
            outcomes.append(found)
            if text:
                for line in outcome_report(found, verbose=verbose):
                    out(line)
    ran = [o.result for o in outcomes if o.result is not None]
    covered = policy_coverage(runner, ran) if coverage and ran else []
    short = [message for policy in covered
             if min_coverage is not None and (message := below_minimum(policy, min_coverage))]
    if text:
        for policy in covered:
            out("")
            for line in coverage_report(policy):
                out(line)
        out("")
        for message in short:
            out(message)
        out(summary(outcomes, len(files), unreadable))
    else:
        out(render_json(outcomes, files=len(files), problems=problems,
                        coverage=covered if coverage else None,
                        below_minimum=short).rstrip("\n"))
    if unreadable:
        return EXIT_USAGE
    return 1 if short or any(not o.ok for o in outcomes) else 0
