"""The one place that decides which waiver (``exceptions`` entry) covers a finding.

Every entry point asks a :class:`WaiverBook`: checks and redactions through the
engine (and so the API and every integration), ``guardrail waivers``, lint and the
policy test tools. A book is built for one policy, one day and optionally one
destination; it answers "which waiver covers rule R on field F" and remembers the
waivers that actually suppressed a finding, so a decision can name them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from guardrail.policy.model import Policy, Waiver
from guardrail.policy.paths import field_matches

__all__ = ["WaiverBook", "waiver_matches"]


def waiver_matches(waiver: Waiver, rule: str, field: str) -> bool:
    """Does *waiver* cover a finding of *rule* on *field* (a pattern like ``people[*].name``)?

    The waiver's field may name the field, its last key, or an enclosing field,
    with or without list indices, and may use globs.
    """
    if waiver.rule is not None and waiver.rule != rule:
        return False
    return waiver.field is None or field_matches((waiver.field,), field)


class WaiverBook:
    """The waivers of one policy as judged on one day.

    :param waivers: the policy's waivers (already narrowed to a destination, if any).
    :param today: the day expiry is judged on (default: today).
    :param enabled: False ignores every waiver (``guardrail check --no-waivers``):
        nothing is covered, and nothing is reported as expired.
    """

    def __init__(self, waivers: Iterable[Waiver], today: _dt.date | None = None, *,
                 enabled: bool = True) -> None:
        self.waivers: tuple[Waiver, ...] = tuple(waivers)
        self.today = today or _dt.date.today()
        self.enabled = enabled
        self._active = [w for w in self.waivers if enabled and w.active_on(self.today)]
        self._by_label = {w.label(): w for w in self.waivers}
        self._cache: dict[tuple[str, str], Waiver | None] = {}
        self._used: set[str] = set()

    @classmethod
    def for_policy(cls, policy: Policy, today: _dt.date | None = None, *,
                   destination: str | None = None, enabled: bool = True) -> WaiverBook:
        """The book of *policy*; with *destination*, only the waivers that apply there."""
        return cls((w for w in policy.waivers
                    if destination is None or not w.destinations
                    or destination in w.destinations), today, enabled=enabled)

    @property
    def active(self) -> tuple[Waiver, ...]:
        """The waivers that still apply (none when the book is disabled)."""
        return tuple(self._active)

    @property
    def expired(self) -> tuple[Waiver, ...]:
        """The waivers whose expiry date has passed."""
        return tuple(w for w in self.waivers if not w.active_on(self.today))

    def days_left(self, waiver: Waiver) -> int:
        """Days from today to *waiver*'s expiry: 0 on its last day, negative once expired."""
        return (waiver.expires - self.today).days

    def covering(self, rule: str, field: str) -> Waiver | None:
        """The first active waiver that covers a finding of *rule* on *field*, if any."""
        key = (rule, field)
        if key not in self._cache:
            self._cache[key] = next(
                (w for w in self._active if waiver_matches(w, rule, field)), None)
        return self._cache[key]

    def label_for(self, rule: str, field: str) -> str | None:
        """The label of :meth:`covering`'s waiver, as findings carry it in ``waived_by``."""
        found = self.covering(rule, field)
        return found.label() if found is not None else None

    def note_suppressed(self, labels: Iterable[str | None]) -> None:
        """Remember the waivers (by label) that suppressed at least one finding."""
        self._used.update(label for label in labels if label in self._by_label)

    @property
    def used(self) -> tuple[Waiver, ...]:
        """The waivers that suppressed a finding, in the policy's order."""
        return tuple(w for w in self.waivers if w.label() in self._used)

    def notices(self) -> list[str]:
        """What a report should say about the waivers themselves."""
        if not self.enabled:
            return [f"every exception is ignored for this check ({len(self.waivers)} "
                    "not applied): findings they would waive block"] if self.waivers else []
        return [f"{w.label()} expired on {w.expires.isoformat()} and no longer applies"
                for w in self.expired]
