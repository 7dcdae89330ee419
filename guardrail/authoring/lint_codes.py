"""The stable codes of ``guardrail lint`` and how a loader problem gets its code.

Codes are readable slugs (``unknown-level``), never renumbered: CI configurations
and SARIF viewers key on them. The loader (:mod:`guardrail.policy.load`) gives each
problem it reports a ``kind``, one of these slugs, where it finds it; lint takes
that, never the wording of the message (``tests/test_lint.py`` has one case per code).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PolicyProblem

__all__ = ["Code", "CODES", "UNREADABLE_CODES", "HIDING_CODES", "code_of_load_problem"]


@dataclass(frozen=True)
class Code:
    """One kind of lint finding: its slug, severity and a one-line description."""

    id: str
    severity: str  # "error" | "warning" | "note" (about the run, not the policy)
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
    Code("unprintable", "error", "Policy text holds a terminal control character or a "
                                 "bidirectional override, which would change what a "
                                 "report shows."),
    Code("extends-cycle", "error", "Policies extend each other in a cycle."),
    Code("extends-not-found", "error", "A policy named in 'extends' cannot be found or read."),
    Code("too-large", "error", "The policy passes one of the size limits."),
    Code("canary-waived", "error", "An exception names a canary's rule: a canary is never "
                                   "waived."),
    Code("duplicate-canary", "error", "Two canaries of the extends chain share an id."),
    Code("short-canary", "error", "A canary value with fewer than 6 non-space characters, "
                                  "which would block real records that hold it."),
    Code("invalid", "error", "Any other problem the loader reports."),
    Code("shadowed-field-rule", "error", "A field pattern that an earlier pattern of the same "
                                         "kind always wins over, at a different level."),
    Code("duplicate-field-rule", "warning", "A field pattern that an earlier pattern of the "
                                            "same kind already covers at the same level."),
    Code("catch-all-rule", "warning", "A field rule matching every name ('*') in a policy "
                                      "that extends another: it decides before the "
                                      "parent's match rules and its unknown_fields default."),
    Code("waiver-expired", "error", "An exception whose expiry date has passed."),
    Code("waiver-expiring", "warning", "An exception that expires within 30 days."),
    Code("waiver-never-applies", "warning", "An exception that can never suppress a finding: "
                                            "each destination it applies to already accepts "
                                            "what it covers, or its rule never reports its "
                                            "field."),
    Code("enforce-from-passed", "warning", "An 'enforce_from' date has come: the rule (or "
                                           "policy) enforces and the rollout keys can go."),
    Code("rollout-without-id", "error", "A field rule with 'mode' or 'enforce_from' has no "
                                        "'id' for the report to name it by."),
    Code("undocumented-destination", "warning", "A destination that may receive data above "
                                                "the lowest level has no description of why."),
    Code("incomplete", "note", "The policy does not load: checks that need its broken parts "
                               "did not run, and more problems may follow once it is fixed."),
)

CODES: dict[str, Code] = {code.id: code for code in _TABLE}
UNREADABLE_CODES = frozenset({"unreadable", "yaml-syntax"})
"""Codes that mean a file could not be read at all: ``guardrail lint`` exits 2."""
HIDING_CODES = frozenset({"unreadable", "yaml-syntax", "schema", "extends-not-found",
                          "extends-cycle", "too-large", "invalid"})
"""Codes of problems that keep checks from running on what they break or hide (a
value of the wrong shape, a misspelt section, a file not read): lint adds a note."""


def code_of_load_problem(problem: PolicyProblem) -> str:
    """The code of a problem the loader reported: its ``kind``, which the loader sets
    where it finds the problem. A kind lint does not know (or none) is ``invalid``."""
    return problem.kind if problem.kind in CODES else "invalid"
