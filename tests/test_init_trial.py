"""guardrail init, after a new-user trial: what --update counts as new, the schema
modeline, and suggestions that follow what is known of a field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail.cli import cli

DATA = Path(__file__).parent / "data" / "init"
NEXT = str(DATA / "next-export.csv")


@pytest.fixture(autouse=True)
def _no_guardrail_env(monkeypatch):
    for name in ("GUARDRAIL_POLICY", "GUARDRAIL_DESTINATION", "GUARDRAIL_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="guardrail")


# -- 1. --update counts only the fields new to the policy ---------------------------------

def test_update_does_not_count_fields_the_parent_classifies_as_new(tmp_path):
    policy = tmp_path / "p.yaml"
    assert run("init", NEXT, "-o", str(policy)).exit_code == 0
    result = run("init", "--update", str(policy), str(DATA / "page.json"))
    assert result.exit_code == 0, result.stderr
    # 'text' is classified by uk-personal-data (a commented entry is added); 'team' is
    # listed in the file already.
    assert result.stderr.splitlines()[0] == (
        "page.json: json, 1 record, 2 fields, 0 new, 1 classified by uk-personal-data, "
        "0 unsure")
    assert result.stderr.splitlines()[-1] == (
        f"{policy}: no new fields; 1 field uk-personal-data classifies added as a "
        "commented entry")
    assert "  # - path: text\n  #   level: public\n" in policy.read_text(encoding="utf-8")


def test_update_says_how_many_listed_fields_are_still_unclassified(tmp_path):
    policy = tmp_path / "p.yaml"
    assert run("init", NEXT, "-o", str(policy)).exit_code == 0
    # The author deletes the entry for 'team' but keeps init's comment about it.
    text = policy.read_text(encoding="utf-8")
    entry = text[text.index("  - name: team\n"):]
    policy.write_text(text.replace(entry, ""), encoding="utf-8")
    result = run("init", "--update", str(policy), NEXT)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "next-export.csv: csv, 1 record, 7 fields, 0 new, 1 listed but still unclassified, "
        "0 unsure")
    assert result.stderr.splitlines()[-1] == (
        f"{policy}: no new fields; 1 field it already lists is still unclassified (no "
        "entry gives it a level: write one)")
    assert "- name: team" not in policy.read_text(encoding="utf-8")
