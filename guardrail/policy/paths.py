"""Field paths: how nested values are named, normalised and matched by policy rules.

A concrete path is a tuple of keys (str) and list indices (int). Classification
works on its *shape*, where every index becomes ``ANY_INDEX``, so a policy
decision is computed once per shape rather than once per record.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

import jmespath
from jmespath.exceptions import JMESPathError

__all__ = [
    "ANY_INDEX",
    "ANY_KEY",
    "PathPatternError",
    "compile_path_pattern",
    "display_path",
    "match_path",
    "normalize_key",
    "shape_of",
]

ANY_INDEX = -1
ANY_KEY = "*"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


class PathPatternError(ValueError):
    """A ``path:`` rule that is not a plain JMESPath field chain."""


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


def compile_path_pattern(expression: str) -> tuple[str | int, ...]:
    """Turn a JMESPath field chain (``cases[*].person.name``, ``a.*.b``) into a shape pattern.

    Only field names, ``[*]``, ``[]`` and ``.*`` are allowed: a path rule names
    where a value lives, it is not a query.
    """
    try:
        tree = jmespath.compile(expression).parsed
    except JMESPathError as exc:
        raise PathPatternError(f"invalid JMESPath path '{expression}': "
                               f"{getattr(exc, 'msg', exc)}") from None
    return tuple(_flatten(tree, expression))


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
            "element, so write [*] instead of an index"
        )
    raise PathPatternError(
        f"path '{expression}' uses a '{kind}' expression; a path rule may only use "
        "field names, [*] and .* (put conditions in 'rules' instead)"
    )


def match_path(pattern: tuple[str | int, ...], shape: tuple[str | int, ...]) -> bool:
    """True when *shape* has exactly the segments of *pattern* (wildcards allowed)."""
    if len(pattern) != len(shape):
        return False
    for want, got in zip(pattern, shape):
        if want == got:
            continue
        if want == ANY_KEY and isinstance(got, str):
            continue
        return False
    return True
