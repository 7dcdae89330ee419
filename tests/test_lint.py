"""``guardrail lint``: one policy per problem, the exact line each gives, exit codes,
the golden text report, and the shipped policies linting clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import lint

from guardrail.authoring.lint_checks import _covers
from guardrail.authoring.lint_codes import CODES, code_of_load_problem
from guardrail.cli import cli
from guardrail.errors import PolicyProblem
from guardrail.policy.paths import compile_path_pattern

HERE = Path(__file__).parent
DATA = HERE / "data" / "lint"
SHIPPED = sorted((HERE.parent / "policies").glob("*.yaml"))

# The one line each policy under tests/data/lint gives, run from that directory.
EXPECTED = {
    "unprintable.yaml": "unprintable.yaml:17:18: error: exceptions[0].approved_by: the text "
                        "holds U+001B, a terminal control or text-direction character "
                        "(written as an escape such as \\e or \\u001b in quotes); policy "
                        "text is printed in reports and on terminals, where it would change "
                        "what is shown: remove it [unprintable]",
    "bad-date.yaml": "bad-date.yaml:18:14: error: exceptions[0].expires: '2027-02-30' is not "
                     "a valid date; expected YYYY-MM-DD [bad-date]",
    "bad-field-path.yaml": "bad-field-path.yaml:15:11: error: fields[0].path: path "
                           "'cases[0].name' names one list element; path rules apply to every "
                           "element, so write [*] instead of an index [bad-field-path]",
    "bad-jmespath.yaml": "bad-jmespath.yaml:16:11: error: rules[0].when: invalid JMESPath in "
                         "'when' at character 9: incomplete expression; see "
                         "https://jmespath.org/ [bad-jmespath]",
    "bad-regex.yaml": "bad-regex.yaml:17:14: error: detectors.custom[0].regex: invalid "
                      "regular expression (missing ): ASB-(\\d+); patterns use RE2 syntax (no "
                      "backreferences or lookaround), see "
                      "https://github.com/google/re2/wiki/Syntax [bad-regex]",
    "catch-all-rule.yaml": "catch-all-rule.yaml:17:13: warning: match '*' decides before "
                           "every match rule of uk-personal-data (e.g. its '*_email' rule, "
                           "personal) and its unknown_fields default (personal): every field "
                           "no name or path rule names becomes 'internal'; name the fields "
                           "instead [catch-all-rule]",
    "canary-waived.yaml": "canary-waived.yaml:18:11: error: exceptions[0].rule: a canary is "
                          "never waived: 'canary.zebedee' finds a planted test identity, and "
                          "blocking it is the gate working; remove this exception (and the "
                          "canary from the export, if it should not be there) [canary-waived]",
    "duplicate-canary.yaml": "duplicate-canary.yaml:17:9: error: canaries[1].id: canary id "
                             "'zebedee' is already used at duplicate-canary.yaml:15; give each "
                             "canary its own id [duplicate-canary]",
    "short-canary.yaml": "short-canary.yaml:18:16: error: canaries[0].record.surname: canary "
                         "value of 'surname' has fewer than 6 non-space characters; a short "
                         "value would block real records that happen to hold it: use a "
                         "longer, clearly invented value (e.g. 'Zebedee Quillfeather') "
                         "[short-canary]",
    "duplicate-field-rule.yaml": "duplicate-field-rule.yaml:17:13: warning: match 'Officer ID "
                                 "*' is already covered by 'officer_*' in the match rule on "
                                 "line 15, at the same level 'internal'; remove this one "
                                 "[duplicate-field-rule]",
    "empty.yaml": "empty.yaml:1:1: error: the policy file is empty [unreadable]",
    "enforce-from-passed.yaml": "enforce-from-passed.yaml:18:19: warning: enforce_from "
                                "2026-11-01 has come (30 days ago): rule lint.small_count "
                                "enforces now; remove 'enforce_from' and any 'mode: audit' "
                                "beside it [enforce-from-passed]",
    "extends-not-found.yaml": "extends-not-found.yaml:14:10: error: extends: policy file not "
                              "found: no-such-parent.yaml [extends-not-found]",
    "missing-destination.yaml": "missing-destination.yaml:1:1: error: default_destination: "
                                "missing 'default_destination'; name the destination used "
                                "when the caller names none (the strictest is safest) "
                                "[missing-destination]",
    "rollout-without-id.yaml": "rollout-without-id.yaml:14:11: error: fields[0].mode: a field "
                               "rule with 'mode' needs an 'id', so the report can name the "
                               "rule that is in audit; add e.g. 'id: my.field.rule' "
                               "[rollout-without-id]",
    "schema.yaml": "schema.yaml:17:5: error: fields[0].colour: unknown key 'colour'; expected "
                   "one of: description, enforce_from, id, level, match, mode, name, path [schema]",
    "shadowed-field-rule.yaml": "shadowed-field-rule.yaml:17:11: error: name 'Postcode' can "
                                "never give level 'public': 'postcode' in the name rule on "
                                "line 15 always decides first and gives 'personal'; remove "
                                "one of them [shadowed-field-rule]",
    "undocumented-destination.yaml": "undocumented-destination.yaml:10:3: warning: destination "
                                     "'partner-portal' may receive 'personal' data, above "
                                     "'public', but has no description of why; add "
                                     "'description:' saying who receives it and under what "
                                     "agreement [undocumented-destination]",
    "unknown-destination.yaml": "unknown-destination.yaml:16:20: error: "
                                "exceptions[0].destinations[0]: unknown destination "
                                "'partner-portl'; did you mean 'partner-portal'? expected one "
                                "of: public-web, partner-portal [unknown-destination]",
    "unknown-level.yaml": "unknown-level.yaml:16:12: error: fields[0].level: unknown level "
                          "'personl'; did you mean 'personal'? expected one of: public, "
                          "internal, personal, special-category [unknown-level]",
    "waiver-expired.yaml": "waiver-expired.yaml:18:14: error: the exception for field postcode "
                           "(approved by Data Protection Officer) expired on 2026-11-20 (11 "
                           "days ago) and no longer applies; remove it, or renew it with a new "
                           "'expires' and approval [waiver-expired]",
    "waiver-never-applies.yaml": "waiver-never-applies.yaml:17:19: warning: destination "
                                 "'partner' already accepts 'personal', the level of field "
                                 "'postcode'; this exception never suppresses anything: remove "
                                 "it, or name a destination that does not accept 'personal' "
                                 "[waiver-never-applies]",
    "waiver-expiring.yaml": "waiver-expiring.yaml:18:14: warning: the exception for field "
                            "postcode (approved by Data Protection Officer) expires on "
                            "2026-12-15 (in 14 days); renew it with a new 'expires' and "
                            "approval, or fix what it waives before then [waiver-expiring]",
    "yaml-key.yaml": "yaml-key.yaml:17:5: error: fields[0].level: duplicate key 'level' (first "
                     "given on line 16); keep only one [yaml-key]",
    "yaml-syntax.yaml": "yaml-syntax.yaml:16:10: error: YAML syntax error: expected ',' or "
                        "']', but got ':'; fix the YAML syntax [yaml-syntax]",
}
# Policies that do not load for a reason that hides more: a note follows the problem.
NOTED = {"empty.yaml", "extends-not-found.yaml", "schema.yaml", "yaml-syntax.yaml"}


def note(file: str) -> str:
    return (f"{file}:1:1: note: the policy does not load, so checks that need its broken "
            "parts did not run; fix the errors above and lint again: more problems may "
            "follow [incomplete]")


# These list the installed detectors, which grow with the plugins: the text up to the list.
EXPECTED_START = {
    "unknown-detector.yaml": "unknown-detector.yaml:15:9: error: detectors.run[0]: no "
                             "installed detector matches 'uk.no_such_detector'; installed: ",
    "unknown-rule.yaml": "unknown-rule.yaml:15:11: error: exceptions[0].rule: exception names "
                         "unknown rule 'lint.no_such_rule'; expected one of: ",
}
CYCLE = ("extends-cycle-a.yaml", "extends-cycle-b.yaml")




@pytest.fixture(autouse=True)
def _in_data(monkeypatch):
    monkeypatch.chdir(DATA)  # so reports name the files as the author typed them


def test_every_data_file_has_its_expected_line():
    named = set(EXPECTED) | set(EXPECTED_START) | set(CYCLE) | {"clean.yaml"}
    assert {p.name for p in DATA.glob("*.yaml")} == named


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_problem_gives_its_line(name):
    result = lint(name)
    code = 2 if name in ("empty.yaml", "yaml-syntax.yaml") else 1
    notes = [note(name)] if name in NOTED else []
    assert (result.exit_code, result.output.splitlines()[:-1]) == (
        code, [EXPECTED[name], *notes])


@pytest.mark.parametrize("name", sorted(EXPECTED_START))
def test_problems_that_list_installed_names(name):
    result = lint(name)
    lines = result.output.splitlines()
    assert result.exit_code == 1 and len(lines) == 2
    assert lines[0].startswith(EXPECTED_START[name]), lines[0]
    assert lines[0].endswith(f" [{name.removesuffix('.yaml')}]")


def test_an_extends_cycle_names_the_entry_that_closes_it():
    a, b = (str((DATA / name).resolve()) for name in CYCLE)
    result = lint("extends-cycle-a.yaml")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"extends-cycle-b.yaml:5:10: error: extends: 'extends' forms a cycle: {a} -> {b} -> "
        f"{a}; remove one of these extends [extends-cycle]")


def test_a_clean_policy_exits_0():
    result = lint("clean.yaml")
    assert (result.exit_code, result.output) == (0, "no problems in 1 policy\n")


def test_golden_text_report_over_several_files():
    result = lint("waiver-expiring.yaml", "clean.yaml", "unknown-level.yaml",
                  "shadowed-field-rule.yaml", "undocumented-destination.yaml",
                  "bad-jmespath.yaml")
    assert result.exit_code == 1
    assert result.output == (DATA / "golden.txt").read_text(encoding="utf-8")


def test_warnings_alone_exit_1():
    assert lint("waiver-expiring.yaml").exit_code == 1


def test_a_missing_file_exits_2_and_the_rest_is_still_linted():
    result = lint("no-such-policy.yaml", "unknown-level.yaml")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "no-such-policy.yaml:1:1: error: policy file not found: no-such-policy.yaml "
        "[unreadable]",
        EXPECTED["unknown-level.yaml"],
        "2 problems (2 errors, 0 warnings) in 2 policies",
    ]


def test_waivers_are_judged_on_the_day_given():
    late = CliRunner().invoke(cli, ["lint", "--today", "2026-12-16", "waiver-expiring.yaml"])
    early = CliRunner().invoke(cli, ["lint", "--today", "2026-11-01", "waiver-expiring.yaml"])
    assert "[waiver-expired]" in late.output and "yesterday" in late.output
    assert (early.exit_code, early.output) == (0, "no problems in 1 policy\n")


def test_no_policy_is_a_usage_error():
    result = CliRunner().invoke(cli, ["lint"])
    assert result.exit_code == 2
    assert "give at least one POLICY" in result.output


def test_list_codes_names_every_code_once():
    result = CliRunner().invoke(cli, ["lint", "--list-codes"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == list(CODES)


@pytest.mark.parametrize("kind, message, code", [
    ("too-large", "the policy is larger than 1,048,576 bytes (1 MiB, ...)", "too-large"),
    ("extends-not-found", "a message reworded one day", "extends-not-found"),
    ("bad-date", "'2026-02-30' is not a real date; expected YYYY-MM-DD", "bad-date"),
    ("", "unknown level 'personl'; expected one of: public", "invalid"),  # wording is not read
    ("no-such-kind", "unknown level 'personl'", "invalid"),
])
def test_a_loader_problem_gets_the_code_of_its_kind(kind, message, code):
    problem = PolicyProblem("p.yaml", 1, 1, "", message, kind)
    assert code_of_load_problem(problem) == code


def test_every_code_is_produced_by_a_case():
    from_data = {line.rsplit("[", 1)[1].rstrip("]") for line in EXPECTED.values()}
    from_data |= {name.removesuffix(".yaml") for name in EXPECTED_START} | {"extends-cycle"}
    from_data |= {"incomplete"}
    from_messages = {"too-large", "invalid"}
    assert from_data | from_messages == set(CODES)


@pytest.mark.parametrize("kind, earlier, later, covered", [
    ("match", "officer_*", "officer_id_*", True),
    ("match", "*", "anything_?", True),
    ("match", "*_id", "officer_*", False),
    ("match", "officer_?d", "officer_*d", False),  # '?' is not '*': no claim is made
    ("match", "officer_*", "officer", False),
    ("name", "postcode", "postcode", True),
    ("path", "cases[*].*", "cases[*].name", True),
    ("path", "cases[*].name", "cases[*].*", False),
    ("path", "cases[*].name", "cases.name", False),
])
def test_which_patterns_cover_which(kind, earlier, later, covered):
    if kind == "path":
        earlier, later = compile_path_pattern(earlier), compile_path_pattern(later)
    assert _covers(kind, earlier, later) is covered


def test_every_shipped_policy_lints_clean():
    result = lint(*(str(p) for p in SHIPPED))
    assert (result.exit_code, result.output) == (0, f"no problems in {len(SHIPPED)} policies\n")


def test_a_policy_that_fails_to_load_is_still_checked_for_the_rest():
    result = lint("several/broken-and-expired.yaml")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "several/broken-and-expired.yaml:9:3: warning: destination 'partner-portal' may "
        "receive 'personal' data, above 'public', but has no description of why; write it as "
        "a mapping: 'partner-portal: {max_level: personal, description: ...}' saying who "
        "receives it and under what agreement [undocumented-destination]",
        "several/broken-and-expired.yaml:13:12: error: fields[0].level: found a list; "
        "expected a string [schema]",
        "several/broken-and-expired.yaml:18:14: error: the exception for field postcode "
        "(approved by Data Protection Officer) expired on 2026-11-30 (yesterday) and no longer "
        "applies; remove it, or renew it with a new 'expires' and approval [waiver-expired]",
        note("several/broken-and-expired.yaml"),
        "3 problems (2 errors, 1 warning) in 1 policy",
    ]


def test_an_unquoted_expiry_date_is_judged_too():
    result = lint("several/unquoted-date.yaml")
    assert result.output.splitlines()[0].startswith(
        "several/unquoted-date.yaml:12:14: error: the exception for field postcode")


def test_a_parent_linted_with_its_child_is_reported_once():
    result = lint("waiver-expiring.yaml", "several/child.yaml")
    assert result.output.splitlines() == [EXPECTED["waiver-expiring.yaml"],
                                          "1 problem (0 errors, 1 warning) in 2 policies"]


def test_a_glob_without_wildcards_loses_to_a_name_rule_written_after_it():
    result = lint("several/glob-named-too.yaml")
    assert result.output.splitlines()[:-1] == [
        "several/glob-named-too.yaml:8:13: error: match 'Ward' can never give level 'public': "
        "'ward' in the name rule on line 10 always decides first and gives 'internal'; remove "
        "one of them [shadowed-field-rule]",
    ]


def test_a_path_rule_after_a_broader_one_never_decides():
    result = lint("several/path-shadowed.yaml")
    assert result.output.splitlines()[:-1] == [
        "several/path-shadowed.yaml:10:11: error: path 'cases[*].ward' can never give level "
        "'public': 'cases[*].*' in the path rule on line 8 always decides first and gives "
        "'personal'; remove one of them, or make that one narrower [shadowed-field-rule]",
    ]
