"""guardrail init, after a second new-user trial (tests/data/init_trial2: the trial's
fly-tipping samples, trimmed, and its policy as it stood before ``--update``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from guardrail.api import Guardrail
from guardrail.cli import cli
from guardrail.policy.classify import Classifier

DATA = Path(__file__).parent / "data" / "init_trial2"
OCTOBER = str(DATA / "flytipping-2026-10.csv")
NOVEMBER = str(DATA / "flytipping-2026-11.csv")
ID = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")  # the schema's rule id



def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="guardrail")


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    target = tmp_path / "flytipping.yaml"
    shutil.copy(DATA / "flytipping.yaml", target)
    return target


def test_update_adds_fields_the_parent_classifies_only_as_commented_entries(policy):
    """lat and lon: uk-personal-data classifies them (uk.field.address), and no value
    looked personal. They were written as active entries with no id, which made
    reports name field.level instead of uk.field.address."""
    result = run("init", "--update", str(policy), NOVEMBER)
    assert result.exit_code == 0, result.stderr
    text = policy.read_text(encoding="utf-8")
    assert "  # - id: flytipping_reports.lat\n  #   name: lat\n" \
        "  #   level: personal  # TODO: decide\n" in text
    rules = yaml.safe_load(text)["fields"]
    assert [r.get("name") for r in rules][-2:] == ["vehicle_reg", "contractor_notes"]
    assert not {"lat", "lon"} & {str(r.get("name")) for r in rules}
    found = Classifier(Guardrail.from_policy(str(policy)).policy).classify(("lat",))
    assert (found.rule, found.level) == ("uk.field.address", "personal")
    # The summary counts what was written: 7 commented entries, 2 active ones.
    assert len(re.findall(r"^  # - id: ", text, re.M)) == 7
    assert result.stderr.splitlines()[-1] == (
        f"{policy}: 2 new fields added; 7 fields uk-personal-data classifies added as "
        "commented entries")


def test_every_rule_written_has_a_unique_valid_id_from_the_policy_name(policy, tmp_path):
    assert run("init", "--update", str(policy), NOVEMBER).exit_code == 0
    added = policy.read_text(encoding="utf-8").split("# Added by ")[1].split("\nrules:")[0]
    ids = re.findall(r"^  (?:# )?- id: (\S+)$", added, re.M)
    assert ids == [f"flytipping_reports.{name}" for name in (
        "postcode", "reporter_name", "reporter_email", "reporter_phone", "description",
        "lat", "lon", "vehicle_reg", "contractor_notes")]
    check = run("check", "--policy", str(policy), NOVEMBER)
    assert "flytipping_reports.vehicle_reg" in check.stdout
    # init: ids from the policy's name, its dates left out; every one valid and unique.
    out = tmp_path / "new.yaml"
    assert run("init", OCTOBER, "-o", str(out)).exit_code == 0
    written = re.findall(r"^  (?:# )?- id: (\S+)$", out.read_text(encoding="utf-8"), re.M)
    assert len(written) == 16 == len(set(written))
    assert written[0] == "flytipping.report_ref"
    assert all(ID.match(one) for one in written)


def test_an_id_the_policy_already_uses_is_not_given_again(policy):
    text = policy.read_text(encoding="utf-8").replace(
        "  - id: ft.staff", "  - id: flytipping_reports.vehicle_reg")
    policy.write_text(text, encoding="utf-8")
    assert run("init", "--update", str(policy), NOVEMBER).exit_code == 0
    assert "  - id: flytipping_reports.vehicle_reg_2\n    name: vehicle_reg\n" in \
        policy.read_text(encoding="utf-8")


def test_update_again_with_the_same_sample_changes_nothing_and_says_so(policy):
    assert run("init", "--update", str(policy), NOVEMBER).exit_code == 0
    once = policy.read_text(encoding="utf-8")
    again = run("init", "--update", str(policy), NOVEMBER)
    assert again.exit_code == 0, again.stderr
    assert again.stderr == (
        "flytipping-2026-11.csv: csv, 20 records, 18 fields, 0 new, 0 unsure\n"
        f"{policy}: unchanged: it already names every field of the sample\n")
    assert policy.read_text(encoding="utf-8") == once


def test_a_field_named_in_a_rule_or_its_own_comment_is_known_a_word_in_prose_is_not(policy):
    """The trial's author reviewed the added block, kept their own rule for the new
    fields and deleted the rest: the next --update appended the whole block again.
    A field is known when a rule or a "# field: ..." line names it; a word of a
    sentence is not enough (init's own header says sample, export, public...)."""
    assert run("init", "--update", str(policy), NOVEMBER).exit_code == 0
    head, added = policy.read_text(encoding="utf-8").split("  # Added by ")
    reviewed = head + (
        "  # Reviewed 2026-12: vehicle_reg and contractor_notes are personal; lon is\n"
        "  # left to uk-personal-data with the rest.\n"
        + "".join(f"  # {name}: left to uk-personal-data\n" for name in (
            "postcode", "reporter_name", "reporter_email", "reporter_phone", "description",
            "lat")) +
        "  - id: ft.new_personal\n"
        "    name: [vehicle_reg, contractor_notes]\n"
        "    level: personal\n") + added[added.index("\nrules:"):]
    policy.write_text(reviewed, encoding="utf-8")
    assert run("validate", str(policy)).exit_code == 0
    result = run("init", "--update", str(policy), NOVEMBER)
    assert result.exit_code == 0, result.stderr
    # lon is named only in a sentence: it comes back, as a comment.
    assert result.stderr.splitlines()[-1] == (
        f"{policy}: no new fields; 1 field uk-personal-data classifies added as a "
        "commented entry")
    added = policy.read_text(encoding="utf-8").split("  # Added by ")[1].split("\nrules:")[0]
    assert re.findall(r"^  # - id: (\S+)$", added, re.M) == ["flytipping_reports.lon"]


def test_update_help_says_when_a_field_is_known():
    help_text = " ".join(run("init", "--help").stdout.split())
    assert "A field is known (and gets no entry) when a rule of the file names it (an " \
        "entry, a commented entry, a record rule's when) or a comment line starts with " \
        "it ('# ward: ...'); a word in a sentence does not count." in help_text


def test_a_shared_generic_word_leaves_the_values_shape_to_decide():
    """reported_at and reported_month share 'reported' with uk-personal-data's
    reported_by: a word about when, not who. Their dates now get a suggestion. Repeated
    words (ward, waste_type) get none: they could be surnames or handles as well as
    categories, and the comment asks the author."""
    result = run("init", OCTOBER)
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[1] if line.startswith("  UNSURE") else line.split()[0]: line
             for line in result.stderr.splitlines()[1:]}
    suggested = {name: line.split("suggested: ")[1] for name, line in lines.items()
                 if "suggested: " in line}
    assert suggested == {"report_ref": "internal", "reported_at": "public",
                         "reported_month": "public", "fpn_issued": "public",
                         "items_count": "public"}
    for name in ("ward", "waste_type"):
        entry = result.stdout.split(f"  # {name}: ")[1].split("\n  - id")[0]
        assert "repeated values: if they are categories and not people's names\n" \
            "  #     or handles, classify it public." in entry
    for name in ("reporter_name", "reporter_email", "reporter_phone", "description",
                 "enforcement_officer", "street", "lat", "lon"):
        assert "suggested" not in lines[name]


def test_a_shared_word_that_names_a_person_still_withholds_a_suggestion(tmp_path):
    sample = tmp_path / "s.csv"
    sample.write_text("reporter_type,reported_on\n" + "".join(
        f"{kind},2026-10-0{day}\n" for day, kind in enumerate(
            ["resident", "business", "resident", "resident", "business", "resident"], 1)),
        encoding="utf-8")
    result = run("init", str(sample))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[1:] == [
        "  UNSURE reporter_type  personal",
        "  UNSURE reported_on    personal    suggested: public"]
    assert "its name shares 'reporter' with 'reporter_name'" in result.stdout


def test_update_counts_apart_an_entry_that_raises_the_parents_level(tmp_path):
    """The only active entry for a field the parent classifies: its values hold more
    than the parent's level, so the entry changes the decision (and says so)."""
    page = tmp_path / "page.md"
    page.write_text("# Notes\n\nDaniel Hughes of 82 Galley Hill called.\n", encoding="utf-8")
    policy = tmp_path / "pages.yaml"
    policy.write_text("apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: pages\n"
                      "extends: uk-personal-data\nfields: []\n", encoding="utf-8")
    result = run("init", "--update", str(policy), str(page))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"{policy}: no new fields; 1 field uk-personal-data classifies below what its "
        "values hold added as an active entry at the higher level")
    assert policy.read_text(encoding="utf-8").endswith(
        "  - id: pages.text\n    path: text\n    level: personal  # TODO: decide\n")
