"""What the name and the values of a field say about it, for ``guardrail init``'s
suggestions when no rule names the field and the detectors found nothing.

Init suggests ``public`` only when both witnesses give a reason: the name does not
read as an identifier nor share a word with a rule that classifies personal data, and
the values are dates, counts, or a few categories that repeat. Values are read only
here, in memory, to judge their shape; none is ever printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ValueShape", "value_shape", "name_words", "is_identifier_name"]

#: Words that make a field name read as a reference to one thing (case_ref, incident_id).
IDENTIFIER_WORDS = frozenset({"id", "ids", "ref", "refs", "reference", "number", "no",
                              "num", "nr", "uuid", "guid", "key"})
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?|\d{1,2}/\d{1,2}/\d{4}|\d{4}-W\d{2}")
_COUNT = re.compile(r"\d{1,9}")
_WORDS = re.compile(r"[^\W\d_]+(?:[ '&/-][^\W\d_]+)*")  # letters, a few words, no digits
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MIN_VALUES = 5  # fewer values than this say nothing about how they repeat
MAX_CATEGORIES = 50
FREE_TEXT_WORDS = 6


@dataclass(frozen=True)
class ValueShape:
    """``kind``: date, count, category, code, text or mixed; ``publishable``: the kind
    gives a reason to publish; ``says``: the reason, as the policy's comment gives it."""

    kind: str
    says: str

    @property
    def publishable(self) -> bool:
        return self.kind in ("date", "count", "category")


def name_words(name: str) -> list[str]:
    """The words of a field name: ``caseRef``, ``case-ref``, ``case_ref`` -> case, ref."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub(" ", name).lower()) if w]


def is_identifier_name(name: str) -> bool:
    """Does *name* read as a reference (``case_ref``, ``incident_id``), not a count
    (``number_of_calls``)?"""
    words = name_words(name)
    return any(w in IDENTIFIER_WORDS and not (w == "number" and words[i + 1:i + 2] == ["of"])
               for i, w in enumerate(words))


def value_shape(distinct: Iterable[str], values: int) -> ValueShape:
    """The shape of a field's values: *distinct* texts (maybe a sample of them) among
    *values* non-empty values."""
    texts = list(distinct)
    if values < MIN_VALUES or not texts:
        return ValueShape("few", f"too few values ({values}) to judge them")
    if any(len(t.split()) >= FREE_TEXT_WORDS or len(t) > 80 for t in texts):
        return ValueShape("text", "its values are free text")
    if all(_DATE.fullmatch(t) for t in texts):
        return ValueShape("date", "its values are dates")
    if all(_COUNT.fullmatch(t) for t in texts):
        if len(texts) * 2 <= values or all(int(t) < 1000 for t in texts):
            return ValueShape("count", "its values are small or repeated numbers")
        return ValueShape("code", "its values are numbers that rarely repeat (references?)")
    if any(any(c.isdigit() for c in t) for t in texts):
        return ValueShape("code", "its values hold digits (codes or references)")
    if all(_WORDS.fullmatch(t) for t in texts) and len(texts) <= MAX_CATEGORIES \
            and len(texts) * 3 <= values:
        return ValueShape("category", f"its values are {len(texts)} categories that repeat")
    return ValueShape("mixed", "its values are varied words, neither dates, counts nor "
                      "a few repeated categories")
