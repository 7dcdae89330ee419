"""``extends``: shipped parents by name, relative paths, chains, overrides, cycles and hashes.

Fixtures in ``data/policies/extends/``: ``team/leaf.yaml`` extends ``team/middle.yaml``,
which extends ``../base.yaml``; ``shipped-child.yaml`` extends ``uk-personal-data``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrail import Guardrail, PolicyError, PolicyProblem
from guardrail.host.registry import load_registry
from guardrail.policy.classify import Classifier
from guardrail.policy.model import Policy

ProblemsOf = Callable[[Path], tuple[PolicyProblem, ...]]  # the conftest fixture

EXTENDS = Path(__file__).parent / "data" / "policies" / "extends"
BASE = EXTENDS / "base.yaml"
MIDDLE = EXTENDS / "team" / "middle.yaml"
LEAF = EXTENDS / "team" / "leaf.yaml"


def _load(path: Path | str) -> Policy:
    return Guardrail.from_policy(path).policy


def _sources(policy: Policy) -> list[Path]:
    return [Path(source).resolve() for source in policy.sources]


def _rule_for(policy: Policy, *path: str | int) -> tuple[str, str]:
    found = Classifier(policy).classify(path)
    return found.rule, found.level


# -- extending by name and by path ----------------------------------------------------


def test_child_extends_shipped_policy_by_name() -> None:
    policy = _load(EXTENDS / "shipped-child.yaml")
    shipped = load_registry().policy_path("uk-personal-data")
    assert policy.name == "shipped-child"
    assert policy.sources == (str(shipped), str(EXTENDS / "shipped-child.yaml"))
    assert list(policy.destinations) == ["public-web", "partner-portal", "internal", "open-data"]
    assert policy.default_destination == "open-data"
    assert policy.unknown_level == "personal"  # defaults inherited from the parent


def test_shipped_parent_rules_apply_in_the_child() -> None:
    decision = Guardrail.from_policy(EXTENDS / "shipped-child.yaml").check(
        b"month,postcode,surname\n2026-01,HP1 1AA,Hughes\n", format="csv")
    assert not decision.allowed
    assert [(f.field, f.rule, f.level, f.evidence) for f in decision.findings] == [
        ("surname", "uk.field.person_name", "personal", "H*****"),
    ]


def test_child_extends_relative_path() -> None:
    policy = _load(MIDDLE)
    assert _sources(policy) == [BASE.resolve(), MIDDLE.resolve()]
    assert policy.name == "middle"
    assert policy.default_destination == "public-web"  # from the parent


def test_multi_level_chain_loads_parents_first() -> None:
    policy = _load(LEAF)
    assert _sources(policy) == [BASE.resolve(), MIDDLE.resolve(), LEAF.resolve()]
    assert policy.name == "leaf"
    assert policy.version == ""  # metadata is the child's own, never merged
    assert policy.default_destination == "partner-portal"
    assert [r.id for r in policy.field_rules] == [
        "leaf.names", "leaf.case_ref", "middle.names", "base.people", "base.place", "base.health",
    ]
    assert _rule_for(policy, "diagnosis") == ("base.health", "special-category")
    assert _rule_for(policy, "case_ref") == ("leaf.case_ref", "internal")


def test_parent_reached_twice_is_loaded_once() -> None:
    # diamond.yaml extends base.yaml and team/middle.yaml, which extends ../base.yaml.
    policy = _load(EXTENDS / "diamond.yaml")
    assert _sources(policy) == [BASE.resolve(), MIDDLE.resolve(),
                                (EXTENDS / "diamond.yaml").resolve()]
    assert [r.id for r in policy.field_rules] == [
        "middle.names", "base.people", "base.place", "base.health",
    ]


# -- what a child overrides ------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected"), [
    (BASE, ("base.people", "personal")),
    (MIDDLE, ("middle.names", "internal")),
    (LEAF, ("leaf.names", "public")),
])
def test_child_field_rule_beats_parent_rule_for_the_same_name(
    path: Path, expected: tuple[str, str],
) -> None:
    policy = _load(path)
    assert _rule_for(policy, "name") == expected
    assert _rule_for(policy, "email") == ("base.people", "personal")


def test_child_match_rule_does_not_beat_a_parent_name_rule(
    write_policy: Callable[..., Path],
) -> None:
    # Precedence is by kind first (path > name > match), then child before parent.
    child = write_policy(f"""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {{name: globby}}
        extends: {BASE}
        fields:
          - id: child.glob
            match: "e*"
            level: public
    """)
    policy = _load(child)
    assert _rule_for(policy, "email") == ("base.people", "personal")
    assert _rule_for(policy, "extra") == ("child.glob", "public")


def test_parent_destinations_are_inherited_and_one_is_overridden() -> None:
    base, middle = _load(BASE), _load(MIDDLE)
    assert base.destinations["partner-portal"].max_level == "internal"
    assert base.destinations["partner-portal"].description == (
        "Partners under a data-sharing agreement.")
    # The child's entry replaces the parent's whole entry, description included.
    assert middle.destinations["partner-portal"].max_level == "personal"
    assert middle.destinations["partner-portal"].description == ""
    assert middle.destinations["public-web"] == base.destinations["public-web"]
    assert middle.destinations["internal"] == base.destinations["internal"]


def test_overridden_destination_changes_the_decision() -> None:
    payload = [{"email": "jo@example.org"}]
    assert not Guardrail.from_policy(BASE).check(payload, destination="partner-portal").allowed
    assert Guardrail.from_policy(MIDDLE).check(payload, destination="partner-portal").allowed


def test_rule_with_the_same_id_is_replaced() -> None:
    base, middle = _load(BASE), _load(MIDDLE)
    assert [(r.id, r.when) for r in base.record_rules] == [
        ("base.small_count", "count < `5`"), ("base.big_count", "count > `1000`"),
    ]
    assert [(r.id, r.when) for r in middle.record_rules] == [
        ("base.small_count", "count < `3`"), ("base.big_count", "count > `1000`"),
    ]
    assert middle.record_rules[0].origin == f"{MIDDLE}:15"


@pytest.mark.parametrize(("path", "count", "findings"), [
    (BASE, "4", [("base.small_count", "record matches rule 'count < `5`'")]),
    (MIDDLE, "4", []),
    (MIDDLE, "2", [("base.small_count", "This team only suppresses counts below 3.")]),
    (MIDDLE, "1200", [("base.big_count", "record matches rule 'count > `1000`'")]),
])
def test_replaced_rule_is_the_one_evaluated(path: Path, count: str,
                                            findings: list[tuple[str, str]]) -> None:
    decision = Guardrail.from_policy(path).check(
        f"month,count\n2026-01,{count}\n".encode(), format="csv", destination="public-web")
    assert [(f.rule, f.message) for f in decision.findings] == findings


# -- broken chains ---------------------------------------------------------------------


def test_cycle_is_named() -> None:
    a, b = EXTENDS / "cycle-a.yaml", EXTENDS / "cycle-b.yaml"
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(a)
    # Reported at the entry that closes the cycle.
    assert [str(p) for p in caught.value.problems] == [
        f"{b}:5:10: extends: 'extends' forms a cycle: {a.resolve()} -> {b.resolve()} -> "
        f"{a.resolve()}; remove one of these extends"]


def test_policy_extending_itself_is_a_cycle(write_policy: Callable[..., Path]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: narcissus}
        extends: policy.yaml
    """)
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:4:10: extends: 'extends' forms a cycle: {path.resolve()} -> {path.resolve()}; "
        "remove one of these extends"]


def test_missing_parents_are_reported_at_their_extends_entries(problems_of: ProblemsOf) -> None:
    path = EXTENDS / "missing-parent.yaml"
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:8:5: extends[1]: policy file not found: {EXTENDS / 'no-such-parent.yaml'}",
        (f"{path}:9:5: extends[2]: no policy named 'uk-personal-dta'; run 'guardrail policies' "
         "to list shipped policies or pass a path to a .yaml file"),
    ]


def test_missing_single_parent_is_reported_at_the_extends_line(
    write_policy: Callable[..., Path], tmp_path: Path,
    problems_of: ProblemsOf,
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: lost}
        # the parent moved
        extends: parents/base.yaml
    """)
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:5:10: extends: policy file not found: {tmp_path / 'parents' / 'base.yaml'}",
    ]


def test_problems_in_a_parent_are_reported_in_the_parent_file(
    write_policy: Callable[..., Path],
    problems_of: ProblemsOf,
) -> None:
    parent = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: parent, ownr: me}
        destinations: {web: public}
        default_destination: web
    """, name="parent.yaml")
    child = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child}
        extends: parent.yaml
    """, name="child.yaml")
    assert [str(p) for p in problems_of(child)] == [
        f"{parent}:3:26: metadata.ownr: unknown key 'ownr'; did you mean 'owner'?",
    ]


def test_merged_policy_problems_point_at_the_file_that_wrote_them(
    write_policy: Callable[..., Path],
    problems_of: ProblemsOf,
) -> None:
    # The child renames the levels, so the parent's destinations no longer make sense.
    parent = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: parent}
        destinations:
          web: public
        default_destination: web
    """, name="parent.yaml")
    child = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child}
        extends: parent.yaml
        levels: [open, closed]
        fields:
          - name: notes
            level: public
    """, name="child.yaml")
    assert [str(p) for p in problems_of(child)] == [
        f"{child}:8:12: fields[0].level: unknown level 'public'; expected one of: open, closed",
        f"{parent}:5:8: destinations.web: unknown level 'public'; expected one of: open, closed",
    ]


# -- identity --------------------------------------------------------------------------


def test_sha256_changes_when_a_parent_changes(tmp_path: Path) -> None:
    shutil.copy(BASE, tmp_path / "base.yaml")
    (tmp_path / "team").mkdir()
    shutil.copy(MIDDLE, tmp_path / "team" / "middle.yaml")
    child = tmp_path / "team" / "middle.yaml"

    first = _load(child).sha256
    assert _load(child).sha256 == first  # stable across loads

    parent = tmp_path / "base.yaml"
    parent.write_text(parent.read_text(encoding="utf-8").replace(
        "name: diagnosis\n    level: special-category", "name: diagnosis\n    level: personal"),
        encoding="utf-8")
    assert child.read_text(encoding="utf-8") == MIDDLE.read_text(encoding="utf-8")
    changed = _load(child).sha256
    assert changed != first
    assert _rule_for(_load(child), "diagnosis") == ("base.health", "personal")


def test_sha256_is_the_resolved_policy_not_the_file() -> None:
    base, middle = _load(BASE), _load(MIDDLE)
    assert base.sha256 != middle.sha256
    assert middle.resolved["destinations"]["partner-portal"] == "personal"
    assert [r["id"] for r in middle.resolved["rules"]] == ["base.small_count", "base.big_count"]
    assert "extends" not in middle.resolved


def test_a_child_destination_with_a_misspelt_max_level_is_a_policy_problem(
        write_policy: Callable[..., Path], problems_of: ProblemsOf) -> None:
    # Found by an adversarial run: the misspelling and the missing key were each left to
    # the other to report, so neither was, and the check crashed (KeyError, exit 4).
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child}
        extends: asb-public-web
        destinations: {public-web: {level: special-category}}
    """)
    assert [(p.line, p.column, p.path, p.message) for p in problems_of(path)] == [
        (5, 29, "destinations.public-web.level",
         "unknown key 'level'; did you mean 'max_level'? (max_level is required)")]
