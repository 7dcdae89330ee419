"""Dates of birth: a date whose field name or neighbouring words say birth, DOB, born or aged.

Incident dates, report dates and months are dates too; without that context they
are not reported, which is what keeps police.uk-style data publishable.
"""

from __future__ import annotations

import datetime as _dt
import re

from guardrail.plugin import Span

from .base import PatternDetector, window_around

__all__ = ["DateOfBirthDetector", "parse_date"]

# A month as written: its name or its three-letter abbreviation (and "Sept").
_MONTH_WORDS = {word: i for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1) for word in (name, name[:3])} | {"sept": 9}
# Strong context names a birth; weak context ("aged 34", "birthday") often sits next to
# the date of an incident, so it only counts for dates at least ten years back.
_STRONG = re.compile(r"\b(?:d\.?\s?o\.?\s?b|born|birth|dob)\b|date of birth|\bb\. ")
_WEAK = re.compile(r"\b(?:aged|birthday|age)\b")
_FIELD_CONTEXT = re.compile(r"(?:dob|birth|born|bday)")
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_WORDY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ /-](?:of )?([A-Za-z]{3,9})\.?,?[ /-](\d{2,4})$")
_WORDY_US = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year > _dt.date.today().year % 100 else 2000
    return year


def parse_date(text: str, us_order: bool = False) -> _dt.date | None:
    """Parse the day-first UK shapes (and ISO) that people write; None if not a real date.

    With *us_order*, a numeric date that is no date day first (03/25/1990) is read month
    first; an ambiguous one (03/04/1990) keeps the UK reading.
    """
    try:
        if m := _NUMERIC.match(text):
            a, b, c = m.groups()
            if len(a) == 4:
                return _dt.date(int(a), int(b), int(c))
            if us_order and int(b) > 12 >= int(a):
                return _dt.date(_year(c), int(a), int(b))
            return _dt.date(_year(c), int(b), int(a))
        if m := _WORDY.match(text):
            month = _MONTH_WORDS.get(m.group(2).lower())
            return _dt.date(_year(m.group(3)), month, int(m.group(1))) if month else None
        if m := _WORDY_US.match(text):
            month = _MONTH_WORDS.get(m.group(1).lower())
            return _dt.date(int(m.group(3)), month, int(m.group(2))) if month else None
    except ValueError:
        return None
    return None


class DateOfBirthDetector(PatternDetector):
    id = "uk.date_of_birth"
    confidence = 0.9
    description = "Dates of birth (a date with birth/DOB/born/aged context)"
    pattern = (
        r"\b(?:[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}|[0-9]{2})"
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
        r"|[0-9]{1,2}(?:st|nd|rd|th)?[ /-](?:of )?"
        r"(?:[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug"
        r"|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec)[a-z]*\.?,?[ /-](?:[0-9]{4}|[0-9]{2})"
        r"|(?:[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec)"
        r"[a-z]*\.? [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4})\b"
    )

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        # "DOB 03/25/1990" is how US forms and test data write it: a date that is none
        # day first is read month first (a birth cue is still required below).
        day = parse_date(match.group(0), us_order=True)
        if day is None or not (1900 <= day.year <= _dt.date.today().year):
            return None
        key = re.sub(r"[^a-z]", "", field.lower()) if field else ""
        window = window_around(text, match.start(), match.end(), 30)
        strong = bool(key and _FIELD_CONTEXT.search(key)) or _STRONG.search(window) is not None
        if not strong:
            ten_years_ago = _dt.date.today().year - 10
            if day.year > ten_years_ago or _WEAK.search(window) is None:
                return None
        return self.span(match, evidence=f"**/**/{day.year // 10}*")
