"""What running one case gave: the decision, and how it differs from the case."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrail.decision import Decision, Finding
from guardrail.masking import mask_value

from .case_file import Case, ExpectedFinding

__all__ = ["CaseResult", "CaseOutcome", "agrees", "outcome", "raw_evidence",
           "shown_evidence", "STATUSES"]

#: A case's status: passed, failed, skipped (``skip:``), xfailed (``xfail:`` and it
#: failed, as expected) or xpassed (``xfail:`` but it passed: the run fails, so the
#: mark does not outlive the fix it waited for).
STATUSES = ("passed", "failed", "skipped", "xfailed", "xpassed")


@dataclass
class CaseResult:
    """What one case found, and how that differs from what it expected.

    :param missing: expected findings the check did not make.
    :param unexpected: findings the check made that the case does not list.
    :param matched: pairs of expected and actual findings that agree.
    :param classified: (rule id, origin) of the rule that classified each field of the
        payload, for coverage (a field classified public leaves no finding).
    """

    case: Case
    decision: Decision
    policy_file: str
    destination: str
    missing: list[ExpectedFinding] = field(default_factory=list)
    unexpected: list[Finding] = field(default_factory=list)
    matched: list[tuple[ExpectedFinding, Finding]] = field(default_factory=list)
    classified: frozenset[tuple[str, str]] = frozenset()

    @property
    def decision_ok(self) -> bool:
        return self.decision.verdict == self.case.decision

    @property
    def passed(self) -> bool:
        return self.decision_ok and not self.missing and not self.unexpected


def agrees(expected: ExpectedFinding, found: Finding) -> bool:
    """Does the check's finding *found* match what the case expects? ``record``,
    ``field``, ``rule`` and ``waived`` always; the others when the case gives them."""
    return (expected.record == found.record and expected.field == found.field
            and expected.rule == found.rule and expected.waived == (found.waived_by is not None)
            and expected.evidence in (None, found.evidence)
            and expected.level in (None, found.level)
            and expected.action in (None, found.action)
            and (expected.also is None or tuple(expected.also) == found.also))


def shown_evidence(evidence: str) -> str:
    """A case's expected evidence as a report may print it. Evidence is written masked,
    as checks give it (``D***** H*****``); one written as the raw value (no ``*`` in
    it) is masked here: a case file is no licence to print personal data."""
    return evidence if "*" in evidence else mask_value(evidence)


def raw_evidence(expected: ExpectedFinding) -> bool:
    """Is the case's expected evidence written unmasked (it can then never match)?"""
    return expected.evidence is not None and shown_evidence(expected.evidence) != \
        expected.evidence


@dataclass(frozen=True)
class CaseOutcome:
    """One case of a run: its status and, unless it was skipped, what running it gave."""

    case: Case
    status: str
    result: CaseResult | None = None

    @property
    def ok(self) -> bool:
        """Does the run stay green with this case?"""
        return self.status in ("passed", "skipped", "xfailed")

    @property
    def reason(self) -> str | None:
        return self.case.skip if self.status == "skipped" else \
            self.case.xfail if self.status in ("xfailed", "xpassed") else None


def outcome(case: Case, result: CaseResult | None) -> CaseOutcome:
    """The status of *case*, run to *result* (None: skipped, not run)."""
    if result is None:
        return CaseOutcome(case, "skipped")
    if case.xfail is not None:
        return CaseOutcome(case, "xpassed" if result.passed else "xfailed", result)
    return CaseOutcome(case, "passed" if result.passed else "failed", result)
