"""Canaries as detectors: a planted fake identity is found wherever it appears.

Each canary of the policy becomes one detector, ``canary.<id>``, at the policy's
highest level. Unlike every other detector it is never dropped for a destination
that accepts its level, never skipped, never limited to some fields, never
allowlisted, never waived and never in audit: seeing it means the gate is wired in
and working, and that must show as a block every time (see ``evaluation.kind``).
Values are matched as the content scanner reads them (``guardrail/reading.py``:
no-break and repeated spaces, full-width digits, look-alike letters), as whole words
in any case, with any spacing between their words.
"""

from __future__ import annotations

from guardrail.contract.records import Span
from guardrail.masking import mask_value
from guardrail.policy.canaries import canary_pattern
from guardrail.policy.detectors import compile_re2
from guardrail.policy.model import CANARY_PREFIX, Canary

__all__ = ["CanaryDetector", "is_canary_rule"]


def is_canary_rule(rule: str) -> bool:
    """Is *rule* the rule id of a canary's findings?"""
    return rule.startswith(CANARY_PREFIX)


class CanaryDetector:
    """Finds the values of one :class:`Canary` (already validated by the loader)."""

    def __init__(self, canary: Canary, level: str) -> None:
        self.id = canary.rule
        self.level = level
        self.gate = canary_pattern(value for _, value in canary.record)
        self._regex = compile_re2(self.gate)

    def find(self, text: str, field: str | None = None) -> list[Span]:
        return [Span(start, end, 1.0, mask_value(text[start:end]))
                for start, end in (m.span() for m in self._regex.finditer(text))
                if start != end]
