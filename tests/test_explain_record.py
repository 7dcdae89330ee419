"""``guardrail explain --record N FILE``: one record explained as ``check`` judges it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from guardrail import Guardrail
from guardrail.authoring.explain_record import RecordRequest, explain_record
from guardrail.cli import cli
from guardrail.host.registry import load_registry
from guardrail.policy.model import BLOCKING_ACTIONS

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data" / "explain_record"
LEAKY = "examples/asb-export-leaky.csv"
CLEAN = "examples/asb-export-clean.csv"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Payloads are named relative to the project, as a user at its root names them."""
    monkeypatch.chdir(ROOT)


def _explain(*args: str) -> Result:
    return CliRunner().invoke(cli, ["explain", *args])


def _normal(text: str) -> str:
    """The shipped policies' folder differs between checkouts, and their lines move as
    they are edited: shown as <policies>/NAME.yaml:LINE."""
    shipped = load_registry().policies["asb-public-web"].parent
    text = text.replace(f"{shipped}/", "<policies>/").replace(f"{ROOT}/", "")
    return re.sub(r"(<policies>/[\w-]+\.yaml):\d+", r"\1:LINE", text)


def _golden(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_a_leaky_record_is_explained_field_by_field() -> None:
    result = _explain("-p", "asb-public-web", LEAKY, "--record", "1")
    assert result.exit_code == 1
    assert _normal(result.output) == _golden("leaky-record-1.txt")


def test_a_clean_record_is_allowed_and_says_why() -> None:
    result = _explain("-p", "asb-public-web", CLEAN, "--record", "0")
    assert result.exit_code == 0
    assert _normal(result.output) == _golden("clean-record-0.txt")


def test_field_narrows_the_explanation_and_waivers_are_named() -> None:
    result = _explain("-p", str(DATA / "waivers.yaml"), "--today", "2026-07-01", LEAKY,
                      "-r", "0", "--field", "case_ref", "--field", "postcode")
    assert result.exit_code == 1
    assert _normal(result.output) == _golden("waivers-record-0.txt")


def test_a_record_beyond_the_end_exits_2_with_how_many_there_are() -> None:
    result = _explain("-p", "asb-public-web", CLEAN, "--record", "61")
    assert result.exit_code == 2
    assert result.output == (
        "guardrail: error: examples/asb-export-clean.csv has no record 61: it holds records "
        "0 to 60 (numbered from 0, as reports number them)\n")


def test_an_unknown_field_exits_2_listing_the_fields() -> None:
    result = _explain("-p", "asb-public-web", CLEAN, "--record", "0", "--field", "name")
    assert result.exit_code == 2
    assert result.output == (
        "guardrail: error: record 0 of examples/asb-export-clean.csv has no field 'name'; "
        "its fields: month, category, ward, lsoa_code, lsoa_name, outcome\n")


def test_record_options_without_record_are_a_usage_error() -> None:
    result = _explain("-p", "asb-public-web", "postcode", "--field", "postcode")
    assert result.exit_code == 2
    assert "--field, --section and --format explain a record: give --record N too" \
        in result.output


def test_record_takes_exactly_one_file() -> None:
    result = _explain("-p", "asb-public-web", CLEAN, LEAKY, "--record", "0")
    assert result.exit_code == 2
    assert "with --record, give exactly one payload FILE" in result.output


def test_a_json_record_names_nested_fields_and_screens_keys() -> None:
    result = _explain("-p", "asb-public-web", str(DATA.relative_to(ROOT) / "cases.json"),
                      "--record", "1")
    assert result.exit_code == 1
    assert _normal(result.output) == _golden("json-record-1.txt")
    assert "zeb.quackenbush" not in result.output and "Zebedee" not in result.output


def test_a_header_that_is_personal_data_is_shown_by_number() -> None:
    result = _explain("-p", "asb-public-web", str(DATA.relative_to(ROOT) / "header.csv"),
                      "--record", "0", "--field", "#2")
    assert result.exit_code == 1
    assert "Grace" not in result.output and "Okafor" not in result.output
    assert _normal(result.output) == _golden("header-record-0.txt")


_FIELD = re.compile(r"^Field (.+)$")
_NAME = re.compile(r"the name is (?:blocked(?: until \w+)? by |allowed: )([\w.]+)")
_RULE = re.compile(r"^  ([\w.]+) \(when .*\): MATCHED")


def _shown(text: str) -> set[tuple[str | None, str]]:
    """(field, deciding rule) of every finding the explanation shows; record rules with
    field None."""
    found: set[tuple[str | None, str]] = set()
    field = None
    for line in text.splitlines():
        if (match := _FIELD.match(line)) is not None:
            field = match.group(1)
        elif line.startswith("  Result: ") and "nothing in this field" not in line:
            rule = re.search(r"(?:by|allowed:) ([\w.]+)", line)
            assert rule is not None, line
            found.add((field, rule.group(1)))
        elif (match := _NAME.search(line)) is not None:
            found.add((field, match.group(1)))
        elif (match := _RULE.match(line)) is not None:
            found.add((None, match.group(1)))
    return found


def test_every_leaky_record_agrees_with_check() -> None:
    guard = Guardrail.from_policy("asb-public-web")
    decision = guard.check(LEAKY, max_findings=10**6)
    record_rules = {rule.id for rule in guard.policy.record_rules}
    with open(LEAKY, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 61
    for index, row in enumerate(rows):
        lines, code = explain_record(guard, RecordRequest(LEAKY, index))
        text = "\n".join(lines)
        checked = {(None if f.rule in record_rules else f.field, f.rule)
                   for f in decision.findings if f.record == index}
        assert checked, index  # every leaky record has findings
        assert _shown(text) == checked, index
        blocked = any(f.action in BLOCKING_ACTIONS and f.waived_by is None
                      for f in decision.findings if f.record == index)
        assert code == (1 if blocked else 0)
        assert ("Verdict: BLOCKED" in text) == blocked
        # Evidence only: no raw value of the record is printed.
        for column in ("case_ref", "complainant_name", "complainant_address", "postcode",
                       "notes"):
            assert row[column] not in text, (index, column)
        for word in re.findall(r"[A-Z][a-z]{2,}", row["complainant_name"]):
            assert word not in text, (index, word)
        for number in re.findall(r"\d{5} \d{6}", row["notes"]):
            assert number not in text, (index, number)


def test_explain_field_form_is_unchanged() -> None:
    result = _explain("-p", "asb-public-web", "postcode", "month")
    assert result.exit_code == 1  # postcode is refused
    assert _explain("-p", "asb-public-web", "month").exit_code == 0
    assert [line.split(" (")[0] for line in result.output.splitlines()] == [
        "postcode: personal", "month: public"]


def test_explain_field_says_what_a_waiver_or_an_audit_holds_back() -> None:
    # The field form judges the day asked, as 'check' does: a waiver in force, one
    # expired, and a rule in audit (staged rollout) change what the line ends with.
    waived = _explain("-p", str(DATA / "waivers.yaml"), "--today", "2026-07-01",
                      "case_ref", "postcode")
    assert waived.exit_code == 1, waived.output  # the expired waiver leaves postcode BLOCK
    waivers = DATA / "waivers.yaml"
    assert [line.split(" -> ")[1] for line in waived.output.splitlines()] == [
        "public-web accepts at most public: allowed: BLOCK waived by the exception for "
        f"rule asb.field.internal approved by Jo Bloggs ({waivers}:7)",
        "public-web accepts at most public: BLOCK (the exception for field postcode "
        f"approved by Sam Patel ({waivers}:11) expired on 2026-06-30)"]
    staged = str(ROOT / "tests" / "data" / "staged_rollout" / "rollout.yaml")
    before = _explain("-p", staged, "--today", "2026-12-31", "notes", "month")
    assert before.output.splitlines() == [
        f"notes: personal (name rule 'notes' at {staged}:11; rule rollout.field.notes) -> "
        "public-web accepts at most public: AUDIT (rule rollout.field.notes is in audit: "
        "reported, not blocked)",
        f"month: public (name rule 'month' at {staged}:15; rule rollout.field.public) -> "
        "public-web accepts at most public: allowed"]


def _workbook(tmp_path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["month", "count"])
    summary.append(["2026-01", 12])
    cases = book.create_sheet("Cases")
    cases.append(["month", "complainant_name"])
    cases.append(["2026-01", "Daniel Hughes"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def test_a_workbook_record_is_found_by_section(tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    first = _explain("-p", "asb-public-web", str(book), "--record", "0")
    assert first.exit_code == 0
    assert f"Record 0 of {book}, section 'Summary' (Summary!A2:B2)" in first.output
    cases = _explain("-p", "asb-public-web", str(book), "--record", "0", "--section", "Cases")
    assert cases.exit_code == 1
    assert f"Record 0 of {book}, section 'Cases'" in cases.output
    assert "Field complainant_name" in cases.output and "Hughes" not in cases.output


def test_an_unknown_section_exits_2_listing_the_sections(tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    result = _explain("-p", "asb-public-web", str(book), "--record", "0", "--section", "Nope")
    assert result.exit_code == 2
    assert result.output == (f"guardrail: error: {book} has no section 'Nope'; its "
                             "sections: Summary, Cases, (properties)\n")


def test_a_destination_that_accepts_the_level_allows_it_and_runs_no_detector() -> None:
    result = _explain("-p", "asb-public-web", "-d", "internal", LEAKY, "-r", "0",
                      "--field", "postcode")
    assert result.exit_code == 0
    assert _normal(result.output) == (
        "Record 0 of examples/asb-export-leaky.csv (line 2), for destination 'internal', "
        "which accepts data up to level special-category.\n"
        "Verdict: allowed: nothing in it is refused.\n"
        "Content detectors not run: internal accepts the levels they find: bank.iban, email, "
        "network.ip_address, payment_card, person.name, uk.date_of_birth, uk.driving_licence, "
        "uk.nhs_number, uk.nino, uk.passport, uk.phone, uk.postcode, uk.street_address, "
        "uk.vehicle_registration.\n"
        "\n"
        "Field postcode\n"
        "  The policy classifies it as personal by its name rule 'postcode', written at "
        "<policies>/uk-personal-data.yaml:LINE (rule uk.field.address).\n"
        "  internal accepts personal: the field itself may go.\n"
        "  No content detector looks at this field for this destination.\n"
        "  Result: nothing in this field is refused.\n"
        "\n")


def test_an_unreadable_payload_exits_3_as_check_does() -> None:
    result = _explain("-p", "asb-public-web", "tests/data/json/malformed.json", "-r", "0")
    assert result.exit_code == 3
    assert result.output == (
        "guardrail: error: tests/data/json/malformed.json:line 3, column 24: not valid JSON: "
        "Expecting property name enclosed in double quotes\n")


def test_a_detector_under_its_threshold_says_how_near_it_came() -> None:
    result = _explain("-p", str(DATA / "threshold.yaml"), LEAKY, "-r", "1", "--field", "notes")
    assert result.exit_code == 1
    lines = _normal(result.output).splitlines()
    assert lines[6:14] == [
        "  0.90: person.name",
        "",
        "Field notes",
        "  The policy classifies it as personal by its name rule 'notes', written at "
        "<policies>/uk-personal-data.yaml:LINE (rule uk.field.free_text).",
        "  public-web accepts at most public; this field is personal, so the policy says: "
        "block.",
        "  Content: person.name found J*** D***** (masked) only with confidence 0.85, under "
        "the 0.90 it counts: not a finding.",
        "  Content: uk.phone found ***** ****** (masked), confidence 0.90 (it counts 0.50 or "
        "more); level personal.",
        "  Content: the other detectors found nothing.",
    ]
    assert lines[14] == ("  Result: blocked by uk.field.free_text (evidence, masked: C***** J*** "
                        "D***** (***** ******… (90 chars); rules that matched: "
                        "uk.field.free_text, uk.phone).")


def test_a_redacting_policy_says_what_redact_would_do() -> None:
    result = _explain("-p", str(DATA / "redacting.yaml"), LEAKY, "-r", "1", "--field",
                      "postcode")
    assert result.exit_code == 1
    lines = _normal(result.output).splitlines()
    assert lines[1:3] == [
        "Verdict: BLOCKED: this record may not be published there.",
        "  'guardrail redact' can replace the values blocked 'until' replaced, but the others "
        "still block the record.",
    ]
    assert lines[10] == ("  public-web accepts at most public; this field is personal, so the "
                         "policy says: redact.")
    assert lines[13].startswith("  Result: blocked until redacted by uk.field.address ")


def _agrees_with_check(guard: Guardrail, path: str) -> int:
    """Explain every record of *path* and compare with what check reports for it; the
    number of records compared."""
    decision = guard.check(path, max_findings=10**6)
    record_rules = {rule.id for rule in guard.policy.record_rules}
    count = decision.files[0].records
    for index in range(count):
        lines, code = explain_record(guard, RecordRequest(path, index))
        text = "\n".join(lines)
        mine = [f for f in decision.findings if f.record == index]
        assert _shown(text) == {(None if f.rule in record_rules else f.field, f.rule)
                                for f in mine}, index
        blocked = any(f.action in BLOCKING_ACTIONS and f.waived_by is None for f in mine)
        assert code == (1 if blocked else 0), index
    return count


def test_every_json_record_agrees_with_check() -> None:
    guard = Guardrail.from_policy("asb-public-web")
    assert _agrees_with_check(guard, str(DATA.relative_to(ROOT) / "cases.json")) == 2


def test_every_leaky_record_agrees_with_check_when_some_are_waived() -> None:
    guard = Guardrail.from_policy(DATA / "waivers.yaml")
    assert _agrees_with_check(guard, LEAKY) == 61


def test_explain_field_names_the_record_rules_that_read_the_field() -> None:
    # From a new-user trial: 'count' was shown 'allowed' with no word of the
    # small-number rule that blocks records with counts of 1 to 4.
    policy = str(ROOT / "examples" / "policy-guide" / "asb-export.yaml")
    result = _explain("-p", policy, "count", "month")
    assert result.exit_code == 0
    assert [line.rsplit(": ", 1)[-1] if "record rule" not in line else
            line[line.index("allowed"):] for line in result.output.splitlines()] == [
        "allowed; record rule asb.small_count reads it and may block a record "
        "(explain --record says which)",
        "allowed"]
