"""Hostile policies are policy errors: exit 2 at file:line:col, never a hang or exit 4.

Each case of :mod:`hostile_policy_cases` goes through ``guardrail validate`` and
``guardrail check --policy`` in a process of its own, and through the API. How fast
and how small is measured by ``bench/hostile_policies.py``, not asserted here. The
last tests load policies at the limits, so the bounds cost real policies nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CLEAN_EXPORT, run_guardrail
from hostile_policy_cases import CASES, HEAD, extends_chain, valid_policy

from guardrail import Guardrail, PolicyError, hookimpl
from guardrail.host.registry import load_registry, make_plugin_manager
from guardrail.policy import limits
from guardrail.policy.marked_yaml import read_marked_yaml
from guardrail.policy.safe_yaml import fast_parser, policy_loader

_SIZE = "the policy is larger than 1,048,576 bytes"
_DEPTH = "the YAML is nested more than 32 levels deep"
_NODES = "the policy has more than 10,000 YAML values"
_ALIASES = "aliases expand the policy to more than 10,000 YAML values"
_NOT_UTF8 = "the policy is not UTF-8 text"
_JMESPATH_DEEP = "rules[0].when: the JMESPath in 'when' is nested more than 50 levels deep"

# case -> (file the problem is in, line, column, what the message says)
EXPECTED: dict[str, tuple[str, int, int, str]] = {
    "billion-laughs": ("policy.yaml", 15, 10, _ALIASES),
    "merge-key-laughs": ("policy.yaml", 14, 55, _ALIASES),
    "recursive-alias": ("policy.yaml", 11, 19, "the alias *loop is inside the node it names"),
    "flow-brackets": ("policy.yaml", 1, 33, _DEPTH),
    "block-mappings": ("policy.yaml", 1, 1, _SIZE),
    "block-mappings-within-size": ("policy.yaml", 36, 32, _DEPTH),
    "block-sequences": ("policy.yaml", 12, 65, _DEPTH),
    "jmespath-in-rule": ("policy.yaml", 13, 11, "rules[0].when: the JMESPath in 'when' is "
                         "4,005 characters long; at most 1,000 are allowed"),
    "jmespath-deep-within-length": ("policy.yaml", 13, 11, _JMESPATH_DEEP),
    "jmespath-in-records": ("policy.yaml", 11, 10, "records: the JMESPath in 'records' is "
                            "4,005 characters long"),
    "jmespath-negations": ("policy.yaml", 13, 11, _JMESPATH_DEEP),
    "jmespath-in-path-rule": ("policy.yaml", 11, 11, "fields[1].path: the path is 4,005 "
                              "characters long"),
    "random-bytes": ("policy.yaml", 1, 1, f"{_NOT_UTF8} (byte 0xD3 at offset 0)"),
    "invalid-utf8": ("policy.yaml", 11, 13, f"{_NOT_UTF8} (byte 0xFF at offset 190)"),
    "nul-bytes": ("policy.yaml", 11, 11, "the policy contains the control character U+0000"),
    "binary-file": ("policy.yaml", 1, 2, f"{_NOT_UTF8} (byte 0x8B at offset 1)"),
    "yaml-scalar": ("policy.yaml", 1, 1, "found a string; expected a mapping"),
    "yaml-list": ("policy.yaml", 1, 1, "found a list; expected a mapping"),
    "many-terms": ("policy.yaml", 1, 1, _SIZE),
    "terms-in-one-detector": ("policy.yaml", 16, 14, "detectors.custom[0].terms: this "
                              "detector has 3,000 terms and hotwords; at most 2,000"),
    "terms-in-all": ("policy.yaml", 24, 14, "detectors.custom[2].terms: the custom detectors "
                     "have more than 5,000 terms and hotwords together"),
    "terms-too-large-together": ("policy.yaml", 13, 11, "detectors.custom[0].id: the custom "
                                 "detectors are too large together for RE2"),
    "many-detectors": ("policy.yaml", 413, 7, "detectors.custom[100]: the policy has 150 "
                       "custom detectors"),
    "long-regex": ("policy.yaml", 15, 14, "detectors.custom[0].regex: the pattern is 100,000 "
                   "characters long; at most 2,000"),
    "many-field-rules": ("policy.yaml", 2006, 19, _NODES),
    "field-rules-over-limit": ("policy.yaml", 1010, 5, "fields[1000]: the policy has 1,200 "
                               "field rules"),
    "record-rules-over-limit": ("policy.yaml", 212, 5, "rules[200]: the policy has 250 record "
                                "rules"),
    "many-problems": ("policy.yaml", 11, 32, "fields[1].level: unknown level 'lvl0'"),
    "many-nodes": ("policy.yaml", 11, 19962, _NODES),
    "huge-policy": ("policy.yaml", 1, 1, _SIZE),
    "extends-chain": ("p15.yaml", 5, 10, "extends: the 'extends' chain reaches more than 16 "
                      "policy files"),
    "extends-cycle": ("b.yaml", 5, 10, "extends: 'extends' forms a cycle"),
    "extends-fan-out": ("p2.yaml", 1, 1, _SIZE),
}


def test_every_case_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(CASES)


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    """A hostile policy written under tmp_path, and where and what its problem is."""
    policy = CASES[request.param](tmp_path)
    file, line, column, message = EXPECTED[request.param]
    return policy, f"{tmp_path / file}:{line}:{column}: {message}"


@pytest.mark.parametrize("command", ["validate", "check"])
def test_the_cli_refuses_it_with_exit_2_at_its_position(case: tuple[Path, str],
                                                        command: str) -> None:
    policy, problem = case
    args = ["validate", str(policy)] if command == "validate" else \
        ["check", "--policy", str(policy), str(CLEAN_EXPORT)]
    result = run_guardrail(*args, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("guardrail: error: policy is invalid (")
    assert f"\n  {problem}" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_the_api_raises_policy_error_at_its_position(case: tuple[Path, str]) -> None:
    policy, problem = case
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(policy)
    assert str(caught.value.problems[0]).startswith(problem)


# -- what the messages do not show ------------------------------------------------------

SECRET = "Zebedee Quackenbush"  # as if an author pasted a real person into the policy


_CUSTOM = "detectors:\n  custom:\n    - {id: acme.x, level: personal, "


@pytest.mark.parametrize("extra", [
    f"rules:\n  - {{id: r, when: \"name == '{SECRET}' || {'a || ' * 300}a\", level: personal}}\n",
    f"{_CUSTOM}terms: ['{SECRET} {'x' * 99}']}}\n",
    f"{_CUSTOM}regex: '{SECRET}{'.' * 2000}'}}\n",
])
def test_a_refused_piece_is_not_quoted(write_policy, problems_of, extra: str) -> None:
    problems = problems_of(write_policy(valid_policy(extra)))
    assert len(problems) == 1
    assert SECRET not in str(problems[0])


def test_bytes_around_a_bad_byte_are_not_quoted(tmp_path: Path, problems_of) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(valid_policy(f"x-note: '{SECRET}").encode() + b"\xe9'\n")
    assert SECRET not in str(problems_of(path))


# -- every way in shares the bounds -----------------------------------------------------


class _HostilePack:
    """A plugin whose policy pack ships a billion-laughs policy."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def guardrail_register_policies(self, register) -> None:
        register(self.path)


def test_a_policy_pack_from_a_plugin_is_bounded_too(tmp_path: Path) -> None:
    bomb = CASES["billion-laughs"](tmp_path)
    shipped = bomb.rename(tmp_path / "laughs.yaml")
    registry = load_registry(make_plugin_manager(plugins=[("laughs", _HostilePack(shipped))]))
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy("laughs", registry)
    assert str(caught.value.problems[0]).startswith(f"{shipped}:15:10: {_ALIASES}")
    # ... and so is a policy that extends it by name.
    child = tmp_path / "child.yaml"
    child.write_text(valid_policy(head=HEAD + "extends: laughs\n"), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(child, registry)
    assert str(caught.value.problems[0]).startswith(f"{shipped}:15:10: {_ALIASES}")


def test_the_files_of_a_chain_share_one_size_budget(tmp_path: Path, problems_of) -> None:
    half = "# " + "x" * (limits.MAX_POLICY_BYTES // 2) + "\n"
    (tmp_path / "parent.yaml").write_text(half + valid_policy(), encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(half + valid_policy(head=HEAD + "extends: parent.yaml\n"),
                     encoding="utf-8")
    assert [p.file for p in problems_of(child)] == [str(tmp_path / "parent.yaml")]


def test_an_extends_path_the_system_refuses_is_not_found(write_policy, problems_of) -> None:
    path = write_policy(valid_policy(head=HEAD + f"extends: {'a' * 5000}.yaml\n"))
    (problem,) = problems_of(path)
    assert (problem.line, problem.column, problem.path) == (5, 10, "extends")
    assert problem.message.startswith("policy file not found: ")


def test_not_a_number_is_refused(write_policy, problems_of) -> None:
    # NaN passes minimum and maximum and fails every comparison: as min_confidence it
    # would drop every finding of every detector.
    path = write_policy(valid_policy("detectors: {min_confidence: .nan}\n"))
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:11:29: YAML error: .nan is not a number; write a number"]


def test_a_recursion_error_while_checking_is_a_policy_error(
    write_policy, problems_of, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def too_deep(*args: object) -> None:
        raise RecursionError

    monkeypatch.setattr("guardrail.policy.load.check_sizes", too_deep)
    path = write_policy(valid_policy())
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:1:1: the policy is nested too deeply to be checked; write it flatter"]


@pytest.mark.parametrize("name", ["billion-laughs", "merge-key-laughs", "recursive-alias",
                                  "flow-brackets", "block-sequences"])
def test_libyaml_and_pyyaml_parsers_stop_at_the_same_place(name: str, tmp_path: Path) -> None:
    # libyaml reads policies when PyYAML has it (here: fast_parser()); PyYAML's own
    # parser re-reads small files after a syntax error and is the fallback without it.
    assert fast_parser()
    text = CASES[name](tmp_path).read_text(encoding="utf-8")
    _, line, column, message = EXPECTED[name]
    for clear_messages in (False, True):
        loader = policy_loader(text, "p.yaml", clear_messages=clear_messages)
        with pytest.raises(limits.PolicyLimitError) as caught:
            loader.get_single_node()
        assert str(caught.value.problems[0]).startswith(f"p.yaml:{line}:{column}: {message}")


# -- at the limits, policies work ---------------------------------------------------------


def _nested(depth: int) -> str:
    """A mapping, lists inside it and a number inside them: *depth* levels in all."""
    return "x: " + "[" * (depth - 2) + "1" + "]" * (depth - 2) + "\n"


def test_yaml_at_the_depth_limit_is_read_and_one_level_more_is_not() -> None:
    doc, _ = read_marked_yaml(_nested(limits.MAX_YAML_DEPTH), "p.yaml")
    assert doc.nodes == limits.MAX_YAML_DEPTH + 1  # and the key
    with pytest.raises(PolicyError) as caught:
        read_marked_yaml(_nested(limits.MAX_YAML_DEPTH + 1), "p.yaml")
    assert str(caught.value.problems[0]).startswith(f"p.yaml:1:{limits.MAX_YAML_DEPTH + 3}: "
                                                    f"{_DEPTH}")


def test_yaml_at_the_node_limit_is_read_and_one_node_more_is_not() -> None:
    items = limits.MAX_YAML_NODES - 1  # and the list itself
    doc, _ = read_marked_yaml("[" + ",".join(["1"] * items) + "]", "p.yaml")
    assert doc.nodes == limits.MAX_YAML_NODES
    with pytest.raises(PolicyError) as caught:
        read_marked_yaml("[" + ",".join(["1"] * (items + 1)) + "]", "p.yaml")
    assert _NODES in caught.value.problems[0].message


def test_aliases_count_as_what_they_name() -> None:
    def aliases(count: int) -> str:  # a list of 1,000 nodes, then *count* aliases to it
        return "a: &a [" + ",".join(["1"] * 999) + "]\nb: [" + ",".join(["*a"] * count) + "]\n"

    doc, _ = read_marked_yaml(aliases(8), "p.yaml")
    # The mapping, two keys, a, b and eight copies of a.
    assert doc.nodes == 1 + 2 + 1_000 + 1 + 8 * 1_000
    with pytest.raises(PolicyError) as caught:
        read_marked_yaml(aliases(9), "p.yaml")
    assert str(caught.value.problems[0]).startswith(f"p.yaml:2:{5 + 8 * 3}: {_ALIASES}")


def test_a_policy_of_exactly_the_size_limit_loads(tmp_path: Path) -> None:
    text = valid_policy()
    path = tmp_path / "policy.yaml"
    padding = limits.MAX_POLICY_BYTES - len(text.encode()) - 3
    path.write_text(text + "# " + "x" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == limits.MAX_POLICY_BYTES
    assert Guardrail.from_policy(path).policy.name == "hostile"
    path.write_text(text + "# " + "x" * (padding + 1) + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=_SIZE):
        Guardrail.from_policy(path)


def test_a_chain_of_the_file_limit_loads(tmp_path: Path) -> None:
    policy = Guardrail.from_policy(extends_chain(tmp_path, limits.MAX_POLICY_FILES)).policy
    assert len(policy.sources) == limits.MAX_POLICY_FILES


def test_field_rules_at_the_limit_load(write_policy) -> None:
    rules = "".join(f"  - {{name: f{i}, level: public}}\n"
                    for i in range(limits.MAX_FIELD_RULES - 1))
    policy = Guardrail.from_policy(write_policy(valid_policy(rules))).policy
    assert len(policy.field_rules) == limits.MAX_FIELD_RULES


def test_a_condition_nested_to_the_limit_is_evaluated_on_every_record(write_policy) -> None:
    # 49 nested lists around a field: 50 levels once parsed, evaluated per record.
    deep = limits.MAX_JMESPATH_DEPTH - 1
    when = "[" * deep + "count" + "]" * deep
    path = write_policy(valid_policy(
        "  - {name: count, level: public}\n"
        f"rules:\n  - {{id: deep, when: '{when}', level: personal, fields: [count]}}\n"))
    decision = Guardrail.from_policy(path).check([{"count": 3}] * 3)
    assert [(f.record, f.rule) for f in decision.findings] == [(0, "deep"), (1, "deep"),
                                                              (2, "deep")]


def test_terms_at_the_limits_load_and_are_found_beside_the_installed_detectors(
    write_policy,
) -> None:
    per = limits.MAX_TERMS_PER_DETECTOR
    lists = [[f"Name{d}x{i:04d}" for i in range(count)]
             for d, count in enumerate((per, per, limits.MAX_TERMS - 2 * per))]
    custom = "".join(f"    - {{id: acme.names{d}, level: personal, ignore_case: true, "
                     f"terms: [{', '.join(terms)}]}}\n" for d, terms in enumerate(lists))
    path = write_policy(HEAD + "extends: uk-personal-data\nfields:\n"
                        "  - {name: notes, level: public}\ndetectors:\n  custom:\n" + custom)
    decision = Guardrail.from_policy(path).check([
        {"notes": "spoke to NAME2X0999 today"}, {"notes": "mail jane.doe@example.com"}])
    assert [(f.record, f.rule) for f in decision.findings] == [(0, "acme.names2"),
                                                              (1, "email")]
