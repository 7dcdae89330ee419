"""Field classification: which rule gives a field path its level.

Precedence, most specific first, at the path itself and then at each ancestor
(a rule on ``address`` covers ``address.line1``): exact ``path`` rules, then
``name`` rules on the last key, then ``match`` globs. Within each kind the
extending policy's rules come before its parents', then file order. Name and
glob rules match a key wherever it is, so an enclosing field classified higher
wins over them (``address.ward`` stays personal when ``address`` is); only an
exact ``path`` rule may set a nested field lower. A path no rule reaches gets
``defaults.unknown_fields``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import FIELD_LEVEL_RULE, UNCLASSIFIED_RULE, FieldRule, Policy
from .paths import (
    ANY_INDEX,
    compile_path_pattern,
    display_path,
    match_path,
    normalize_glob,
    normalize_key,
    shape_of,
)

__all__ = ["Classification", "Classifier"]



@dataclass(frozen=True)
class Classification:
    """The level of one field shape and the rule that set it."""

    level: str
    rule: str
    rule_origin: str
    matched_by: str  # human explanation, e.g. "name rule 'postcode'"


class Classifier:
    """Classifies field paths for one policy; results are cached per path shape."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._paths: list[tuple[tuple[str | int, ...], FieldRule, str]] = []
        self._names: dict[str, tuple[FieldRule, str]] = {}
        self._globs: list[tuple[re.Pattern[str], FieldRule, str]] = []
        for rule in policy.field_rules:
            for pattern in rule.patterns:
                if rule.kind == "path":
                    self._paths.append((compile_path_pattern(pattern), rule, pattern))
                elif rule.kind == "name":
                    self._names.setdefault(normalize_key(pattern), (rule, pattern))
                else:
                    glob = normalize_glob(pattern)
                    self._globs.append((re.compile(fnmatch.translate(glob)), rule, pattern))
        self._cache: dict[tuple[str | int, ...], Classification] = {}

    def classify(self, path: Sequence[str | int]) -> Classification:
        """Classify a concrete path (keys and indices)."""
        return self.classify_shape(shape_of(path))

    def classify_shape(self, shape: tuple[str | int, ...]) -> Classification:
        cached = self._cache.get(shape)
        if cached is None:
            cached = self._cache[shape] = self._compute(shape)
        return cached

    def _compute(self, shape: tuple[str | int, ...]) -> Classification:
        best: tuple[FieldRule, str] | None = None
        for end in range(len(shape), 0, -1):
            found = self._direct(shape[:end])
            if found is None:
                continue
            rule, how = found
            if end < len(shape):
                how += f" on the enclosing field '{_dotted(shape[:end])}'"
            if best is None:
                best = (rule, how)
                if how.startswith("path rule") and end == len(shape):
                    break  # an exact path rule is authoritative
            elif self._policy.rank(rule.level) > self._policy.rank(best[0].level):
                # Name and glob rules match keys anywhere, so they never lower a field
                # below what an enclosing field is classified as (fail closed).
                best = (rule, how)
        if best is None:
            return Classification(
                self._policy.unknown_level, UNCLASSIFIED_RULE, "",
                "no rule classifies this field (defaults.unknown_fields)",
            )
        rule, how = best
        return Classification(rule.level, rule.id or FIELD_LEVEL_RULE, rule.origin, how)

    def _direct(self, shape: tuple[str | int, ...]) -> tuple[FieldRule, str] | None:
        for pattern, rule, text in self._paths:
            if match_path(pattern, shape):
                return rule, f"path rule '{text}'"
        leaf = next((p for p in reversed(shape) if p != ANY_INDEX), None)
        if leaf is None or not isinstance(leaf, str):
            return None
        if leaf in self._names:
            rule, text = self._names[leaf]
            return rule, f"name rule '{text}'"
        for regex, rule, text in self._globs:
            if regex.match(leaf):
                return rule, f"match rule '{text}'"
        return None


def _dotted(shape: tuple[str | int, ...]) -> str:
    return display_path([0 if p == ANY_INDEX else p for p in shape]).replace("[0]", "[*]")
