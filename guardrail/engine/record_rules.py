"""Record-level rules: JMESPath conditions compiled once and evaluated per record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jmespath
import jmespath.visitor
from jmespath.exceptions import JMESPathError

from guardrail.policy.model import RecordRule
from guardrail.policy.paths import compile_jmespath, normalize_key

__all__ = ["CompiledRule", "compile_rule", "truthy", "with_aliases", "as_number", "evaluate"]

# Numbers written as text, as CSV writes them; spreadsheets often pad them with spaces.
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


@dataclass(frozen=True)
class CompiledRule:
    rule: RecordRule
    expression: Any  # jmespath.parser.ParsedResult
    roots: frozenset[str] | None  # top-level fields it reads; None = the whole record
    report: tuple[str, ...]
    when_absent: bool  # its result on a record that has none of its fields

    def applies_to(self, record: dict[str, Any]) -> bool:
        """False when the record has none of the rule's fields and the rule is then false."""
        if self.roots is None or self.when_absent:
            return True
        return not self.roots.isdisjoint(record)


def compile_rule(rule: RecordRule) -> CompiledRule:
    """Compile a validated rule; the same bounded compile that validated it."""
    expression = compile_jmespath(rule.when)
    roots = _root_fields(expression.parsed)
    report = rule.fields or (tuple(sorted(roots)) if roots else ("@",))
    return CompiledRule(rule, expression, roots, report, evaluate(expression, {}))


def evaluate(expression: Any, record: Any) -> bool:
    """Is the rule true for *record*? (JMESPath truthiness)

    A rule that cannot be evaluated on this record (a function given a value of the
    wrong type) is taken as true: the record gets the rule's level, failing closed,
    and nothing of the error (which quotes the value) is shown.
    """
    try:
        return truthy(_INTERPRETER.visit(expression.parsed, record))
    except JMESPathError:
        return True


def as_number(value: Any) -> Any:
    """A number written as text becomes a number, so ``count < `5``` works on CSV."""
    if isinstance(value, str) and _NUMBER.match(value):
        number = value.strip()  # also the spaces int() does not strip (\x1c-\x1f)
        try:
            return float(number) if "." in number else int(number)
        except ValueError:  # not a number after all: compared as text (fails closed)
            return value
    return value


_alias = lru_cache(maxsize=4096)(normalize_key)


def with_aliases(record: dict[str, Any]) -> dict[str, Any]:
    """*record* plus its top-level keys in normalised form (``Count`` -> ``count``).

    Record rules then find fields the way field rules do; without this a ``Count``
    column would make ``count < `5``` null and a small count would be published.
    """
    extra: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(key, str):
            alias = _alias(key)
            if alias != key and alias not in record:
                extra[alias] = value
    return {**record, **extra} if extra else record


class _Interpreter(jmespath.visitor.TreeInterpreter):
    """JMESPath as the spec says: ordering a number against text is null, not a crash.

    jmespath.py raises TypeError for ``"<5" < `5```; one suppressed count written as
    text must not turn a whole check into an internal error.
    """

    def visit_comparator(self, node: dict[str, Any], value: Any) -> Any:
        try:
            return super().visit_comparator(node, value)
        except TypeError:
            return None


_INTERPRETER = _Interpreter()


def truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, empty string/list/object are false."""
    if value is None or value is False:
        return False
    return not (isinstance(value, (str, list, dict)) and len(value) == 0)


def _root_fields(node: dict[str, Any]) -> frozenset[str] | None:
    """Top-level record fields a JMESPath expression reads, or None if it reads the whole record."""
    kind = node.get("type")
    children = node.get("children", [])
    if kind == "field":
        return frozenset({node["value"]})
    if kind in ("current", "identity"):
        return None
    if kind in ("subexpression", "index_expression", "projection", "value_projection",
                "filter_projection", "pipe", "flatten"):
        return _root_fields(children[0]) if children else frozenset()
    if kind == "literal":
        return frozenset()
    found: set[str] = set()
    for child in children:
        sub = _root_fields(child)
        if sub is None:
            return None
        found |= sub
    return frozenset(found)
