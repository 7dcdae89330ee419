"""``guardrail init --update``: add the fields a policy does not know yet, and touch
nothing else.

The author's file is edited as text, not re-dumped, so every edit and comment stays
exactly as written: new entries are inserted at the end of the top-level ``fields:``
block (after its last entry, before any comment that introduces the next key).

A field is known, and gets no entry, when the file already speaks of it anywhere: a
field rule written in the file itself classifies it, or its name appears in the file
as a whole word other than a key, in an entry, an expression or a comment (a
commented entry init left, ``# month: 3 values in 3 records``, or the author's own
"# lat/lon: left to uk-personal-data"), or a withheld-name comment names its label.
A field the file never mentions is added, even one the author once deleted with its
every mention: to keep one out for good, name it in a comment. So running
``--update`` again with the same sample changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import yaml

from guardrail.authoring.policy_text import WITHHELD_MARK
from guardrail.authoring.survey import SurveyedField
from guardrail.errors import UsageError
from guardrail.policy.classify import Classifier
from guardrail.policy.model import UNCLASSIFIED_RULE, Policy
from guardrail.policy.paths import (
    PathPatternError,
    compile_path_pattern,
    match_path,
    normalize_key,
    shape_of,
)

__all__ = ["KnownFields", "insert_entries"]

_FIELDS = re.compile(r"fields:[ \t]*(?P<flow>\[[^#]*\])?[ \t]*(?P<comment>#.*)?")
_COMMENTED = re.compile(r"\s*#\s*(?:-\s*)?(?P<key>name|path):\s*(?P<value>.+?)\s*")
# A mapping key at the start of a line (maybe commented out, maybe a list item): not a
# mention of a field of the same name.
_KEY = re.compile(r"[ \t]*(?:#[ \t]*)?(?:-[ \t]+)?[A-Za-z_][\w-]*:(?=\s|$)")
# The first line of the comment block init writes above each entry.
_HEADING = re.compile(r"\s*#\s*(?P<value>\S.*?): \d+ values? in \d+ records?\s*")
_ITEM = re.compile(r"(?P<indent>[ \t]*)(?:#\s*)?- ")


class KnownFields:
    """The fields the policy file *file* already speaks of (see the module docstring)."""

    def __init__(self, policy: Policy, file: Path, text: str) -> None:
        own = tuple(r for r in policy.field_rules
                    if _same_file(r.origin.rsplit(":", 1)[0], file))
        self._classifier = Classifier(replace(policy, field_rules=own))
        self._names: set[str] = set()
        self._paths: list[tuple[str | int, ...]] = []
        self._withheld: set[str] = set()
        self._headings: set[str] = set()
        self._text = "\n".join(_KEY.sub("", line, count=1) for line in text.splitlines())
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith(WITHHELD_MARK):
                self._withheld.add(stripped[len(WITHHELD_MARK):].strip())
                continue
            heading = _HEADING.fullmatch(line)
            if heading is not None:
                self._headings.add(_scalar_text(heading["value"]))
                continue
            found = _COMMENTED.fullmatch(line)
            if found is None:
                continue
            try:
                value = yaml.safe_load(found["value"])
            except yaml.YAMLError:
                continue
            if not isinstance(value, str):
                continue
            if found["key"] == "name":
                self._names.add(normalize_key(value))
            else:
                try:
                    self._paths.append(compile_path_pattern(value))
                except PathPatternError:
                    continue

    def knows(self, surveyed: SurveyedField) -> bool:
        if surveyed.withheld:
            return surveyed.label in self._withheld
        if self._classifier.classify(surveyed.path).rule != UNCLASSIFIED_RULE:
            return True
        if self._mentioned(surveyed.pattern):
            return True
        if surveyed.pattern in self._headings or (
                surveyed.column and normalize_key(surveyed.pattern) in
                {normalize_key(h) for h in self._headings}):
            return True
        shape = shape_of(surveyed.path)
        if surveyed.column:
            return normalize_key(str(surveyed.path[0])) in self._names
        return any(match_path(pattern, shape) for pattern in self._paths)


    def _mentioned(self, name: str) -> bool:
        """Does *name* appear in the file as a whole word, other than as a key?"""
        return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", self._text,
                         re.IGNORECASE) is not None


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
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if _FIELDS.fullmatch(line.rstrip("\r\n"))),
                 None)
    if start is None:
        if any(line.startswith("fields:") for line in lines):
            raise UsageError("cannot add fields: the policy's 'fields' is not a block list; "
                             "write it as one entry per line ('fields:' then '  - name: ...')")
        return "".join(lines) + f"\nfields:{'' if active else ' []'}\n" + \
            _block(entries, "  ", heading)
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
    return "".join(lines[:end]) + _block(entries, indent, heading) + "".join(lines[end:])


def _block(entries: Sequence[str], indent: str, heading: str) -> str:
    body = [f"{indent}{heading}"] + [
        indent + line[2:] if line.startswith("  ") else line for line in entries]
    return "".join(line + "\n" for line in body)
