"""Read one policy test case file into cases, every mistake at its file:line:col.

A case file is YAML: defaults at the top (``policy``, ``destination``, ``today``) and
a list of ``cases``, each a payload (inline ``records``, raw ``text`` with its
``format``, or a fixture ``file`` next to the case file) and what the policy must
decide about it (``decision`` and every ``findings`` entry). A case may say ``skip:
<reason>`` (not run) or ``xfail: <reason>`` (expected to fail: a pass fails the run,
so the mark is removed once the policy is fixed). The file is read with
the policy loader's marked YAML, so positions survive; only its shape is checked
here (:mod:`.suites` checks names against the policy).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from guardrail.errors import GuardrailError, PolicyError, PolicyProblem
from guardrail.policy.limits import PolicyLimitError
from guardrail.policy.marked_yaml import MarkedDocument, dotted_path, read_marked_yaml
from guardrail.policy.safe_yaml import decode_policy
from guardrail.policy.schema import did_you_mean

__all__ = ["CaseFileError", "Case", "ExpectedFinding", "Payload", "parse_case_file",
           "MAX_CASE_FILE_BYTES"]

MAX_CASE_FILE_BYTES = 4 * 1024 * 1024  # inline payloads are small; large ones are fixtures
MAX_CASE_NODES = 500_000  # YAML values in one case file, aliases expanded: records add up

_FILE_KEYS = ("policy", "destination", "today", "cases")
_CASE_KEYS = ("name", "policy", "destination", "today", "records", "text", "format", "file",
              "decision", "findings", "skip", "xfail")
_FINDING_KEYS = ("record", "field", "rule", "evidence", "waived", "level", "action", "also")
_PAYLOADS = ("records", "text", "file")
DECISIONS = ("allow", "block")


class CaseFileError(GuardrailError):
    """A case file that cannot be read or is not in the case format; nothing in it runs.

    :param problems: every mistake found, each at its file, line and column.
    """

    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"case file is invalid ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


@dataclass(frozen=True)
class ExpectedFinding:
    """One finding a case expects: ``record``, ``field`` and ``rule`` always; the
    others only when the case gives them (``waived`` is False unless given)."""

    record: int | None
    field: str
    rule: str
    waived: bool = False
    evidence: str | None = None
    level: str | None = None
    action: str | None = None
    also: tuple[str, ...] | None = None
    line: int = 0
    rule_at: tuple[int, int, str] = (0, 0, "")  # line, column and path of 'rule'


@dataclass(frozen=True)
class Payload:
    """What a case checks: inline ``records``, ``text`` in ``format``, or a fixture ``file``."""

    records: tuple[dict[str, Any], ...] | None = None
    text: str | None = None
    file: Path | None = None
    format: str | None = None


@dataclass(frozen=True)
class Case:
    """One payload checked against one policy for one destination, and what must come out.

    :param policy: as ``--policy`` takes it: a shipped name, or a path (relative ones
        are resolved against the case file's folder).
    :param destination: None for the policy's ``default_destination``.
    """

    file: str
    line: int
    name: str
    policy: str
    destination: str | None
    payload: Payload
    decision: str
    findings: tuple[ExpectedFinding, ...]
    today: _dt.date | None = None
    skip: str | None = None  # why the case is not run
    xfail: str | None = None  # why the case is expected to fail
    # line, column and path of the 'policy', 'destination' and 'format' the case uses
    marks: dict[str, tuple[int, int, str]] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        """``asb-public-web.yaml: a name blocks``: readable and unique per file."""
        return f"{Path(self.file).name}: {self.name}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class _Reader:
    """Checks the shape of one marked document, collecting problems."""

    def __init__(self, doc: MarkedDocument) -> None:
        self.doc = doc
        self.problems: list[PolicyProblem] = []

    def add(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        line, col = self.doc.position(path, key=key)
        self.problems.append(PolicyProblem(self.doc.file, line, col, dotted_path(path), message))

    def keys(self, data: dict[str, Any], path: tuple[Any, ...], known: tuple[str, ...]) -> None:
        for key in data:
            if key not in known:
                self.add(path + (key,), f"unknown key '{key}'{did_you_mean(key, known) or ';'}"
                         f" expected one of: {', '.join(known)}", key=True)

    def mark(self, path: tuple[Any, ...]) -> tuple[int, int, str]:
        return (*self.doc.position(path), dotted_path(path))

    def text(self, data: dict[str, Any], path: tuple[Any, ...], key: str,
             required: bool = False) -> str | None:
        if key not in data:
            if required:
                self.add(path, f"missing '{key}'")
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(path + (key,), f"'{key}' must be a non-empty string")
            return None
        return value

    def date(self, data: dict[str, Any], path: tuple[Any, ...]) -> _dt.date | None:
        value = data.get("today")
        if value is None or (isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.add(path + ("today",), "'today' must be a date such as 2026-06-01 (the day "
                 "waivers are judged on)")
        return None


def parse_case_file(path: Path) -> list[Case]:
    """The cases of one case file; raises :class:`CaseFileError` with every problem."""
    file = str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CASE_FILE_BYTES + 1)
    except OSError as exc:
        raise CaseFileError([PolicyProblem(file, 1, 1, "", "the case file cannot be read "
                                           f"({exc.strerror or exc})")]) from None
    if len(data) > MAX_CASE_FILE_BYTES:
        raise CaseFileError([PolicyProblem(file, 1, 1, "", "the case file is larger than "
                                           f"{MAX_CASE_FILE_BYTES:,} bytes; move large "
                                           "payloads to fixture files ('file:')")])
    try:
        text = decode_policy(data, file)
        if not text.strip():
            raise CaseFileError([PolicyProblem(file, 1, 1, "", "the case file is empty; "
                                               "write 'policy:' and a list of 'cases:'")])
        doc, found = read_marked_yaml(text, file, MAX_CASE_NODES)
    except PolicyLimitError as exc:
        first = exc.problems[0]
        raise CaseFileError([replace(first, message=(
            f"the case file holds more than {MAX_CASE_NODES:,} YAML values, or is nested "
            "too deep (an alias counts as everything it names); move large payloads to "
            "fixture files ('file:')"))]) from None
    except PolicyError as exc:
        # the YAML reader speaks of policies; this is a case file
        raise CaseFileError([replace(p, message=_as_case_file(p.message))
                             for p in exc.problems]
                            or [PolicyProblem(file, 1, 1, "", exc.message)]) from None
    reader = _Reader(doc)
    reader.problems.extend(found)
    cases = _cases(reader, path)
    if reader.problems:
        raise CaseFileError(sorted(reader.problems, key=lambda p: (p.line, p.column)))
    return cases


def _as_case_file(message: str) -> str:
    return message.replace("a policy is a YAML text file", "a case file is a YAML text file") \
        .replace("the policy", "the case file")


def _cases(reader: _Reader, path: Path) -> list[Case]:
    top = reader.doc.data
    if not isinstance(top, dict):
        reader.add((), "a case file is a mapping with 'policy' and a list of 'cases'")
        return []
    if top.get("kind") == "Policy" or "apiVersion" in top:
        reader.add((), "this is a policy, not a case file; name the case files (e.g. "
                   "'guardrail test policies/tests'), whose cases give 'policy:' this file")
        return []
    reader.keys(top, (), _FILE_KEYS)
    policy = reader.text(top, (), "policy")
    destination = reader.text(top, (), "destination")
    today = reader.date(top, ())
    items = top.get("cases")
    if not isinstance(items, list) or not items:
        reader.add(("cases",) if "cases" in top else (),
                   "'cases' must be a non-empty list of cases")
        return []
    cases: list[Case] = []
    names: dict[str, int] = {}
    for index, item in enumerate(items):
        case = _case(reader, path, ("cases", index), item, policy, destination, today)
        if case is None:
            continue
        if case.name in names:
            reader.add(("cases", index, "name"), f"duplicate case name '{case.name}' (first "
                       f"on line {names[case.name]}); give each case its own name")
        names.setdefault(case.name, case.line)
        cases.append(case)
    return cases


def _case(reader: _Reader, path: Path, at: tuple[Any, ...], item: Any, policy: str | None,
          destination: str | None, today: _dt.date | None) -> Case | None:
    if not isinstance(item, dict):
        reader.add(at, "a case is a mapping with 'name', a payload, 'decision' and 'findings'")
        return None
    before = len(reader.problems)
    reader.keys(item, at, _CASE_KEYS)
    name = reader.text(item, at, "name", required=True)
    own_policy = reader.text(item, at, "policy") or policy
    if own_policy is None and "policy" not in item:
        reader.add(at, "no 'policy' for this case; write 'policy:' at the top of the file "
                   "or in the case")
    own_destination = reader.text(item, at, "destination") or destination
    own_today = reader.date(item, at) if "today" in item else today
    payload = _payload(reader, path, at, item)
    decision = item.get("decision")
    if decision not in DECISIONS:
        reader.add(at + ("decision",) if "decision" in item else at,
                   "'decision' must be allow or block" if "decision" in item
                   else "missing 'decision' (allow or block)")
    findings = _findings(reader, at, item)
    marks_given: dict[str, str | None] = {}
    for key in ("skip", "xfail"):
        value = item.get(key)
        marks_given[key] = value if isinstance(value, str) and value.strip() else None
        if key in item and marks_given[key] is None:
            reader.add(at + (key,), f"'{key}' must be the reason, e.g. '{key}: the detector "
                       "for this is not written yet'")
    if "skip" in item and "xfail" in item:
        reader.add(at + ("xfail",), "give 'skip' or 'xfail', not both", key=True)
    if len(reader.problems) > before or name is None or own_policy is None or payload is None:
        return None
    marks = {key: reader.mark(at + (key,) if key in item else (key,))
             for key in ("policy", "destination", "format")}
    return Case(str(path), reader.doc.position(at)[0], name, own_policy, own_destination,
                payload, str(decision), findings, own_today, marks_given["skip"],
                marks_given["xfail"], marks)


def _payload(reader: _Reader, path: Path, at: tuple[Any, ...],
             item: dict[str, Any]) -> Payload | None:
    given = [key for key in _PAYLOADS if key in item]
    if len(given) != 1:
        reader.add(at, "a case needs exactly one payload: 'records' (a list of mappings), "
                   f"'text' (with 'format') or 'file' (a fixture); found "
                   f"{', '.join(given) if given else 'none'}")
        return None
    fmt = reader.text(item, at, "format")
    key = given[0]
    value = item[key]
    if key == "records":
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            bad = next((n for n, r in enumerate(value) if not isinstance(r, dict)), None) \
                if isinstance(value, list) else None
            reader.add(at + ("records",) + ((bad,) if bad is not None else ()),
                       "'records' must be a list of mappings (one per record)")
            return None
        if fmt is not None:
            reader.add(at + ("format",), "'format' goes with 'text' or 'file', not 'records'")
        return Payload(records=tuple(value))
    if key == "text":
        if not isinstance(value, str):
            reader.add(at + ("text",), "'text' must be a string (use a block: 'text: |')")
            return None
        if fmt is None and "format" not in item:
            reader.add(at + ("text",), "'text' needs a 'format' (csv, json, ...)")
            return None
        return Payload(text=value, format=fmt)
    if not isinstance(value, str) or not value.strip():
        reader.add(at + ("file",), "'file' must be a path relative to the case file")
        return None
    fixture = path.parent / value
    if not fixture.is_file():
        reader.add(at + ("file",), f"fixture file not found: {fixture}")
        return None
    return Payload(file=fixture, format=fmt)


def _findings(reader: _Reader, at: tuple[Any, ...],
              item: dict[str, Any]) -> tuple[ExpectedFinding, ...]:
    if "findings" not in item:
        reader.add(at, "missing 'findings': list every finding the case expects ([] for none)")
        return ()
    items = item["findings"]
    if not isinstance(items, list):
        reader.add(at + ("findings",), "'findings' must be a list ([] for none)")
        return ()
    found = []
    for index, data in enumerate(items):
        where = at + ("findings", index)
        if not isinstance(data, dict):
            reader.add(where, "a finding is a mapping: {record: 0, field: name, rule: ...}")
            continue
        before = len(reader.problems)
        reader.keys(data, where, _FINDING_KEYS)
        for key in ("record", "field", "rule"):
            if key not in data:
                reader.add(where, f"missing '{key}'")
        record = data.get("record")
        if record is not None and (isinstance(record, bool) or not isinstance(record, int)
                                   or record < 0):
            reader.add(where + ("record",), "'record' must be the record's number as reports "
                       "show it (the first is 0), or null for the document around the records")
        field, rule = reader.text(data, where, "field"), reader.text(data, where, "rule")
        optional = {key: reader.text(data, where, key) for key in ("level", "action")}
        evidence = data.get("evidence")
        if evidence is not None and not isinstance(evidence, str):
            reader.add(where + ("evidence",), "'evidence' must be a string (the masked value)")
        waived = data.get("waived", False)
        if not isinstance(waived, bool):
            reader.add(where + ("waived",), "'waived' must be true or false")
        also = data.get("also")
        if also is not None and (not isinstance(also, list)
                                 or not all(isinstance(a, str) for a in also)):
            reader.add(where + ("also",), "'also' must be a list of rule ids")
        if len(reader.problems) > before or field is None or rule is None:
            continue
        found.append(ExpectedFinding(record, field, rule, waived, evidence,
                                     optional["level"], optional["action"],
                                     tuple(also) if also is not None else None,
                                     reader.doc.position(where)[0],
                                     reader.mark(where + ("rule",))))
    return tuple(found)
