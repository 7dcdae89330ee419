"""What the name and the values of a field say about it, for ``guardrail init``'s
suggestions when no rule names the field and the detectors found nothing.

Init suggests ``public`` only when both witnesses give a reason: the name does not
read as an identifier nor share a word with a rule that classifies personal data, and
the values are counts, yes/no flags, periods (month names, quarters) or dates that are
all recent. Shape alone cannot tell a few repeated categories (Noise, Litter) from
people's surnames, first names or handles (Smith, Mary, dhughes), so repeated words
are never suggested public: the comment asks the author. Dates that reach more than
:data:`RECENT_YEARS` years back from the sample's own newest date may be dates of
birth, and get no suggestion either (measured from the sample, not from today, so the
same sample always gets the same advice). Values are read only here, in memory, to
judge their shape; none is ever printed.
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
_YEAR_MONTH = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-\d{2})?|-W(?P<w>\d{2}))?"
                         r"|\d{1,2}/(?P<m2>\d{1,2})/(?P<y2>\d{4})")
_PERIOD = re.compile(
    r"(?:(?:\d{4}[ -]?)?q[1-4](?:[ -]?\d{4})?|(?:\d{4}[ -]?)?h[12]|"
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|"
    r"sat(?:urday)?|sun(?:day)?)(?:[ -]\d{4})?", re.IGNORECASE)
_BOOLEAN = frozenset({"yes", "no", "y", "n", "true", "false", "t", "f"})
RECENT_YEARS = 5  # dates all within this many years of the newest may be published
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
        return self.kind in ("date", "count", "boolean", "period")


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
        span = _span_in_months(texts)
        if span is not None and span <= RECENT_YEARS * 12:
            return ValueShape("date", f"its values are dates within {RECENT_YEARS} years "
                              "of the newest")
        return ValueShape("old-date", f"its values are dates reaching more than "
                          f"{RECENT_YEARS} years back from the newest: they may be dates "
                          "of birth")
    if all(_COUNT.fullmatch(t) for t in texts):
        if len(texts) * 2 <= values or all(int(t) < 1000 for t in texts):
            return ValueShape("count", "its values are small or repeated numbers")
        return ValueShape("code", "its values are numbers that rarely repeat (references?)")
    if all(_PERIOD.fullmatch(t.strip()) for t in texts):
        return ValueShape("period", "its values are periods (months, quarters, days)")
    if all(t.strip().lower() in _BOOLEAN for t in texts):
        return ValueShape("boolean", "its values are yes/no flags")
    if any(any(c.isdigit() for c in t) for t in texts):
        return ValueShape("code", "its values hold digits (codes or references)")
    if all(_WORDS.fullmatch(t) for t in texts) and len(texts) <= MAX_CATEGORIES \
            and len(texts) * 3 <= values:
        return ValueShape("category", f"{len(texts)} repeated values: if they are "
                          "categories and not people's names or handles, classify it "
                          "public")
    return ValueShape("mixed", "its values are varied words, neither dates, counts nor "
                      "a few repeated categories")


def _span_in_months(texts: list[str]) -> int | None:
    """Months between the oldest and the newest of the dates *texts* (None: one does
    not read as a date)."""
    months: list[int] = []
    for text in texts:
        found = _YEAR_MONTH.fullmatch(text)
        if found is None:
            return None
        year = int(found["y"] or found["y2"])
        month = found["m"] or found["m2"]
        week = found["w"]
        index = int(month) if month else (int(week) * 12 // 53 + 1 if week else 1)
        months.append(year * 12 + index - 1)
    return max(months) - min(months)
