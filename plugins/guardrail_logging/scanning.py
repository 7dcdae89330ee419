"""Masking personal data inside one string, in place.

:meth:`guardrail.Guardrail.scan_text` says where in a string the policy's detectors
found what the destination may not receive (the detectors, thresholds, allow list and
reading a check applies to a value); this module masks each of those spans as reports
do, overlapping ones as one.
"""

from __future__ import annotations

from guardrail import Guardrail, TextMatch, mask_value

__all__ = ["TextScanner"]


class TextScanner:
    """*guardrail*'s policy, for *destination*, ready to mask strings. Thread-safe."""

    def __init__(self, guardrail: Guardrail, destination: str | None = None) -> None:
        guardrail.compiled(destination)  # an unknown destination fails now
        self.guardrail = guardrail
        self.destination = destination

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, masked evidence) of each value found, in order, overlaps merged.
        A multi-line text (a traceback) is read as the engine reads any value."""
        return _merged(text, self.guardrail.scan_text(text, self.destination))

    def mask(self, text: str) -> tuple[str, int]:
        """*text* with every value found masked in place, and how many were."""
        spans = self.spans(text)
        if not spans:
            return text, 0
        out, last = [], 0
        for start, end, evidence in spans:
            out += [text[last:start], evidence]
            last = end
        out.append(text[last:])
        return "".join(out), len(spans)


def _merged(text: str, found: list[TextMatch]) -> list[tuple[int, int, str]]:
    """Overlapping spans become one, masked as a whole."""
    merged: list[tuple[int, int, str | None]] = []
    for match in found:
        if merged and match.start < merged[-1][1]:
            first, last, _ = merged[-1]
            merged[-1] = (first, max(last, match.end), None)
        else:
            merged.append((match.start, match.end, match.evidence))
    return [(start, end, evidence if evidence is not None else mask_value(text[start:end]))
            for start, end, evidence in merged]
