"""How often a sweep runs: ``15m``, ``1h30m``, ``90s`` (``--every``)."""

from __future__ import annotations

import re

from guardrail.errors import UsageError

__all__ = ["parse_interval"]

_INTERVAL = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
MAX_INTERVAL = 366 * 24 * 3600  # a year: anything longer is a typo, not a schedule


def parse_interval(text: str) -> float:
    """Seconds in *text*: hours, minutes and seconds in that order, each optional
    (``1h30m``, ``15m``, ``45s``). A bare number is refused: minutes or seconds?

    Raises UsageError for anything else, for an interval of zero (a sweep that
    never waits would hammer the site it watches) and for one over a year.
    """
    cleaned = text.strip().lower()
    shown = text if len(text) <= 40 else text[:37] + "..."
    found = _INTERVAL.fullmatch(cleaned) if cleaned else None
    if found is None or not any(found.groups()):
        raise UsageError(f"--every '{shown}' is not an interval; write hours, minutes and "
                         "seconds such as 15m, 1h30m or 90s")
    if any(len(part.lstrip("0")) > 12 for part in found.groups() if part):
        total = MAX_INTERVAL + 1  # not turned into a number: Python refuses 4300 digits
    else:
        hours, minutes, seconds = (int(part or 0) for part in found.groups())
        total = hours * 3600 + minutes * 60 + seconds
    if total > MAX_INTERVAL:
        raise UsageError(f"--every '{shown}' is over a year; give an interval of at most "
                         "8784h (or sweep from cron)")
    if total <= 0:
        raise UsageError(f"--every '{text}' is zero; give an interval of at least 1s "
                         "(or leave --every out to sweep once, e.g. from cron)")
    return float(total)
