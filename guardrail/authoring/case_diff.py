"""One case's result as text: ``PASS``/``FAIL``, and for a failure a diff of the
expected and the actual findings.

Findings are written as the YAML a case file takes, so an author can paste a ``+``
line into the case once they agree with it. Evidence is the core's masked evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import yaml

from guardrail.decision import Finding
from guardrail.policy.marked_yaml import quoted

from .case_file import ExpectedFinding
from .results import CaseResult, agrees, raw_evidence, shown_evidence

__all__ = ["case_report", "near_misses"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-\[\]*]*")


def case_report(result: CaseResult, *, verbose: bool = False) -> list[str]:
    """``PASS``/``FAIL`` and the case's place; for a failure, what differs."""
    case = result.case
    head = f"{'PASS' if result.passed else 'FAIL'} {case.where}: {case.name}"
    if result.passed:
        return [head] if verbose else []
    lines = [head, f"  policy {result.decision.policy['name']}, destination "
                   f"{result.destination}"]
    for error in result.decision.errors:
        lines.append(f"  {error.file} could not be checked: {error.error}")
    if not result.decision_ok:
        lines.append(f"  decision: expected {case.decision}, got {result.decision.verdict}")
    if result.missing or result.unexpected:
        lines.append("  findings (- expected, not found; + found, not expected):")
        rows: list[tuple[tuple[int, str, str], str]] = []
        rows += [(_key(e.record, e.field), f"      {_expected(e)}") for e, _ in result.matched]
        rows += [(_key(e.record, e.field), f"    - {_expected(e)}") for e in result.missing]
        rows += [(_key(f.record, f.field), f"    + {_actual(f)}") for f in result.unexpected]
        lines += [text for _, text in sorted(rows, key=lambda row: row[0])]
        lines += near_misses(result)
    return lines


def near_misses(result: CaseResult) -> list[str]:
    """A hint for each expected finding that a found one matches but for ``waived``
    alone, or the letter case of ``field`` alone: the diff lines look alike."""
    hints = [f"  hint: record {_scalar(e.record)}, field {_scalar(e.field)}: the case's "
             f"evidence is unmasked; write it as a + line shows it, or leave it out"
             for e in result.missing if raw_evidence(e)]
    unexpected = list(result.unexpected)
    for expected in result.missing:
        for found in unexpected:
            flipped = replace(expected, waived=not expected.waived)
            if agrees(flipped, found):
                hints.append(f"  hint: record {_scalar(expected.record)}, field "
                             f"{_scalar(found.field)}: the findings match except 'waived': "
                             f"the case says {_scalar(expected.waived)}, the check "
                             f"{'waived it' if found.waived_by else 'did not waive it'}")
            elif expected.field != found.field and \
                    expected.field.casefold() == found.field.casefold() and \
                    agrees(replace(expected, field=found.field), found):
                hints.append(f"  hint: record {_scalar(expected.record)}: the findings match "
                             f"except the letter case of 'field': the case says "
                             f"{_scalar(expected.field)}, the check names it "
                             f"{_scalar(found.field)}")
            else:
                continue
            unexpected.remove(found)
            break
    return hints


def _key(record: int | None, field: str) -> tuple[int, str, str]:
    return (-1 if record is None else record, field, "")


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return text if _PLAIN.fullmatch(text) and _reads_back(text) else quoted(text)


def _reads_back(text: str) -> bool:
    """Does *text*, written plain in a flow mapping, read back as that string (not
    ``True``, ``No``, ``1e3`` or ``null``)?"""
    try:
        return bool(yaml.safe_load(f"{{k: {text}}}") == {"k": text})
    except yaml.YAMLError:
        return False


def _mapping(pairs: Sequence[tuple[str, object]]) -> str:
    return "{" + ", ".join(f"{key}: {_scalar(value)}" if not isinstance(value, tuple)
                           else f"{key}: [{', '.join(_scalar(v) for v in value)}]"
                           for key, value in pairs) + "}"


def _expected(found: ExpectedFinding) -> str:
    pairs: list[tuple[str, object]] = [("record", found.record), ("field", found.field),
                                       ("rule", found.rule)]
    for key in ("evidence", "level", "action", "also"):
        value = getattr(found, key)
        if value is not None:
            pairs.append((key, shown_evidence(value) if key == "evidence" else value))
    if found.waived:
        pairs.append(("waived", True))
    return _mapping(pairs)


def _actual(found: Finding) -> str:
    pairs: list[tuple[str, object]] = [("record", found.record), ("field", found.field),
                                       ("rule", found.rule), ("evidence", found.evidence)]
    if found.waived_by:
        pairs.append(("waived", True))
    return _mapping(pairs)
