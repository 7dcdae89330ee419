"""The stable codes of ``guardrail lint`` and how a loader problem gets its code.

Codes are readable slugs (``unknown-level``), never renumbered: CI configurations
and SARIF viewers key on them. The loader (:mod:`guardrail.policy.load`) reports
its problems as text; the ones it can only find by reading the merged policy
are recognised here by the start of their message, which the loader's own
checks write and tests pin (``tests/test_lint.py`` has one case per code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Code", "CODES", "UNREADABLE_CODES", "code_of_load_problem"]


@dataclass(frozen=True)
class Code:
    """One kind of lint finding: its slug, severity and a one-line description."""

    id: str
    severity: str  # "error" | "warning"
    summary: str


_TABLE = (
    Code("unreadable", "error", "The policy file is missing, empty or not UTF-8 text."),
    Code("yaml-syntax", "error", "The policy file is not valid YAML."),
    Code("yaml-key", "error", "A key is duplicated, or is not text."),
    Code("schema", "error", "The policy does not follow the policy schema "
                            "(see 'guardrail schema')."),
    Code("unknown-level", "error", "A level that the policy's 'levels' do not declare."),
    Code("unknown-destination", "error", "A destination that the policy does not define."),
    Code("missing-destination", "error", "No destinations, or no default_destination, "
                                         "anywhere in the extends chain."),
    Code("unknown-rule", "error", "An exception names a rule id that no rule or detector has."),
    Code("unknown-detector", "error", "A detector name that no installed detector matches."),
    Code("bad-jmespath", "error", "A JMESPath expression ('records', 'when', a path rule) that "
                                  "does not compile."),
    Code("bad-field-path", "error", "A path rule that is valid JMESPath but not a plain field "
                                    "chain."),
    Code("bad-regex", "error", "A custom detector's regular expression does not compile "
                               "with RE2."),
    Code("bad-date", "error", "An exception's expiry is not a real date."),
    Code("extends-cycle", "error", "Policies extend each other in a cycle."),
    Code("extends-not-found", "error", "A policy named in 'extends' cannot be found or read."),
    Code("too-large", "error", "The policy passes one of the size limits."),
    Code("invalid", "error", "Any other problem the loader reports."),
    Code("shadowed-field-rule", "error", "A field pattern that an earlier pattern of the same "
                                         "kind always wins over, at a different level."),
    Code("duplicate-field-rule", "warning", "A field pattern that an earlier pattern of the "
                                            "same kind already covers at the same level."),
    Code("waiver-expired", "error", "An exception whose expiry date has passed."),
    Code("waiver-expiring", "warning", "An exception that expires within 30 days."),
    Code("enforce-from-passed", "warning", "An 'enforce_from' date has come: the rule (or "
                                           "policy) enforces and the rollout keys can go."),
    Code("rollout-without-id", "error", "A field rule with 'mode' or 'enforce_from' has no "
                                        "'id' for the report to name it by."),
    Code("undocumented-destination", "warning", "A destination that may receive data above "
                                                "the lowest level has no description of why."),
)

CODES: dict[str, Code] = {code.id: code for code in _TABLE}
UNREADABLE_CODES = frozenset({"unreadable", "yaml-syntax"})
"""Codes that mean a file could not be read at all: ``guardrail lint`` exits 2."""

# The start of each message the loader writes (load.py, build.py, detectors.py,
# sizes.py, safe_yaml.py, marked_yaml.py), in the order they are tried.
_BY_MESSAGE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern)) for code, pattern in (
        ("yaml-syntax", r"YAML (syntax )?error:"),
        ("unreadable", r"the policy (is not UTF-8|contains the control character|file is "
                       r"empty|cannot be read)"),
        ("extends-not-found", r"policy file not found|no policy named|policy file .* cannot "
                              r"be read"),
        ("yaml-key", r"duplicate key |found .* as a key; expected a string"),
        ("extends-cycle", r"'extends' forms a cycle"),
        ("unknown-level", r"unknown level "),
        ("unknown-destination", r"unknown destination "),
        ("missing-destination", r"no destinations defined|missing 'default_destination'"),
        ("unknown-rule", r"exception names unknown rule "),
        ("rollout-without-id", r"a field rule with '(mode|enforce_from)' needs an 'id'"),
        ("unknown-detector", r"no installed detector matches "),
        ("bad-jmespath", r"invalid JMESPath|the JMESPath in |the path is "),
        ("bad-field-path", r"path '.*' (names one list element|uses a ')"),
        ("bad-regex", r"invalid regular expression"),
        ("too-large", r"the 'extends' chain reaches more than|the policy (is larger|has |is "
                      r"nested)|this detector has |the custom detectors (have|are) |the YAML "
                      r"is nested|the alias |aliases expand|.* "
                      r"too (many|large|long)|is [\d,]+ characters long|the pattern is "
                      r"[\d,]+ characters|at most [\d,]+ are allowed"),
    ))
_BAD_DATE = re.compile(r"'.*' is not a (valid|real) date")


def code_of_load_problem(message: str, *, from_schema: bool) -> str:
    """The code of a problem the loader reported with *message*.

    :param from_schema: the policy schema reports this very problem (its messages
        are many and generic, so they are recognised by asking the schema again).
    """
    if _BAD_DATE.match(message):  # the schema's date format, or the loader's calendar check
        return "bad-date"
    if from_schema:
        return "schema"
    for code, pattern in _BY_MESSAGE:
        if pattern.match(message):
            return code
    return "invalid"
