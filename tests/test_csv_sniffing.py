"""CSV and TSV sniffing tells a table from prose with commas (issue 9), failing closed:
lines that all split into the same number of fields are a table, prose or not.

Detection cases are data (``data/csv/sniffing.yaml``): each payload is detected
named ``x.txt`` and as nameless bytes, through the registered detection hook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import detect

from guardrail.cli import cli
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data" / "csv"
NOTE = Path(__file__).parent / "data" / "text" / "council-note.txt"
CASES = yaml.safe_load((DATA / "sniffing.yaml").read_text(encoding="utf-8"))


def payload_bytes(case: dict) -> bytes:
    if "file" in case:
        return (DATA / case["file"]).read_bytes()
    return case["text"].encode(case.get("encoding", "utf-8"))


@pytest.mark.parametrize("case", CASES["prose"], ids=lambda case: case["case"])
def test_prose_is_not_a_table(case):
    data = payload_bytes(case)
    assert (detect(data, "x.txt"), detect(data, None)) == ("text", None)


@pytest.mark.parametrize("case", CASES["tables"], ids=lambda case: case["case"])
def test_a_table_is_read_as_one(case):
    data = payload_bytes(case)
    assert (detect(data, "x.txt"), detect(data, None)) == (case["txt"], case["bytes"])


@pytest.mark.parametrize("case", CASES["steady_prose"], ids=lambda case: case["case"])
def test_prose_with_a_steady_field_count_is_read_as_a_table(case):
    """Fail closed: the same shape as a table typed by hand, so read as one."""
    data = payload_bytes(case)
    assert (detect(data, "x.txt"), detect(data, None)) == ("csv", "csv")


def test_the_extension_still_decides():
    """A .csv is CSV even when it holds prose: the name is the author's word."""
    note = NOTE.read_bytes()
    assert (detect(note, "note.csv"), detect(note, "note.tsv")) == ("csv", "tsv")


def test_sniff_scores():
    registry = load_registry()
    csv, tsv = registry.format("csv"), registry.format("tsv")
    assert csv.sniff(b"month,ward\n2026-01,North\n") == 60
    assert csv.sniff(b"month,category,ward\n2026-01\n2026-02,Nuisance\n") == 35
    assert tsv.sniff(b"month\tward\n2026-01\tNorth\n") == 70
    assert tsv.sniff(b"month\tcategory\tward\n2026-01\n2026-02\tNuisance\n") == 40
    assert csv.sniff(NOTE.read_bytes()) == 0
    assert csv.sniff(b"month,ward\n" + b"\x00\x01" * 8) == 0  # binary after a line
    # a head cut mid-line (64 KiB) judges the complete rows only
    head = (b"month,ward\n" + b"2026-01,North\n" * 5000)[:65536]
    assert csv.sniff(head) == 60


# -- the issue, end to end ---------------------------------------------------------------

def check_with_cli(*args: str, **kwargs):
    """``guardrail check --policy uk-personal-data ARGS`` through click's runner."""
    return CliRunner().invoke(cli, ["check", "--policy", "uk-personal-data", *args],
                              catch_exceptions=False, **kwargs)


def check_report(path: Path) -> tuple[int, dict]:
    """The exit code and JSON report of checking *path* with uk-personal-data."""
    result = check_with_cli("--report", "json", str(path))
    return result.exit_code, json.loads(result.output)


def test_check_reads_the_note_as_text_and_names_no_columns():
    result = check_with_cli(str(NOTE))
    assert result.exit_code == 1  # it names people: blocked, as lines of text
    assert f"{NOTE}: text, 7 records, BLOCKED" in result.output
    assert "Note from" not in result.output  # the first line is not a column name
    assert "field.unclassified" not in result.output


def test_check_report_has_only_the_text_field():
    exit_code, report = check_report(NOTE)
    assert exit_code == 1
    assert report["files"] == [{"file": str(NOTE), "format": "text", "records": 7}]
    assert {f["field"] for f in report["findings"]} == {"text"}
    rules = {rule for f in report["findings"] for rule in (f["rule"], *f.get("also", ()))}
    assert rules == {"person.name", "uk.street_address"}


def test_a_txt_that_is_csv_is_checked_as_csv():
    path = DATA / "export.txt"
    exit_code, report = check_report(path)
    assert exit_code == 1
    assert report["files"] == [{"file": str(path), "format": "csv", "records": 2}]
    assert {f["field"] for f in report["findings"]} == {"month", "ward", "postcode"}


@pytest.mark.parametrize("case", CASES["steady_prose"][:3], ids=lambda case: case["case"])
def test_steady_prose_read_as_a_table_is_blocked_and_never_shown_raw(tmp_path, case):
    path = tmp_path / "note.txt"
    path.write_text(case["text"], encoding="utf-8")
    result = check_with_cli(str(path))
    first = case["text"].splitlines()[0]
    assert result.exit_code == 1
    assert f"{path}: csv," in result.output and "BLOCKED" in result.output
    assert "field.unclassified  #1" in result.output
    for words in [first, *first.split(",")]:
        assert words.strip() not in result.output


def test_a_hand_typed_table_in_a_txt_gets_its_field_rules(tmp_path):
    """The reviewer's fail-open (F1): read as text, no field rule applied and it passed."""
    path = tmp_path / "wards.txt"
    path.write_text("Surname, Forename, Ward\nOkafor, Grace, Linden\nLowe, Patricia, Park\n",
                    encoding="utf-8")
    exit_code, report = check_report(path)
    assert exit_code == 1
    assert report["files"] == [{"file": str(path), "format": "csv", "records": 2}]
    assert {(f["field"], f["rule"]) for f in report["findings"]} >= {
        ("Surname", "uk.field.person_name"), ("Forename", "uk.field.person_name")}


def test_prose_bytes_are_not_csv(uk):
    """With no name there is no .txt to fall back on: prose is unreadable, not a table."""
    decision = uk.check(NOTE.read_bytes())
    [result] = decision.files
    assert (result.format, result.records, decision.exit_code) == (None, 0, 3)
    assert result.error.startswith("cannot tell the format")


def test_prose_on_stdin_is_not_csv():
    result = check_with_cli("-", input=NOTE.read_bytes())
    assert result.exit_code == 3
    assert "<stdin>: ?, 0 records, UNREADABLE: cannot tell the format" in result.output
    assert "Note from" not in result.output
