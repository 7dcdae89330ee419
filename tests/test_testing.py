"""guardrail.testing: the public case-file loader and checker that detector authors use."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guardrail import Span
from guardrail.testing import (
    CaseFileError,
    DetectorCase,
    ExpectedSpan,
    check_detector_case,
    detector_spans,
    load_detector_cases,
)


class Digits:
    """A tiny detector: runs of four digits, evidence keeps the first one."""

    id = "test.digits"
    level = "personal"
    confidence = 0.8
    pattern = r"[0-9]{4}"

    def find(self, text: str, field: str | None = None) -> list[Span]:
        import re

        spans = []
        for match in re.finditer(r"\b[0-9]{4}\b", text):
            confidence = 0.95 if field == "pin" else self.confidence
            spans.append(Span(match.start(), match.end(), confidence,
                              match.group(0)[0] + "***"))
        return spans


class NoField:
    """A detector whose find() takes only the text, as the Detector protocol allows."""

    id = "test.nofield"
    level = "personal"
    confidence = 1.0

    def find(self, text: str) -> list[Span]:
        start = text.find("secret")
        return [] if start < 0 else [Span(start, start + 6)]


def write(tmp_path: Path, text: str, name: str = "test.digits.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    detector: test.digits
    cases:
      - name: one pin
        text: "PIN 1234 please"
        found:
          - {match: "1234", evidence: "1***", min_confidence: 0.5, max_confidence: 0.9}
      - name: field raises confidence
        text: "1234"
        field: pin
        found:
          - {match: "1234", min_confidence: 0.9}
      - name: five digits are not a pin
        text: "12345"
        found: []
"""


def test_load_a_file(tmp_path):
    path = write(tmp_path, GOOD)
    cases = load_detector_cases(path)
    assert [c.id for c in cases] == ["test.digits: one pin", "test.digits: field raises confidence",
                                     "test.digits: five digits are not a pin"]
    assert cases[0] == DetectorCase(
        "test.digits", "one pin", "PIN 1234 please",
        (ExpectedSpan("1234", "1***", 0.5, 0.9),), None, None, str(path), 0)
    assert cases[1].field == "pin"
    assert cases[2].found == ()
    for case in cases:
        check_detector_case(Digits(), case)


def test_load_a_directory_sorted_by_file_name(tmp_path):
    write(tmp_path, GOOD, "b.yaml")
    write(tmp_path, GOOD.replace("one pin", "another pin"), "a.yml")
    (tmp_path / "notes.txt").write_text("not a case file")
    cases = load_detector_cases(tmp_path)
    assert [Path(c.file).name for c in cases] == ["a.yml"] * 3 + ["b.yaml"] * 3


def test_parametrize_with_the_loader(tmp_path):
    """The documented use: one parametrised test over a directory of case files."""
    (tmp_path / "cases").mkdir()
    write(tmp_path / "cases", GOOD)
    (tmp_path / "test_plugin.py").write_text(textwrap.dedent(f"""\
        import pytest
        from guardrail import Span
        from guardrail.testing import check_detector_case, load_detector_cases

        {textwrap.indent(inspect.getsource(Digits), "        ").strip()}

        @pytest.mark.parametrize("case", load_detector_cases("cases"), ids=lambda c: c.id)
        def test_vectors(case):
            check_detector_case(Digits(), case)
    """), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                             "test_plugin.py"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_vectors[test.digits: one pin] PASSED" in result.stdout
    assert " 3 passed" in result.stdout


def test_wrong_match_says_what_was_expected_and_found(tmp_path):
    case = load_detector_cases(write(tmp_path, """\
        detector: test.digits
        cases:
          - name: two pins
            text: "1234 and 5678"
            found:
              - {match: "1234", evidence: "1***"}
    """))[0]
    with pytest.raises(AssertionError) as info:
        check_detector_case(Digits(), case)
    message = str(info.value)
    assert "case 1 ('two pins')" in message and "'1234 and 5678'" in message
    assert "expected: ['1234' -> '1***']" in message
    assert "found:    ['1234' -> '1***', '5678' -> '5***']" in message


@pytest.mark.parametrize("span, complaint", [
    ('{match: "1234", evidence: "1234"}', "expected: ['1234' -> '1234']"),
    ('{match: "1234", min_confidence: 0.9}', "confidence 0.80, expected at least 0.9"),
    ('{match: "1234", max_confidence: 0.5}', "confidence 0.80, expected at most 0.5"),
])
def test_evidence_and_confidence_are_checked(tmp_path, span, complaint):
    case = load_detector_cases(write(tmp_path, f"""\
        detector: test.digits
        cases:
          - name: pin
            text: "1234"
            found: [{span}]
    """))[0]
    with pytest.raises(AssertionError, match=complaint.replace("(", r"\(").replace("[", r"\[")):
        check_detector_case(Digits(), case)


def test_raw_value_in_evidence_is_a_failure(tmp_path):
    class Leaky(Digits):
        def find(self, text, field=None):
            return [Span(s.start, s.end, s.confidence, text[s.start:s.end])
                    for s in super().find(text, field)]

    case = DetectorCase("test.digits", "leak", "1234", (ExpectedSpan("1234"),))
    with pytest.raises(AssertionError, match="evidence '1234' shows the raw value"):
        check_detector_case(Leaky(), case)


def test_missing_evidence_is_masked_like_the_engine_does():
    case = DetectorCase("test.nofield", "secret", "a secret word",
                        (ExpectedSpan("secret", "s*****"),), field="ignored")
    check_detector_case(NoField(), case)
    assert detector_spans(NoField(), "secret", "field") == [Span(0, 6)]


def test_gate_pattern_must_let_found_text_through():
    class Gated(Digits):
        pattern = r"PIN"  # find() reports digits on text the gate never lets through

    case = DetectorCase("test.digits", "no gate", "1234", (ExpectedSpan("1234", "1***"),))
    with pytest.raises(AssertionError, match="candidate pattern does not match"):
        check_detector_case(Gated(), case)


def test_case_for_another_detector():
    case = DetectorCase("test.other", "x", "1234", ())
    with pytest.raises(AssertionError, match="case is for detector 'test.other'"):
        check_detector_case(Digits(), case)


def test_xfail_case_that_fails_is_xfailed():
    case = DetectorCase("test.digits", "known gap", "12345", (ExpectedSpan("12345"),),
                        xfail="five-digit pins are not supported yet")
    with pytest.raises(pytest.xfail.Exception, match="five-digit pins are not supported yet"):
        check_detector_case(Digits(), case)


def test_xfail_case_that_passes_is_an_error():
    case = DetectorCase("test.digits", "fixed", "1234", (ExpectedSpan("1234"),), xfail="old bug")
    with pytest.raises(AssertionError, match="remove 'xfail'"):
        check_detector_case(Digits(), case)


@pytest.mark.parametrize("text, complaint", [
    ("- just a list\n", "expected a mapping with 'detector' and 'cases'"),
    ("detector: test.digits\ncases: []\n", "'cases' must be a non-empty list"),
    ("cases: [{name: a, text: b, found: []}]\n", "'detector' must be a detector id"),
    ("detector: x\ncase: []\n", "unknown key(s) case"),
    ("detector: x\ncases: [{name: a, text: b, fond: []}]\n", "unknown key(s) fond"),
    ("detector: x\ncases: [{name: a, text: b}]\n", "'found' must be a list"),
    ("detector: x\ncases: [{text: b, found: []}]\n", "'name' must be a non-empty string"),
    ("detector: x\ncases: [{name: a, found: []}]\n", "'text' must be a string"),
    ("detector: x\ncases: [{name: a, text: b, field: 3, found: []}]\n",
     "'field' must be a string or null"),
    ("detector: x\ncases: [{name: a, text: b, found: [], xfail: true}]\n",
     "'xfail' must be the reason"),
    ("detector: x\ncases: [{name: a, text: b, found: []}, {name: a, text: c, found: []}]\n",
     "case 2 ('a'): duplicate case name"),
    ("detector: x\ncases: [{name: a, text: b, found: [c]}]\n",
     "found[0]: expected a mapping"),
    ("detector: x\ncases: [{name: a, text: b, found: [{match: z}]}]\n",
     "expected match 'z' is not in the text"),
    ("detector: x\ncases: [{name: a, text: b, found: [{match: b, min_confidence: 2}]}]\n",
     "'min_confidence' must be a number from 0 to 1"),
    ("detector: x\ncases: [{name: a, text: b, found: [{match: b, evidnce: x}]}]\n",
     "unknown key(s) evidnce"),
    ("detector: x\ncases: [\n", "cannot read case file"),
    ("detector: !!python/object:os.system x\ncases: []\n", "cannot read case file"),
])
def test_malformed_case_files_name_the_file_and_case(tmp_path, text, complaint):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as info:
        load_detector_cases(path)
    assert str(info.value).startswith(str(path))
    assert complaint in str(info.value)


def test_empty_directory(tmp_path):
    with pytest.raises(CaseFileError, match="no \\*.yaml case files"):
        load_detector_cases(tmp_path)
