"""``guardrail waivers``: every exception of one or more policies, and when it runs out.

Each policy is loaded as every command loads it, ``extends`` resolved, so waivers a
policy inherits are listed with the file and line of the policy that wrote them.
Expiry is judged by the shared :class:`~guardrail.policy.waivers.WaiverBook`.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import PolicyError
from ..policy.load import PolicyLookup, load_policy
from ..policy.model import Waiver
from ..policy.waivers import WaiverBook

__all__ = ["PolicyWaivers", "WaiverRow", "collect", "exit_code", "render_text",
           "render_json", "SOON_DAYS"]

EXIT_OK, EXIT_EXPIRED, EXIT_UNREADABLE = 0, 1, 2
SOON_DAYS = 30  # as lint's waiver-expiring warning
_HEADERS = ("POLICY", "SCOPE", "APPROVED BY", "EXPIRES", "STATUS", "FROM")


@dataclass(frozen=True)
class WaiverRow:
    """One exception as the table shows it."""

    waiver: Waiver
    days_left: int
    inherited: bool

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def scope(self) -> str:
        parts = [f"rule {self.waiver.rule}" if self.waiver.rule else "",
                 f"field {self.waiver.field}" if self.waiver.field else ""]
        text = " and ".join(part for part in parts if part)
        if self.waiver.destinations:
            text += f" for {', '.join(self.waiver.destinations)}"
        return text

    @property
    def status(self) -> str:
        days = self.days_left
        if days < 0:
            return f"expired {-days} day{'s' if days != -1 else ''} ago"
        if days == 0:
            return "expires today"
        return f"{days} day{'s' if days != 1 else ''} left"


@dataclass
class PolicyWaivers:
    """The exceptions of one policy, or why it could not be read."""

    name: str
    file: str = ""
    rows: list[WaiverRow] = field(default_factory=list)
    error: str | None = None


def collect(policies: Sequence[str], lookup: PolicyLookup, *,
            extra_rule_ids: frozenset[str] = frozenset(),
            today: _dt.date | None = None) -> list[PolicyWaivers]:
    """Load each policy (a shipped name or a path) and list its exceptions as on *today*."""
    out = []
    for name in policies:
        try:
            policy = load_policy(name, lookup, extra_rule_ids=extra_rule_ids)
        except PolicyError as exc:
            out.append(PolicyWaivers(name, error=str(exc)))
            continue
        book = WaiverBook.for_policy(policy, today)
        rows = [WaiverRow(w, book.days_left(w), not w.origin.startswith(f"{policy.file}:"))
                for w in book.waivers]
        out.append(PolicyWaivers(policy.name, policy.file, rows))
    return out


def exit_code(found: Sequence[PolicyWaivers]) -> int:
    """2 when a policy could not be read, 1 when any exception has expired, else 0."""
    if any(p.error for p in found):
        return EXIT_UNREADABLE
    return EXIT_EXPIRED if any(r.expired for p in found for r in p.rows) else EXIT_OK


def render_text(found: Sequence[PolicyWaivers], today: _dt.date) -> str:
    """An aligned table, the reason of each exception on the line below it, and a total."""
    table = [_HEADERS]
    reasons = []
    for policy in found:
        for row in policy.rows:
            origin = row.waiver.origin + (" (inherited)" if row.inherited else "")
            table.append((policy.name, row.scope, row.waiver.approved_by,
                          row.waiver.expires.isoformat(), row.status, origin))
            reasons.append(" ".join(row.waiver.reason.split()) or "(none given)")
    lines = []
    if len(table) > 1:
        widths = [max(len(cells[i]) for cells in table) for i in range(len(_HEADERS) - 1)]
        for n, cells in enumerate(table):
            padded = [c.ljust(w) for c, w in zip(cells[:-1], widths, strict=True)]
            lines.append("  ".join([*padded, cells[-1]]).rstrip())
            if n:
                lines.append(f"    reason: {reasons[n - 1]}")
    for policy in found:
        if policy.error:
            lines.append(f"{policy.name}: error: cannot read the policy: {policy.error}")
    lines.append(_summary(found, today))
    return "\n".join(lines) + "\n"


def _summary(found: Sequence[PolicyWaivers], today: _dt.date) -> str:
    rows = [r for p in found for r in p.rows]
    read = [p for p in found if not p.error]
    expired = sum(r.expired for r in rows)
    soon = sum(0 <= r.days_left <= SOON_DAYS for r in rows)
    text = (f"{len(rows)} exception{'s' if len(rows) != 1 else ''} in {len(read)} "
            f"polic{'ies' if len(read) != 1 else 'y'} as on {today.isoformat()}: "
            f"{expired} expired, {soon} expire{'s' if soon == 1 else ''} within {SOON_DAYS} days")
    if expired:
        text += ("\nan expired exception waives nothing: renew it (a new 'expires' date and "
                 "approval) or remove it and fix what it waived")
    return text


def render_json(found: Sequence[PolicyWaivers], today: _dt.date) -> str:
    """The same as the table, for machines."""
    data: dict[str, Any] = {
        "today": today.isoformat(),
        "policies": [
            {"name": p.name, "file": p.file, "error": p.error} if p.error else
            {"name": p.name, "file": p.file, "waivers": [
                {"rule": r.waiver.rule, "field": r.waiver.field,
                 "destinations": list(r.waiver.destinations),
                 "approved_by": r.waiver.approved_by, "reason": r.waiver.reason,
                 "expires": r.waiver.expires.isoformat(), "days_left": r.days_left,
                 "expired": r.expired, "origin": r.waiver.origin,
                 "inherited": r.inherited, "label": r.waiver.label()}
                for r in p.rows]}
            for p in found],
    }
    return json.dumps(data, indent=2) + "\n"
