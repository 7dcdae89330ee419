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


# What may stand between a canary's words where it is published: spaces, the joiners
# of file names and URLs (Zebedee_Quillfeather, Zebedee+Quillfeather), punctuation,
# and markup left in a cell (<b>Zebedee</b> <i>Quillfeather</i>).
_JOIN = r"(?:[\s\-_+.,;:'/]|<[^<>]{0,60}>)*"
# Between the digits of a number: spaces, dashes, dots, brackets (07700-900-999).
_DIGIT_JOIN = r"[\s\-.()/]*"


def _word_pattern(value: str) -> str:
    """One value as RE2: its words in order (and for a name of two or more words, the
    last first: "Quillfeather, Zebedee"), anything a reader reads as a gap between
    them, whole words; a number by its digits, however they are grouped."""
    digits = "".join(char for char in value if char.isdigit())
    if len(digits) >= MIN_CANARY_CHARS and len(digits) * 10 >= len(value.replace(" ", "")) * 7:
        return _number_pattern(digits)
    words = value.split()
    forms = [_JOIN.join(re2.escape(word) for word in words)]
    if len(words) >= 2 and all(word.isalpha() for word in words):
        forms.append(_JOIN.join(re2.escape(word) for word in (words[-1], *words[:-1])))
    if "@" in value and len(words) == 1:  # name+tag@example.org is delivered to name@
        local, _, domain = value.partition("@")
        forms.append(f"{re2.escape(local)}\\+[^@\\s]{{1,40}}@{re2.escape(domain)}")
    # \b only where the value starts or ends with a word character: "+44 ..." has none.
    start = r"\b" if (words[0][0].isalnum() or words[0][0] == "_") else ""
    end = r"\b" if (words[-1][-1].isalnum() or words[-1][-1] == "_") else ""
    return "|".join(f"{start}(?:{form}){end}" for form in forms)


def _number_pattern(digits: str) -> str:
    """A number's digits with any grouping; a UK number (0...) also in its +44 form."""
    body = _DIGIT_JOIN.join(digits[1:])
    first = r"(?:\b0|\+44" + _DIGIT_JOIN + r"(?:\(0\)" + _DIGIT_JOIN + r")?)" \
        if digits[0] == "0" else r"\b" + digits[0]
    return f"{first}{_DIGIT_JOIN}{body}\\b"


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
