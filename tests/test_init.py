"""guardrail init: a commented policy from a sample export, and --update with a new one."""

from __future__ import annotations

import shutil
from pathlib import Path

import helpers
import pytest
import yaml
from click.testing import CliRunner

from guardrail.authoring.policy_text import yaml_scalar
from guardrail.cli import cli

DATA = Path(__file__).parent / "data" / "init"
CLEAN = str(helpers.CLEAN_EXPORT)
LEAKY = str(helpers.LEAKY_EXPORT)
EMAIL = "jo.bloggs@example.com"  # the header of tests/data/init/email-header.csv



def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="guardrail")


def accept_suggestions(text: str, categories: tuple[str, ...] = ()) -> str:
    """What an author does who agrees with init: every suggested public field made
    public, and the *categories* init asks about ("if they are categories...") too."""
    out: list[str] = []
    name = ""
    for line in text.splitlines():
        if line.strip().startswith("name: "):
            name = line.split("name: ")[1]
        if "level: personal  # TODO" in line and (
                "suggested: public" in line or name in categories):
            line = line.split("  # TODO")[0].replace("level: personal", "level: public")
        out.append(line)
    return "\n".join(out) + "\n"


# -- golden output ----------------------------------------------------------------------

@pytest.mark.parametrize("sample, golden", [
    (CLEAN, "asb-export-clean"),
    (LEAKY, "asb-export-leaky"),
    (str(DATA / "cases.json"), "cases"),
    (str(DATA / "trial.csv"), "trial"),
])
def test_init_writes_the_golden_policy_and_summary(sample, golden, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no schema file above: the modeline names .guardrail/
    result = run("init", sample)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (DATA / f"{golden}.policy.yaml").read_text(encoding="utf-8")
    assert result.stderr == (DATA / f"{golden}.summary.txt").read_text(encoding="utf-8")


def test_nothing_is_public_unless_the_author_says_so():
    for golden in ("asb-export-clean", "asb-export-leaky", "cases", "trial"):
        data = yaml.safe_load((DATA / f"{golden}.policy.yaml").read_text(encoding="utf-8"))
        assert data["extends"] == "uk-personal-data"
        assert [rule["level"] for rule in data["fields"] if rule["level"] == "public"] == []


def test_json_fields_are_written_as_path_rules_and_csv_columns_as_name_rules():
    nested = yaml.safe_load((DATA / "cases.policy.yaml").read_text(encoding="utf-8"))
    assert [rule["path"] for rule in nested["fields"]] == [
        "case_ref", "month", "ward", "officers[*].collar_number", "tags[*]", "closed", "yes"]
    flat = yaml.safe_load((DATA / "asb-export-leaky.policy.yaml").read_text(encoding="utf-8"))
    assert [rule["name"] for rule in flat["fields"]] == [
        "case_ref", "month", "category", "ward", "lsoa_code", "outcome"]


# -- the written policy works -------------------------------------------------------------

def test_written_policy_validates_blocks_the_leaky_export_and_passes_once_edited(tmp_path):
    policy = tmp_path / "asb.yaml"
    result = run("init", CLEAN, "-o", str(policy), "--policy-name", "asb-web")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.endswith(f"wrote {policy}; review it (search for TODO), then run "
                                  f"'guardrail validate {policy}'\n")
    validated = run("validate", str(policy))
    assert validated.exit_code == 0
    assert validated.stdout.startswith(f"{policy}: ok (policy asb-web 0.1.0, ")
    # As written, nothing is public: even the sample it came from is blocked.
    assert run("check", "--policy", str(policy), CLEAN).exit_code == 1
    assert run("check", "--policy", str(policy), LEAKY).exit_code == 1
    # The author takes the suggestions, makes public the repeated values init asks
    # about (they are categories, not names), and decides the area columns init is
    # cautious about (UNSURE: a *_name column, and a *_code one like post_code).
    text = policy.read_text(encoding="utf-8")
    for name in ("category", "ward", "outcome"):
        assert f"if they are categories and not people's names\n  #     or handles, classify " \
            f"it public.\n  - id: asb_web.{name}\n" in text
    edited = accept_suggestions(text, ("category", "ward", "outcome")).replace(
        "  # - id: asb_web.lsoa_name\n  #   name: lsoa_name\n  #   level: personal  # TODO: "
        "decide",
        "  - id: asb_web.lsoa_name\n    name: lsoa_name\n    level: public  # an area").replace(
        "  name: lsoa_code\n    level: personal  # TODO: decide",
        "  name: lsoa_code\n    level: public  # an area, not a person")
    policy.write_text(edited, encoding="utf-8")
    assert run("check", "--policy", str(policy), CLEAN).exit_code == 0
    leaky = run("check", "--policy", str(policy), LEAKY)
    assert leaky.exit_code == 1
    assert leaky.stdout.splitlines()[0] == (
        "BLOCKED: 305 findings may not go to 'public-web' (fields: case_ref, "
        "complainant_address, complainant_name, notes, postcode)")


def test_a_relative_extends_is_written_relative_to_the_output(tmp_path):
    parent = tmp_path / "base" / "asb.yaml"
    parent.parent.mkdir()
    shutil.copy(helpers.NO_DETECTORS, parent)
    out = tmp_path / "policies" / "new.yaml"
    out.parent.mkdir()
    result = run("init", CLEAN, "--extends", str(parent), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "extends: ../base/asb.yaml\n" in out.read_text(encoding="utf-8")
    assert run("validate", str(out)).exit_code == 0
    # asb-public-web already publishes every column of the clean export: the parent's
    # rules stand (commented entries), and the clean export passes as it is.
    assert "\n  - name:" not in out.read_text(encoding="utf-8")
    assert run("check", "--policy", str(out), CLEAN).exit_code == 0


# -- output file --------------------------------------------------------------------------

def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("mine\n", encoding="utf-8")
    refused = run("init", CLEAN, "-o", str(out))
    assert refused.exit_code == 2
    assert refused.stderr == (f"guardrail: error: {out} exists; pass --force to replace it, "
                              f"or --update {out} to add the sample's new fields to it\n")
    assert out.read_text(encoding="utf-8") == "mine\n"
    forced = run("init", CLEAN, "-o", str(out), "--force")
    assert forced.exit_code == 0
    assert out.read_text(encoding="utf-8") == \
        (DATA / "asb-export-clean.policy.yaml").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]  # no temporary left


# -- --update -----------------------------------------------------------------------------

def test_update_adds_only_new_fields_and_keeps_edits_and_comments(tmp_path):
    policy = tmp_path / "asb.yaml"
    assert run("init", CLEAN, "-o", str(policy)).exit_code == 0
    edited = policy.read_text(encoding="utf-8").replace(
        "  - id: asb_export_clean.month\n    name: month\n    level: personal  # TODO: "
        "decide (suggested: public, if its values may be published)",
        "  # Months are published monthly by the force (DPO, 2026-11-02).\n"
        "  - id: asb_export_clean.month\n    name: month\n    level: public")
    policy.write_text(edited, encoding="utf-8")

    result = run("init", "--update", str(policy), str(DATA / "next-export.csv"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "next-export.csv: csv, 1 record, 7 fields, 1 new, 1 unsure\n"
        "  UNSURE team   personal\n"
        f"{policy}: 1 new field added\n")
    updated = policy.read_text(encoding="utf-8")
    assert updated == edited + (
        "  # Added by 'guardrail init --update' from next-export.csv (1 record):\n"
        "  # team: 1 value in 1 record\n"
        "  #   by name: no rule of uk-personal-data names it (unknown fields are personal)\n"
        "  #   by content: the detectors found nothing\n"
        "  #   UNSURE: no rule of uk-personal-data names it and the detectors found "
        "nothing in\n"
        "  #     its one value; too few values (1) to judge them: init suggests nothing.\n"
        "  - id: asb_export_clean.team\n"
        "    name: team\n"
        "    level: personal  # TODO: decide\n")
    assert updated.startswith("# yaml-language-server: $schema=")  # kept by --update
    assert run("validate", str(policy)).exit_code == 0

    again = run("init", "--update", str(policy), str(DATA / "next-export.csv"))
    assert again.exit_code == 0
    assert again.stderr.endswith(
        f"{policy}: unchanged: it already names every field of the sample\n")
    assert policy.read_text(encoding="utf-8") == updated


def test_update_inserts_before_the_next_top_level_key(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
        "extends: uk-personal-data\nfields:\n- name: month  # by hand\n  level: public\n\n"
        "# record rules follow\nrules:\n  - id: p.small\n    when: \"count < `5`\"\n"
        "    level: personal\n", encoding="utf-8")
    result = run("init", "--update", str(policy), CLEAN)
    assert result.exit_code == 0, result.stderr
    text = policy.read_text(encoding="utf-8")
    head, tail = text.split("\n\n# record rules follow\n")
    assert head.startswith("apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
                           "extends: uk-personal-data\nfields:\n- name: month  # by hand\n"
                           "  level: public\n# Added by 'guardrail init --update' from "
                           "asb-export-clean.csv (61 records):\n# category: 61 values")
    assert tail == "rules:\n  - id: p.small\n    when: \"count < `5`\"\n    level: personal\n"
    data = yaml.safe_load(text)
    assert [r.get("name") for r in data["fields"]] == [
        "month", "category", "ward", "lsoa_code", "outcome"]
    assert run("validate", str(policy)).exit_code == 0


def test_update_refuses_a_policy_that_does_not_validate(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
                      "extends: uk-personal-data\nfields:\n  - name: month\n    level: publc\n",
                      encoding="utf-8")
    before = policy.read_text(encoding="utf-8")
    result = run("init", "--update", str(policy), CLEAN)
    assert result.exit_code == 2
    assert f"{policy}:8:12: fields[0].level: unknown level 'publc'" in result.stderr
    assert policy.read_text(encoding="utf-8") == before


def test_update_takes_no_output_nor_name():
    result = run("init", "--update", "p.yaml", CLEAN, "-o", "x.yaml")
    assert result.exit_code == 2
    assert "--update FILE writes FILE itself: it takes no -o, --policy-name or --extends" \
        in result.stderr


# -- names that are personal data -----------------------------------------------------

def test_a_header_holding_an_email_address_is_never_printed_nor_written(tmp_path):
    sample = str(DATA / "email-header.csv")
    result = run("init", sample)
    assert result.exit_code == 0
    assert EMAIL not in result.stdout and EMAIL not in result.stderr
    assert "  # withheld: #3\n" in result.stdout
    assert result.stderr.splitlines()[-1] == (
        "  UNSURE #3     -           name not written: it holds personal data (email)")
    out = tmp_path / "p.yaml"
    assert run("init", sample, "-o", str(out)).exit_code == 0
    assert EMAIL not in out.read_text(encoding="utf-8")
    assert run("validate", str(out)).exit_code == 0
    # A withheld column is never known by its label (a position): --update says so on
    # every run, counts it apart and writes nothing for it.
    written = out.read_text(encoding="utf-8")
    for _ in range(2):
        again = run("init", "--update", str(out), sample)
        assert again.exit_code == 0
        assert again.stderr.splitlines() == [
            "email-header.csv: csv, 2 records, 3 fields, 0 new, 1 with a personal name, "
            "0 unsure",
            "  column 3's header holds personal data: rename it in the export",
            f"{out}: no new fields; 1 field whose name holds personal data is not written "
            "(rename it in the export)"]
        assert out.read_text(encoding="utf-8") == written
    assert EMAIL not in again.stderr


def test_a_json_key_holding_an_email_address_is_never_printed():
    result = run("init", str(DATA / "cases.json"))
    assert EMAIL not in result.stdout and EMAIL not in result.stderr
    assert '  # withheld: "[email]"\n' in result.stdout


def test_a_sample_named_after_a_person_is_not_named(tmp_path):
    sample = tmp_path / "Daniel Hughes.csv"
    shutil.copy(helpers.CLEAN_EXPORT, sample)
    result = run("init", str(sample))
    assert result.exit_code == 0
    assert "Daniel" not in result.stdout and "Daniel" not in result.stderr
    assert result.stdout.splitlines()[1].startswith(
        "# Written by 'guardrail init' from <sample> (csv, ")
    assert "  name: new-policy\n" in result.stdout


# -- bad input ----------------------------------------------------------------------------

def test_a_missing_sample_is_a_usage_error(tmp_path):
    result = run("init", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "guardrail: error: cannot read the sample nope.csv: no such file\n"


def test_a_sample_of_no_known_format_is_a_usage_error(tmp_path):
    sample = tmp_path / "blob.bin"
    sample.write_bytes(b"\x00\x01\x02\x03binary")
    result = run("init", str(sample))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "guardrail: error: cannot read the sample blob.bin: cannot tell the format (unknown "
        "extension and the content matched no format); pass --format with one of: csv, ")


def test_a_malformed_sample_is_a_usage_error_with_its_position(tmp_path):
    sample = tmp_path / "broken.json"
    sample.write_text('[{"a": 1}, {"b": ', encoding="utf-8")
    result = run("init", str(sample))
    assert result.exit_code == 2
    assert result.stderr.startswith("guardrail: error: cannot read the sample broken.json")


def test_a_bad_policy_name_is_refused():
    result = run("init", CLEAN, "--policy-name", "My Policy")
    assert result.exit_code == 2
    assert result.stderr == (
        "guardrail: error: 'My Policy' cannot be a policy name: use lower-case letters, "
        "digits, '.', '_' and '-', starting with a letter or digit\n")


def test_an_unknown_parent_policy_is_refused():
    result = run("init", CLEAN, "--extends", "uk-personal-dta")
    assert result.exit_code == 2
    assert "no policy named 'uk-personal-dta'" in result.stderr


# -- YAML scalars -------------------------------------------------------------------------

@pytest.mark.parametrize("name, written", [
    ("month", "month"),
    ("yes", "'yes'"),
    ("null", "'null'"),
    ("Date of Birth", "'Date of Birth'"),
    ("a: b", "'a: b'"),
    ("it's", '"it\'s"'),
    ("line\nbreak", '"line\\nbreak"'),
    ('items[*]."home address"', "'items[*].\"home address\"'"),
])
def test_field_names_are_written_as_scalars_that_read_back(name, written):
    assert yaml_scalar(name) == written
    assert yaml.safe_load(f"k: {written}") == {"k": name}


def test_update_of_an_empty_field_list(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
                      "extends: uk-personal-data\nfields: []  # none yet\n", encoding="utf-8")
    # Only fields the parent classifies: commented entries, and the list stays empty.
    only_inherited = tmp_path / "people.csv"
    only_inherited.write_text("postcode,notes\nHP3 9SY,Daniel Hughes called twice\n",
                              encoding="utf-8")
    assert run("init", "--update", str(policy), str(only_inherited)).exit_code == 0
    text = policy.read_text(encoding="utf-8")
    assert text.startswith("apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
                           "extends: uk-personal-data\nfields: []  # none yet\n  # Added by ")
    assert "\n  # - id: p.postcode\n  #   name: postcode\n  #   level: personal\n" in text
    assert yaml.safe_load(text)["fields"] == []
    assert run("validate", str(policy)).exit_code == 0
    # A field no rule names turns the list into a block, its comment kept.
    assert run("init", "--update", str(policy), CLEAN).exit_code == 0
    text = policy.read_text(encoding="utf-8")
    assert "\nfields:  # none yet\n" in text
    assert [r["name"] for r in yaml.safe_load(text)["fields"]] == [
        "month", "category", "ward", "lsoa_code", "outcome"]
    assert run("validate", str(policy)).exit_code == 0


def test_update_refuses_a_flow_list_it_cannot_extend(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: p\n"
                      "extends: uk-personal-data\nfields: [{name: ward, level: public}]\n",
                      encoding="utf-8")
    result = run("init", "--update", str(policy), CLEAN)
    assert result.exit_code == 2
    assert result.stderr == ("guardrail: error: cannot add fields: the policy's 'fields' is a "
                             "flow list ([...]); write it as one entry per line to use "
                             "--update\n")


def test_max_records_reads_the_start_of_a_sample():
    result = run("init", LEAKY, "--max-records", "10")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith(
        "# Written by 'guardrail init' from asb-export-leaky.csv "
                                    "(csv, the first 10 records, 11 fields),")
    assert result.stderr.startswith("asb-export-leaky.csv: csv, first 10 records, 11 fields, "
                                    "7 unsure\n")
    assert "  # case_ref: 10 values in 10 records\n" in result.stdout


def test_a_field_the_parent_publishes_but_whose_values_are_personal_is_unsure(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Notes\n\nDaniel Hughes of 82 Galley Hill called.\n", encoding="utf-8")
    result = run("init", str(page))
    assert result.exit_code == 0
    assert result.stdout.split("fields:\n")[1] == (
        "  # text: 2 values in 2 records\n"
        "  #   by name: public: rule uk.field.page_text of uk-personal-data (name rule 'text')\n"
        "  #   by content: person.name in 1 (D***** H*****), uk.street_address in 1 (** G*****\n"
        "  #     H***)\n"
        "  #   UNSURE: the name says public but the values hold personal data (the detectors find\n"
        "  #     such values at any level; a level above public blocks every value).\n"
        "  - id: page.text\n"
        "    path: text\n"
        "    level: personal  # TODO: decide\n")
    assert result.stderr == ("page.md: markdown, 2 records, 1 field, 1 unsure\n"
                             "  UNSURE text   personal    found: person.name 1, "
                             "uk.street_address 1\n")
