"""``guardrail init --update``: add the fields a policy does not know yet, and touch
nothing else.

The author's file is edited as text, not re-dumped, so every edit and comment stays
exactly as written (its line endings too): new entries are inserted at the end of the
top-level ``fields:`` block (after its last entry, before any comment that introduces
the next key).

A field is known, and gets no entry, when the file names it in a rule or in one of
init's per-field comments, never merely because its name is a word of some comment
(init's own header speaks of a sample, an export, editors, TODO and public):

* a field rule written in the file itself classifies it (a ``name`` list member, a
  ``match`` glob, a ``path``);
* a commented entry would (``# - name: X``, ``#   name: [X, Y]``, ``# match: '*_ref'``);
* a record rule of the file reads it in its ``when`` expression or lists it in
  ``fields``;
* a per-field comment line starts with it: ``# X: ...`` (init's ``# month: 3 values
  in 3 records``, or the author's ``# lat: left to uk-personal-data``).

A field whose name holds personal data (withheld: written only as ``#4``) is never
known: its label is a position, and another export may hold another personal header
there. Each run reports it apart. A field the file never names is added, even one the
author once deleted with its entry and comments: to keep one out for good, write a
``# X: ...`` line for it. So running ``--update`` again with the same sample changes
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import jmespath
import yaml

from guardrail.authoring.policy_text import WITHHELD_MARK
from guardrail.authoring.survey import SurveyedField
from guardrail.errors import UsageError
from guardrail.policy.classify import Classifier
from guardrail.policy.model import UNCLASSIFIED_RULE, FieldRule, Policy
from guardrail.policy.paths import PathPatternError, compile_path_pattern, normalize_key

__all__ = ["KnownFields", "insert_entries", "line_ending"]

_FIELDS = re.compile(r"fields:[ \t]*(?P<flow>\[[^#]*\])?[ \t]*(?P<comment>#.*)?")
_COMMENTED = re.compile(r"\s*#\s*(?:-\s*)?(?P<key>name|match|path):\s*(?P<value>.+?)\s*")
# A per-field comment: "# X: ..." with one space after '#' (init's continuation lines
# and its header's wrapped sentences are indented further, or never start "word:").
_PER_FIELD = re.compile(r"[ \t]*# (?P<value>[A-Za-z_.][\w./\-]*|'(?:[^']|'')*'|"
                        r'"(?:[^"\\]|\\.)*"):(?:[ \t]|$).*')
# The first line of the comment block init writes above each entry.
_INIT_HEADING = re.compile(r"[ \t]*# \S.*?: \d+ values? in \d+ records?\s*")
_ITEM = re.compile(r"(?P<indent>[ \t]*)(?:#\s*)?- ")


class KnownFields:
    """The fields the policy file *file* already names (see the module docstring)."""

    def __init__(self, policy: Policy, file: Path, text: str) -> None:
        own = tuple(r for r in policy.field_rules
                    if _same_file(r.origin.rsplit(":", 1)[0], file))
        self._headings: set[str] = set()
        commented: list[FieldRule] = []
        for line in text.splitlines():
            rule = _commented_rule(line, policy.unknown_level)
            if rule is not None and not _INIT_HEADING.fullmatch(line):
                commented.append(rule)  # "# name: x" (but "# name: 3 values in 3 records"
                continue                # is init's comment on a field called name)
            heading = _PER_FIELD.fullmatch(line)
            if heading is not None and not line.lstrip().startswith(WITHHELD_MARK):
                self._headings.add(normalize_key(_scalar_text(heading["value"])))
        self._classifier = Classifier(replace(policy, field_rules=own + tuple(commented)))
        self._read: set[str] = set()
        for record_rule in policy.record_rules:
            if _same_file(record_rule.origin.rsplit(":", 1)[0], file):
                self._read.update(normalize_key(f) for f in record_rule.fields)
                self._read.update(normalize_key(f) for f in _expression_fields(record_rule.when))

    def knows(self, surveyed: SurveyedField) -> bool:
        if surveyed.withheld:
            return False  # a label is a position: never the same field for sure
        if self._classifier.classify(surveyed.path).rule != UNCLASSIFIED_RULE:
            return True
        if normalize_key(surveyed.pattern) in self._headings:
            return True
        keys = [k for k in surveyed.path if isinstance(k, str)]
        return bool(keys) and normalize_key(keys[-1]) in self._read


def _commented_rule(line: str, level: str) -> FieldRule | None:
    """The field rule a commented entry's line would write, if it is one."""
    found = _COMMENTED.fullmatch(line)
    if found is None:
        return None
    try:
        value = yaml.safe_load(found["value"].split(" #")[0])
    except yaml.YAMLError:
        return None
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    patterns = tuple(v for v in values if isinstance(v, str) and v)
    if found["key"] == "path":
        try:
            for pattern in patterns:
                compile_path_pattern(pattern)
        except PathPatternError:
            return None
    return FieldRule(found["key"], patterns, level) if patterns else None


def _expression_fields(expression: str) -> Iterator[str]:
    """The field names a JMESPath expression reads (every ``field`` node)."""
    try:
        parsed = jmespath.compile(expression).parsed
    except jmespath.exceptions.JMESPathError:
        return
    stack: list[Any] = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "field" and isinstance(node.get("value"), str):
                yield node["value"]
            stack.extend(node.get("children") or ())


def _scalar_text(value: str) -> str:
    """A field name as init writes it in a comment (a YAML scalar, maybe quoted)."""
    try:
        read = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return read if isinstance(read, str) else value


def _same_file(origin: str, file: Path) -> bool:
    try:
        return Path(origin).resolve() == file.resolve()
    except OSError:
        return False


def insert_entries(text: str, entries: Sequence[str], heading: str) -> str:
    """*text* with *entries* (lines of entries indented by two spaces) added at the end
    of its top-level ``fields:`` block, under the comment line *heading*.

    Raises UsageError when ``fields`` is written in a form that cannot be extended
    line by line (a non-empty flow list).
    """
    # Entries that are all comments (fields the parent classifies) leave an empty list
    # as it is: "fields:" with nothing but comments under it would read as null.
    active = any(not line.lstrip().startswith("#") for line in entries)
    eol = line_ending(text)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += eol
    start = next((i for i, line in enumerate(lines) if _FIELDS.fullmatch(line.rstrip("\r\n"))),
                 None)
    if start is None:
        if any(line.startswith("fields:") for line in lines):
            raise UsageError("cannot add fields: the policy's 'fields' is not a block list; "
                             "write it as one entry per line ('fields:' then '  - name: ...')")
        return "".join(lines) + f"{eol}fields:{'' if active else ' []'}{eol}" + \
            _block(entries, "  ", heading, eol)
    head = _FIELDS.fullmatch(lines[start].rstrip("\r\n"))
    assert head is not None
    if head["flow"] is not None and active:
        if head["flow"].replace(" ", "") != "[]":
            raise UsageError("cannot add fields: the policy's 'fields' is a flow list "
                             "([...]); write it as one entry per line to use --update")
        lines[start] = re.sub(r"[ \t]*\[[ \t]*\]", "", lines[start], count=1)
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].strip() and lines[i][0] not in " \t#-"),
               len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1][0] == "#"):
        end -= 1
    indent = next((m["indent"] for line in lines[start + 1:end]
                   if (m := _ITEM.match(line)) is not None), "  ")
    return "".join(lines[:end]) + _block(entries, indent, heading, eol) + \
        "".join(lines[end:])


def line_ending(text: str) -> str:
    """The line ending *text* uses (its first line's): CRLF, CR or LF."""
    match = re.search(r"\r\n|\r|\n", text)
    return match.group() if match else "\n"


def _block(entries: Sequence[str], indent: str, heading: str, eol: str = "\n") -> str:
    body = [f"{indent}{heading}"] + [
        indent + line[2:] if line.startswith("  ") else line for line in entries]
    return "".join(line + eol for line in body)
