"""``guardrail test``: load case files, run them, print the results, choose the exit code.

A case file that cannot be read is reported (every problem, at file:line:col) and the
other files still run, so one typo does not hide the rest; the exit code is then 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from guardrail.errors import EXIT_USAGE
from guardrail.host.registry import Registry

from .case_diff import case_report
from .case_file import CaseFileError
from .coverage import policy_coverage
from .results import CaseResult
from .suite_report import below_minimum, coverage_report, summary
from .suites import SuiteRunner, find_case_files

__all__ = ["run_tests"]

Echo = Callable[[str], None]


def run_tests(paths: Sequence[str], registry: Registry, out: Echo, err: Echo, *,
              verbose: bool = False, coverage: bool = False,
              min_coverage: float | None = None) -> int:
    """Run every case file under *paths*, writing results to *out* and problems to *err*.

    Returns 0 when every case passed (and coverage is at least *min_coverage*), 1 when
    a case failed or coverage is short, 2 when a case file could not be read.
    """
    try:
        files = find_case_files(paths)
    except CaseFileError as exc:
        err(f"guardrail: error: {exc.message}")
        return EXIT_USAGE
    runner = SuiteRunner(registry)
    results: list[CaseResult] = []
    unreadable = 0
    for file in files:
        try:
            suite = runner.load(file)
        except CaseFileError as exc:
            err(f"guardrail: error: {exc.message}")
            unreadable += 1
            continue
        for case in suite.cases:
            result = runner.run(case)
            results.append(result)
            for line in case_report(result, verbose=verbose):
                out(line)
    short = []
    if coverage and results:
        for found in policy_coverage(runner, results):
            out("")
            for line in coverage_report(found):
                out(line)
            message = below_minimum(found, min_coverage) if min_coverage is not None else None
            if message:
                short.append(message)
    out("")
    for message in short:
        out(message)
    out(summary(results, len(files), unreadable))
    if unreadable:
        return EXIT_USAGE
    return 1 if short or any(not r.passed for r in results) else 0
