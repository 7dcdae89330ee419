"""guardrail init against an adversarial tester's samples (issue 13): suggestions that
could publish names, and --update's notion of a known field."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from guardrail.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="guardrail")


def write_csv(path: Path, header: str, rows: list[str]) -> str:
    path.write_text(header + "\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return str(path)


# -- 1. repeated words are never suggested public ----------------------------------------

SURNAMES = ["Smith", "Jones", "Hughes"]
FIRST = ["Daniel", "Sarah", "Mary"]
HANDLES = ["dhughes", "sconnor", "mann"]


def people_sample(tmp_path: Path) -> str:
    rows = [f"2026-{1 + i % 11:02d},{SURNAMES[i % 3]},{FIRST[i % 3]},"
            f"{SURNAMES[i % 3].lower()},{HANDLES[i % 3]},{1950 + i * 4}-0{1 + i % 9}-1{i % 9},"
            f"{'yes' if i % 2 else 'no'},{i % 4},{['Q1', 'Q2', 'Q3'][i % 3]}"
            for i in range(12)]
    return write_csv(tmp_path / "people.csv",
                     "month,grp,firstn,surn,handle,seen_on,flag,calls,quarter", rows)


def test_repeated_names_and_handles_are_not_suggested_public(tmp_path):
    """Shape cannot tell Smith/Jones/Hughes or dhughes/sconnor from categories: no
    suggestion, and the comment asks the author; dates reaching decades back may be
    dates of birth."""
    result = run("init", people_sample(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "people.csv: csv, 12 records, 9 fields, 9 unsure",
        "  UNSURE month    personal    suggested: public",
        "  UNSURE grp      personal",
        "  UNSURE firstn   personal",
        "  UNSURE surn     personal",
        "  UNSURE handle   personal",
        "  UNSURE seen_on  personal",
        "  UNSURE flag     personal    suggested: public",
        "  UNSURE calls    personal    suggested: public",
        "  UNSURE quarter  personal    suggested: public",
    ]
    text = " ".join(line.strip().lstrip("#").strip() for line in result.stdout.splitlines())
    for name in ("grp", "firstn", "surn", "handle"):
        entry = text.split(f" {name}: 12 values")[1].split("- id:")[0]
        assert "3 repeated values: if they are categories and not people's names or " \
            "handles, classify it public." in entry, name
    seen = text.split(" seen_on: 12 values")[1].split("- id:")[0]
    assert "its values are dates reaching more than 5 years back from the newest: they " \
        "may be dates of birth: init suggests nothing." in seen
    assert "suggested: public" not in result.stdout.split("# grp:")[1].split("# flag:")[0]


# -- 2. --update: a field is known when a rule or its own comment names it ----------------

def test_words_of_inits_own_comments_do_not_make_a_field_known(tmp_path):
    """Columns called like words of init's header (sample, export, editors, TODO,
    public, content) or of its "# withheld: #2" line are new fields, not known ones."""
    policy = tmp_path / "p.yaml"
    assert run("init", write_csv(tmp_path / "a.csv", "month,jo.bloggs@example.com",
                                 ["2026-11,x"]), "-o", str(policy)).exit_code == 0
    assert "  # withheld: #2\n" in policy.read_text(encoding="utf-8")
    names = ["content", "sample", "export", "editors", "TODO", "public", "withheld"]
    result = run("init", "--update", str(policy),
                 write_csv(tmp_path / "b.csv", "month," + ",".join(names),
                           ["2026-11,a,b,c,d,e,f,g"]))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == "b.csv: csv, 1 record, 8 fields, 7 new, 7 unsure"
    assert result.stderr.splitlines()[-1] == f"{policy}: 7 new fields added"
    data = yaml.safe_load(policy.read_text(encoding="utf-8"))
    assert [rule["name"] for rule in data["fields"]] == ["month", *names]


def test_commented_entries_list_members_and_when_expressions_make_a_field_known(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
        "extends: uk-personal-data\nfields:\n"
        "  - name: [ward, beat]\n    level: public\n"
        "  # - name: [team, squad]\n  #   level: internal\n"
        "  # match: 'crew_*'\n"
        "  # station: left to uk-personal-data\n"
        "  # The sample, the export and every other column named in this sentence: zone\n"
        "rules:\n  - id: p.night\n    when: \"shift == 'night'\"\n    level: personal\n",
        encoding="utf-8")
    assert run("validate", str(policy)).exit_code == 0
    sample = write_csv(tmp_path / "s.csv", "ward,beat,team,squad,crew_a,station,shift,zone",
                       ["a,b,c,d,e,f,g,h"])
    result = run("init", "--update", str(policy), sample)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"{policy}: 1 new field added; 5 fields it already lists are still unclassified: "
        "team, squad, crew_a, station, shift (no entry gives them a level: write one)")
    added = policy.read_text(encoding="utf-8").split("  # Added by ")[1].split("\nrules:")[0]
    assert re.findall(r"^  - id: (\S+)$", added, re.M) == ["p.zone"]


def test_the_still_unclassified_fields_are_named_five_at_most(tmp_path):
    policy = tmp_path / "p.yaml"
    columns = [f"col{i}" for i in range(8)]
    policy.write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
        "extends: uk-personal-data\nfields: []\n"
        + "".join(f"# {name}: kept out\n" for name in columns), encoding="utf-8")
    result = run("init", "--update", str(policy),
                 write_csv(tmp_path / "s.csv", ",".join(columns), [",".join("x" * 8)]))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"{policy}: no new fields; 8 fields it already lists are still unclassified: "
        "col0, col1, col2, col3, col4 and 3 more (no entry gives them a level: write one)")


# -- 3. --update never matches a withheld column by its position ---------------------------

def test_another_personal_header_at_the_same_position_is_reported_not_known(tmp_path):
    policy = tmp_path / "p.yaml"
    first = write_csv(tmp_path / "a.csv", "month,category,jo.bloggs@example.com",
                      ["2026-11,Noise,x"])
    assert run("init", first, "-o", str(policy)).exit_code == 0
    assert "# withheld: #3" in policy.read_text(encoding="utf-8")
    written = policy.read_text(encoding="utf-8")
    second = write_csv(tmp_path / "b.csv", "month,category,Daniel Hughes", ["2026-11,Noise,y"])
    result = run("init", "--update", str(policy), second)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "b.csv: csv, 1 record, 3 fields, 0 new, 1 with a personal name, 0 unsure",
        "  column 3's header holds personal data: rename it in the export",
        f"{policy}: no new fields; 1 field whose name holds personal data is not written "
        "(rename it in the export)"]
    assert "Daniel" not in result.stderr and "Hughes" not in result.stderr
    assert policy.read_text(encoding="utf-8") == written


# -- 4. --update keeps the file's line endings -----------------------------------------------

def test_update_keeps_a_crlf_policy_crlf(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_bytes(b"apiVersion: guardrail/v1\r\nkind: Policy\r\nmetadata:\r\n  name: p\r\n"
                       b"extends: uk-personal-data\r\nfields:\r\n  - name: month\r\n"
                       b"    level: public\r\n# the end\r\n")
    result = run("init", "--update", str(policy),
                 write_csv(tmp_path / "s.csv", "month,ward", ["2026-11,Boxmoor"]))
    assert result.exit_code == 0, result.stderr
    data = policy.read_bytes()
    assert data.startswith(b"apiVersion: guardrail/v1\r\nkind: Policy\r\n")
    assert b"  - id: p.ward\r\n    name: ward\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n") > 12
    assert run("validate", str(policy)).exit_code == 0
