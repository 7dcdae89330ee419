"""The seed case end to end: the shipped ASB policy, its detectors, the shipped examples."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from guardrail.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples"


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
    assert counts == {
        ("asb.field.internal", "case_ref"): 61,
        ("uk.field.person_name", "complainant_name"): 61,
        ("uk.field.name_like", "complainant_address"): 61,
        ("uk.field.address", "postcode"): 61,
        ("uk.field.free_text", "notes"): 61,
        ("person.name", "complainant_name"): 61,
        ("person.name", "notes"): 61,              # every note names its caller
        ("uk.street_address", "complainant_address"): 61,
        ("uk.street_address", "notes"): 18,        # "outside 82 Galley Hill", "of 82 ..."
        ("uk.postcode", "postcode"): 61,
        ("uk.phone", "notes"): 11,                 # "Caller ... (07700 900xxx)"
    }
    assert report["counts"]["blocking"] == 578
    first = [f for f in report["findings"] if f["record"] == 0]
    assert [(f["field"], f["rule"]) for f in first][:5] == [
        ("case_ref", "asb.field.internal"), ("complainant_name", "uk.field.person_name"),
        ("complainant_address", "uk.field.name_like"), ("postcode", "uk.field.address"),
        ("notes", "uk.field.free_text")]


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
