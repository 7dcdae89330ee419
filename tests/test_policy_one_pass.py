"""One load reports every problem: schema and semantic, in every file of an ``extends`` chain.

A value the schema already found broken is not checked again (no cascades), but
everything beside it still is. Lists of installed detectors in messages depend on
the plugins installed, so those tails are cut with :func:`_shown`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from guardrail import Guardrail, PolicyError, PolicyProblem
from guardrail.host.registry import load_registry
from guardrail.policy.load import load_policy

ProblemsOf = Callable[[Path], tuple[PolicyProblem, ...]]  # the conftest fixture

_LEVELS = "expected one of: public, internal, personal, special-category"


def _shown(problem: PolicyProblem) -> str:
    """The problem as printed, without the plugin-dependent list of installed ids."""
    text = str(problem)
    if "; installed: " in text:
        return text[: text.index("; installed: ")] + "; installed: ..."
    if "unknown rule" in text and " expected one of: " in text:  # the installed rule ids
        return text[: text.index(" expected one of: ")] + " expected one of: ..."
    return text


def test_one_file_with_schema_and_semantic_problems_reports_them_all(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata:
          name: several
          version: 1.0
          ownr: Data Team
        destinations:
          public-web: public
          partner: [internal]
        default_destination: public-wbe
        fields:
          - name: postcode
            level: persnal
          - match: "*_id"
            level: [personal]
        rules:
          - id: small.count
            when: "count <"
            level: personal
          - id: empty.when
            when: ""
            level: personal
        detectors:
          custom:
            - id: acme.ref
              regex: "(?<=REF)[0-9]+"
              level: personal
        exceptions:
          - field: postcode
            destinations: [public-web, partner-portal]
            reason: agreed with the DPO
            approved_by: Jo Bloggs
            expires: 2026-02-30
    """)
    problems = problems_of(path)
    assert [str(p) for p in problems] == [
        f'{path}:5:12: metadata.version: found a number; expected a string; write version: "1.0"',
        f"{path}:6:3: metadata.ownr: unknown key 'ownr'; did you mean 'owner'?",
        f"{path}:9:12: destinations.partner: found a list; expected a mapping or a string",
        (f"{path}:10:22: default_destination: unknown destination 'public-wbe'; did you mean "
         "'public-web'? expected one of: public-web, partner"),
        (f"{path}:13:12: fields[0].level: unknown level 'persnal'; did you mean 'personal'? "
         f"{_LEVELS}"),
        f"{path}:15:12: fields[1].level: found a list; expected a string",
        (f"{path}:18:11: rules[0].when: invalid JMESPath in 'when' at character 8: incomplete "
         "expression; see https://jmespath.org/"),
        f"{path}:21:11: rules[1].when: is empty; expected at least 1 character(s)",
        (f"{path}:26:14: detectors.custom[0].regex: invalid regular expression (invalid perl "
         "operator: (?<=); patterns use RE2 syntax (no backreferences or lookaround), see "
         "https://github.com/google/re2/wiki/Syntax"),
        (f"{path}:30:32: exceptions[0].destinations[1]: unknown destination 'partner-portal'; "
         "did you mean 'partner'? expected one of: public-web, partner"),
        (f"{path}:33:14: exceptions[0].expires: '2026-02-30' is not a valid date; "
         "expected YYYY-MM-DD"),
    ]
    # Broken values are reported once, by the schema: the level inside 'partner: [internal]',
    # the list given as a level and the empty 'when' are not checked a second time.
    assert len(problems) == 11


def test_problems_in_parent_and_child_are_reported_together(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    parent = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: parent, ownr: Data Team}
        levels: [open, internal, restricted]
        destinations:
          web: open
          partner: {max_level: internl}
        default_destination: web
        rules:
          - id: parent.small
            when: "count <"
            level: restricted
        detectors:
          skip: [no.such.detector]
    """, name="parent.yaml")
    child = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child, version: 2}
        extends: parent.yaml
        default_destination: intranet
        fields:
          - name: notes
            level: secret
            colour: red
        detectors:
          skip: [uk.phone]
        exceptions:
          - rule: parent.smal
            reason: agreed
            approved_by: Jo Bloggs
            expires: 2026-06-30
    """, name="child.yaml")
    assert [_shown(p) for p in problems_of(child)] == [
        f'{child}:3:34: metadata.version: found a whole number; expected a string; '
        'write version: "2"',
        (f"{child}:5:22: default_destination: unknown destination 'intranet'; "
         "expected one of: web, partner"),
        f"{child}:8:12: fields[0].level: unknown level 'secret'; expected one of: open, internal, "
        "restricted",
        (f"{child}:9:5: fields[0].colour: unknown key 'colour'; expected one of: description, "
         "enforce_from, id, level, match, mode, name, path"),
        (f"{child}:13:11: exceptions[0].rule: exception names unknown rule 'parent.smal'; "
         "did you mean 'parent.small'? expected one of: ..."),
        f"{parent}:3:26: metadata.ownr: unknown key 'ownr'; did you mean 'owner'?",
        (f"{parent}:7:24: destinations.partner.max_level: unknown level 'internl'; did you mean "
         "'internal'? expected one of: open, internal, restricted"),
        (f"{parent}:11:11: rules[0].when: invalid JMESPath in 'when' at character 8: "
         "incomplete expression; see https://jmespath.org/"),
        # The parent's skip entry is reported in the parent, not at the child's skip list.
        (f"{parent}:14:10: detectors.skip[0]: no installed detector matches 'no.such.detector'; "
         "installed: ..."),
    ]


@pytest.mark.parametrize(("broken", "reported"), [
    # A misspelt section hides what it holds: nothing is called missing or unknown.
    ("destinatons: {web: public}\ndefault_destination: web\n",
     "1:1: destinatons: unknown key 'destinatons'; did you mean 'destinations'?"),
    ("destinations: {web: public}\ndefault_destinaton: web\n",
     "2:1: default_destinaton: unknown key 'default_destinaton'; did you mean "
     "'default_destination'?"),
    ("destinations: {}\ndefault_destination: web\n",
     "1:15: destinations: is empty; expected at least 1 item(s)"),
    # Levels that are not a usable list: no level anywhere is checked against them.
    ("levels: [public, public]\ndestinations: {web: secret}\ndefault_destination: web\n",
     "1:9: levels: has repeated entries; each entry must appear once"),
    ("levels: [public, 2]\ndestinations: {web: secret}\ndefault_destination: web\n",
     '1:18: levels[1]: found a whole number; expected a string; write "2"'),
    ("levls: [public, secret]\ndestinations: {web: secret}\ndefault_destination: web\n",
     "1:1: levls: unknown key 'levls'; did you mean 'levels'?"),
    # A rule whose id cannot be read: an exception naming a rule is not called unknown.
    ("destinations: {web: public}\ndefault_destination: web\n"
     "rules: [{when: 'a', level: personal}]\n"
     "exceptions: [{rule: r.one, reason: r, approved_by: j, expires: 2030-01-01}]\n",
     "3:9: rules[0]: missing required key 'id'; add 'id: ...' here"),
])
def test_a_broken_piece_is_not_reported_twice(
    write_policy: Callable[..., Path], problems_of: ProblemsOf, broken: str, reported: str,
) -> None:
    head = "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: cascade}\n"
    path = write_policy(head + broken)
    line, rest = reported.split(":", 1)
    assert [str(p) for p in problems_of(path)] == [f"{path}:{int(line) + 3}:{rest}"]


def test_duplicate_keys_do_not_hide_the_other_problems(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: dupes}
        destinations: {web: publc}
        default_destination: web
        default_destination: web
    """)
    assert [str(p) for p in problems_of(path)] == [
        (f"{path}:4:21: destinations.web: unknown level 'publc'; did you mean 'public'? "
         f"{_LEVELS}"),
        (f"{path}:6:1: default_destination: duplicate key 'default_destination' (first given "
         "on line 5); keep only one"),
    ]


def test_a_parent_with_a_yaml_error_is_reported_with_the_childs_problems(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    parent = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: parent}
        destinations: {web: public
        default_destination: web
    """, name="parent.yaml")
    child = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child}
        extends: [parent.yaml, missing.yaml]
        fields:
          - path: "people[0].name"
            level: secret
    """, name="child.yaml")
    # The child's own mistakes are found; what the unread parents might define (levels,
    # destinations, default_destination) is not reported missing or unknown.
    assert [str(p) for p in problems_of(child)] == [
        f"{child}:4:24: extends[1]: policy file not found: {child.parent / 'missing.yaml'}",
        (f"{child}:6:11: fields[0].path: path 'people[0].name' names one list element; path "
         "rules apply to every element, so write [*] instead of an index"),
        (f"{parent}:5:20: YAML syntax error: expected ',' or '}}', but got ':'; fix the YAML "
         "syntax").replace("}}", "}"),
    ]


def test_a_broken_parent_reached_twice_is_reported_once(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    broken = write_policy("apiVersion: guardrail/v1\nkind: [Policy\n", name="broken.yaml")
    for name in ("left.yaml", "right.yaml"):
        write_policy(f"""\
            apiVersion: guardrail/v1
            kind: Policy
            metadata: {{name: {name[:-5]}}}
            extends: broken.yaml
        """, name=name)
    child = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child}
        extends: [left.yaml, right.yaml]
    """, name="child.yaml")
    assert [str(p) for p in problems_of(child)] == [
        (f"{broken}:3:1: YAML syntax error: expected ',' or ']', but got '<stream end>'; "
         "fix the YAML syntax"),
    ]


def test_records_selector_must_be_valid_jmespath(
    write_policy: Callable[..., Path], problems_of: ProblemsOf,
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: nested}
        destinations: {web: public}
        default_destination: web
        records: "data.["
    """)
    assert [str(p) for p in problems_of(path)] == [
        (f"{path}:6:10: records: invalid JMESPath in 'records' at character 7: incomplete "
         "expression; see https://jmespath.org/"),
    ]


# -- no shape of policy crashes the loader ----------------------------------------------

RICH = """\
apiVersion: guardrail/v1
kind: Policy
metadata: {name: rich, version: "1", owner: me, description: d}
levels: [public, internal, personal, special-category]
destinations:
  web: public
  partner: {max_level: internal, description: p, actions: {personal: warn}}
default_destination: web
records: data.cases
defaults: {unknown_fields: personal, max_findings: 5}
fields:
  - {id: a.names, name: [x, y], level: public}
  - {match: "z_*", level: internal}
  - {path: "a.b[*].c", level: personal}
rules:
  - {id: r.one, when: "count < `5`", level: personal, fields: [count]}
actions: {personal: block}
exceptions:
  - {rule: r.one, field: count, destinations: [partner], reason: r, approved_by: j,
     expires: 2030-01-01}
detectors:
  run: ["*"]
  skip: [acme.words]
  min_confidence: 0.5
  allow: [foo]
  settings:
    acme.ref: {level: personal, min_confidence: 0.6, fields: [a]}
  custom:
    - {id: acme.ref, regex: "REF[0-9]+", level: personal, ignore_case: true, exclude: [REF0]}
    - {id: acme.words, terms: [secret], level: internal}
"""

# A scalar, a list and a mapping where anything else was expected: every shape a
# check could trip over (each load costs ~25 ms of pure-Python YAML, so only these).
_ODD_VALUES = [None, ["x"], {"x": 1}]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, prefix + (key,))


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    out = copy.deepcopy(document)
    parent = out
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return out


@pytest.mark.parametrize("odd", _ODD_VALUES, ids=repr)
def test_any_value_of_the_wrong_shape_is_a_policy_error_never_a_crash(
    tmp_path: Path, odd: Any,
) -> None:
    registry = load_registry()
    rich = yaml.safe_load(RICH)
    assert load_policy(_write(tmp_path, RICH), registry.policy_path).name == "rich"
    for path in _paths(rich):
        text = yaml.safe_dump(_replaced(rich, path, odd), sort_keys=False)
        try:
            load_policy(_write(tmp_path, text), registry.policy_path,
                        extra_rule_ids=frozenset(registry.detectors))
        except PolicyError as exc:
            assert exc.problems, path  # positioned problems, not a bare message
        except Exception as exc:  # pragma: no cover - the failure this test looks for
            pytest.fail(f"{path} = {odd!r}: {type(exc).__name__}: {exc}")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_rich_policy_builds_every_section() -> None:
    # Guards the test above: the policy it breaks really has every piece in it.
    assert set(yaml.safe_load(RICH)) == {
        "apiVersion", "kind", "metadata", "levels", "destinations", "default_destination",
        "records", "defaults", "fields", "rules", "actions", "exceptions", "detectors",
    }


def test_a_valid_policy_still_runs(write_policy: Callable[..., Path]) -> None:
    policy = Guardrail.from_policy(write_policy(RICH)).policy
    assert [r.id for r in policy.record_rules] == ["r.one"]
    assert [c.id for c in policy.detectors.custom] == ["acme.ref", "acme.words"]
    assert policy.detectors.skip == ("acme.words",)
