"""Canary records: planted fake identities that every check blocks, wherever they are.

The policy under tests/data/canaries extends the shipped ASB policy with two canaries,
a destination that accepts every level, an allowlisted canary value and a field-wide
exception on 'ward': none of them may let a canary through.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from guardrail import Guardrail, PolicyError
from guardrail.cli import cli

HERE = Path(__file__).parent
POLICY = HERE / "data" / "canaries" / "policy.yaml"
EXAMPLES = HERE.parent / "examples"
CLEAN = EXAMPLES / "asb-export-clean.csv"
LEAKY = EXAMPLES / "asb-export-leaky.csv"
COLUMNS = "month,category,ward,lsoa_code,lsoa_name,outcome"

CANARY_CSV = (
    "month,category,ward,lsoa_code,lsoa_name,outcome\r\n"
    "CANARY-MONTH-01,Canary Category Zebedee,Zebedee Quillfeather,ZZ99CANARY01,07700 900999,"
    "zebedee.quillfeather@example.org\r\n"
    ",,Ottoline Wrenbuckle,,,\r\n")
# (record, field, rule, masked evidence) of the zebedee row appended as record 61.
ZEBEDEE_FINDINGS = [
    (61, "month", "canary.zebedee", "C*****-M****-**"),
    (61, "category", "canary.zebedee", "C***** C******* Z******"),
    (61, "ward", "canary.zebedee", "Z****** Q***********"),
    (61, "lsoa_code", "canary.zebedee", "Z***********"),
    (61, "lsoa_name", "canary.zebedee", "***** ******"),
    (61, "outcome", "canary.zebedee", "z******.q***********@e******.o**"),
]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def guard() -> Guardrail:
    return Guardrail.from_policy(POLICY)


def found(decision) -> list[tuple]:
    return [(f.record, f.field, f.rule, f.evidence) for f in decision.findings]


def planted(tmp_path: Path, rows: str = CANARY_CSV) -> Path:
    """A copy of the clean export with the canary rows (minus their header) appended."""
    target = tmp_path / "export.csv"
    shutil.copyfile(CLEAN, target)
    with target.open("a", encoding="utf-8", newline="") as out:
        out.write(rows.split("\r\n", 1)[1])
    return target


# -- guardrail canary ----------------------------------------------------------------------

def test_csv_lists_each_canary_under_the_union_of_their_fields():
    result = run("canary", "-p", str(POLICY))
    assert result.exit_code == 0
    assert result.stdout_bytes == CANARY_CSV.encode()  # "\r\n", as the export writes


def test_json_and_ndjson_give_each_canary_its_own_fields():
    zebedee = {"month": "CANARY-MONTH-01", "category": "Canary Category Zebedee",
               "ward": "Zebedee Quillfeather", "lsoa_code": "ZZ99CANARY01",
               "lsoa_name": "07700 900999", "outcome": "zebedee.quillfeather@example.org"}
    result = run("canary", "-p", str(POLICY), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [zebedee, {"ward": "Ottoline Wrenbuckle"}]
    assert result.stdout.startswith('[\n  {\n    "month": "CANARY-MONTH-01",\n')
    result = run("canary", "-p", str(POLICY), "--format", "ndjson")
    assert result.stdout.splitlines() == [json.dumps(zebedee),
                                          '{"ward": "Ottoline Wrenbuckle"}']


def test_columns_follow_the_export_and_no_header_appends(tmp_path):
    result = run("canary", "-p", str(POLICY), "--no-header", "--columns",
                 "outcome,ward,month,category,lsoa_code,lsoa_name,count\r")
    assert result.stdout_bytes.decode() == (
        "zebedee.quillfeather@example.org,Zebedee Quillfeather,CANARY-MONTH-01,"
        "Canary Category Zebedee,ZZ99CANARY01,07700 900999,\r\n"
        ",Ottoline Wrenbuckle,,,,,\r\n")
    result = CliRunner().invoke(cli, ["canary", "-p", str(POLICY), "--columns", "ward,month"])
    assert result.exit_code == 2
    assert result.stderr == (
        "guardrail: error: the canaries' fields category, lsoa_code, lsoa_name, outcome are "
        "not among --columns (ward, month); name the canaries' fields after the export's "
        "columns, or add them\n")


def test_output_file(tmp_path):
    target = tmp_path / "canaries.csv"
    result = run("canary", "-p", str(POLICY), "-o", str(target))
    assert result.exit_code == 0
    assert target.read_bytes() == CANARY_CSV.encode()
    assert result.stderr == f"wrote 2 canaries to {target}\n"


def test_a_policy_without_canaries_says_how_to_add_one():
    result = CliRunner().invoke(cli, ["canary", "-p", "asb-public-web"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "guardrail: error: the policy asb-public-web declares no canaries; add some to it, "
        "e.g.\n\ncanaries:\n  - id: nightly-test\n")
    assert result.stderr.endswith("(see docs/canaries.md)\n")


# -- the check ------------------------------------------------------------------------------

def test_the_clean_export_passes_and_with_canaries_blocks_on_exactly_them(guard, tmp_path):
    assert guard.check(CLEAN).allowed
    decision = guard.check(planted(tmp_path))
    assert not decision.allowed
    assert found(decision) == [*ZEBEDEE_FINDINGS,
                               (62, "ward", "canary.ottoline", "O******* W*********")]
    assert decision.canary_hits == {"ottoline": 1, "zebedee": 6}
    assert {f.level for f in decision.findings} == {"special-category"}
    assert {f.action for f in decision.findings} == {"block"}
    # neither the allowlist nor the exception on 'ward' let a canary through
    assert all(f.waived_by is None for f in decision.findings)
    report = decision.to_dict()
    assert report["canary_hits"] == {"ottoline": 1, "zebedee": 6}
    assert report["counts"]["by_rule"] == {"canary.ottoline": 1, "canary.zebedee": 6}


def test_a_destination_that_accepts_everything_still_blocks_a_canary(guard, tmp_path):
    assert guard.check(LEAKY, destination="records-office").allowed
    decision = guard.check(planted(tmp_path), destination="records-office")
    assert found(decision) == [*ZEBEDEE_FINDINGS,
                               (62, "ward", "canary.ottoline", "O******* W*********")]
    assert decision.exit_code == 1


@pytest.mark.parametrize("written", [
    "Zebedee\u00a0Quillfeather",      # a no-break space, as Excel writes
    "Zebedee   Quillfeather",         # several spaces
    "ZEBEDEE quillfeather",           # any case
    "ZebedeeQuillfeather",            # no space at all
    "07700\u00a0９００９９９",          # full-width digits
    "Complainant: Zebedee Quillfeather (test)",  # inside free text
])
def test_spacing_case_and_width_do_not_hide_a_canary(guard, written):
    decision = guard.check([{"ward": written}], destination="records-office")
    assert [(f.record, f.field, f.rule) for f in decision.findings] == [
        (0, "ward", "canary.zebedee")]


@pytest.mark.parametrize("written", [
    "Zebedee Quillfeathers",         # another word: whole words only
    "xZebedee Quillfeather",
    "Zebedee",                       # one word of a two-word value
    "07700 9009990",
])
def test_only_whole_values_match(guard, written):
    assert guard.check([{"ward": written}], destination="records-office").allowed


def test_a_canary_in_a_field_name_blocks_and_is_never_printed(guard):
    payload = b"month,Zebedee Quillfeather\r\n2026-08,x\r\n"
    decision = guard.check(payload, format="csv", destination="records-office")
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (None, "#2", "canary.zebedee", "Z****** Q***********")]
    assert decision.canary_hits == {"zebedee": 1}


def test_json_payloads_by_value_and_by_key(guard):
    payload = json.dumps({"cases": [{"month": "2026-08", "notes": {"by": "ottoline wrenbuckle"}},
                                    {"Ottoline Wrenbuckle": "x"}]}).encode()
    decision = guard.check(payload, format="json", destination="records-office")
    assert decision.canary_hits == {"ottoline": 2}
    assert [(f.record, f.rule, f.evidence) for f in decision.findings] == [
        (0, "canary.ottoline", "o******* w*********"),
        (1, "canary.ottoline", "O******* W*********")]


def test_xlsx_cells_and_sheet_names(guard, tmp_path):
    book = openpyxl.Workbook()
    book.properties.creator = None
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(["month", "ward"])
    sheet.append(["2026-08", "Adeyfield East"])
    sheet.append(["2026-08", "Zebedee Quillfeather"])
    book.create_sheet("Ottoline Wrenbuckle").append(["month"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    decision = guard.check(path, destination="records-office")
    assert decision.canary_hits == {"ottoline": 1, "zebedee": 1}
    assert sorted((f.section, f.record, f.field, f.rule) for f in decision.findings) == [
        ("Cases", 1, "ward", "canary.zebedee"),
        ("O******* W*********", None, "(section name)", "canary.ottoline")]


def test_staged_rollout_and_warn_actions_do_not_soften_a_canary(write_policy):
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: soft}
        extends: asb-public-web
        mode: audit
        destinations:
          lenient: {max_level: public, actions: {special-category: warn, personal: warn}}
        canaries:
          - id: zebedee
            record: {name: Zebedee Quillfeather}
    """)
    decision = Guardrail.from_policy(path).check([{"ward": "Zebedee Quillfeather"}],
                                                 destination="lenient")
    assert [(f.rule, f.action) for f in decision.findings] == [("canary.zebedee", "block")]
    assert decision.exit_code == 1


def test_an_exception_naming_a_canary_does_not_load(write_policy):
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: waived}
        extends: asb-public-web
        canaries:
          - {id: zebedee, record: {name: Zebedee Quillfeather}}
        exceptions:
          - {rule: canary.zebedee, reason: noisy, approved_by: me, expires: "2099-01-01"}
    """)
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(path)
    assert [(p.line, p.path, p.kind) for p in caught.value.problems] == [
        (8, "exceptions[0].rule", "canary-waived")]


def test_canaries_add_up_along_extends_the_child_first(write_policy):
    write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: parent}
        extends: asb-public-web
        canaries:
          - {id: parent-one, record: {name: Ottoline Wrenbuckle}}
    """, name="parent.yaml")
    child = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child}
        extends: parent.yaml
        canaries:
          - {id: child-one, record: {name: Zebedee Quillfeather}}
    """)
    loaded = Guardrail.from_policy(child).policy
    assert [c.id for c in loaded.canaries] == ["child-one", "parent-one"]
    assert loaded.resolved["canaries"] == [
        {"id": "child-one", "record": {"name": "Zebedee Quillfeather"}},
        {"id": "parent-one", "record": {"name": "Ottoline Wrenbuckle"}}]


# -- audit mode and reports -----------------------------------------------------------------

def test_audit_mode_reports_the_hit_without_blocking(tmp_path):
    export = planted(tmp_path)
    result = run("check", "-p", str(POLICY), "--mode", "audit", str(export))
    assert result.exit_code == 0
    assert ("canary ottoline seen in 1 value: a planted test identity reached this check, "
            "which would have blocked it (audit mode)\n") in result.stdout
    assert ("canary zebedee seen in 6 values: a planted test identity reached this check, "
            "which would have blocked it (audit mode)\n") in result.stdout


def test_text_and_json_reports_name_the_canary(tmp_path):
    export = planted(tmp_path)
    result = run("check", "-p", str(POLICY), str(export))
    assert result.exit_code == 1
    assert ("canary zebedee seen in 6 values: a planted test identity reached this check, "
            "which blocked it as it should\n") in result.stdout
    assert result.stdout.endswith(
        "What to do next:\n"
        "  - The payload holds the policy's planted test identities (canary.zebedee, "
        "canary.ottoline).\n"
        "    In the scheduled test export that is the gate working; in a real export, remove\n"
        "    the canary rows and find out how they got there.\n")
    assert "exceptions:" not in result.stdout  # a canary is never waived: none suggested
    assert "Quillfeather" not in result.stdout and "900999" not in result.stdout
    result = run("check", "-p", str(POLICY), "--report", "json", str(export))
    report = json.loads(result.stdout)
    assert report["canary_hits"] == {"ottoline": 1, "zebedee": 6}
    assert [[f["record"], f["field"], f["rule"], f["evidence"]] for f in report["findings"]] \
        == [list(row) for row in ZEBEDEE_FINDINGS] + [
            [62, "ward", "canary.ottoline", "O******* W*********"]]


def test_no_canary_no_count(guard):
    assert guard.check(CLEAN).to_dict()["canary_hits"] == {}


# -- no false positives ---------------------------------------------------------------------

def test_the_leaky_export_holds_no_canary(guard):
    decision = guard.check(LEAKY)
    assert not decision.allowed  # it leaks, but nothing it holds is a canary
    assert decision.canary_hits == {}


def test_thousands_of_invented_people_hold_no_canary(guard):
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(14)
    people = [{"name": fake.name(), "address": fake.address(), "phone": fake.phone_number(),
               "email": fake.email(), "postcode": fake.postcode()} for _ in range(3000)]
    decision = guard.check(people, destination="records-office")
    assert decision.allowed
    assert decision.canary_hits == {}


# -- the scheduled test export, end to end --------------------------------------------------

def test_the_scheduled_test_export_recipe(tmp_path):
    """docs/canaries.md: plant the canaries in a copy of the real export; the check must
    block it, naming them. Exit 0 here would mean the gate is not working."""
    export = tmp_path / "canary-test.csv"
    shutil.copyfile(CLEAN, export)
    header = CLEAN.read_text(encoding="utf-8").splitlines()[0]
    rows = run("canary", "-p", str(POLICY), "--format", "csv", "--no-header",
               "--columns", header)
    assert rows.exit_code == 0
    with export.open("a", encoding="utf-8", newline="") as out:
        out.write(rows.stdout_bytes.decode())
    assert len(list(csv.reader(io.StringIO(export.read_text(encoding="utf-8"))))) == 64
    result = run("check", "-p", str(POLICY), str(export))
    assert result.exit_code == 1
    assert "canary zebedee seen in 6 values" in result.stdout
    assert "canary ottoline seen in 1 value" in result.stdout


def test_the_documented_script_passes_when_the_gate_blocks_and_alerts_when_not(tmp_path):
    """The canary-test.sh of docs/canaries.md, run as written against a stub export job:
    exit 0 while the gate blocks the canary, 1 with an alert once it no longer does."""
    doc = (HERE.parent / "docs" / "canaries.md").read_text(encoding="utf-8")
    script = doc.split("```sh\n", 1)[1].split("```", 1)[0]
    script = script.replace("policy=policies/my-dataset.yaml", f"policy={POLICY}")
    (tmp_path / "canary-test.sh").write_text(script, encoding="utf-8")
    (tmp_path / "export-job").write_text(f"#!/bin/sh\ncat '{CLEAN}'\n", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "guardrail").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m guardrail "$@"\n',
                                       encoding="utf-8")
    for name in ("export-job", "bin/guardrail"):
        (tmp_path / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(["sh", "canary-test.sh"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "canary blocked: the gate is working\n", "")
    # A gate that lets everything through: the script must alert.
    (bin_dir / "guardrail").write_text("#!/bin/sh\necho '{\"canary_hits\": {}}'\nexit 0\n",
                                       encoding="utf-8")
    done = subprocess.run(["sh", "canary-test.sh"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == ("ALERT: the canary export was not blocked (exit 0): the gate is "
                           "broken\n")


def test_coverage_counts_each_canary_a_case_planted():
    result = run("test", "--coverage", str(HERE / "data" / "canaries" / "suite"))
    assert result.exit_code == 0
    canaries = [line for line in result.stdout.splitlines() if line.startswith("    canary ")]
    assert len(canaries) == 1  # zebedee was planted by the case; ottoline by none
    assert canaries[0].startswith("    canary canary.ottoline at ")
    assert canaries[0].endswith("policy.yaml:28")


def test_no_other_rule_may_pass_for_a_canary(write_policy):
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: lookalike}
        extends: asb-public-web
        rules:
          - {id: canary.small, when: "count < `5`", level: personal}
        detectors:
          custom:
            - {id: canary.ref, regex: "REF-[0-9]+", level: personal}
    """)
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(path)
    assert [(p.line, p.path, p.message) for p in caught.value.problems] == [
        (6, "rules[0].id", "the id 'canary.small' starts with 'canary.', which only canaries' "
                           "findings carry; choose another id"),
        (9, "detectors.custom[0].id", "the id 'canary.ref' starts with 'canary.', which only "
                                      "canaries' findings carry; choose another id")]


def test_a_canary_split_across_two_columns_or_two_lines_is_found(guard):
    decision = guard.check([{"first": "Zebedee", "last": "Quillfeather"}],
                           destination="records-office")
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (0, "first", "canary.zebedee", "Z******"), (0, "last", "canary.zebedee", "Q***********")]
    decision = guard.check(b'month,ward\n2026-01,"Zebedee\nQuillfeather"\n', format="csv",
                           destination="records-office")
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (0, "ward", "canary.zebedee", "Z****** Q***********")]


_PLANTED = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: planted}
    extends: asb-public-web
    canaries:
      - id: nightly-test
        record:
          complainant_name: Zebedee Quillfeather
          phone: 07700 900999
          email: zebedee.quillfeather@example.org
"""


@pytest.mark.parametrize("written", [
    "Zebedee+Quillfeather", "Zebedee_Quillfeather", "Zebedee-Quillfeather",
    "Quillfeather, Zebedee", "<b>Zebedee</b> <i>Quillfeather</i>",
    "07700-900-999", "+44 7700 900999", "+44 (0)7700 900999", "(07700) 900999",
    "07700.900.999", "zebedee.quillfeather+nightly@example.org",
])
def test_a_canary_written_as_published_pages_write_it_is_still_a_canary(
        write_policy, written):
    # From an adversarial run: each of these blocked (or passed) without a canary hit,
    # so the nightly proof would have raised a false alarm or none.
    guard = Guardrail.from_policy(write_policy(_PLANTED))
    decision = guard.check([{"ward": f"Seen: {written}."}])
    assert decision.canary_hits == {"nightly-test": 1}
    assert [f.rule for f in decision.findings] == ["canary.nightly-test"]


@pytest.mark.parametrize("written", ["07700 900998", "Zebedee Quill", "107700 900999"])
def test_near_misses_are_not_canaries(write_policy, written):
    decision = Guardrail.from_policy(write_policy(_PLANTED)).check([{"ward": written}])
    assert decision.canary_hits == {}
