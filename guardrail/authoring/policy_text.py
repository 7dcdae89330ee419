"""The text of a policy written by ``guardrail init``: YAML with a comment for every
field, so the author edits a file that explains itself.

Each field gets a short block: how many records give it a value, what the extended
policy's name rules make it, what the detectors found (masked examples only), and,
when init is unsure, why and a ``TODO``. Field names are written as YAML scalars,
quoted whenever a plain scalar would read differently (``yes``, ``null``, ``a: b``).
A field whose name holds personal data is never written; a comment names it by its
label (``#3``, ``[email]``).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence

import yaml

from guardrail.authoring.advice import Advice
from guardrail.authoring.rule_ids import RuleIds
from guardrail.authoring.survey import Survey

__all__ = ["yaml_scalar", "entry_lines", "policy_text", "rule_id_of", "WITHHELD_MARK",
           "TODO_MARK"]

WITHHELD_MARK = "# withheld: "  # the comment that stands for a field whose name is not written
TODO_MARK = "TODO"
_WIDTH = 88
_PLAIN = re.compile(r"[A-Za-z_.][A-Za-z0-9_./\-]*")


def yaml_scalar(text: str) -> str:
    """*text* as a YAML scalar that reads back as the same string."""
    if _PLAIN.fullmatch(text) and _reads_as(text, text):
        return text
    if "'" not in text and text.isprintable() and _reads_as(f"'{text}'", text):
        return f"'{text}'"
    quoted = json.dumps(text)  # ASCII only: a JSON string is a YAML double-quoted scalar
    if not _reads_as(quoted, text):  # pragma: no cover - JSON strings are valid YAML
        raise ValueError("a field name could not be written as YAML")
    return quoted


def _reads_as(scalar: str, text: str) -> bool:
    try:
        return bool(yaml.safe_load(f"k: {scalar}") == {"k": text})
    except yaml.YAMLError:
        return False


def _values(values: int, records: int) -> str:
    return f"{values} value{'s' if values != 1 else ''} in {records} " \
        f"record{'s' if records != 1 else ''}"


def _detectors(advice: Advice) -> str:
    hits = advice.field.hits
    if not advice.field.values:
        return "no values to judge"
    if not hits:
        return "the detectors found nothing"
    ranked = sorted(hits.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{rule} in {count} ({advice.field.evidence.get(rule, '')})"
                     for rule, count in ranked)


def _by_name(advice: Advice, parent: str, unknown: str) -> str:
    found = advice.by_name
    if found is None or found.rule == "field.unclassified":
        return f"no rule of {parent} names it (unknown fields are {unknown})"
    return f"{found.level}: rule {found.rule} of {parent} ({found.matched_by})"


def entry_lines(advice: Advice, *, records: int, parent: str, unknown: str,
                rule_id: str | None = None, indent: str = "  ",
                public: str = "public") -> list[str]:
    """The lines of one field's entry (its comment block and its rule, with the id
    *rule_id*: a rule without one is reported as ``field.level``)."""
    surveyed = advice.field
    comment = f"{indent}# "

    def wrapped(text: str) -> list[str]:
        return textwrap.wrap(text, _WIDTH, initial_indent=comment,
                             subsequent_indent=comment + "    ", break_long_words=False,
                             break_on_hyphens=False)

    if surveyed.withheld:
        return wrapped(
            f"{surveyed.label}: its name holds personal data ({surveyed.withheld}), so it "
            "is not written here. A check reports the name itself as a finding. "
            f"{TODO_MARK}: rename the field at the source. {_values(surveyed.values, records)}; "
            f"{_detectors(advice)}.") + [f"{indent}{WITHHELD_MARK}{surveyed.label}"]
    key = "name" if surveyed.column else "path"
    lines = [
        *wrapped(f"{yaml_scalar(surveyed.pattern)}: {_values(surveyed.values, records)}"),
        *wrapped(f"  by name: {_by_name(advice, parent, unknown)}"),
        *wrapped(f"  by content: {_detectors(advice)}"),
    ]
    if advice.unsure:
        lines += wrapped(f"  UNSURE: {advice.unsure}.")
    note = ""
    if advice.unsure:
        note = f"  # {TODO_MARK}: decide" + (
            "" if not advice.suggestion else
            f" (suggested: {advice.suggestion}, if its values may be published)"
            if advice.suggestion == public else f" (suggested: {advice.suggestion})")
    rule = [f"{key}: {yaml_scalar(surveyed.pattern)}", f"level: {advice.level}{note}"]
    if rule_id is not None:
        rule.insert(0, f"id: {rule_id}")
    if not advice.active:
        lines += wrapped(f"  {parent} classifies it; uncomment to set its level here.")
        return lines + [f"{indent}# - {rule[0]}"] + [f"{indent}#   {line}" for line in rule[1:]]
    return lines + [f"{indent}- {rule[0]}"] + [f"{indent}  {line}" for line in rule[1:]]


def policy_text(survey: Survey, advice: Sequence[Advice], *, name: str, extends: str,
                parent: str, unknown: str, modeline: str | None = None,
                ids: RuleIds | None = None) -> str:
    """The whole policy file for *survey*, *modeline* (naming the schema for editors)
    its first line; *ids* gives each rule its id."""
    unsure = sum(1 for a in advice if a.unsure)
    fields = len(survey.fields)
    count = f"{survey.records} record{'s' if survey.records != 1 else ''}"
    read = f"the first {count}" if survey.truncated else count
    out = [modeline] if modeline else []
    out += [
        f"# Written by 'guardrail init' from {survey.label} ({survey.format}, {read}, "
        f"{fields} field{'s' if fields != 1 else ''}),",
        f"# on top of {parent}. Edit it before use:",
        "# - Nothing is public until you say so. Where a field looks publishable a comment",
        "#   suggests it: change its level to public yourself.",
        f"# - {unsure} field{'s are' if unsure != 1 else ' is'} UNSURE and need"
        f"{'' if unsure != 1 else 's'} your decision (search for {TODO_MARK}).",
        f"# - Commented entries are classified by {parent} already; uncomment one to set",
        "#   its level here.",
        "# Then run 'guardrail validate' on this file, and 'guardrail check --policy' with it",
        "# on an export. Editors complete and check its keys from the schema named on the",
        "# first line: 'guardrail schema -o FILE' writes it there if it is missing.",
        "apiVersion: guardrail/v1",
        "kind: Policy",
        "metadata:",
        f"  name: {yaml_scalar(name)}",
        '  version: "0.1.0"',
        "  description: Written by guardrail init from a sample export; review every field.",
        f"extends: {yaml_scalar(extends)}",
        "",
    ]
    if not advice:
        return "\n".join(out + ["fields: []", ""])
    # Only comments under "fields:" would read as null: an empty list keeps it valid,
    # and --update turns it back into a block when it adds an entry.
    out.append("fields:" if any(a.active for a in advice) else "fields: []")
    for one in advice:
        out.extend(entry_lines(one, records=survey.records, parent=parent, unknown=unknown,
                               rule_id=rule_id_of(ids, one)))
    return "\n".join(out) + "\n"


def rule_id_of(ids: RuleIds | None, advice: Advice) -> str | None:
    """The id of *advice*'s rule (none for a field whose name is not written)."""
    return None if ids is None or advice.field.withheld else ids.for_field(advice.field.pattern)
