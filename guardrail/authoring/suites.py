"""Policy test suites: case files of payloads and the decisions a policy must reach.

The loader and runner are public, so a plugin author tests a policy pack exactly as
``guardrail test`` does (sqlfluff's rule cases, for policies)::

    from guardrail.authoring.suites import check_case, load_cases

    @pytest.mark.parametrize("case", load_cases(HERE / "policy-tests"), ids=lambda c: c.id)
    def test_policy(case):
        check_case(case)

A case file (``policies/tests/asb-public-web.yaml``)::

    policy: ../asb-public-web.yaml   # default for every case: a shipped name or a path
    destination: public-web          # optional default (else the policy's default)
    today: 2026-06-01                # optional: the day waivers are judged on
    cases:
      - name: a name blocks
        records:                     # or text: + format:, or file: (relative to here)
          - {month: 2024-01, name: John Smith}
        decision: block
        findings:                    # every finding, [] for none
          - {record: 0, field: name, rule: uk.field.person_name, evidence: "J*** S****"}

A case may also say ``skip: <reason>`` (not run) or ``xfail: <reason>`` (it runs and
must fail; a pass fails the run). A finding may also give ``waived: true`` (false
unless given), ``level``, ``action`` and ``also`` (the other rules that matched the
value); they are compared when given.
Inline ``records`` are the records themselves (a policy's ``records:`` path, which
finds them inside a document, applies to ``text`` and ``file`` payloads).
"""

from __future__ import annotations

import datetime as _dt
import os
import unittest
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrail.api import Guardrail
from guardrail.engine.compiled import CompiledPolicy
from guardrail.engine.scanning import select_detectors
from guardrail.errors import PolicyError, PolicyProblem, UsageError
from guardrail.host.registry import Registry, load_registry
from guardrail.policy.classify import Classification
from guardrail.policy.model import FIELD_LEVEL_RULE, UNCLASSIFIED_RULE, Policy
from guardrail.policy.schema import did_you_mean
from guardrail.runner import resolve_destination

from .case_diff import case_report
from .case_file import Case, CaseFileError, ExpectedFinding, Payload, parse_case_file
from .results import CaseResult, agrees

__all__ = ["Case", "CaseFileError", "CaseResult", "ExpectedFinding", "Payload", "Suite",
           "SuiteRunner", "check_case", "find_case_files", "load_cases", "load_suite",
           "run_case", "run_suite", "DEFAULT_SUITE_DIR"]

DEFAULT_SUITE_DIR = Path("policies") / "tests"
_LISTED = 100_000  # findings listed per rule: a case compares every one of them


@dataclass(frozen=True)
class Suite:
    """The cases of one case file."""

    file: str
    cases: tuple[Case, ...]


class _Recording(CompiledPolicy):
    """A compiled policy that notes the rule which classified each field it is asked
    about: every field of every payload is classified through here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: set[tuple[str, str]] = set()

    def classify(self, path: Sequence[str | int]) -> Classification:
        found = super().classify(path)
        self.seen.add((found.rule, found.rule_origin))
        return found


class _SuiteGuard(Guardrail):
    """A Guardrail whose checks classify through :class:`_Recording` (one thread only)."""

    def __init__(self, policy: Policy, registry: Registry) -> None:
        super().__init__(policy, registry)
        self._recording: dict[str, _Recording] = {}

    def compiled(self, destination: str | None = None) -> _Recording:
        name = resolve_destination(self.policy, destination)
        found = self._recording.get(name)
        if found is None:
            found = self._recording[name] = _Recording(
                self.policy, self.policy.destinations[name],
                select_detectors(self.policy, dict(self.registry.detectors)))
        return found


class SuiteRunner:
    """Loads case files and runs their cases, each policy loaded once.

    :param registry: the installed plugins (formats, detectors, shipped policies);
        loaded when not given.
    """

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry or load_registry()
        self._guards: dict[str, _SuiteGuard] = {}

    def guard(self, case: Case) -> _SuiteGuard:
        """The loaded policy a case names (paths relative to its case file)."""
        ref = _policy_ref(case)
        found = self._guards.get(ref)
        if found is None:
            loaded = Guardrail.from_policy(ref, self.registry).policy
            found = self._guards[ref] = _SuiteGuard(loaded, self.registry)
        return found

    def load(self, path: str | os.PathLike[str]) -> Suite:
        """One case file, checked against the policies it names: unknown destinations
        and rule ids are problems at their line, as is a policy that does not load.

        Raises :class:`CaseFileError` with every problem.
        """
        cases = parse_case_file(Path(path))
        problems: list[PolicyProblem] = []
        for case in cases:
            problems.extend(self._check_names(case))
        if problems:
            raise CaseFileError(sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line)))
        return Suite(str(path), tuple(cases))

    def _check_names(self, case: Case) -> list[PolicyProblem]:
        def problem(message: str, key: str = "policy") -> PolicyProblem:
            return PolicyProblem(case.file, *case.marks[key], message)

        try:
            guard = self.guard(case)
        except PolicyError as exc:
            if exc.problems:
                return [problem(f"policy '{case.policy}' does not validate; fix it first (run "
                                f"'guardrail validate {_policy_ref(case)}')"), *exc.problems]
            return [problem(exc.message)]
        policy = guard.policy
        if case.destination is not None and case.destination not in policy.destinations:
            return [problem(f"policy '{policy.name}' has no destination '{case.destination}'"
                            f"{did_you_mean(case.destination, policy.destinations) or ';'} "
                            f"available: {', '.join(policy.destinations)}", "destination")]
        if case.payload.format is not None:
            try:
                self.registry.format(case.payload.format)
            except UsageError as exc:
                return [problem(exc.message, "format")]
        known = rule_ids(guard)
        found = []
        for expected in case.findings:
            if expected.rule not in known:
                found.append(PolicyProblem(
                    case.file, *expected.rule_at,
                    f"policy '{policy.name}' has no rule '{expected.rule}'"
                    f"{did_you_mean(expected.rule, known) or ''}"))
        return found

    def run(self, case: Case) -> CaseResult:
        """Check the case's payload and compare the findings with the expected ones."""
        guard = self.guard(case)
        compiled = guard.compiled(case.destination)
        compiled.seen.clear()
        decision = guard.check(_source(case.payload), case.payload.format, case.destination,
                               today=case.today or _dt.date.today(), max_findings=_LISTED)
        result = CaseResult(case, decision, guard.policy.file, compiled.destination.name,
                            classified=frozenset(compiled.seen))
        _compare(result)
        return result


def rule_ids(guard: Guardrail) -> list[str]:
    """Every rule id a finding of *guard*'s policy can carry."""
    policy = guard.policy
    ids = {FIELD_LEVEL_RULE, UNCLASSIFIED_RULE}
    ids.update(rule.id for rule in policy.field_rules if rule.id)
    ids.update(rule.id for rule in policy.record_rules)
    ids.update(d.id for d in select_detectors(policy, dict(guard.registry.detectors)))
    return sorted(ids)


def _policy_ref(case: Case) -> str:
    ref = case.policy
    if ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref:
        return os.path.normpath(Path(case.file).parent / ref)
    return ref


def _source(payload: Payload) -> Any:
    if payload.records is not None:
        return list(payload.records)
    if payload.text is not None:
        return payload.text.encode("utf-8")
    return str(payload.file)


def _compare(result: CaseResult) -> None:
    actual = list(result.decision.findings)
    for expected in result.case.findings:
        match = next((f for f in actual if agrees(expected, f)), None)
        if match is None:
            result.missing.append(expected)
        else:
            actual.remove(match)
            result.matched.append((expected, match))
    result.unexpected = actual


def find_case_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The case files named, a folder standing for every ``*.yaml``/``*.yml`` directly
    in it, in a stable order. Raises :class:`CaseFileError` for a path that
    does not exist or a folder with no case files."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            # Not below: subfolders hold fixtures, which may be YAML too.
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")
                           and p.is_file())
            if not found:
                raise CaseFileError([PolicyProblem(str(path), 1, 1, "", "no case files "
                                                   "(*.yaml) in this folder")])
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise CaseFileError([PolicyProblem(str(path), 1, 1, "", "no such file or folder")])
    return list(dict.fromkeys(files))


def load_suite(path: str | os.PathLike[str], registry: Registry | None = None) -> Suite:
    """The cases of one case file; raises :class:`CaseFileError` with every problem."""
    return SuiteRunner(registry).load(path)


def load_cases(path: str | os.PathLike[str], registry: Registry | None = None) -> list[Case]:
    """Every case of a case file, or of every case file in a folder, for
    ``pytest.mark.parametrize``. Raises :class:`CaseFileError` for a malformed file."""
    runner = SuiteRunner(registry)
    return [case for file in find_case_files([path]) for case in runner.load(file).cases]


def run_suite(suite: Suite, runner: SuiteRunner | None = None) -> list[CaseResult]:
    """Run every case of *suite*."""
    runner = runner or SuiteRunner()
    return [runner.run(case) for case in suite.cases]


def run_case(case: Case, runner: SuiteRunner | None = None) -> CaseResult:
    """Run one case."""
    return (runner or SuiteRunner()).run(case)


def check_case(case: Case, runner: SuiteRunner | None = None) -> CaseResult:
    """Run *case* and raise :class:`AssertionError` with the diff unless it passes.

    A ``skip`` case raises :class:`unittest.SkipTest` (pytest reports it skipped); an
    ``xfail`` case that fails returns its result, and one that passes raises
    :class:`AssertionError`, as ``guardrail test`` fails the run for it.
    """
    if case.skip is not None:
        raise unittest.SkipTest(case.skip)
    result = run_case(case, runner)
    if case.xfail is not None:
        if result.passed:
            raise AssertionError(f"{case.where}: {case.name}: marked 'xfail: {case.xfail}' "
                                 "but it passed; remove 'xfail' from the case")
        return result
    if not result.passed:
        raise AssertionError("\n".join(case_report(result)))
    return result
