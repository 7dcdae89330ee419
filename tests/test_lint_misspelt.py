"""``guardrail lint`` reports what lies inside a misspelt key's block in the same run,
and says in one note when a policy that does not load may hide more."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import lint

from guardrail.authoring.lint_respell import respelt_problems
from guardrail.host.registry import load_registry
from guardrail.policy.schema import misspelt_keys

DATA = Path(__file__).parent / "data" / "lint"
LEVELS = "expected one of: public, internal, personal, special-category"




@pytest.fixture(autouse=True)
def _in_data(monkeypatch):
    monkeypatch.chdir(DATA)


def note(file: str) -> str:
    return (f"{file}:1:1: note: the policy does not load, so checks that need its broken "
            "parts did not run; fix the errors above and lint again: more problems may "
            "follow [incomplete]")


def test_a_misspelt_field_key_and_problems_elsewhere_in_one_run():
    result = lint("several/misspelt-key.yaml")
    f = "several/misspelt-key.yaml"
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{f}:10:5: error: fields[0].levle: unknown key 'levle'; did you mean 'level'? "
        "(level is required) [schema]",
        f"{f}:10:12: error: fields[0].levle: unknown level 'personl'; did you mean "
        f"'personal'? {LEVELS} (reading 'levle' as 'level') [unknown-level]",
        f"{f}:12:12: error: fields[1].level: unknown level 'personl'; did you mean "
        f"'personal'? {LEVELS} [unknown-level]",
        f"{f}:17:14: error: detectors.custom[0].regex: invalid regular expression (missing "
        "): ASB-(\\d+); patterns use RE2 syntax (no backreferences or lookaround), see "
        "https://github.com/google/re2/wiki/Syntax [bad-regex]",
        note(f),
        "4 problems (4 errors, 0 warnings) in 1 policy",
    ]


def test_a_misspelt_section_with_a_misspelt_key_inside():
    result = lint("several/misspelt-section.yaml")
    f = "several/misspelt-section.yaml"
    assert result.output.splitlines() == [
        f"{f}:5:1: error: destiantions: unknown key 'destiantions'; did you mean "
        "'destinations'? [schema]",
        f"{f}:8:5: error: destiantions.partner.max_levle: unknown key 'max_levle'; did you "
        "mean 'max_level'? (reading 'destiantions' as 'destinations') [schema]",
        f"{f}:8:16: error: destiantions.partner.max_levle: unknown level 'personl'; did you "
        f"mean 'personal'? {LEVELS} (reading 'destiantions' as 'destinations' and "
        "'max_levle' as 'max_level') [unknown-level]",
        note(f),
        "3 problems (3 errors, 0 warnings) in 1 policy",
    ]


def test_a_misspelt_key_in_a_parent_is_read_through_the_child():
    result = lint("several/misspelt-child.yaml")
    assert result.output.splitlines()[1] == (
        "several/misspelt-parent.yaml:10:12: error: fields[0].levle: unknown level 'secret'; "
        f"{LEVELS} (reading 'levle' as 'level') [unknown-level]")
    assert result.output.splitlines()[2] == note("several/misspelt-child.yaml")


def test_a_policy_with_only_problems_that_hide_nothing_gets_no_note():
    result = lint("unknown-level.yaml")
    assert "[incomplete]" not in result.output and result.exit_code == 1


def test_a_note_is_a_note_in_json_too():
    result = lint("--format", "json", "schema.yaml")
    assert '"severity": "note"' in result.output and result.exit_code == 1


def test_a_key_meant_twice_is_read_once(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: t}\n"
                    "destinations: {public-web: public}\ndefault_destination: public-web\n"
                    "fields:\n  - {name: a, levle: x, lvel: y}\n", encoding="utf-8")
    problems = respelt_problems(str(path), load_registry().policy_path, frozenset())
    assert [(p.line, p.column, p.message.split(";")[0]) for p in problems] == [
        (7, 22, "unknown level 'x'")]


@pytest.mark.parametrize("text", ["[1, 2]", "apiVersion: guardrail/v1\nfields: 3\n",
                                  "destiantions: [a, {b: c}]\n", "levles: {x: 1}\n"])
def test_odd_shapes_are_read_without_a_crash(text, tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    respelt_problems(str(path), load_registry().policy_path, frozenset())


def test_misspelt_keys_names_the_key_it_likely_means():
    from guardrail.policy.marked_yaml import load_marked_yaml
    doc = load_marked_yaml("destiantions: {a: {max_levle: public}}\nfields: [{levle: x}]\n",
                           "p.yaml")
    assert misspelt_keys(doc) == [(("destiantions",), "destinations"),
                                  (("fields", 0, "levle"), "level")]


def test_past_a_hundred_misspelt_keys_the_rest_wait_for_the_next_run(tmp_path):
    rules = "".join(f"  - {{name: f{i}, levle: nope}}\n" for i in range(130))
    path = tmp_path / "typos.yaml"
    path.write_text("apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: t}\n"
                    f"destinations: {{public-web: public}}\ndefault_destination: public-web\n"
                    f"fields:\n{rules}", encoding="utf-8")
    problems = respelt_problems(str(path), load_registry().policy_path, frozenset())
    assert [p.path for p in problems] == [f"fields[{i}].levle" for i in range(100)]
