"""Refuse a merged policy with more rules, detectors, terms or pattern text than the limits.

The YAML node limit already bounds the work of loading; these bound what the policy
costs on every payload (each record rule runs on every record, every term joins the
detectors' RE2 set) and keep custom detectors within what RE2 can compile. Each
problem is reported at the piece that passes the limit, and that piece is marked
broken so that no later check compiles it.
"""

from __future__ import annotations

from typing import Any

from .limits import (
    MAX_CUSTOM_DETECTORS,
    MAX_FIELD_RULES,
    MAX_RECORD_RULES,
    MAX_REGEX_CHARS,
    MAX_TERM_CHARS,
    MAX_TERMS,
    MAX_TERMS_PER_DETECTOR,
)
from .merge import Merged
from .problems import Item, Problems

__all__ = ["check_sizes"]

_CHAIN = "counting the policies it extends"


def check_sizes(merged: Merged, report: Problems) -> None:
    """Report every count and length in *merged* that passes its limit."""
    _count(report, merged.fields, MAX_FIELD_RULES, "field rules under 'fields'",
           "group names into one rule's list (name: [a, b, c])")
    _count(report, list(merged.rules.values()), MAX_RECORD_RULES, "record rules under "
           "'rules'", "each runs on every record; combine conditions with || and &&")
    custom: list[Item] = list(merged.detectors.get("custom", {}).values())
    _count(report, custom, MAX_CUSTOM_DETECTORS, "custom detectors", "combine terms of the "
           "same level into one detector")
    total = 0
    for entry in custom:
        if not isinstance(entry.value, dict) or not report.usable(entry):
            continue
        total = _terms(report, entry, total)
        _pattern(report, entry, entry.value.get("regex"), "regex")
        exclude = entry.value.get("exclude")
        if isinstance(exclude, list):
            for index, pattern in enumerate(exclude):
                _pattern(report, entry, pattern, "exclude", index)


def _count(report: Problems, items: list[Item], limit: int, what: str, fix: str) -> None:
    if len(items) > limit:
        first = items[limit]
        report.add(first, f"the policy has {len(items):,} {what} ({_CHAIN}); at most "
                   f"{limit:,} are allowed: {fix}", kind="too-large")
        for item in items[limit:]:
            report.mark_broken(item.doc, [item.path])


def _terms(report: Problems, entry: Item, total: int) -> int:
    """Check one detector's terms and hotwords; the running *total* after it."""
    lists = {key: words for key in ("terms", "hotwords")
             if isinstance(words := entry.value.get(key), list) and report.usable(entry, key)}
    if not lists:
        return total
    count = sum(len(words) for words in lists.values())
    where = next(iter(lists))
    if count > MAX_TERMS_PER_DETECTOR:
        _refuse(report, entry, f"this detector has {count:,} terms and hotwords; at most "
                f"{MAX_TERMS_PER_DETECTOR:,} are allowed per detector: split the list or keep "
                "the terms that matter", where)
        return total
    if total + count > MAX_TERMS:
        _refuse(report, entry, f"the custom detectors have more than {MAX_TERMS:,} terms and "
                f"hotwords together ({_CHAIN}); keep the terms that matter", where)
        return total
    for key, words in lists.items():
        long = [i for i, word in enumerate(words)
                if isinstance(word, str) and len(word) > MAX_TERM_CHARS]
        if long:
            more = f" (and {len(long) - 1:,} more)" if len(long) > 1 else ""
            _refuse(report, entry, f"is {len(words[long[0]]):,} characters long{more}; a term "
                    f"or hotword may have at most {MAX_TERM_CHARS}: a name or a short phrase",
                    key, long[0])
    return total + count


def _pattern(report: Problems, entry: Item, pattern: Any, *sub: Any) -> None:
    if isinstance(pattern, str) and len(pattern) > MAX_REGEX_CHARS and \
            report.usable(entry, *sub):
        _refuse(report, entry, f"the pattern is {len(pattern):,} characters long; at most "
                f"{MAX_REGEX_CHARS:,} are allowed", *sub)


def _refuse(report: Problems, entry: Item, message: str, *sub: Any) -> None:
    report.add(entry, message, *sub, kind="too-large")
    report.mark_broken(entry.doc, [entry.path + sub[:1]])
