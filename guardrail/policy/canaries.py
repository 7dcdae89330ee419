"""The ``canaries:`` section of a policy: validated, built, and the pattern that finds them.

A canary is a clearly fake identity planted among real records. Its values are
matched as whole words in any case, with any run of spaces (or none) between their
words, so ``Zebedee  QUILLFEATHER`` and ``07700900999`` are the planted values too.
The pattern is compiled with RE2 here, exactly as the engine compiles it, so a
canary the loader accepts is one the engine can run.
"""

from __future__ import annotations

from collections.abc import Iterable

import re2

from .detectors import compile_re2
from .model import CANARY_PREFIX, Canary
from .problems import Item, Problems

__all__ = ["MIN_CANARY_CHARS", "canary_pattern", "check_canaries", "check_reserved",
           "build_canaries"]

MIN_CANARY_CHARS = 6  # non-space characters: a short value ("Smith") would match real people


def _word_pattern(value: str) -> str:
    """One value as RE2: its words in order, any spacing between them, whole words."""
    words = value.split()
    body = " *".join(re2.escape(word) for word in words)
    # \b only where the value starts or ends with a word character: "+44 ..." has none.
    start = r"\b" if (words[0][0].isalnum() or words[0][0] == "_") else ""
    end = r"\b" if (words[-1][-1].isalnum() or words[-1][-1] == "_") else ""
    return start + body + end


def canary_pattern(values: Iterable[str]) -> str:
    """One case-insensitive RE2 alternation matching any of *values* (longest first)."""
    ordered = sorted(set(values), key=len, reverse=True)
    return "(?i)(?:" + "|".join(_word_pattern(v) for v in ordered) + ")"


def check_canaries(canaries: list[Item], report: Problems) -> None:
    """Report duplicate ids along the chain and values too short to be safe."""
    seen: dict[str, Item] = {}
    for item in canaries:
        spec = item.value
        if not isinstance(spec, dict):
            continue
        canary_id = spec.get("id")
        if isinstance(canary_id, str) and report.usable(item, "id"):
            first = seen.setdefault(canary_id, item)
            if first is not item:
                report.add(item, f"canary id '{canary_id}' is already used at "
                           f"{first.origin()}; give each canary its own id", "id",
                           kind="duplicate-canary")
        record = spec.get("record")
        if not isinstance(record, dict) or not report.usable(item, "record"):
            continue
        for field, value in record.items():
            if isinstance(value, str) and report.usable(item, "record", field) and \
                    len("".join(value.split())) < MIN_CANARY_CHARS:
                report.add(item, f"canary value of '{field}' has fewer than "
                           f"{MIN_CANARY_CHARS} non-space characters; a short value would "
                           "block real records that happen to hold it: use a longer, "
                           "clearly invented value (e.g. 'Zebedee Quillfeather')",
                           "record", field, kind="short-canary")
        values = [v for v in record.values() if isinstance(v, str) and v.split()]
        if values:
            try:
                compile_re2(canary_pattern(values))
            except re2.error:
                report.add(item, "this canary's values are too long for RE2 to compile; "
                           "use shorter ones", "record", kind="too-large")


def check_reserved(items: Iterable[Item], report: Problems) -> None:
    """Report a rule or custom detector whose id starts with ``canary.``: its findings
    would pass for a canary's, which always block and are never waived."""
    for item in items:
        rule_id = item.value.get("id") if isinstance(item.value, dict) else None
        if isinstance(rule_id, str) and rule_id.startswith(CANARY_PREFIX) and \
                report.usable(item, "id"):
            report.add(item, f"the id '{rule_id}' starts with '{CANARY_PREFIX}', which only "
                       "canaries' findings carry; choose another id", "id", kind="invalid")


def build_canaries(canaries: list[Item]) -> tuple[Canary, ...]:
    """The canaries of a policy that passed every check, the child's first."""
    return tuple(
        Canary(item.value["id"], tuple((str(k), v) for k, v in item.value["record"].items()),
               item.value.get("description", ""), item.origin())
        for item in canaries)
