"""Field names that are personal data are found and never printed.

An export without its header row makes its first record the field names; JSON keyed
by email address makes every key a value. Reports print field names, so these must
be found by the detectors and shown masked.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from guardrail.cli import cli

HEADERLESS = (b"Jack Davies,12 Acacia Avenue,HP1 1AA,2026-01\n"
              b"Emma Clarke,3 Mill Lane,HP2 4AB,2026-02\n")


def test_a_missing_header_row_is_reported_without_its_values(guard) -> None:
    decision = guard.check(HEADERLESS, format="csv")
    header = [(f.record, f.field, f.rule, f.evidence) for f in decision.findings
              if f.record is None]
    assert header == [
        (None, "#1", "person.name", "J*** D*****"),
        (None, "#2", "uk.street_address", "** A***** A*****"),
        (None, "#3", "uk.postcode", "HP1 ***"),
    ]
    report = json.dumps(decision.to_dict())
    for raw in ("Jack", "Davies", "Acacia", "HP1 1AA", "Emma", "Mill Lane"):
        assert raw not in report
    # the columns are still checked, under their numbers
    # "2026-01" is no plain identifier and no rule names it: shown by number too
    assert {f.field for f in decision.findings} == {"#1", "#2", "#3", "#4"}


def test_json_keyed_by_personal_data_masks_the_key(guard) -> None:
    decision = guard.check([{"jane.smith@example.com": {"visits": 3}, "month": "2026-01"},
                            {"tom.walker@example.org": {"visits": 1}, "month": "2026-02"}])
    keys = [(f.record, f.field, f.rule, f.evidence) for f in decision.findings
            if f.rule == "email"]
    assert keys == [(0, '"[email]"', "email", "j***@e******.c**"),
                    (1, '"[email]"', "email", "t***@e******.o**")]
    counts = {(k.rule, k.field): n for k, n in decision.counts.items()}
    assert counts[("email", '"[email]"')] == 2
    assert "jane" not in json.dumps(decision.to_dict())


def test_text_report_of_a_headerless_export_holds_no_value(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(HEADERLESS)
    output = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", str(path)]).output
    assert output.startswith("BLOCKED")
    for raw in ("Jack", "Davies", "Acacia", "HP1 1AA", "Emma", "Clarke"):
        assert raw not in output
