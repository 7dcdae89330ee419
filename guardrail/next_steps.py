"""What the reader of a report that blocks can do next, as the exact command or YAML
to write: one list for every reporter (the text report ends with it, the HTML report
shows it), so the advice is the same wherever it is read.

Everything shown comes from the decision: field names and file names the core has
already screened (a name that is personal data is shown as ``#3``), rule ids, the policy's
name and file, and the destination. Never a value.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import TextIO

import yaml

from guardrail.decision import Decision, Finding
from guardrail.policy.model import UNCLASSIFIED_RULE as UNCLASSIFIED
from guardrail.policy.waivers import waiver_matches

__all__ = ["write_next_steps", "next_steps"]

_SHOWN = 5  # fields named in a sentence before "and N more"
_WRITTEN = 20  # fields written out as YAML entries
_UNNAMED = re.compile(r"#\d+")  # a field shown by number: its name is not printable
_WAIVER_DAYS = 90  # the expiry suggested for a new exception
# The policy language's actions: 'block' can only be fixed at the source; the others
# are what `guardrail redact` writes in a copy.
_REDACTABLE = frozenset({"redact", "mask", "hash", "drop"})


def write_next_steps(decision: Decision, out: TextIO) -> None:
    """Write the "What to do next" section for *decision*'s blocking findings, if any."""
    steps = next_steps(decision)
    if steps:
        out.write("\nWhat to do next:\n" + "".join(steps))


def next_steps(decision: Decision) -> list[str]:
    """Each step for the reader, as indented text ending in a newline."""
    # For a redacted copy only what redact cannot rewrite is left to do.
    acting = ("block",) if decision.mode == "redact" else ("block", *_REDACTABLE)
    blocking = [f for f in decision.findings if not f.waived_by and f.action in acting]
    # A canary is blocked on purpose and never waived: its own step, nothing else.
    canaries = _unique(f.rule for f in blocking if f.canary)
    blocking = [f for f in blocking if not f.canary]
    steps: list[str] = [_canary_step(canaries)] if canaries else []
    if not blocking:
        return steps
    # Fields come from the exact counts: the listed findings are capped per rule, and a
    # table is walked column by column, so they may name only the first few fields.
    kinds = [k for k in decision.counts if k.blocking and not k.canary
             and k.action in acting]
    found_by = {f.rule: f.found_by for f in decision.findings}  # a rule decides one way
    unclassified = _unique(k.field for k in kinds if k.rule == UNCLASSIFIED)
    unnamed = _unique(name for name in [*unclassified, *(f.field_pattern for f in blocking)]
                      if _UNNAMED.fullmatch(name))
    if unnamed:  # no rule can name what the report may not print: rename it
        steps.append(_rename(unnamed))
        unclassified = [name for name in unclassified if name not in unnamed]
    classified = [f for f in blocking if f.rule != UNCLASSIFIED]
    policy = _policy_argument(decision)
    first_file = blocking[0].file
    if unclassified:
        # A column whose values the detectors also flagged is not made publishable by
        # classifying it: say so, rather than suggest 'public' for a phone number.
        flagged = _unique(f.field_pattern for f in blocking
                          if f.rule == UNCLASSIFIED and f.also)
        plain = [name for name in unclassified if name not in flagged]
        if plain:
            steps.append(_classify(plain, decision, first_file))
        if flagged:
            steps.append(_classify_flagged(flagged, blocking, decision))
    by_field_rule = _unique(k.field for k in kinds if k.action == "block"
                            and k.rule != UNCLASSIFIED and found_by.get(k.rule) == "field")
    by_content = [f for f in classified if f.found_by in ("detector", "neighbours")
                  and f.field_pattern not in unnamed]
    by_record_rule = {f.rule: f for f in classified if f.found_by == "record"}
    if any(f.action in _REDACTABLE for f in classified):
        steps.append(_redact(decision, policy, first_file))
    if by_field_rule:
        steps.append(_leave_out(by_field_rule, decision))
    if by_record_rule:
        steps.append(_record_rules(list(by_record_rule.values()), decision))
    if by_content:
        steps.append(_rerun_with_waivers(decision) if decision.waivers_ignored
                     else _waive(by_content[0], decision))
    return steps


def _canary_step(rules: list[str]) -> str:
    return (
        f"  - The payload holds the policy's planted test "
        f"identit{'ies' if len(rules) != 1 else 'y'} ({_listed(rules)}).\n"
        f"    In the scheduled test export that is the gate working; in a real export, "
        f"remove\n    the canary rows and find out how they got there.\n")


def _classify(fields: list[str], decision: Decision, file: str) -> str:
    return (
        f"  - {len(fields)} field{'s are' if len(fields) != 1 else ' is'} not classified by "
        f"the policy ({_listed(fields)}). Say what each holds\n"
        f"    in the policy's 'fields' ({_policy_file(decision)}); 'public' lets a field "
        f"out to '{decision.destination}'\n"
        f"    (the content detectors still read its values):\n"
        f"        fields:\n{_entries(fields, 'public')}"
        f"    or start a policy from this export: guardrail init "
        f"{_quoted(file) if not file.startswith('<') else 'EXPORT-FILE'} -o my-policy.yaml\n")


def _classify_flagged(fields: list[str], blocking: list[Finding], decision: Decision) -> str:
    found = _unique(rule for f in blocking if f.field_pattern in fields for rule in f.also)
    return (
        f"  - {len(fields)} unclassified field{'s' if len(fields) != 1 else ''} "
        f"({_listed(fields)}) also held what the detectors find ({_listed(found)}):\n"
        f"    whatever level the policy gives {'them' if len(fields) != 1 else 'it'}, those "
        f"values block. Classify {'them' if len(fields) != 1 else 'it'} in\n"
        f"    {_policy_file(decision)} for what {'they' if len(fields) != 1 else 'it'} "
        f"hold{'' if len(fields) != 1 else 's'}, and leave "
        f"{'them' if len(fields) != 1 else 'it'} out of exports to "
        f"'{decision.destination}':\n"
        f"        fields:\n{_entries(fields, 'personal')}")


def _rerun_with_waivers(decision: Decision) -> str:
    return (
        f"  - This check ignored the policy's exceptions (--no-waivers). Check again "
        f"without it to see\n"
        f"    which findings remain before adding an exception to "
        f"{_policy_file(decision)}.\n")


def _redact(decision: Decision, policy: str, file: str) -> str:
    return (
        f"  - To publish a copy without what '{decision.destination}' may not receive:\n"
        f"        guardrail redact --policy {policy} --destination {decision.destination} "
        f"{_quoted(file)} -o {_quoted(_redacted_name(file))}\n")


def _leave_out(fields: list[str], decision: Decision) -> str:
    return (
        f"  - Leave out of the export the fields the policy keeps from "
        f"'{decision.destination}' ({_listed(fields, _WRITTEN)});\n"
        f"    if the policy classifies one wrongly, change its level in "
        f"{_policy_file(decision)}.\n")


def _record_rules(findings: list[Finding], decision: Decision) -> str:
    """A record rule is the policy's own judgement of whole records (small numbers):
    the export's values change, not the policy. Its description says how."""
    lines = "".join(f"        {f.rule}: {f.message}\n" for f in findings[:_SHOWN] if f.message)
    return (
        f"  - Records matched the policy's own record rule"
        f"{'s' if len(findings) != 1 else ''} ({_listed([f.rule for f in findings])}) "
        f"in {_policy_file(decision)}:\n{lines}"
        f"    change those values in the export (each rule's description says how).\n")


def _rename(fields: list[str]) -> str:
    return (f"  - {_listed(fields, _WRITTEN)}: a field shown by number has no name a report "
            f"may print (its header holds\n"
            f"    personal data, or is empty): give the column a plain name in the export, "
            f"then classify it\n    by that name.\n")


def _waive(finding: Finding, decision: Decision) -> str:
    """For a detector's false alarm: allow the exact value first (one value, nothing
    else), then an exception (every finding of the rule in the field, real ones too),
    one per rule that matched the value, or the renewal of an expired one."""
    field = finding.field_pattern
    expired = [w for w in decision.waivers_expired
               if any(waiver_matches(w, rule, field) for rule in finding.rules)]
    if expired:
        return "".join(
            f"  - The exception at {_relative_origin(w.origin)} covered {field} but expired "
            f"on {w.expires.isoformat()}: if it still\n"
            f"    holds, have it approved again and set a new 'expires' there.\n"
            for w in expired)
    judged = decision.judged_on or decision.checked_at[:10]
    day = _dt.date.fromisoformat(judged) + _dt.timedelta(days=_WAIVER_DAYS)
    entries = "".join(
        f"          - rule: {rule}\n"
        f"            field: {_quoted_yaml(field)}\n"
        f"            destinations: [{decision.destination}]\n"
        f"            reason: <why this may be published>\n"
        f"            approved_by: <who approved it>\n"
        f"            expires: {day.isoformat()}\n" for rule in finding.rules)
    across = (f"    {finding.rule} read {field} together with its neighbouring field: "
              f"an exception on one\n    field leaves the other blocking.\n"
              if finding.found_by == "neighbours" else "")
    return (
        f"  - If a finding is a false alarm (a police station's postcode, a public "
        f"figure's name):\n{across}"
        f"    for one harmless value, allow that exact text in {_policy_file(decision)} "
        f"(type it\n"
        f"    yourself: reports never print values):\n"
        f"        detectors:\n"
        f"          allow: [\"<the exact text>\"]\n"
        f"    or add an exception, with an approver and an expiry; it lets through every "
        f"finding of\n"
        f"    the rule in {field}, real ones too:\n"
        f"        exceptions:\n{entries}")


def _entries(fields: list[str], level: str) -> str:
    """The ``fields:`` entries that classify *fields* (up to _WRITTEN of them): a name
    rule for a top-level field, a path rule for a nested one."""
    lines = []
    for name in fields[:_WRITTEN]:
        key = "path" if "." in name or "[" in name else "name"
        lines.append(f"          - {key}: {_quoted_yaml(name)}\n"
                     f"            level: {level}\n")
    more = len(fields) - _WRITTEN
    if more > 0:
        lines.append(f"          # ... and {more} more: see the counts table above\n")
    return "".join(lines)


def _quoted_yaml(text: str) -> str:
    """*text* as a YAML scalar that reads back as itself (``#2`` would be a comment)."""
    try:
        plain = yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def _unique(fields: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(fields))


def _listed(fields: list[str], limit: int = _SHOWN) -> str:
    shown = ", ".join(fields[:limit])
    more = len(fields) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def _policy_file(decision: Decision) -> str:
    file = decision.policy.get("file")
    return _relative(file) if file else f"policy {decision.policy['name']}"


def _policy_argument(decision: Decision) -> str:
    """How ``--policy`` names this policy: by name when it is an installed, shipped one;
    else by its file (relative to the current folder when under it)."""
    file = decision.policy.get("file")
    if not file or {"site-packages", "dist-packages"} & set(PurePath(file).parts):
        return str(decision.policy["name"])
    relative = _relative(file)
    return _quoted(file if relative.startswith("..") else relative)


def _relative_origin(origin: str) -> str:
    """``file.yaml:12`` with the file relative to the current folder."""
    file, colon, line = origin.rpartition(":")
    return f"{_relative(file)}:{line}" if colon and line.isdigit() else origin


def _relative(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def _redacted_name(file: str) -> str:
    if file.startswith("<"):
        return "redacted-copy"
    path = PurePath(file)
    return str(path.with_name(f"{path.stem}.redacted{path.suffix}"))


def _quoted(text: str) -> str:
    """A shell word: quoted when it holds anything but plain path characters."""
    if text and all(c.isalnum() or c in "/._-+:@" for c in text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"
