"""guardrail lint after a second new-user trial (tests/data/lint_trial2: the trial's
mistakes, trimmed): a catch-all field rule in a child, a waiver for a detector on a
field its rule blocks whole, a misspelt required key, and a did-you-mean that
prefers the rule id typed whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import lint

from guardrail.policy.schema import did_you_mean

DATA = Path(__file__).parent / "data" / "lint_trial2"




@pytest.fixture(autouse=True)
def _in_data(monkeypatch):
    monkeypatch.chdir(DATA)


def test_a_detector_waived_on_a_field_its_rule_blocks_whole_never_applies():
    """check's waivers_used was [] for it: the field rule's finding decides."""
    result = lint("waivers.yaml")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "waivers.yaml:20:11: warning: destination 'public-web' blocks field "
        "'reporter_phone' whole ('personal', by match rule '*_phone', rule "
        "uk.field.name_like), and that finding decides: uk.phone's hit in it is only "
        "reported with it, never alone, so this exception never suppresses anything: "
        "remove it, or waive rule uk.field.name_like if the field may go there "
        "[waiver-never-applies]",
        "1 problem (0 errors, 1 warning) in 1 policy",
    ]


def test_no_warning_when_the_field_rules_finding_may_itself_be_waived():
    result = lint("waived-field-rule.yaml")
    assert (result.exit_code, result.output) == (0, "no problems in 1 policy\n")


def test_a_misspelt_required_key_is_one_problem_and_the_hint_prefers_the_id_typed_whole():
    result = lint("misspelt.yaml")
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "misspelt.yaml:11:11: error: exceptions[0].rule: exception names unknown rule "
        "'uk.phone_number'; did you mean 'uk.phone'? expected one of: ")
    assert lines[1:] == [
        "misspelt.yaml:15:5: error: exceptions[0].aproved_by: unknown key 'aproved_by'; did "
        "you mean 'approved_by'? (approved_by is required) [schema]",
        "misspelt.yaml:1:1: note: the policy does not load, so checks that need its broken "
        "parts did not run; fix the errors above and lint again: more problems may follow "
        "[incomplete]",
        "2 problems (2 errors, 0 warnings) in 1 policy",
    ]


def test_a_literal_star_name_is_not_a_catch_all():
    result = lint("name-star.yaml")
    assert result.output.splitlines() == [
        "name-star.yaml:11:11: warning: name '*' matches only a field named '*' literally, "
        "not every field (and a catch-all match '*' would decide before the rules and the "
        "unknown_fields default of the policies this one extends): name the fields this "
        "rule is for [catch-all-rule]",
        "1 problem (0 errors, 1 warning) in 1 policy",
    ]


def test_a_catch_all_no_lower_than_what_it_hides_is_not_reported(tmp_path):
    text = (Path(__file__).parent / "data" / "lint" / "catch-all-rule.yaml").read_text(
        encoding="utf-8").replace("    level: internal\n", "    level: personal\n")
    (tmp_path / "strict.yaml").write_text(text, encoding="utf-8")
    result = lint(str(tmp_path / "strict.yaml"))
    assert (result.exit_code, result.output) == (0, "no problems in 1 policy\n")


def test_list_codes_describes_the_catch_all_code():
    result = lint("--list-codes")
    assert "catch-all-rule            warning  A field rule matching every name ('*') in a " \
        "policy that extends another: it decides before the parent's match rules and its " \
        "unknown_fields default.\n" in result.output


IDS = ["uk.phone", "uk.nhs_number", "uk.postcode", "email", "person.name",
       "uk.field.address", "uk.field.contact", "ft.public"]


@pytest.mark.parametrize("typed, meant", [
    ("uk.phone_number", "uk.phone"),  # typed whole, then extended: not uk.nhs_number
    ("uk.phon", "uk.phone"),
    ("uk.nhs", "uk.nhs_number"),  # cut short
    ("email_address", "email"),
    ("uk.post_code", "uk.postcode"),
    ("emial", "email"),
    ("person_name", "person.name"),
    ("ft.publik", "ft.public"),
    ("uk", None),  # a namespace alone fits too many
    ("zzz", None),
])
def test_did_you_mean_prefers_an_id_typed_whole(typed, meant):
    assert did_you_mean(typed, IDS) == (f"; did you mean '{meant}'?" if meant else "")


def test_an_exception_for_a_name_a_report_shows_is_not_called_idle(tmp_path):
    # From an adversarial run: check's own advice for a sheet named after a person is an
    # exception on field '(section name)', which check uses; lint called it idle.
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: p}\n"
        "extends: uk-personal-data\nexceptions:\n"
        "  - rule: person.name\n    field: (section name)\n    destinations: [public-web]\n"
        "    reason: the sheet is named after a public figure\n"
        "    approved_by: DPO\n    expires: 2027-01-31\n", encoding="utf-8")
    assert lint(str(policy)).output.endswith("no problems in 1 policy\n")
