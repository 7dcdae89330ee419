"""Hostile policy files, built on demand: what an attacker who can write a policy tries.

Each builder writes its case into a folder and returns the policy to load. The same
builders serve the tests (tests/test_hostile_policies.py: exit 2 and file:line:col)
and the benchmark (bench/hostile_policies.py: time and memory), so both measure the
same files. Importable as ``hostile_policy_cases`` from the tests folder.
"""

from __future__ import annotations

import gzip
import random
import string
from collections.abc import Callable
from pathlib import Path

__all__ = ["CASES", "HEAD", "valid_policy"]

HEAD = "apiVersion: guardrail/v1\nkind: Policy\nmetadata:\n  name: hostile\n"
_REST = ("destinations:\n  public-web: public\ndefault_destination: public-web\n"
         "fields:\n  - name: postcode\n    level: personal\n")


def valid_policy(extra: str = "", head: str = HEAD) -> str:
    """A small policy that loads, with *extra* YAML appended at the top level."""
    return head + _REST + extra


def _write(folder: Path, data: str | bytes, name: str = "policy.yaml") -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def billion_laughs(folder: Path) -> Path:
    """9 levels of 9 aliases: 9**9 (387 million) strings once the aliases are expanded."""
    lines = ['x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"x-{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append("x-bomb: *i")
    return _write(folder, valid_policy("\n".join(lines) + "\n"))


def merge_key_laughs(folder: Path) -> Path:
    """The same bomb through merge keys (``<<: *a``), which PyYAML's constructor expands."""
    lines = ["x-a: &a {" + ", ".join(f"k{i}: lol" for i in range(9)) + "}"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"x-{name}: &{name} [" + ", ".join([f"{{<<: *{previous}}}"] * 9) + "]")
    return _write(folder, valid_policy("\n".join(lines) + "\n"))


def recursive_alias(folder: Path) -> Path:
    """An alias inside the node it names: a structure that contains itself."""
    return _write(folder, valid_policy("x-loop: &loop [1, *loop]\n"))


def flow_brackets(folder: Path) -> Path:
    """100,000 ``[``: a flow sequence nested 100,000 deep (never closed)."""
    return _write(folder, "[" * 100_000)


def block_mappings(folder: Path, depth: int = 5_000) -> Path:
    """5,000 nested block mappings, one space of indentation each (12.5 MB)."""
    return _write(folder, HEAD + "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth
                  + "b\n")


def block_mappings_within_size(folder: Path) -> Path:
    """1,000 nested block mappings: small enough to be read, too deep to be a policy."""
    return block_mappings(folder, 1_000)


def block_sequences(folder: Path) -> Path:
    """``- - - - ...``: 5,000 nested block sequences on one line."""
    return _write(folder, valid_policy("x-deep:\n  " + "- " * 5_000 + "x\n"))


def _jmespath_bomb(depth: int = 2_000) -> str:
    return "(" * depth + "count" + ")" * depth


def jmespath_in_rule(folder: Path) -> Path:
    """A record rule whose ``when`` is nested 2,000 parentheses deep."""
    return _write(folder, valid_policy(
        f"rules:\n  - id: deep\n    when: '{_jmespath_bomb()}'\n    level: personal\n"))


def jmespath_deep_within_length(folder: Path) -> Path:
    """A ``when`` of lists nested 450 deep (``[[[count]]]``): short enough, too deep to
    parse or evaluate (parentheses alone would leave nothing nested once parsed)."""
    return _write(folder, valid_policy(
        f"rules:\n  - id: deep\n    when: '{'[' * 450}count{']' * 450}'\n    level: personal\n"))


def jmespath_in_records(folder: Path) -> Path:
    """The ``records:`` selector nested 2,000 parentheses deep."""
    return _write(folder, valid_policy(f"records: '{_jmespath_bomb()}'\n"))


def jmespath_negations(folder: Path) -> Path:
    """``!!!!...count``: 990 nested negations, deep without a single bracket."""
    return _write(folder, valid_policy(
        f"rules:\n  - id: nots\n    when: '{'!' * 990}count'\n    level: personal\n"))


def jmespath_in_path_rule(folder: Path) -> Path:
    """A field ``path:`` rule nested 2,000 deep."""
    return _write(folder, valid_policy(
        f"  - path: '{_jmespath_bomb()}'\n    level: personal\n"))


def random_bytes(folder: Path) -> Path:
    """5,000 random bytes (fixed seed)."""
    return _write(folder, random.Random(10).randbytes(5_000))


def invalid_utf8(folder: Path) -> Path:
    """A policy that is fine except for one byte that is not UTF-8."""
    return _write(folder, valid_policy("x-note: 'caf\udcff'\n").encode("utf-8",
                                                                       "surrogateescape"))


def nul_bytes(folder: Path) -> Path:
    """A policy with NUL bytes in it."""
    return _write(folder, valid_policy("x-note: 'a\0b'\n").encode("utf-8"))


def binary_file(folder: Path) -> Path:
    """A gzip-compressed policy: a binary file with a .yaml name."""
    return _write(folder, gzip.compress(valid_policy().encode("utf-8"), mtime=0))


def yaml_scalar(folder: Path) -> Path:
    """A policy that is one YAML string."""
    return _write(folder, "just some text\n")


def yaml_list(folder: Path) -> Path:
    """A policy that is a YAML list."""
    return _write(folder, "- apiVersion: guardrail/v1\n- kind: Policy\n")


def _detectors(*sizes: int, length: int = 8, seed: int = 0) -> str:
    """Custom term detectors with *sizes* terms each, random letters of *length*."""
    rnd = random.Random(seed)
    out = "detectors:\n  custom:\n"
    for number, size in enumerate(sizes):
        terms = ",".join("".join(rnd.choices(string.ascii_letters, k=length))
                         for _ in range(size))
        out += (f"    - id: acme.terms{number}\n      level: personal\n"
                f"      ignore_case: true\n      terms: [{terms}]\n")
    return out


def many_terms(folder: Path) -> Path:
    """200,000 custom terms in one detector (1.8 MB)."""
    return _write(folder, valid_policy(_detectors(200_000)))


def terms_in_one_detector(folder: Path) -> Path:
    """3,000 terms in one custom detector."""
    return _write(folder, valid_policy(_detectors(3_000)))


def terms_in_all(folder: Path) -> Path:
    """Three custom detectors of 1,900 terms each."""
    return _write(folder, valid_policy(_detectors(1_900, 1_900, 1_900)))


def terms_too_large_together(folder: Path) -> Path:
    """5,000 random terms of 60 letters (within every count): too large for one RE2 set."""
    return _write(folder, valid_policy(_detectors(2_000, 2_000, 1_000, length=60)))


def many_detectors(folder: Path) -> Path:
    """150 custom detectors of one term each."""
    return _write(folder, valid_policy(_detectors(*[1] * 150)))


def long_regex(folder: Path) -> Path:
    """A custom regex 100,000 characters long."""
    return _write(folder, valid_policy(
        "detectors:\n  custom:\n    - id: acme.long\n      level: personal\n"
        f"      regex: '{'a' * 100_000}'\n"))


def many_field_rules(folder: Path) -> Path:
    """20,000 field rules (about 800 kB)."""
    rules = "".join(f"  - {{name: f{i}, level: public}}\n" for i in range(20_000))
    return _write(folder, valid_policy(rules))


def field_rules_over_limit(folder: Path) -> Path:
    """1,200 field rules: few enough YAML values, too many rules."""
    rules = "".join(f"  - {{name: f{i}, level: public}}\n" for i in range(1_199))
    return _write(folder, valid_policy(rules))


def record_rules_over_limit(folder: Path) -> Path:
    """250 record rules, each run on every record."""
    rules = "".join(f"  - {{id: r{i}, when: 'count < `5`', level: personal}}\n"
                    for i in range(250))
    return _write(folder, valid_policy("rules:\n" + rules))


def many_problems(folder: Path) -> Path:
    """500 field rules at an unknown level and 500 exceptions naming unknown rules: every
    one a problem with a did-you-mean among hundreds of names."""
    rules = "".join(f"  - {{id: r.{i}, name: f{i}, level: lvl{i}}}\n" for i in range(500))
    waivers = "".join(f"  - {{rule: x.{i}, reason: r, approved_by: me, expires: 2030-01-01}}\n"
                      for i in range(500))
    return _write(folder, valid_policy(rules + "exceptions:\n" + waivers))


def many_nodes(folder: Path) -> Path:
    """300,000 one-character list items under 1 MB: cheap to write, costly to check."""
    return _write(folder, valid_policy("x-many: [" + ",".join(["1"] * 300_000) + "]\n"))


def huge_policy(folder: Path) -> Path:
    """An 11 MB policy of otherwise valid YAML (one long description)."""
    head = HEAD + "  description: '" + "x" * (11 * 1024 * 1024) + "'\n"
    return _write(folder, valid_policy(head=head))


def extends_chain(folder: Path, length: int = 60) -> Path:
    """A chain of 60 policies, each extending the next."""
    for index in range(length):
        parent = f"extends: p{index + 1}.yaml\n" if index + 1 < length else ""
        head = HEAD.replace("hostile", f"p{index}") + parent
        _write(folder, valid_policy(head=head), f"p{index}.yaml")
    return folder / "p0.yaml"


def extends_cycle(folder: Path) -> Path:
    """Two policies that extend each other."""
    _write(folder, valid_policy(head=HEAD + "extends: b.yaml\n"), "a.yaml")
    _write(folder, valid_policy(head=HEAD.replace("hostile", "b") + "extends: a.yaml\n"),
           "b.yaml")
    return folder / "a.yaml"


def extends_fan_out(folder: Path) -> Path:
    """One policy extending 200 parents, each a valid policy of 500 kB."""
    padding = "  description: '" + "x" * 500_000 + "'\n"
    for index in range(200):
        head = HEAD.replace("hostile", f"p{index}") + padding
        _write(folder, valid_policy(head=head), f"p{index}.yaml")
    names = ", ".join(f"p{index}.yaml" for index in range(200))
    return _write(folder, valid_policy(head=HEAD + f"extends: [{names}]\n"))


CASES: dict[str, Callable[[Path], Path]] = {
    "billion-laughs": billion_laughs,
    "merge-key-laughs": merge_key_laughs,
    "recursive-alias": recursive_alias,
    "flow-brackets": flow_brackets,
    "block-mappings": block_mappings,
    "block-mappings-within-size": block_mappings_within_size,
    "block-sequences": block_sequences,
    "jmespath-in-rule": jmespath_in_rule,
    "jmespath-deep-within-length": jmespath_deep_within_length,
    "jmespath-in-records": jmespath_in_records,
    "jmespath-negations": jmespath_negations,
    "jmespath-in-path-rule": jmespath_in_path_rule,
    "random-bytes": random_bytes,
    "invalid-utf8": invalid_utf8,
    "nul-bytes": nul_bytes,
    "binary-file": binary_file,
    "yaml-scalar": yaml_scalar,
    "yaml-list": yaml_list,
    "many-terms": many_terms,
    "terms-in-one-detector": terms_in_one_detector,
    "terms-in-all": terms_in_all,
    "terms-too-large-together": terms_too_large_together,
    "many-detectors": many_detectors,
    "long-regex": long_regex,
    "many-field-rules": many_field_rules,
    "field-rules-over-limit": field_rules_over_limit,
    "record-rules-over-limit": record_rules_over_limit,
    "many-problems": many_problems,
    "many-nodes": many_nodes,
    "huge-policy": huge_policy,
    "extends-chain": extends_chain,
    "extends-cycle": extends_cycle,
    "extends-fan-out": extends_fan_out,
}
"""Every hostile case by name, each a builder ``(folder) -> policy path``."""
