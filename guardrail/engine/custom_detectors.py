"""Regex and dictionary detectors that policy authors write in ``detectors.custom``.

Patterns run on RE2, so a careless or hostile pattern cannot make matching take
more than linear time; hotwords near a match raise its confidence and exclusion
patterns drop matches that are known to be harmless.
"""

from __future__ import annotations

from guardrail.contract.records import Span
from guardrail.masking import mask_value
from guardrail.policy.detectors import compile_re2, gate_pattern, terms_pattern
from guardrail.policy.model import CustomDetectorSpec

__all__ = ["CustomDetector", "HOTWORD_BOOST"]

HOTWORD_BOOST = 0.3


class CustomDetector:
    """A detector built from a :class:`CustomDetectorSpec` (already validated)."""

    def __init__(self, spec: CustomDetectorSpec) -> None:
        self.spec = spec
        self.id = spec.id
        self.level = spec.level
        self.confidence = spec.confidence
        # Built exactly as the policy loader checked them (policy.detectors), so what
        # loaded also compiles here.
        body = spec.regex if spec.regex is not None else terms_pattern(spec.terms)
        self.gate = gate_pattern(spec.regex, spec.terms, spec.ignore_case)
        self._regex = compile_re2(body, spec.ignore_case)
        self._hotwords = compile_re2(terms_pattern(spec.hotwords), True) \
            if spec.hotwords else None
        self._exclude = [compile_re2(p, spec.ignore_case) for p in spec.exclude]

    def find(self, text: str, field: str | None = None) -> list[Span]:
        spans = []
        for match in self._regex.finditer(text):
            start, end = match.span()
            if start == end:
                continue
            value = text[start:end]
            if any(pattern.search(value) for pattern in self._exclude):
                continue
            spans.append(Span(start, end, self._confidence(text, start, end),
                              mask_value(value)))
        return spans

    def _confidence(self, text: str, start: int, end: int) -> float:
        if self._hotwords is None:
            return self.confidence
        window = self.spec.hotword_window
        nearby = text[max(0, start - window):start] + " " + text[end:end + window]
        if self._hotwords.search(nearby):
            return min(1.0, self.confidence + HOTWORD_BOOST)
        return self.confidence


