"""guardrail test, after a new-user trial: inherited destinations in coverage, near-miss
hints, --format json, and case-level skip and xfail."""

from __future__ import annotations

import json
import textwrap
import unittest
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail.authoring.suites import check_case, load_cases
from guardrail.cli import cli

POLICY = """\
apiVersion: guardrail/v1
kind: Policy
metadata:
  name: mine
extends: uk-personal-data
fields:
  - name: month
    level: public
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with policy p.yaml (extending uk-personal-data), the current folder."""
    (tmp_path / "p.yaml").write_text(POLICY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cases(folder: Path, body: str, name: str = "cases.yaml") -> str:
    (folder / name).write_text("policy: p.yaml\ncases:\n" + textwrap.dedent(body),
                               encoding="utf-8")
    return name


def run(*args: str):
    return CliRunner().invoke(cli, ["test", *args], catch_exceptions=False,
                              prog_name="guardrail")


MONTH = """\
  - name: a month may go
    records: [{month: 2026-01}]
    decision: allow
    findings: []
"""


# -- 4. coverage counts the destinations the policy answers for ----------------------------

def test_inherited_destinations_no_case_names_are_not_counted(here: Path) -> None:
    result = run(cases(here, MONTH), "--coverage")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "coverage of mine (p.yaml): 2 of 27 parts exercised (7.4%)"
    assert not any(line.startswith("    destination") for line in lines)
    assert "  not counted: destinations partner-portal, internal, inherited through extends " \
        "and named by no case" in lines


def test_an_inherited_destination_a_case_names_is_counted(here: Path) -> None:
    result = run(cases(here, MONTH + MONTH.replace("a month may go", "to partners")
                       .replace("    records", "    destination: partner-portal\n    records")),
                 "--coverage")
    lines = result.stdout.splitlines()
    assert lines[1] == "coverage of mine (p.yaml): 3 of 28 parts exercised (10.7%)"
    assert "  not counted: destination internal, inherited through extends and named by " \
        "no case" in lines


def test_the_destinations_a_policy_declares_count_with_their_line(here: Path) -> None:
    (here / "p.yaml").write_text(POLICY + "destinations:\n  archive:\n    max_level: personal\n"
                                 "    description: Sealed archive.\n", encoding="utf-8")
    result = run(cases(here, MONTH), "--coverage")
    assert "    destination archive at p.yaml:10" in result.stdout.splitlines()


# -- 5. a hint when findings differ only in 'waived' or a field's letter case --------------

def test_a_hint_names_the_only_difference(here: Path) -> None:
    result = run(cases(here, """\
      - name: waived
        records: [{month: 2026-01, Name: Jo Bloggs}]
        decision: block
        findings:
          - {record: 0, field: Name, rule: uk.field.person_name, waived: true}
      - name: letter case
        records: [{month: 2026-01, Name: Jo Bloggs}]
        decision: block
        findings:
          - {record: 0, field: name, rule: uk.field.person_name}
    """))
    assert result.exit_code == 1
    assert result.stdout == (
        "FAIL cases.yaml:3: waived\n"
        "  policy mine, destination public-web\n"
        "  findings (- expected, not found; + found, not expected):\n"
        "    - {record: 0, field: Name, rule: uk.field.person_name, waived: true}\n"
        '    + {record: 0, field: Name, rule: uk.field.person_name, evidence: "J* B*****"}\n'
        "  hint: record 0, field Name: the findings match except 'waived': the case says "
        "true, the check did not waive it\n"
        "FAIL cases.yaml:8: letter case\n"
        "  policy mine, destination public-web\n"
        "  findings (- expected, not found; + found, not expected):\n"
        '    + {record: 0, field: Name, rule: uk.field.person_name, evidence: "J* B*****"}\n'
        "    - {record: 0, field: name, rule: uk.field.person_name}\n"
        "  hint: record 0: the findings match except the letter case of 'field': the case "
        "says name, the check names it Name\n"
        "\n1 case file, 2 cases: 0 passed, 2 failed\n")


def test_no_hint_when_more_than_waived_differs(here: Path) -> None:
    result = run(cases(here, """\
      - name: other rule
        records: [{month: 2026-01, Name: Jo Bloggs}]
        decision: block
        findings:
          - {record: 0, field: Name, rule: uk.field.address, waived: true}
    """))
    assert "hint" not in result.stdout


# -- 6. skip, xfail and --format json --------------------------------------------------------

MARKED = MONTH + """\
  - name: not yet
    skip: the export has no such column yet
    records: [{month: 2026-01}]
    decision: block
    findings: []
  - name: nicknames
    xfail: no rule for nicknames yet
    records: [{nick: Bez}]
    decision: block
    findings: [{record: 0, field: nick, rule: uk.field.person_name}]
"""


def test_skip_is_not_run_and_an_expected_failure_keeps_the_run_green(here: Path) -> None:
    result = run(cases(here, MARKED), "-v")
    assert (result.exit_code, result.stdout) == (0, (
        "PASS cases.yaml:3: a month may go\n"
        "SKIP cases.yaml:7: not yet (skip: the export has no such column yet)\n"
        "XFAIL cases.yaml:12: nicknames (xfail: no rule for nicknames yet)\n"
        "\n1 case file, 3 cases: 1 passed, 0 failed, 1 skipped, 1 failed as expected "
        "(xfail)\n"))
    assert run(cases(here, MARKED)).stdout == (
        "\n1 case file, 3 cases: 1 passed, 0 failed, 1 skipped, 1 failed as expected "
        "(xfail)\n")


def test_an_xfail_case_that_passes_fails_the_run(here: Path) -> None:
    result = run(cases(here, MONTH.replace("    records", "    xfail: months leak\n"
                                           "    records")))
    assert (result.exit_code, result.stdout) == (1, (
        "XPASS cases.yaml:3: a month may go: marked 'xfail: months leak' but it passed; "
        "remove 'xfail' from the case\n"
        "\n1 case file, 1 case: 0 passed, 0 failed, 1 passed unexpectedly (xfail)\n"))


@pytest.mark.parametrize(("mark", "message"), [
    ("    skip: ''\n", "cases.yaml:4:9: cases[0].skip: 'skip' must be the reason, e.g. "
     "'skip: the detector for this is not written yet'"),
    ("    xfail: true\n", "cases.yaml:4:10: cases[0].xfail: 'xfail' must be the reason, e.g. "
     "'xfail: the detector for this is not written yet'"),
    ("    skip: a\n    xfail: b\n", "cases.yaml:5:3: cases[0].xfail: give 'skip' or 'xfail', "
     "not both"),
])
def test_a_mark_without_a_reason_is_refused_at_its_line(here: Path, mark: str,
                                                        message: str) -> None:
    result = run(cases(here, MONTH.replace("    records", mark + "    records")))
    assert result.exit_code == 2
    assert f"  {message}\n" in result.stderr


def test_json_gives_each_case_its_status_place_and_diff(here: Path) -> None:
    body = MARKED + """\
  - name: a name blocks
    records: [{month: 2026-01, Name: Jo Bloggs}]
    decision: block
    findings: [{record: 0, field: Name, rule: uk.field.person_name, waived: true}]
"""
    result = run(cases(here, body), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(c["name"], c["file"], c["line"], c["status"], c["reason"])
            for c in data["cases"]] == [
        ("a month may go", "cases.yaml", 3, "passed", None),
        ("not yet", "cases.yaml", 7, "skipped", "the export has no such column yet"),
        ("nicknames", "cases.yaml", 12, "xfailed", "no rule for nicknames yet"),
        ("a name blocks", "cases.yaml", 17, "failed", None),
    ]
    assert data["cases"][0]["diff"] is None and data["cases"][1]["policy"] is None
    assert data["cases"][3]["diff"] == {
        "decision": {"expected": "block", "actual": "block"},
        "missing": [{"record": 0, "field": "Name", "rule": "uk.field.person_name",
                     "waived": True, "line": 20}],
        "unexpected": [{"record": 0, "field": "Name", "rule": "uk.field.person_name",
                        "evidence": "J* B*****", "waived": False, "level": "personal",
                        "action": "block", "also": ["person.name"]}],
        "hints": ["record 0, field Name: the findings match except 'waived': the case says "
                  "true, the check did not waive it"],
        "errors": [],
    }
    assert data["errors"] == [] and "coverage" not in data
    assert data["summary"] == {"files": 1, "cases": 4, "passed": 1, "failed": 1,
                               "skipped": 1, "xfailed": 1, "xpassed": 0, "unreadable": 0}
    assert "Bloggs" not in result.stdout


def test_json_reports_an_unreadable_case_file_and_coverage(here: Path) -> None:
    cases(here, MONTH)
    (here / "bad.yaml").write_text("policy: p.yaml\ncases: []\n", encoding="utf-8")
    result = run("cases.yaml", "bad.yaml", "--format", "json", "--min-coverage", "50")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["errors"] == [{"file": "bad.yaml", "line": 2, "column": 8, "path": "cases",
                               "message": "'cases' must be a non-empty list of cases"}]
    assert data["coverage"][0]["percent"] == 7.4
    assert data["coverage"][0]["inherited_destinations"] == ["partner-portal", "internal"]
    assert data["below_minimum"] == ["coverage of mine is 7.4%, below --min-coverage 50: "
                                     "add cases that exercise the parts listed"]
    assert data["summary"]["unreadable"] == 1


def test_check_case_honours_skip_and_xfail(here: Path) -> None:
    skipped, xfailed = load_cases(here / cases(here, MARKED))[1:]
    with pytest.raises(unittest.SkipTest, match="no such column"):
        check_case(skipped)
    assert not check_case(xfailed).passed
    xpassed = load_cases(here / cases(here, MONTH.replace(
        "    records", "    xfail: months leak\n    records"), "x.yaml"))[0]
    with pytest.raises(AssertionError, match="marked 'xfail: months leak' but it passed"):
        check_case(xpassed)
