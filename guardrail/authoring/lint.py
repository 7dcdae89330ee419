"""``guardrail lint``: every problem in one or more policies, each with a stable code.

A policy is first loaded exactly as every other command loads it
(:func:`guardrail.policy.load.load_policy`), so lint reports what ``validate``
reports, with a code added (:mod:`.lint_codes`). A policy that loads cleanly is
then checked for what loading allows but an author would not want
(:mod:`.lint_checks`). Findings of all the policies are merged, each once, and
sorted by file, line and column.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import PolicyError, PolicyProblem
from ..policy.limits import MAX_POLICY_BYTES, MAX_YAML_NODES
from ..policy.load import PolicyLookup, load_policy
from ..policy.marked_yaml import MarkedDocument, read_marked_yaml
from ..policy.model import DEFAULT_LEVELS
from ..policy.safe_yaml import decode_policy
from .lint_catch_all import catch_all_rules
from .lint_checks import semantic_findings
from .lint_codes import CODES, HIDING_CODES, UNREADABLE_CODES, code_of_load_problem
from .lint_respell import respelt_problems
from .lint_waivers import idle_waivers

__all__ = ["LintFinding", "lint_policies", "exit_code", "render_text", "render_json",
           "describe_codes"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


@dataclass(frozen=True)
class LintFinding:
    """One problem: ``file:line:column: severity: message [code]``."""

    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str

    def __str__(self) -> str:
        return (f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message} "
                f"[{self.code}]")


def lint_policies(policies: Sequence[str], lookup: PolicyLookup, *,
                  extra_rule_ids: frozenset[str] = frozenset(),
                  today: _dt.date | None = None) -> list[LintFinding]:
    """Lint each policy (a shipped name or a path); every finding once, in file order.

    :param lookup: finds shipped policies by name, as for :func:`load_policy`.
    :param extra_rule_ids: rule ids of installed detectors, which exceptions may name.
    :param today: the day waivers are judged on (default: today).
    """
    day = today or _dt.date.today()
    found: dict[LintFinding, None] = {}
    for name in policies:
        found.update(dict.fromkeys(_lint_one(name, lookup, extra_rule_ids, day)))
    # Notes last: they are about the findings above them. Ties: as found.
    return sorted(found, key=lambda f: (f.severity == "note", f.file, f.line, f.column))


def exit_code(findings: Iterable[LintFinding]) -> int:
    """2 when a file could not be read, 1 for any other finding (warnings too), else 0."""
    codes = {f.code for f in findings if f.severity != "note"}
    if codes & UNREADABLE_CODES:
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if codes else EXIT_CLEAN


def _lint_one(name: str, lookup: PolicyLookup, extra_rule_ids: frozenset[str],
              today: _dt.date) -> list[LintFinding]:
    try:
        policy = load_policy(name, lookup, extra_rule_ids=extra_rule_ids)
    except PolicyError as exc:
        if not exc.problems:  # the file itself is missing: nothing to point into
            return [_finding(name, 1, 1, "unreadable", exc.message)]
        problems = [*exc.problems, *respelt_problems(name, lookup, extra_rule_ids)]
        found = _load_findings(problems)
        files = [*_root(name, lookup), *(p.file for p in exc.problems)]
        return found + _checked(dict.fromkeys(files), None, today) + _incomplete(
            files[0], found)
    idle = [_finding(f.file, f.line, f.column, f.code, f.message)
            for f in [*idle_waivers(policy, _reread), *catch_all_rules(policy, _reread)]]
    return _checked(policy.sources, policy.levels, today) + idle


def _incomplete(root: str, found: Sequence[LintFinding]) -> list[LintFinding]:
    """One note when a problem kept some checks from running on the policy *root*."""
    if not {f.code for f in found} & HIDING_CODES:
        return []
    return [_finding(root, 1, 1, "incomplete", "the policy does not load, so checks that "
                     "need its broken parts did not run; fix the errors above and lint "
                     "again: more problems may follow")]


def _root(name: str, lookup: PolicyLookup) -> list[str]:
    """The file of the policy *name*, which the loader found (it reported problems)."""
    shipped = None if Path(name).is_file() else lookup(name)
    return [str(shipped if shipped is not None else Path(name))]  # as the loader names it


def _checked(files: Iterable[str], levels: tuple[str, ...] | None,
             today: _dt.date) -> list[LintFinding]:
    """What :mod:`.lint_checks` finds in each readable file.

    :param levels: the loaded policy's levels; None when it did not load, and then
        each file's own ``levels`` (or the defaults, in a file that extends nothing).
    """
    out = []
    for file in files:
        try:
            doc = _reread(file)
        except (PolicyError, OSError):
            continue  # reported by the loader
        found = semantic_findings(doc, levels or _own_levels(doc), today)
        out += [_finding(f.file, f.line, f.column, f.code, f.message) for f in found]
    return out


def _own_levels(doc: MarkedDocument) -> tuple[str, ...] | None:
    data = doc.data if isinstance(doc.data, dict) else {}
    levels = data.get("levels")
    if isinstance(levels, list) and levels and all(isinstance(v, str) for v in levels):
        return tuple(levels)
    return DEFAULT_LEVELS if "levels" not in data and "extends" not in data else None


def _load_findings(problems: Iterable[PolicyProblem]) -> list[LintFinding]:
    out = []
    for problem in problems:
        message = f"{problem.path}: {problem.message}" if problem.path else problem.message
        out.append(_finding(problem.file, problem.line, problem.column,
                            code_of_load_problem(problem), message))
    return out


def _reread(file: str) -> MarkedDocument:
    """A policy file the loader has read already; one past the size limits (which the
    loader has reported) raises :class:`PolicyError` rather than being read whole."""
    with open(file, "rb") as stream:
        data = stream.read(MAX_POLICY_BYTES + 1)
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{file} is larger than the policy size limit")
    return read_marked_yaml(decode_policy(data, file), file, MAX_YAML_NODES)[0]


def _finding(file: str, line: int, column: int, code: str, message: str) -> LintFinding:
    # A parent reached as 'sub/../base.yaml' is the 'base.yaml' named on the command line.
    return LintFinding(os.path.normpath(file), line, column, CODES[code].severity, code,
                       message)


def render_text(findings: Sequence[LintFinding], checked: int) -> str:
    """One line per finding, then a count; ``ok`` when there is nothing to say."""
    lines = [str(f) for f in findings]
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    files = f"{checked} polic{'y' if checked == 1 else 'ies'}"
    if errors + warnings:
        lines.append(f"{_count(errors + warnings, 'problem')} ({_count(errors, 'error')}, "
                     f"{_count(warnings, 'warning')}) in {files}")
    else:
        lines.append(f"no problems in {files}")
    return "\n".join(lines) + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_json(findings: Sequence[LintFinding]) -> str:
    """A JSON list of ``{file, line, column, severity, code, message}``."""
    return json.dumps([asdict(f) for f in findings], indent=2) + "\n"


def describe_codes() -> str:
    """The codes, their severity and what each means, for ``--list-codes``."""
    width = max(len(code) for code in CODES)
    return "".join(f"{c.id:{width}}  {c.severity:7}  {c.summary}\n" for c in CODES.values())

