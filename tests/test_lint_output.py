"""``guardrail lint --format json|sarif`` and ``--output``: what CI reads."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import lint

from guardrail import __version__
from guardrail.authoring.lint_codes import CODES

HERE = Path(__file__).parent
DATA = HERE / "data" / "lint"
SARIF_SCHEMA = HERE / "data" / "sarif" / "sarif-schema-2.1.0.json"
FILES = ("waiver-expiring.yaml", "unknown-level.yaml", "clean.yaml")


@pytest.fixture(autouse=True)
def _in_data(monkeypatch):
    monkeypatch.chdir(DATA)




def test_json_lists_every_finding_with_its_position_and_code():
    result = lint("--format", "json", *FILES)
    assert result.exit_code == 1
    assert json.loads(result.output) == [
        {"file": "unknown-level.yaml", "line": 16, "column": 12, "severity": "error",
         "code": "unknown-level",
         "message": "fields[0].level: unknown level 'personl'; did you mean 'personal'? "
                    "expected one of: public, internal, personal, special-category"},
        {"file": "waiver-expiring.yaml", "line": 18, "column": 14, "severity": "warning",
         "code": "waiver-expiring",
         "message": "the exception for field postcode (approved by Data Protection Officer) "
                    "expires on 2026-12-15 (in 14 days); renew it with a new 'expires' and "
                    "approval, or fix what it waives before then"},
    ]


def test_json_of_a_clean_policy_is_an_empty_list():
    result = lint("--format", "json", "clean.yaml")
    assert (result.exit_code, json.loads(result.output)) == (0, [])


def _sarif(*files: str) -> dict:
    result = lint("--format", "sarif", *files)
    log = json.loads(result.output)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    return log


def test_sarif_is_valid_and_locates_each_result():
    log = _sarif(*FILES)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("guardrail", __version__)
    assert [rule["id"] for rule in driver["rules"]] == list(CODES)
    assert driver["rules"][list(CODES).index("unknown-level")] == {
        "id": "unknown-level",
        "shortDescription": {"text": "A level that the policy's 'levels' do not declare."},
        "defaultConfiguration": {"level": "error"},
    }
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"])
            for r in run["results"]] == [
        ("unknown-level", "error", {"artifactLocation": {"uri": "unknown-level.yaml"},
                                    "region": {"startLine": 16, "startColumn": 12}}),
        ("waiver-expiring", "warning", {"artifactLocation": {"uri": "waiver-expiring.yaml"},
                                        "region": {"startLine": 18, "startColumn": 14}}),
    ]
    assert run["results"][0]["message"]["text"].startswith("fields[0].level: unknown level")
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_sarif_names_an_absolute_path_as_a_file_uri():
    log = _sarif(str(DATA / "unknown-level.yaml"))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri == (DATA / "unknown-level.yaml").as_uri()


def test_sarif_of_a_clean_policy_has_no_results():
    assert _sarif("clean.yaml")["runs"][0]["results"] == []


def test_the_schema_check_would_catch_a_broken_log():
    log = _sarif("unknown-level.yaml")
    log["runs"][0]["results"][0]["level"] = "fatal"
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(log)


def test_output_writes_the_report_to_a_file(tmp_path):
    target = tmp_path / "lint.json"
    result = lint("--format", "json", "--output", str(target), "unknown-level.yaml")
    assert (result.exit_code, result.output) == (1, "")
    assert [f["code"] for f in json.loads(target.read_text(encoding="utf-8"))] == [
        "unknown-level"]


def test_a_file_that_cannot_be_read_exits_2_in_every_format():
    for fmt in ("json", "sarif"):
        result = lint("--format", fmt, "no-such-policy.yaml", "yaml-syntax.yaml")
        assert result.exit_code == 2, fmt
    log = _sarif("no-such-policy.yaml", "yaml-syntax.yaml")
    assert [(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]] == [
        ("unreadable", "error"), ("yaml-syntax", "error"), ("incomplete", "note")]
