"""The text and json reporters, rendered from real decisions."""

from __future__ import annotations

import datetime as _dt
import io
import json
from pathlib import Path

import helpers
import pytest

from guardrail import Guardrail, ReportOptions
from guardrail.host.registry import load_registry

HERE = Path(__file__).parent
DATA = HERE / "data"
LEAKY = str(helpers.LEAKY_EXPORT)
CLEAN = str(helpers.CLEAN_EXPORT)
WAIVERS = DATA / "reports" / "waivers.yaml"
TODAY = _dt.date(2026, 6, 1)


def render(decision, name: str = "text", **options) -> str:
    out = io.StringIO()
    load_registry().reporter(name).render(decision, out, ReportOptions(**options))
    return out.getvalue()


@pytest.fixture
def waivers() -> Guardrail:
    return Guardrail.from_policy(WAIVERS)


def test_reporters_are_registered():
    registry = load_registry()
    assert {"text", "json"} <= set(registry.reporters)
    assert registry.owners["reporters"]["text"] == "guardrail 0.1.0"


# -- text ---------------------------------------------------------------------------------------

def test_text_report_for_an_allowed_payload(guard):
    decision = guard.check(CLEAN)
    sha = guard.policy.sha256[:12]
    assert render(decision) == (
        "ALLOWED: publishable to 'public-web'\n"
        f"policy asb-public-web 1.0.0 (sha256 {sha}), destination public-web\n"
        "\n"
        f"  {CLEAN}: csv, 61 records, ok\n"
    )


def test_text_report_for_a_blocked_payload(plain_guard):
    decision = plain_guard.check(LEAKY, max_findings=2)
    sha = plain_guard.policy.sha256[:12]
    assert render(decision, examples=1) == (
        "BLOCKED: 305 findings may not go to 'public-web' (fields: case_ref, "
        "complainant_address, complainant_name, notes, postcode)\n"
        f"policy asb-no-detectors 1.0.0 (sha256 {sha}), destination public-web\n"
        "\n"
        f"  {LEAKY}: csv, 61 records, BLOCKED (305 findings)\n"
        "\n"
        "Findings by rule and field:\n"
        "  rule                  field                level             action     count\n"
        "  asb.field.internal    case_ref             internal          block         61\n"
        "  uk.field.address      postcode             personal          block         61\n"
        "  uk.field.free_text    notes                personal          block         61\n"
        "  uk.field.name_like    complainant_address  personal          block         61\n"
        "  uk.field.person_name  complainant_name     personal          block         61\n"
        "  (10 of 305 findings listed in detail; counts are exact)\n"
        "\n"
        "First 1 record with findings (evidence is masked):\n"
        f"  {LEAKY} record 0 (line 2):\n"
        "    case_ref = A**/****/******  [asb.field.internal, internal, block]\n"
        "    complainant_name = D***** H*****  [uk.field.person_name, personal, block]\n"
        "    complainant_address = ** G***** H***, H**** H********  "
        "[uk.field.name_like, personal, block]\n"
        "    postcode = H** ***  [uk.field.address, personal, block]\n"
        "    notes = N******** d******; D***** H*****\u2026 (84 chars)  "
        "[uk.field.free_text, personal, block]\n"
        "\n"
        "What to do next:\n"
        "  - Leave out of the export the fields the policy keeps from 'public-web' "
        "(case_ref, complainant_name, complainant_address, postcode, notes);\n"
        "    if the policy classifies one wrongly, change its level in "
        "tests/data/policies/asb-no-detectors.yaml.\n"
    )


def test_text_report_examples_default_to_five_records(guard):
    text = render(guard.check(LEAKY))
    assert "First 5 records with findings (evidence is masked):\n" in text
    assert f"  {LEAKY} record 4 (line 6):\n" in text
    assert f"  {LEAKY} record 5 " not in text


def test_text_report_one_finding_is_singular(plain_guard):
    text = render(plain_guard.check([{"month": "2026-01", "postcode": "HP1 1AA"}]))
    assert text.startswith("BLOCKED: 1 finding may not go to 'public-web' (fields: postcode)\n")
    assert "  <records>: records, 1 records, BLOCKED (1 finding)\n" in text
    assert "First 1 record with findings (evidence is masked):\n" in text
    assert "  <records> record 0:\n" in text  # no position for in-memory records
    assert "listed in detail" not in text


def test_text_report_names_sections_and_the_document(guard):
    text = render(guard.check(DATA / "json" / "wrapped.json"))
    path = DATA / "json" / "wrapped.json"
    assert f"  {path} cases record 0:\n    email = z***@e******.o**  " \
           "[uk.field.contact, personal, block; also email]\n" in text
    assert f"  {path} outside the records:\n" \
           "    meta.exported_by = Z****** Q**********  " \
           "[field.unclassified, personal, block; also person.name]\n" in text


def test_text_report_positions(guard):
    text = render(guard.check(DATA / "json" / "records.ndjson"))
    assert f"  {DATA / 'json' / 'records.ndjson'} record 1 (line 3):\n" in text


def test_text_report_for_an_unreadable_payload(guard):
    path = DATA / "csv" / "bad-quote.csv"
    text = render(guard.check(path))
    error = "line 3: malformed CSV (',' expected after '\"'); check quoting on this line"
    assert text.splitlines()[0] == f"BLOCKED: {path} could not be checked: {error}"
    assert f"  {path}: csv, 0 records, UNREADABLE: {error}\n" in text


def test_text_report_for_an_undetectable_payload(guard):
    text = render(guard.check(DATA / "csv" / "unknown-content"))
    assert f"  {DATA / 'csv' / 'unknown-content'}: ?, 0 records, UNREADABLE: cannot tell " \
           "the format" in text


def test_text_report_in_audit_mode(plain_guard):
    text = render(plain_guard.check(LEAKY, mode="audit"))
    assert text.splitlines()[0] == (
        "AUDIT (dry run, nothing was blocked): would be BLOCKED: 305 findings may not go to "
        "'public-web' (fields: case_ref, complainant_address, complainant_name, notes, "
        "postcode)")
    audit_clean = render(plain_guard.check(CLEAN, mode="audit"))
    assert audit_clean.splitlines()[0] == (
        "AUDIT (dry run, nothing was blocked): would be ALLOWED: publishable to 'public-web'")


def test_text_report_warnings_waivers_and_notices(waivers):
    decision = waivers.check(LEAKY, today=TODAY, max_findings=1)
    text = render(decision, examples=1)
    lines = text.splitlines()
    assert lines[0] == ("BLOCKED: 183 findings may not go to 'public-web' (fields: "
                        "complainant_address, complainant_name, notes)")
    assert lines[1].startswith("policy test-report-waivers 2.1 (sha256 ")
    assert f"  {LEAKY}: csv, 61 records, BLOCKED (183 findings) (61 warnings, 61 waived)" in lines
    waiver = f"exception for field postcode approved by Data Protection Officer ({WAIVERS}:11)"
    assert ("  asb.field.internal    case_ref             internal          warn          61"
            in lines)
    assert ("  uk.field.address      postcode             personal          waived        61"
            f"  (by the {waiver})") in lines
    assert "    case_ref = A**/****/******  [asb.field.internal, internal, warn]" in lines
    assert "    postcode = H** ***  [uk.field.address, personal, block, waived]" in lines
    notices = lines.index("Notices:")
    assert lines[notices:notices + 3] == [
        "Notices:",
        "  - exception for rule uk.field.free_text approved by Head of Information Management "
        f"({WAIVERS}:15) expired on 2020-01-01 and no longer applies",
        "",
    ]
    assert lines[notices + 3] == "What to do next:"


def test_waiver_stops_applying_after_it_expires(waivers):
    before = waivers.check(LEAKY, today=_dt.date(2026, 12, 31))
    after = waivers.check(LEAKY, today=_dt.date(2027, 1, 1))
    assert (before.blocking_count, after.blocking_count) == (183, 244)
    assert len(after.notices) == 2


def test_warnings_alone_do_not_block(waivers):
    decision = waivers.check([{"month": "2026-01", "case_ref": "ASB/2026/004400"}], today=TODAY)
    assert decision.allowed
    assert decision.exit_code == 0
    text = render(decision)
    assert text.startswith("ALLOWED: publishable to 'public-web'\n")
    assert "  <records>: records, 1 records, ok (1 warning)\n" in text


# -- json -----------------------------------------------------------------------------------------

def test_json_report_is_the_decision_as_json(guard):
    decision = guard.check(LEAKY, max_findings=2)
    text = render(decision, "json")
    assert text.endswith("}\n")
    assert json.loads(text) == decision.to_dict()


def test_json_report_keeps_non_ascii_readable(guard):
    text = render(guard.check(DATA / "csv" / "utf16.csv"), "json")
    assert '"evidence": "Z** \u00c5*******"' in text


def test_json_report_document_findings_have_a_null_record(plain_guard):
    report = json.loads(render(plain_guard.check(DATA / "json" / "wrapped.json"), "json"))
    assert [(f["section"], f["record"], f["field"]) for f in report["findings"]] == [
        ("cases", 0, "email"),
        ("(document)", None, "meta.exported_by"),
        ("(document)", None, "meta.generated"),
    ]
    assert report["files"] == [{"file": str(DATA / "json" / "wrapped.json"), "format": "json",
                                "records": 2}]


def test_json_report_waivers_warnings_and_notices(waivers):
    report = json.loads(render(waivers.check(LEAKY, today=TODAY, max_findings=1), "json"))
    assert report["decision"] == "block"
    assert report["policy"]["name"] == "test-report-waivers"
    assert report["policy"]["version"] == "2.1"
    assert report["counts"]["blocking"] == 183
    assert report["findings_total"] == 305
    rows = {row["field"]: row for row in report["counts"]["by_rule_and_field"]}
    waiver = f"exception for field postcode approved by Data Protection Officer ({WAIVERS}:11)"
    assert rows["postcode"] == {"rule": "uk.field.address", "field": "postcode",
                                "level": "personal", "action": "block", "count": 61,
                                "waived_by": waiver}
    assert rows["case_ref"]["action"] == "warn"
    postcode = next(f for f in report["findings"] if f["field"] == "postcode")
    assert postcode["waived_by"] == waiver
    assert report["notices"] == [
        "exception for rule uk.field.free_text approved by Head of Information Management "
        f"({WAIVERS}:15) expired on 2020-01-01 and no longer applies"]


def test_json_report_for_an_unreadable_payload(plain_guard):
    path = DATA / "json" / "malformed.json"
    report = json.loads(render(plain_guard.check(path), "json"))
    assert report["decision"] == "block"
    assert report["files"] == [{
        "file": str(path), "format": "json", "records": 0,
        "error": "line 3, column 24: not valid JSON: Expecting property name enclosed in "
                 "double quotes",
        "error_kind": "payload",
    }]
    # the record read before the fault was checked and is reported too
    assert [(f["record"], f["field"]) for f in report["findings"]] == [(0, "complainant_name")]
