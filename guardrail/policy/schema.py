"""The policy JSON Schema and the translation of its errors into author-facing problems.

jsonschema's raw messages ("Additional properties are not allowed") do not say
where or what to do; each error is rewritten as ``file:line:col: path: what is
wrong; what was expected`` with a did-you-mean for misspelt keys and values.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from ..errors import PolicyProblem
from .marked_yaml import MarkedDocument, dotted_path, quoted

__all__ = ["policy_schema", "schema_problems", "check_schema", "misspelt_keys", "did_you_mean",
           "one_of"]

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


@lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    """The shipped JSON Schema for ``apiVersion: guardrail/v1`` policies."""
    text = resources.files(__package__).joinpath("policy.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = policy_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a close match exists, else ``""``."""
    match = _closest(word, choices)
    return f"; did you mean '{match}'?" if match else ""


def one_of(names: Iterable[str], shown: int = 40) -> str:
    """*names* joined for a message; past *shown* of them, the first ones and the count.

    A policy can define thousands of names, and hundreds of problems may each list them.
    """
    names = list(names)
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f", ... ({len(names):,} in all)"


def _closest(word: Any, choices: Iterable[str]) -> str | None:
    """The choice *word* most likely meant, or None.

    A choice whose words (split at ``.``, ``_`` and ``-``) begin *word*'s words, or
    that *word*'s words begin, was written whole and then extended or cut short:
    ``uk.phone_number`` means ``uk.phone`` (not ``uk.nhs_number``, closer in letters),
    ``approved-by`` means ``approved_by``. Of several, the one sharing most words, then
    the closest in letters. Otherwise difflib's closest match, if close enough.
    """
    text, options = str(word), list(choices)
    typed = _words(text)
    whole = [c for c in options if _word_prefix(_words(c), typed)]
    if len(typed) < 2:  # one word cut short names a namespace (uk): too many fit
        whole = [c for c in whole if len(_words(c)) <= len(typed)]
    if whole:
        shared = max(min(len(_words(c)), len(typed)) for c in whole)
        best = [c for c in whole if min(len(_words(c)), len(typed)) == shared]
        return max(best, key=lambda c: difflib.SequenceMatcher(None, text, c).ratio())
    match = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
    return match[0] if match else None


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[._-]+", text.lower()) if w]


def _word_prefix(one: list[str], other: list[str]) -> bool:
    """Does one of the (non-empty) word lists begin the other?"""
    shorter, longer = sorted((one, other), key=len)
    return bool(shorter) and longer[:len(shorter)] == shorter


def schema_problems(doc: MarkedDocument) -> list[PolicyProblem]:
    """Every schema violation in *doc*, sorted by position."""
    return check_schema(doc)[0]


def check_schema(doc: MarkedDocument) -> tuple[list[PolicyProblem], set[tuple[Any, ...]]]:
    """Every schema violation in *doc*, and the paths of the values they make unusable.

    The later checks (levels, destinations, JMESPath, ...) skip an unusable value
    rather than report a second, derived problem about it. A misspelt or missing
    key leaves the values beside it usable; a misspelt key marks the key it most
    likely meant, which the author did write, just not under its name.
    """
    problems: list[PolicyProblem] = []
    broken: set[tuple[Any, ...]] = set()
    for error in _validator().iter_errors(doc.data):
        problems.extend(_explain(error, doc))
        at = _broken_at(error)
        if at is not None:
            broken.add(at)
        broken.update(_hidden_by_misspelling(error))
    unique = {(p.line, p.column, p.message): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p.line, p.column)), broken


def _broken_at(error: ValidationError) -> tuple[Any, ...] | None:
    """The path of the value *error* makes unusable, or None when only keys around it are wrong."""
    if error.validator in ("additionalProperties", "required"):
        return None
    if "propertyNames" in error.schema_path:  # a badly spelt name; its value is still usable
        return None
    if error.validator in ("oneOf", "anyOf"):
        if _required_only(error.validator_value):
            return None
        chosen = _chosen_alternative(error)
        if chosen is not None:
            return _broken_at(chosen)
    return tuple(error.absolute_path)


def _hidden_by_misspelling(error: ValidationError) -> list[tuple[Any, ...]]:
    """Paths of known keys that a misspelt key stands in for (``destinatons`` hides
    ``destinations``), so nothing is reported missing that the author did write."""
    path = tuple(error.absolute_path)
    return [path + (meant,) for _, meant in _misspellings(error)]


def misspelt_keys(doc: MarkedDocument) -> list[tuple[tuple[Any, ...], str]]:
    """Each key of *doc* the schema does not know but that is close to one it does and
    that is not given beside it: the path of the key as written, and the key it most
    likely means (``(("fields", 0, "levle"), "level")``), also inside a value that may
    have several shapes (a destination's mapping); in the order they are written."""
    found: dict[tuple[Any, ...], str] = {}
    errors = list(_validator().iter_errors(doc.data))
    while errors:
        error = errors.pop()
        errors += error.context or ()
        for written, meant in _misspellings(error):
            found.setdefault(tuple(error.absolute_path) + (written,), meant)
    return sorted(found.items(), key=lambda pair: doc.position(pair[0], key=True))


def _misspellings(error: ValidationError) -> list[tuple[str, str]]:
    """``(written, meant)`` for each unknown key of an additionalProperties error that
    is close to a known key the mapping does not give."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    out = []
    for extra in sorted(set(error.instance) - set(known)):
        match = _closest(extra, known)
        if match and match not in error.instance:
            out.append((extra, match))
    return out


def _required_only(options: Any) -> bool:
    """Alternatives that only say which key must be given (``name`` or ``match`` or ``path``)."""
    return all(isinstance(o, dict) and set(o) == {"required"} for o in options)


def _chosen_alternative(error: ValidationError) -> ValidationError | None:
    """Of a oneOf/anyOf's failed alternatives, the one the author meant, if one stands out.

    The alternative whose own errors go deepest (or are about more than the type) is
    the shape the author was writing.
    """
    if not error.context:
        return None
    deepest = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
    if len(deepest.absolute_path) > len(error.absolute_path) or deepest.validator != "type":
        return deepest
    return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a number"  # JSON Schema counts 1.0 as an integer; the author wrote a decimal
    for name, label in _TYPE_NAMES.items():
        if jsonschema.Draft202012Validator.TYPE_CHECKER.is_type(value, name):
            return label
    return type(value).__name__


def _problem(doc: MarkedDocument, path: tuple[Any, ...], message: str, *, key: bool = False,
             kind: str = "schema") -> PolicyProblem:
    line, col = doc.position(path, key=key)
    return PolicyProblem(doc.file, line, col, dotted_path(path), message, kind)


def _explain(error: ValidationError, doc: MarkedDocument) -> list[PolicyProblem]:
    path = tuple(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", {}))
        required = set(schema.get("required", ())) - set(error.instance)
        out = []
        for extra in sorted(set(error.instance) - set(known)):
            hint = did_you_mean(extra, known)
            expected = f"expected one of: {', '.join(known)}" if not hint else hint[2:]
            meant = _closest(extra, known) if hint else None
            if meant in required:  # one problem, not a second 'missing required key'
                expected += f" ({meant} is required)"
            message = f"unknown key '{extra}'; {expected}"
            out.append(_problem(doc, path + (extra,), message, key=True))
        return out
    if kind == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        known = schema.get("properties", {})
        # A required key written misspelt is reported once, as the unknown key.
        respelt = {_closest(extra, known) for extra in set(instance) - set(known)}
        missing = [k for k in error.validator_value if k not in instance and k not in respelt]
        return [
            _problem(doc, path, f"missing required key '{k}'; add '{k}: ...' here") for k in missing
        ]
    if kind == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        return [_wrong_type(doc, path, error.instance, names)]
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        shown = ", ".join(repr(a) for a in allowed)
        hint = did_you_mean(error.instance, [str(a) for a in allowed])
        message = f"{error.instance!r} is not allowed{hint or ';'} expected {shown}"
        return [_problem(doc, path, message)]
    if kind == "pattern" and "format" in schema:
        kind = "format"  # say it once, as a bad date rather than a bad name
    if kind == "pattern":
        key = "propertyNames" in error.schema_path  # the key itself is wrong: point at it
        return [
            _problem(
                doc,
                path + (error.instance,) if key else path,
                f"{error.instance!r} is not a valid name here; expected letters, digits, "
                f"'.', '_' or '-' (pattern {error.validator_value})",
                key=key,
            )
        ]
    if kind == "format":
        return [_problem(doc, path, f"{error.instance!r} is not a valid {schema['format']}; "
                                    "expected YYYY-MM-DD", kind="bad-date")]
    if kind in ("oneOf", "anyOf"):
        return _explain_alternatives(error, doc, path)
    if kind in ("minItems", "minProperties", "minLength"):
        unit = "character(s)" if kind == "minLength" else "item(s)"
        size = len(error.instance) if isinstance(error.instance, (str, list, dict)) else 0
        found = "is empty" if size == 0 else f"has {size} {unit}"
        return [_problem(doc, path, f"{found}; expected at least {error.validator_value} {unit}")]
    if kind in ("maxItems", "maxProperties", "maxLength"):
        # Never the value itself (jsonschema's message quotes it whole).
        unit = "character(s)" if kind == "maxLength" else "item(s)"
        size = len(error.instance) if isinstance(error.instance, (str, list, dict)) else 0
        return [_problem(doc, path, f"has {size:,} {unit}; expected at most "
                                    f"{error.validator_value:,} {unit}")]
    if kind == "uniqueItems":
        return [_problem(doc, path, "has repeated entries; each entry must appear once")]
    return [_problem(doc, path, error.message)]


def _explain_alternatives(
    error: ValidationError, doc: MarkedDocument, path: tuple[Any, ...]
) -> list[PolicyProblem]:
    options = error.validator_value
    if _required_only(options):
        keys = [o["required"][0] for o in options]
        present = [k for k in keys if isinstance(error.instance, dict) and k in error.instance]
        listed = ", ".join(f"'{k}'" for k in keys)
        if present:
            return [_problem(doc, path, f"give only one of {listed}; found {', '.join(present)}")]
        return [_problem(doc, path, f"give one of {listed}")]
    chosen = _chosen_alternative(error)
    if chosen is not None:
        # Every error of the shape the author was writing: a misspelt required key is two
        # (an unknown key and a missing one), said once only when both are explained.
        branch = chosen.relative_schema_path[0] if chosen.relative_schema_path else None
        siblings = [e for e in error.context or ()
                    if e.relative_schema_path and e.relative_schema_path[0] == branch]
        return [problem for sibling in (siblings or [chosen])
                for problem in _explain(sibling, doc)]
    types = [o["type"] for o in options if isinstance(o, dict) and isinstance(o.get("type"), str)]
    if types:
        by_label = sorted(types, key=lambda t: _TYPE_NAMES.get(t, t))
        return [_wrong_type(doc, path, error.instance, by_label)]
    return [_problem(doc, path, f"found {_describe(error.instance)}; expected one of the "
                                "documented shapes")]


def _wrong_type(doc: MarkedDocument, path: tuple[Any, ...], found: Any,
                names: list[str]) -> PolicyProblem:
    """A value of the wrong type; a number or yes/no where text belongs is shown quoted.

    YAML reads ``version: 1.10`` as the number 1.1; turning it back into text would
    silently change what the author wrote, so the fix is theirs to make.
    """
    want = " or ".join(dict.fromkeys(_TYPE_NAMES.get(n, n) for n in names))
    message = f"found {_describe(found)}; expected {want}"
    written = doc.written.get(path)
    if "string" in names and not isinstance(found, str) and written:
        key = f"{path[-1]}: " if path and isinstance(path[-1], str) else ""
        message += f"; write {key}{quoted(written)}"
    return _problem(doc, path, message)
