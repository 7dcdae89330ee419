"""How often a sweep runs: ``15m``, ``1h30m``, ``90s`` (``--every``)."""

from __future__ import annotations

import re

from guardrail.errors import UsageError

__all__ = ["parse_interval"]

_INTERVAL = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_interval(text: str) -> float:
    """Seconds in *text*: hours, minutes and seconds in that order, each optional
    (``1h30m``, ``15m``, ``45s``). A bare number is refused: minutes or seconds?

    Raises UsageError for anything else, and for an interval of zero (a sweep that
    never waits would hammer the site it watches).
    """
    cleaned = text.strip().lower()
    found = _INTERVAL.fullmatch(cleaned) if cleaned else None
    if found is None or not any(found.groups()):
        raise UsageError(f"--every '{text}' is not an interval; write hours, minutes and "
                         "seconds such as 15m, 1h30m or 90s")
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise UsageError(f"--every '{text}' is zero; give an interval of at least 1s "
                         "(or leave --every out to sweep once, e.g. from cron)")
    return float(total)
