"""Test helpers for detector authors: detector vectors as YAML case files.

One YAML file per detector holds its valid and invalid vectors; one parametrised
test runs them all (sqlfluff's ``pass_str``/``fail_str`` files, for detectors)::

    from guardrail.testing import check_detector_case, load_detector_cases

    @pytest.mark.parametrize("case", load_detector_cases(HERE / "data" / "detectors"),
                             ids=lambda case: case.id)
    def test_detector(case):
        check_detector_case(MyDetector(), case)

A case file::

    detector: uk.postcode
    cases:
      - name: spaced upper case
        text: "Lives at HP1 1AA now"
        field: null                # optional: the field name passed to find()
        found:                     # every span, in text order: matched text and evidence
          - {match: "HP1 1AA", evidence: "HP1 ***", min_confidence: 0.9}
      - name: bare outward code is not a postcode
        text: "HP1 area"
        found: []
      - name: a known gap
        text: "..."
        found: [...]
        xfail: "why the detector gets this wrong"   # strict: a pass is reported

Files are read with ``yaml.safe_load``. pytest is needed only to run ``xfail`` cases.
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from guardrail.contract.protocols import Detector, declared
from guardrail.contract.records import Span
from guardrail.policy.detectors import compile_re2

__all__ = ["DetectorCase", "ExpectedSpan", "CaseFileError", "load_detector_cases",
           "check_detector_case", "detector_spans"]

_FILE_KEYS = {"detector", "cases"}
_CASE_KEYS = {"name", "text", "field", "found", "xfail"}
_SPAN_KEYS = {"match", "evidence", "min_confidence", "max_confidence"}


class CaseFileError(ValueError):
    """A case file that cannot be read or is not in the case format."""


@dataclass(frozen=True)
class ExpectedSpan:
    """One span a detector must report: ``text[start:end] == match``.

    ``evidence`` is the masked evidence the engine would show (the detector's own,
    else :func:`~guardrail.mask_value` of the match); None leaves it unchecked.
    """

    match: str
    evidence: str | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None


@dataclass(frozen=True)
class DetectorCase:
    """One input for one detector and exactly what it must find in it."""

    detector: str
    name: str
    text: str
    found: tuple[ExpectedSpan, ...]
    field: str | None = None
    xfail: str | None = None
    file: str = ""
    index: int = 0

    @property
    def id(self) -> str:
        """A readable, unique-per-file test id: ``uk.postcode: spaced upper case``."""
        return f"{self.detector}: {self.name}"

    @property
    def where(self) -> str:
        return f"{self.file} case {self.index + 1} ({self.name!r})"


def load_detector_cases(path: str | os.PathLike[str]) -> list[DetectorCase]:
    """Every case in a case file, or in every ``*.yaml``/``*.yml`` file of a directory.

    Raises :class:`CaseFileError` naming the file and case for anything malformed,
    so a typo (``fond:``) fails the collection instead of silently testing nothing.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml"))
        if not files:
            raise CaseFileError(f"{root}: no *.yaml case files")
    else:
        files = [root]
    cases: list[DetectorCase] = []
    for file in files:
        cases.extend(_load_file(file))
    return cases


def _load_file(file: Path) -> list[DetectorCase]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseFileError(f"{file}: cannot read case file: {exc}") from exc
    if not isinstance(data, dict):
        raise CaseFileError(f"{file}: expected a mapping with 'detector' and 'cases'")
    _no_unknown_keys(data, _FILE_KEYS, str(file))
    detector = data.get("detector")
    if not isinstance(detector, str) or not detector:
        raise CaseFileError(f"{file}: 'detector' must be a detector id")
    items = data.get("cases")
    if not isinstance(items, list) or not items:
        raise CaseFileError(f"{file}: 'cases' must be a non-empty list")
    cases = []
    names: set[str] = set()
    for index, item in enumerate(items):
        where = f"{file} case {index + 1}"
        if not isinstance(item, dict):
            raise CaseFileError(f"{where}: expected a mapping")
        _no_unknown_keys(item, _CASE_KEYS, where)
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise CaseFileError(f"{where}: 'name' must be a non-empty string")
        where = f"{where} ({name!r})"
        if name in names:
            raise CaseFileError(f"{where}: duplicate case name")
        names.add(name)
        text = item.get("text")
        if not isinstance(text, str):
            raise CaseFileError(f"{where}: 'text' must be a string")
        field = item.get("field")
        if field is not None and not isinstance(field, str):
            raise CaseFileError(f"{where}: 'field' must be a string or null")
        xfail = item.get("xfail")
        if xfail is not None and (not isinstance(xfail, str) or not xfail.strip()):
            raise CaseFileError(f"{where}: 'xfail' must be the reason, as a string")
        if "found" not in item or not isinstance(item["found"], list):
            raise CaseFileError(f"{where}: 'found' must be a list ([] when nothing is found)")
        found = tuple(_expected_span(span, f"{where} found[{n}]")
                      for n, span in enumerate(item["found"]))
        for span in found:
            if span.match not in text:
                raise CaseFileError(f"{where}: expected match {span.match!r} is not in the text")
        cases.append(DetectorCase(detector, name, text, found, field, xfail, str(file), index))
    return cases


def _expected_span(data: Any, where: str) -> ExpectedSpan:
    if not isinstance(data, dict):
        raise CaseFileError(f"{where}: expected a mapping with 'match' and 'evidence'")
    _no_unknown_keys(data, _SPAN_KEYS, where)
    match = data.get("match")
    if not isinstance(match, str) or not match:
        raise CaseFileError(f"{where}: 'match' must be the matched text")
    evidence = data.get("evidence")
    if evidence is not None and not isinstance(evidence, str):
        raise CaseFileError(f"{where}: 'evidence' must be a string")
    bounds = []
    for key in ("min_confidence", "max_confidence"):
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0 <= value <= 1):
            raise CaseFileError(f"{where}: '{key}' must be a number from 0 to 1")
        bounds.append(value)
    return ExpectedSpan(match, evidence, *bounds)


def _no_unknown_keys(data: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise CaseFileError(f"{where}: unknown key(s) {', '.join(unknown)}; "
                            f"expected: {', '.join(sorted(known))}")


def detector_spans(detector: Detector, text: str, field: str | None = None) -> list[Span]:
    """``detector.find(text, field)`` sorted by position, for detectors with or without *field*."""
    find = detector.find
    try:
        takes_field = len(inspect.signature(find).parameters) >= 2
    except (TypeError, ValueError):
        takes_field = False
    spans = find(text, field) if takes_field else find(text)  # type: ignore[call-arg]
    return sorted(spans, key=lambda s: (s.start, s.end))


def check_detector_case(detector: Detector, case: DetectorCase) -> None:
    """Run *detector* on *case* and raise :class:`AssertionError` unless it finds exactly
    what the case expects: the same matched texts, evidence and confidence bounds.

    Every reported span must also hold masked evidence (never the raw value) and lie
    where the detector's candidate ``pattern`` matches, because the engine only calls
    ``find`` on values that pattern gates in (or on every value of a field for which
    the detector's ``wants_field`` is True). A case with ``xfail`` must still fail: it
    is reported as xfailed, and as an error once the detector gets it right.
    """
    if getattr(detector, "id", None) != case.detector:
        raise AssertionError(f"{case.where}: case is for detector {case.detector!r}, "
                             f"got detector {getattr(detector, 'id', None)!r}")
    problems = _problems(detector, case)
    if case.xfail is None:
        if problems:
            raise AssertionError("\n".join(problems))
        return
    import pytest  # only a test run reaches here

    if problems:
        pytest.xfail(f"{case.xfail} ({problems[0].splitlines()[-1].strip()})")
    raise AssertionError(f"{case.where}: marked xfail ({case.xfail!r}) but the detector "
                         "now gets it right; remove 'xfail' from the case")


def _problems(detector: Detector, case: DetectorCase) -> list[str]:
    text = case.text
    spans = detector_spans(detector, text, case.field)
    actual = [(text[s.start:s.end], s.masked(text)) for s in spans]
    problems: list[str] = []
    expected = [(e.match, e.evidence) for e in case.found]
    if [m for m, _ in actual] != [m for m, _ in expected] or any(
            e is not None and e != a for (_, a), (_, e) in zip(actual, expected, strict=True)):
        problems.append(
            f"{case.where}: {case.detector} on {text!r}"
            + (f" (field {case.field!r})" if case.field is not None else "") + "\n"
            f"  expected: {_show(expected)}\n"
            f"  found:    {_show(actual)}"
        )
        return problems
    for span, want in zip(spans, case.found, strict=True):
        confidence = span.confidence
        if not isinstance(confidence, (int, float)) or math.isnan(confidence) \
                or not 0 <= confidence <= 1:
            problems.append(f"{case.where}: confidence {confidence!r} of {want.match!r} "
                            "is not a number from 0 to 1")
        elif want.min_confidence is not None and confidence < want.min_confidence:
            problems.append(f"{case.where}: {want.match!r} found with confidence "
                            f"{confidence:.2f}, expected at least {want.min_confidence}")
        elif want.max_confidence is not None and confidence > want.max_confidence:
            problems.append(f"{case.where}: {want.match!r} found with confidence "
                            f"{confidence:.2f}, expected at most {want.max_confidence}")
    for match, evidence in actual:
        if len(match) > 1 and match.strip() in evidence:
            problems.append(f"{case.where}: evidence {evidence!r} shows the raw value")
    gate = declared(detector, "pattern")
    wants_field = declared(detector, "wants_field")
    read_anyway = case.field is not None and callable(wants_field) and wants_field(case.field)
    if spans and isinstance(gate, str) and not read_anyway and not _gate_matches(gate, text):
        problems.append(f"{case.where}: find() reported spans but the candidate pattern "
                        "does not match the text under RE2, so the engine never calls find()")
    return problems


def _gate_matches(pattern: str, text: str) -> bool:
    """Does the RE2 gate the engine builds from *pattern* let *text* through?"""
    try:
        compiled = compile_re2(pattern)
    except Exception:  # not RE2 syntax: the engine runs the detector on every value
        return True
    return compiled.search(text) is not None


def _show(spans: Iterable[tuple[str, str | None]]) -> str:
    shown = [f"{m!r} -> {e!r}" if e is not None else repr(m) for m, e in spans]
    return "[" + ", ".join(shown) + "]" if shown else "nothing"
