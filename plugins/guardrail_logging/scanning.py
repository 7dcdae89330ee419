"""Masking personal data inside one string, in place.

``Guardrail.check`` judges records and says which field held what, with masked
evidence, but not where in a string; ``Guardrail.redact`` writes whole files. A log line
needs the string itself with each value masked where it stands, so this module runs the
installed detectors the policy runs (their documented ``find(text)`` spans, gated by
their RE2 ``pattern`` as the engine gates them) and masks each span as reports do: the
detector's own evidence (``HP3 ***``), else :func:`guardrail.mask_value`.

It sees what the detectors see in the text as written: the core's reading step (text
with invisible characters between letters read as the word they spell) and a policy's
own ``custom`` detectors are not part of the public API and do not run here.
"""

from __future__ import annotations

import fnmatch
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from guardrail import Guardrail
from guardrail.plugin import Detector, Span

__all__ = ["TextScanner"]


_LINES_AS_SPACES = str.maketrans("\r\n", "  ")


@dataclass(frozen=True)
class _Active:
    id: str
    min_confidence: float
    find: Callable[[str], Iterable[Span]]
    pattern: str | None


class TextScanner:
    """The detectors *guardrail*'s policy runs whose level *destination* may not receive,
    ready to mask strings. Thread-safe: it keeps no state between calls."""

    def __init__(self, guardrail: Guardrail, destination: str | None = None) -> None:
        compiled = guardrail.compiled(destination)
        config = guardrail.policy.detectors
        self.detectors: list[_Active] = []
        for detector_id, detector in sorted(guardrail.registry.detectors.items()):
            if not any(fnmatch.fnmatchcase(detector_id, p) for p in config.run) or \
                    any(fnmatch.fnmatchcase(detector_id, p) for p in config.skip):
                continue
            setting = config.settings.get(detector_id)
            level = getattr(setting, "level", None) or detector.level
            if not compiled.exceeds(level):
                continue
            threshold = getattr(setting, "min_confidence", None)
            self.detectors.append(_Active(
                detector_id, config.min_confidence if threshold is None else threshold,
                _finder(detector), getattr(detector, "pattern", None)))
        self._gate, self._gated, self._ungated = _gate(self.detectors)
        # the policy's allowlisted terms (a public figure, a place) are not masked
        self.allow = tuple(sorted({a.lower() for a in config.allow if a.strip()}))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, masked evidence) of each value found, in order, overlaps merged.

        Line breaks are read as spaces (as the engine reads a multi-line value): a
        traceback's last line starts ``ValueError: ...``, which a name detector would
        take for a name opening a text. Offsets are unchanged.
        """
        if "\n" in text or "\r" in text:
            text = text.translate(_LINES_AS_SPACES)
        candidates = list(self._ungated)
        if self._gate is not None:
            matched = self._gate.Match(text) or ()
            candidates += [self._gated[i] for i in matched]
        found: list[tuple[int, int, str | None]] = []
        for detector in candidates:
            for span in detector.find(text):
                if span.confidence >= detector.min_confidence and span.end > span.start \
                        and not self._allowed(text, span.start, span.end):
                    found.append((span.start, span.end, span.evidence))
        return _merged(text, found)

    def _allowed(self, text: str, start: int, end: int) -> bool:
        """Does the span lie inside an allowlisted term, as the engine judges it?"""
        if not self.allow:
            return False
        lowered = text.lower()
        for term in self.allow:
            at = lowered.find(term)
            while at != -1:
                if at <= start and end <= at + len(term):
                    return True
                at = lowered.find(term, at + 1)
        return False

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


def _finder(detector: Detector) -> Callable[[str], Iterable[Span]]:
    """``find(text)``, passing no field name to a detector that takes one (free text
    has none)."""
    find = detector.find
    try:
        takes_field = len(inspect.signature(find).parameters) >= 2
    except (TypeError, ValueError):
        takes_field = False
    return (lambda text: find(text, None)) if takes_field else find  # type: ignore[call-arg]


def _gate(detectors: list[_Active]) -> tuple[Any, list[_Active], list[_Active]]:
    """One RE2 set over the detectors' patterns (a detector whose pattern RE2 does not
    take, or that has none, runs on every string)."""
    try:
        import re2
    except ImportError:  # pragma: no cover - google-re2 is a core dependency
        return None, [], list(detectors)
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    gate = re2.Set.SearchSet(options)
    gated, ungated = [], []
    for detector in detectors:
        try:
            if detector.pattern is None:
                raise ValueError
            gate.Add(detector.pattern)
        except Exception:  # not RE2 syntax, or no pattern: run it ungated
            ungated.append(detector)
            continue
        gated.append(detector)
    if not gated:
        return None, [], ungated
    gate.Compile()
    return gate, gated, ungated


def _merged(text: str, found: list[tuple[int, int, str | None]]) -> list[tuple[int, int, str]]:
    """Overlapping spans become one, masked as a whole."""
    from guardrail import mask_value

    merged: list[tuple[int, int, str | None]] = []
    for start, end, evidence in sorted(found):
        if merged and start < merged[-1][1]:
            first, last, _ = merged[-1]
            merged[-1] = (first, max(last, end), None)
        else:
            merged.append((start, end, evidence))
    return [(start, end, evidence if evidence is not None else mask_value(text[start:end]))
            for start, end, evidence in merged]
