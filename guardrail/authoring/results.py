"""What running one case gave: the decision, and how it differs from the case."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrail.decision import Decision, Finding

from .case_file import Case, ExpectedFinding

__all__ = ["CaseResult"]


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
