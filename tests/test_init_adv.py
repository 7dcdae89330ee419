"""guardrail init against an adversarial tester's samples (issue 13): suggestions that
could publish names, and --update's notion of a known field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail.cli import cli


@pytest.fixture(autouse=True)
def _no_guardrail_env(monkeypatch):
    for name in ("GUARDRAIL_POLICY", "GUARDRAIL_DESTINATION", "GUARDRAIL_DEBUG"):
        monkeypatch.delenv(name, raising=False)


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
