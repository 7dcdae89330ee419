"""Policy validation: every schema and semantic problem, reported together with file:line:col.

The cases live in ``data/policies/schema-errors.yaml`` and
``data/policies/semantic-errors.yaml`` and are all run by one function each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from guardrail import Guardrail, PolicyError, PolicyProblem
from guardrail.errors import EXIT_USAGE
from guardrail.host.registry import load_registry
from guardrail.policy.load import load_policy

ProblemsOf = Callable[[Path], tuple[PolicyProblem, ...]]

DATA = Path(__file__).parent / "data" / "policies"

VALID = """\
apiVersion: guardrail/v1
kind: Policy
metadata:
  name: minimal
destinations:
  web: public
default_destination: web
"""


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _check_case(case: dict[str, Any], tmp_path: Path, problems_of: ProblemsOf) -> None:
    path = tmp_path / f"{case['id']}.yaml"
    path.write_text(case["policy"], encoding="utf-8")
    problems = problems_of(path)
    expected = [f"{path}:{line}" for line in case["problems"].splitlines()]
    assert [str(p) for p in problems] == expected
    assert [(p.line, p.column) for p in problems] == sorted((p.line, p.column) for p in problems)


@pytest.mark.parametrize("case", _cases("schema-errors.yaml"), ids=lambda case: case["id"])
def test_schema_error_case(case: dict[str, Any], tmp_path: Path, problems_of: ProblemsOf) -> None:
    _check_case(case, tmp_path, problems_of)


@pytest.mark.parametrize("case", _cases("semantic-errors.yaml"), ids=lambda case: case["id"])
def test_semantic_error_case(case: dict[str, Any], tmp_path: Path,
                             problems_of: ProblemsOf) -> None:
    _check_case(case, tmp_path, problems_of)


def test_case_ids_are_unique() -> None:
    ids = [c["id"] for name in ("schema-errors.yaml", "semantic-errors.yaml")
           for c in _cases(name)]
    assert len(ids) == len(set(ids))


def test_minimal_policy_loads(write_policy: Callable[..., Path]) -> None:
    policy = Guardrail.from_policy(write_policy(VALID)).policy
    assert policy.name == "minimal"
    assert policy.levels == ("public", "internal", "personal", "special-category")
    assert policy.default_destination == "web"
    assert policy.destinations["web"].max_level == "public"
    # No defaults.unknown_fields: a field nobody classified gets the most sensitive level.
    assert policy.unknown_level == "special-category"


@pytest.mark.parametrize("name", ["uk-personal-data", "asb-public-web"])
def test_shipped_policies_are_valid(name: str) -> None:
    policy = Guardrail.from_policy(name).policy
    assert policy.name == name
    assert len(policy.sha256) == 64


def test_problem_carries_file_line_column_path_and_message(
    write_policy: Callable[..., Path], problems_of: ProblemsOf) -> None:
    path = write_policy(VALID + "destinatons: {}\n")
    assert problems_of(path) == (
        PolicyProblem(str(path), 8, 1, "destinatons",
                      "unknown key 'destinatons'; did you mean 'destinations'?"),
    )


def test_error_message_lists_every_problem_under_a_count(
    write_policy: Callable[..., Path],
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: two, ownr: me}
        destinations: {web: public}
        default_destination: web
        actions: {personal: blok}
    """)
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(path)
    assert caught.value.message == (
        "policy is invalid (2 problems):\n"
        f"  {path}:3:23: metadata.ownr: unknown key 'ownr'; did you mean 'owner'?\n"
        f"  {path}:6:21: actions.personal: 'blok' is not allowed; did you mean 'block'? "
        "expected 'block', 'warn', 'redact', 'mask', 'hash', 'drop'"
    )
    assert caught.value.exit_code == EXIT_USAGE


def test_one_problem_is_singular(write_policy: Callable[..., Path]) -> None:
    with pytest.raises(PolicyError, match=r"^policy is invalid \(1 problem\):\n"):
        Guardrail.from_policy(write_policy(VALID + "kind: Policy\n"))


def test_schema_and_semantic_problems_are_reported_in_one_pass(
    write_policy: Callable[..., Path], problems_of: ProblemsOf) -> None:
    # The unknown key does not hold back the unknown level: both come at once.
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: order}
        destinations: {web: publc}
        default_destination: web
        colour: red
    """)
    assert [str(p) for p in problems_of(path)] == [
        (f"{path}:4:21: destinations.web: unknown level 'publc'; did you mean 'public'? "
         "expected one of: public, internal, personal, special-category"),
        (f"{path}:6:1: colour: unknown key 'colour'; expected one of: actions, apiVersion, "
         "canaries, "
         "default_destination, defaults, destinations, detectors, enforce_from, exceptions, "
         "extends, fields, kind, levels, metadata, mode, records, rules"),
    ]


def test_semantic_problems_are_all_reported_together(
    write_policy: Callable[..., Path], problems_of: ProblemsOf) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: several}
        destinations: {web: publc}
        default_destination: wbe
        fields:
          - path: "people[0].name"
            level: personal
        rules:
          - id: r.one
            when: "count <"
            level: personal
    """)
    assert [(p.line, p.column, p.path) for p in problems_of(path)] == [
        (4, 21, "destinations.web"),
        (5, 22, "default_destination"),
        (7, 11, "fields[0].path"),
        (11, 11, "rules[0].when"),
    ]


def test_invalid_policy_never_runs(write_policy: Callable[..., Path]) -> None:
    path = write_policy(VALID + "defaults: {unknown_fields: publc}\n")
    with pytest.raises(PolicyError):
        Guardrail.from_policy(path)
    # The lower-level loader refuses it the same way: there is no partial policy to run.
    with pytest.raises(PolicyError) as caught:
        load_policy(path, load_registry().policy_path)
    assert [str(p) for p in caught.value.problems] == [
        (f"{path}:8:28: defaults.unknown_fields: unknown level 'publc'; did you mean 'public'? "
         "expected one of: public, internal, personal, special-category"),
    ]


def test_valid_policy_with_the_same_content_runs(write_policy: Callable[..., Path]) -> None:
    path = write_policy(VALID + "defaults: {unknown_fields: public}\n")
    decision = Guardrail.from_policy(path).check([{"anything": "x"}])
    assert decision.allowed


def test_missing_policy_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(missing)
    assert caught.value.message == f"policy file not found: {missing}"
    assert caught.value.problems == ()


def test_unknown_shipped_policy_name() -> None:
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy("uk-personal")
    assert caught.value.message == (
        "no policy named 'uk-personal'; run 'guardrail policies' to list shipped policies "
        "or pass a path to a .yaml file"
    )


def test_policy_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.encode() + b"# caf\xe9\n")
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(path)
    line = VALID.count("\n") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}:6: the policy is not UTF-8 text (byte 0xE9 at offset {len(VALID) + 5}); "
        "save it as UTF-8 (a policy is a YAML text file; is this the right file?)"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert Guardrail.from_policy(path).policy.name == "minimal"


# -- text stays text: no value is silently turned into a string --------------------------

VERSIONED = """\
apiVersion: guardrail/v1
kind: Policy
metadata:
  name: versioned
  version: {version}
destinations: {{web: public}}
default_destination: web
"""


@pytest.mark.parametrize(("written", "shown"), [("1.0", "1.0"), ("1.10", "1.10"), ("2", "2")])
def test_unquoted_version_is_refused_with_the_quoted_text_to_write(
    write_policy: Callable[..., Path], problems_of: ProblemsOf, written: str, shown: str,
) -> None:
    # YAML reads 1.10 as the number 1.1: accepting it would publish version "1.1".
    path = write_policy(VERSIONED.format(version=written))
    found = "a whole number" if written == "2" else "a number"
    assert [str(p) for p in problems_of(path)] == [
        f'{path}:5:12: metadata.version: found {found}; expected a string; '
        f'write version: "{shown}"',
    ]


def test_quoted_version_is_accepted_as_written(write_policy: Callable[..., Path]) -> None:
    policy = Guardrail.from_policy(write_policy(VERSIONED.format(version='"1.10"'))).policy
    assert policy.version == "1.10"
    assert policy.describe()["version"] == "1.10"
    assert policy.resolved["resolved_from"] == [{"name": "versioned", "version": "1.10"}]


def test_numbers_and_booleans_where_text_belongs_are_refused(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: 2024, owner: yes, description: 3.0}
        levels: [public, 2, secret]
        destinations: {web: public}
        default_destination: web
    """)
    assert [str(p) for p in problems_of(path)] == [
        f'{path}:3:18: metadata.name: found a whole number; expected a string; write name: "2024"',
        f'{path}:3:31: metadata.owner: found true/false; expected a string; write owner: "yes"',
        (f'{path}:3:49: metadata.description: found a number; expected a string; '
         'write description: "3.0"'),
        f'{path}:4:18: levels[1]: found a whole number; expected a string; write "2"',
    ]


def test_keys_that_yaml_reads_as_numbers_or_booleans_are_refused(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    # 2024: and yes: would silently become the names "2024" and "True".
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: keys}
        levels: ["0", "1", "2"]
        destinations:
          web: "0"
          2024: "1"
        default_destination: web
        actions:
          yes: warn
    """)
    assert [str(p) for p in problems_of(path)] == [
        (f'{path}:7:3: destinations.2024: found a whole number as a key; expected a string; '
         'write "2024": instead'),
        (f'{path}:10:3: actions.yes: found true/false as a key; expected a string; '
         'write "yes": instead'),
        # Read as written ('yes', not 'True'), the key is also not a level.
        f"{path}:10:8: actions.yes: unknown level 'yes'; expected one of: 0, 1, 2",
    ]


def test_dates_and_times_stay_as_written(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    policy = Guardrail.from_policy(write_policy(VERSIONED.format(
        version="2026-06-30 10:00:00"))).policy
    assert policy.version == "2026-06-30 10:00:00"  # not 2026-06-30T10:00:00
    path = write_policy(VALID + """\
exceptions:
  - field: postcode
    reason: agreed
    approved_by: Jo Bloggs
    expires: 2026-06-30 10:00:00
""", name="waiver.yaml")
    assert [str(p) for p in problems_of(path)] == [
        (f"{path}:12:14: exceptions[0].expires: '2026-06-30 10:00:00' is not a valid date; "
         "expected YYYY-MM-DD"),
    ]
