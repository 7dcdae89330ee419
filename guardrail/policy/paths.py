"""Field paths: how nested values are named, normalised and matched by policy rules.

A concrete path is a tuple of keys (str) and list indices (int). Classification
works on its *shape*, where every index becomes ``ANY_INDEX``, so a policy
decision is computed once per shape rather than once per record.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import Any

import jmespath
from jmespath.exceptions import IncompleteExpressionError, JMESPathError, LexerError, ParseError

from .limits import MAX_JMESPATH_CHARS, MAX_JMESPATH_DEPTH

__all__ = [
    "field_matches",
    "normalize_glob",
    "field_segments",
    "parse_field_path",
    "ANY_INDEX",
    "ANY_KEY",
    "PathPatternError",
    "compile_path_pattern",
    "compile_jmespath",
    "JMESPathLimitError",
    "display_path",
    "jmespath_reason",
    "match_path",
    "normalize_key",
    "shape_of",
]

ANY_INDEX = -1
ANY_KEY = "*"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


class PathPatternError(ValueError):
    """A ``path:`` rule that is not a plain JMESPath field chain.

    :param kind: ``bad-jmespath`` (not JMESPath at all) or ``bad-field-path`` (JMESPath,
        but not a field chain), as a policy problem's kind.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class JMESPathLimitError(JMESPathError):
    """A JMESPath expression longer or more deeply nested than the policy limits allow.

    Its message completes "the expression ...", and never quotes the expression.
    """


def compile_jmespath(expression: str) -> Any:
    """Compile *expression* (a ``jmespath.parser.ParsedResult``) within the policy limits.

    jmespath's parser and interpreter recurse once per level of nesting, so an
    expression nested 2,000 deep would crash either with a RecursionError; it is
    refused here instead, as is one that parses but nests deeper than evaluating it
    per record should recurse. Raises :class:`JMESPathError` (a
    :class:`JMESPathLimitError` for the limits).
    """
    if len(expression) > MAX_JMESPATH_CHARS:
        raise JMESPathLimitError(f"is {len(expression):,} characters long; at most "
                                 f"{MAX_JMESPATH_CHARS:,} are allowed")
    try:
        compiled = jmespath.compile(expression)
    except RecursionError:
        compiled = None
    if compiled is None or _depth(compiled.parsed) > MAX_JMESPATH_DEPTH:
        raise JMESPathLimitError(f"is nested more than {MAX_JMESPATH_DEPTH} levels deep; "
                                 "split it into simpler conditions")
    return compiled


def _depth(tree: dict[str, Any]) -> int:
    """Nesting of a parsed expression, without recursing (it may be deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.get("children", ())
                     if isinstance(child, dict))
    return deepest


def normalize_key(key: str) -> str:
    """Case- and punctuation-insensitive form of a key: ``"Date of Birth"`` -> ``date_of_birth``."""
    return _NON_ALNUM.sub("_", key.lower()).strip("_")


def shape_of(path: Sequence[str | int]) -> tuple[str | int, ...]:
    """Normalised keys with every list index replaced by ``ANY_INDEX``."""
    return tuple(ANY_INDEX if isinstance(p, int) else normalize_key(p) for p in path)


def display_path(path: Sequence[str | int]) -> str:
    """A JMESPath-style rendering a person can paste back: ``cases[3]."home address".line1``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
            continue
        text = part if _IDENT.match(part) else '"' + part.replace('"', '\\"') + '"'
        out.append(f".{text}" if out else text)
    return "".join(out)


def parse_field_path(text: str) -> tuple[str | int, ...]:
    """Parse a displayed path (``people[1].name``, ``"Crime type"``) back into segments.

    Anything that is not a plain chain of fields and indices is taken as one key,
    so a CSV header such as ``Date of Birth`` works as written.
    """
    try:
        tree = compile_jmespath(text).parsed
    except JMESPathError:
        return (text,)
    parts: list[str | int] = []

    def walk(node: dict[str, Any]) -> bool:
        kind = node["type"]
        if kind == "field":
            parts.append(node["value"])
            return True
        if kind == "subexpression":
            return all(walk(child) for child in node["children"])
        if kind == "index_expression":
            left, index = node["children"]
            if walk(left) and index["type"] == "index":
                parts.append(int(index["value"]))
                return True
        return False

    return tuple(parts) if walk(tree) else (text,)


_INDEX = re.compile(r"\[(?:\*|\d+)\]")
_DOT_SPLIT = re.compile(r'\.(?=(?:[^"]*"[^"]*")*[^"]*$)')
_GLOB_NON_ALNUM = re.compile(r"[^0-9a-z*?\[\]!]+")


def normalize_glob(pattern: str) -> str:
    """A glob normalised like keys are (``"Officer *"`` -> ``officer_*``), wildcards kept."""
    return _GLOB_NON_ALNUM.sub("_", pattern.lower()).strip("_")


def field_segments(path: str) -> list[str]:
    """Keys of a displayed path, list indices dropped: ``a[*]."b c".d`` -> ``[a, b c, d]``."""
    bare = _INDEX.sub("", path)
    return [part.strip('"') for part in _DOT_SPLIT.split(bare) if part] or [path]


def field_matches(globs: Sequence[str], field: str) -> bool:
    """Does any glob name *field* (a displayed path), its last key, or an enclosing field?

    Matching ignores case, punctuation and list indices, like field rules do:
    ``people`` and ``name`` both match ``people[*].name``; ``officer_*`` matches ``Officer ID``.
    """
    keys = [normalize_key(part) for part in field_segments(field)]
    candidates = {".".join(keys[:end]) for end in range(1, len(keys) + 1)} | {keys[-1]}
    for glob in globs:
        pattern = ".".join(normalize_glob(part) for part in field_segments(glob))
        if pattern == "*" or any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            return True
    return False


def compile_path_pattern(expression: str) -> tuple[str | int, ...]:
    """Turn a JMESPath field chain (``cases[*].person.name``, ``a.*.b``) into a shape pattern.

    Only field names, ``[*]``, ``[]`` and ``.*`` are allowed: a path rule names
    where a value lives, it is not a query.
    """
    try:
        tree = compile_jmespath(expression).parsed
    except JMESPathLimitError as exc:
        raise PathPatternError(f"the path {exc}", "bad-jmespath") from None
    except JMESPathError as exc:
        raise PathPatternError(f"invalid JMESPath path '{expression}': "
                               f"{jmespath_reason(exc)}", "bad-jmespath") from None
    return tuple(_flatten(tree, expression))


def jmespath_reason(exc: JMESPathError) -> str:
    """What is wrong with an expression; jmespath's ``msg`` alone is often just "Invalid"."""
    if isinstance(exc, LexerError):
        return exc.message  # "Unclosed ` delimiter", "Unknown token ~"
    if isinstance(exc, IncompleteExpressionError):
        return "incomplete expression"
    if isinstance(exc, ParseError) and exc.token_value is not None:
        return f"{exc.msg} {str(exc.token_value)!r}"
    return str(getattr(exc, "msg", None) or exc)


def _flatten(node: dict[str, Any], expression: str) -> list[str | int]:
    kind = node["type"]
    children = node.get("children", [])
    if kind == "field":
        return [normalize_key(node["value"])]
    if kind == "subexpression":
        return [part for child in children for part in _flatten(child, expression)]
    if kind == "projection":
        return _flatten(children[0], expression) + [ANY_INDEX] + _flatten(children[1], expression)
    if kind == "value_projection":
        return _flatten(children[0], expression) + [ANY_KEY] + _flatten(children[1], expression)
    if kind in ("flatten",):
        return _flatten(children[0], expression)
    if kind == "identity":
        return []
    if kind == "index_expression":
        raise PathPatternError(
            f"path '{expression}' names one list element; path rules apply to every "
            "element, so write [*] instead of an index", "bad-field-path"
        )
    raise PathPatternError(
        f"path '{expression}' uses a '{kind}' expression; a path rule may only use "
        "field names, [*] and .* (put conditions in 'rules' instead)", "bad-field-path"
    )


def match_path(pattern: tuple[str | int, ...], shape: tuple[str | int, ...]) -> bool:
    """True when *shape* has exactly the segments of *pattern* (wildcards allowed)."""
    if len(pattern) != len(shape):
        return False
    for want, got in zip(pattern, shape, strict=True):
        if want == got:
            continue
        if want == ANY_KEY and isinstance(got, str):
            continue
        return False
    return True


def key_chain(selector: str) -> tuple[str, ...] | None:
    """The keys of a plain field chain (``data.cases`` -> ``("data", "cases")``), or None
    for a richer JMESPath query: readers that stream records can follow a chain of keys,
    not a filter."""
    try:
        node = compile_jmespath(selector).parsed
    except JMESPathError:
        return None
    keys: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop(0)
        if current["type"] == "field":
            keys.append(current["value"])
        elif current["type"] == "subexpression":
            stack = list(current["children"]) + stack
        else:
            return None
    return tuple(keys)
