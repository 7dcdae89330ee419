"""``--report sarif`` and ``--report junit``: what CI services read.

SARIF is validated against the official 2.1.0 schema (draft-04, tests/data/sarif/) and
its results compared exactly; JUnit XML is read by junitparser, as CI plugins read it,
and by xml.etree. No report holds a raw value of the leaky example.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import helpers
import jsonschema
import pytest
from report_plugins import invoke

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE / "data" / "sarif" / "sarif-schema-2.1.0.json")
                    .read_text(encoding="utf-8"))
POLICY = str(helpers.NO_DETECTORS)
PNG = b"\x89PNG\r\n\x1a\n\x00\x01\x02\x00\x01\x02\x00\xff\xfe"
MESSAGES = {
    "asb.field.internal": ("case_ref", "A**/****/******", "internal"),
    "uk.field.person_name": ("complainant_name", "D***** H*****", "personal"),
    "uk.field.name_like": ("complainant_address", "** G***** H***, H**** H********",
                           "personal"),
    "uk.field.address": ("postcode", "H** ***", "personal"),
    "uk.field.free_text": ("notes", "N******** d******; D***** H*****… (84 chars)", "personal"),
}
RULE_OF = {"case_ref": "name rule 'case_ref'", "complainant_name": "name rule "
           "'complainant_name'", "complainant_address": "match rule '*_address'",
           "postcode": "name rule 'postcode'", "notes": "name rule 'notes'"}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    (root / "pages").mkdir(parents=True)
    shutil.copy(helpers.CLEAN_EXPORT, root / "clean.csv")
    shutil.copy(helpers.LEAKY_EXPORT, root / "pages" / "leaky.csv")
    (root / "logo.png").write_bytes(PNG)
    monkeypatch.chdir(tmp_path)
    return root


def sarif(*args: str, exit_code: int) -> dict:
    result = invoke("check", "--report", "sarif", *args)
    assert result.exit_code == exit_code, result.output
    log = json.loads(result.stdout)  # stdout holds the report alone
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


def results(log: dict) -> list[tuple]:
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    found = []
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        physical = result["locations"][0]["physicalLocation"]
        found.append((result["ruleId"], result["level"], physical["artifactLocation"]["uri"],
                      physical.get("region", {}).get("startLine"), result["message"]["text"]))
    return found


def _leaky_results(level: str) -> list[tuple]:
    return [(rule, level, "site/pages/leaky.csv", 2,
             f"record 0: {field} = {evidence} (field '{field}' is {lvl} ({RULE_OF[field]}); "
             "'public-web' accepts at most public)")
            for rule, (field, evidence, lvl) in MESSAGES.items()]


def test_sarif_of_a_blocked_folder_locates_each_finding_and_the_unreadable_file(site: Path):
    log = sarif("--policy", POLICY, "site", "--max-findings", "1", exit_code=3)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run["tool"]["driver"]["name"] == "guardrail"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "asb.field.internal", "uk.field.address", "uk.field.free_text", "uk.field.name_like",
        "uk.field.person_name", "guardrail.unreadable"]
    assert all(r["help"]["text"] and r["shortDescription"]["text"]
               for r in run["tool"]["driver"]["rules"])
    unreadable = results(log)[0]
    assert unreadable[:4] == ("guardrail.unreadable", "error", "site/logo.png", None)
    assert unreadable[4].startswith("site/logo.png could not be checked: cannot tell the "
                                    "format")
    assert unreadable[4].endswith("leave it out with --exclude GLOB")
    assert results(log)[1:] == _leaky_results("error")
    assert run["properties"]["verdict"] == "block"
    assert run["properties"]["findingsTotal"] == 305
    assert run["properties"]["findingsListed"] == 5
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 3}]


def test_sarif_fingerprints_name_the_place_never_the_value(site: Path):
    first = sarif("--policy", POLICY, "site/pages", exit_code=1)
    again = sarif("--policy", POLICY, "site/pages", exit_code=1)
    prints = [r["partialFingerprints"]["guardrail/v1"] for r in first["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"]["guardrail/v1"]
                      for r in again["runs"][0]["results"]]
    assert len(set(prints)) == len(prints) == 250  # 50 listed of each of 5 rules
    expected = hashlib.sha256("\0".join(["site/pages/leaky.csv", "asb.field.internal",
                                         "case_ref", "", "0"]).encode()).hexdigest()
    assert prints[0] == expected


def test_sarif_of_a_clean_file_has_no_results(site: Path):
    log = sarif("--policy", POLICY, "site/clean.csv", exit_code=0)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []
    assert log["runs"][0]["properties"]["verdict"] == "allow"


def test_sarif_in_audit_mode_shows_what_enforce_would_block(site: Path):
    log = sarif("--policy", POLICY, "--mode", "audit", "site/pages", "--max-findings", "1",
                exit_code=0)
    assert results(log) == _leaky_results("error")
    assert log["runs"][0]["properties"]["mode"] == "audit"


def test_sarif_levels_warning_for_warn_and_note_for_waived(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(textwrap.dedent("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: levels, version: "1"}
        levels: [public, internal, personal]
        destinations:
          public-web:
            max_level: public
            actions: {internal: warn, personal: block}
        default_destination: public-web
        fields:
          - {id: t.field.public, name: [month], level: public}
          - {id: t.field.team, name: [team], level: internal}
          - {id: t.field.person, name: [officer, postcode], level: personal}
        exceptions:
          - field: postcode
            reason: Districts only.
            approved_by: Jo Bloggs
            expires: 2099-12-31
        detectors: {skip: ["*"]}
        """), encoding="utf-8")
    (tmp_path / "a.csv").write_text("month,team,officer,postcode\n"
                                    "2026-01,North,Alice Smith,HP3 9SY\n", encoding="utf-8")
    log = sarif("--policy", "p.yaml", str(tmp_path / "a.csv"), exit_code=1)
    assert [(r[0], r[1], r[2], r[3]) for r in results(log)] == [
        ("t.field.team", "warning", "a.csv", 2),   # absolute path under the working folder
        ("t.field.person", "error", "a.csv", 2),
        ("t.field.person", "note", "a.csv", 2),
    ]
    assert results(log)[2][4].startswith("record 0: postcode = H** *** (")
    assert "; waived by exception for field postcode approved by Jo Bloggs" in results(log)[2][4]


def junit_root(*args: str, exit_code: int) -> ET.Element:
    result = invoke("check", "--report", "junit", *args)
    assert result.exit_code == exit_code, result.output
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(result.stdout.split("\n", 1)[1])


def test_junit_has_one_case_per_file_failing_blocked_and_erroring_unreadable(site: Path):
    root = junit_root("--policy", POLICY, "site", "--max-findings", "1", exit_code=3)
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    assert suite.get("name") == "guardrail asb-no-detectors 1.0.0 -> public-web"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == ["site/clean.csv", "site/logo.png", "site/pages/leaky.csv"]
    assert list(cases["site/clean.csv"]) == []
    error = cases["site/logo.png"].find("error")
    assert error.get("type") == "unreadable"
    assert error.get("message").startswith("UNREADABLE: site/logo.png could not be checked: "
                                           "cannot tell the format")
    failure = cases["site/pages/leaky.csv"].find("failure")
    assert failure.get("message") == "BLOCKED: 305 findings may not go to 'public-web'"
    assert failure.text.splitlines() == [
        "Findings by rule and field (exact counts):",
        "  asb.field.internal  case_ref  internal  block  61",
        "  uk.field.address  postcode  personal  block  61",
        "  uk.field.free_text  notes  personal  block  61",
        "  uk.field.name_like  complainant_address  personal  block  61",
        "  uk.field.person_name  complainant_name  personal  block  61",
        "First 5 listed (evidence is masked):",
        *[f"  record 0 (line 2): {field} = {evidence}  [{rule}, {level}, block]"
          for rule, (field, evidence, level) in MESSAGES.items()],
    ]


def test_junit_in_audit_mode_passes_and_says_what_would_block(site: Path):
    root = junit_root("--policy", POLICY, "--mode", "audit", "site/pages", "site/clean.csv",
                      exit_code=0)
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "0", "0")
    leaky = suite.find("testcase[@name='site/pages/leaky.csv']")
    assert leaky.find("failure") is None
    out = leaky.find("system-out").text
    assert out.startswith("AUDIT (dry run, nothing was blocked): would be BLOCKED: 305 "
                          "findings\nFindings by rule and field (exact counts):\n")


def test_junit_is_read_by_junitparser(site: Path):
    junitparser = pytest.importorskip("junitparser", reason="junitparser (test extra) is "
                                      "not installed yet")
    result = invoke("check", "--report", "junit", "--policy", POLICY, "site")
    xml = junitparser.JUnitXml.fromstring(result.stdout.split("\n", 1)[1])
    (suite,) = list(xml)
    assert (suite.tests, suite.failures, suite.errors) == (3, 1, 1)
    outcomes = {case.name: [type(r).__name__ for r in case.result] for case in suite}
    assert outcomes == {"site/clean.csv": [], "site/logo.png": ["Error"],
                        "site/pages/leaky.csv": ["Failure"]}
    (failure,) = next(c for c in suite if c.name == "site/pages/leaky.csv").result
    assert failure.message == "BLOCKED: 305 findings may not go to 'public-web'"


@pytest.mark.parametrize("report", ["text", "json", "sarif", "junit"])
def test_no_report_holds_a_raw_value_of_the_leaky_example(site: Path, report: str):
    with open(helpers.LEAKY_EXPORT, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    personal = ("case_ref", "complainant_name", "complainant_address", "postcode", "notes")
    values = {row[name] for row in rows for name in personal if row[name]}
    values |= {part for row in rows for part in row["complainant_name"].split()}
    for policy in (POLICY, "asb-public-web"):  # field rules alone, and every detector
        output = invoke("check", "--report", report, "--policy", policy, "site").stdout
        assert output
        leaked = sorted(v for v in values if v in output)
        assert leaked == [], leaked
