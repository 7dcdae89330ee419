"""The seed case end to end: the shipped ASB policy, its detectors, the shipped examples."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner
from helpers import EXAMPLES

from guardrail.cli import cli


def _run(*args: str):
    return CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--report", "json", *args])


def test_clean_export_is_publishable() -> None:
    result = _run(str(EXAMPLES / "asb-export-clean.csv"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["decision"] == "allow"
    assert report["findings_total"] == 0
    assert report["files"][0]["records"] == 61


def test_leaky_export_is_blocked_by_field_rules_and_detectors() -> None:
    result = _run(str(EXAMPLES / "asb-export-leaky.csv"))
    assert result.exit_code == 1
    report = json.loads(result.output)
    counts = {(r["rule"], r["field"]): r["count"] for r in report["counts"]["by_rule_and_field"]}
    # One finding per value: the field rule decides, the detectors that also matched
    # ride along (the "578 findings" counted each personal value twice).
    assert counts == {
        ("asb.field.internal", "case_ref"): 61,
        ("uk.field.person_name", "complainant_name"): 61,
        ("uk.field.name_like", "complainant_address"): 61,
        ("uk.field.address", "postcode"): 61,
        ("uk.field.free_text", "notes"): 61,
    }
    assert report["counts"]["blocking"] == 305
    assert report["findings_total"] == 305
    first = [f for f in report["findings"] if f["record"] == 0]
    assert [(f["field"], f["rule"], f.get("also"), f["evidence"]) for f in first] == [
        ("case_ref", "asb.field.internal", None, "A**/****/******"),
        ("complainant_name", "uk.field.person_name", ["person.name"], "D***** H*****"),
        ("complainant_address", "uk.field.name_like", ["uk.street_address"],
         "** G***** H***, H**** H********"),
        ("postcode", "uk.field.address", ["uk.postcode"], "HP3 ***"),
        ("notes", "uk.field.free_text", ["person.name", "uk.street_address"],
         "N******** d******; D***** H*****… (84 chars)")]
    notes = [f for f in report["findings"] if f["field"] == "notes"]
    assert sum("uk.phone" in f.get("also", []) for f in notes) == 10  # of the 50 listed


def test_no_value_of_the_leaky_export_appears_in_any_report() -> None:
    rows = list(csv.DictReader((EXAMPLES / "asb-export-leaky.csv").open(encoding="utf-8")))
    secrets = {r[k] for r in rows for k in ("complainant_name", "complainant_address",
                                            "postcode", "notes")}
    secrets |= {part for r in rows for part in r["complainant_name"].split()}
    for report in ("json", "text"):
        output = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--report", report,
                                          "--max-findings", "1000",
                                          str(EXAMPLES / "asb-export-leaky.csv")]).output
        leaked = sorted(s for s in secrets if len(s) > 3 and s in output)
        assert leaked == []
