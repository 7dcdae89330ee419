"""What a sweep found that the last sweep of the same target did not.

New is: a finding whose fingerprint (page, field pattern, rule, masked evidence) was
not there last time (or more of them than last time: the later ones are new); a kind
of finding whose exact count rose (more findings than the report lists); a page that
became unreadable. A page that stays unreadable stays an error in every report (it may
hold anything), but only the sweep it became unreadable in exits 3 for it. The result
is a Decision like any other, so every reporter shows it: only the new findings and
counts, but every page, so page counts stay right. The first sweep's report is the whole
decision, with the site's impact list (see guardrail/impact.py).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass

from guardrail.decision import Decision, FileResult, Finding, FindingKind
from guardrail.errors import EXIT_ALLOW, EXIT_BLOCKED, EXIT_INTERNAL, EXIT_PAYLOAD
from guardrail.sweep.identity import PageIds, fingerprint, kind_key
from guardrail.sweep.state import Snapshot

__all__ = ["News", "whats_new", "STILL"]

STILL = "still unreadable, as in the last sweep: "


@dataclass
class News:
    """The new-only decision of a sweep, with the figures its summary line gives."""

    decision: Decision
    new: int  # findings new since the last sweep (exact, from the counts)
    still: int  # findings the last sweep saw too
    unreadable: list[FileResult]  # pages that became unreadable in this sweep
    still_unreadable: int  # still errors in the report, but not news: exit 0 for them
    first: bool  # no earlier sweep of this target: everything is new

    @property
    def newly_unreadable(self) -> int:
        return len(self.unreadable)

    @property
    def exit_code(self) -> int:
        """3 or 4 when a page newly could not be checked, 1 when a new finding would
        block, else 0: a sweep never blocks, but a cron job must see news."""
        kinds = {f.error_kind for f in self.unreadable}
        if kinds:
            return EXIT_INTERNAL if "internal" in kinds else EXIT_PAYLOAD
        return EXIT_BLOCKED if self.decision.blocking_count else EXIT_ALLOW


def _kind_of(finding: Finding) -> FindingKind:
    return FindingKind(finding.file, finding.rule, finding.field_pattern, finding.level,
                       finding.action, finding.waived_by, finding.section)


def _new_findings(findings: list[Finding], last: Snapshot, pages: PageIds) -> list[Finding]:
    """The findings beyond as many of each fingerprint as *last* listed: of two values
    that mask alike, the later one (an appended row) is the new one."""
    seen: dict[str, int] = {}
    fresh = []
    for finding in findings:
        key = fingerprint(finding, pages)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > last.fingerprints.get(key, 0):
            fresh.append(finding)
    return fresh


def _new_counts(full: Decision, last: Snapshot, pages: PageIds,
                findings: list[Finding]) -> dict[FindingKind, int]:
    """How many findings of each kind are new: per kept kind (no section), the rise
    in the exact count, or the new findings listed when more; shared out over the
    decision's kinds (which have sections), listed ones first."""
    listed: dict[FindingKind, int] = {}
    for finding in findings:
        kind = _kind_of(finding)
        listed[kind] = listed.get(kind, 0) + 1
    grouped: dict[str, list[FindingKind]] = {}
    for kind in full.counts:
        grouped.setdefault(kind_key(kind, pages), []).append(kind)
    counts: dict[FindingKind, int] = {}
    for key, kinds in grouped.items():
        total = sum(full.counts[kind] for kind in kinds)
        shown = sum(listed.get(kind, 0) for kind in kinds)
        extra = max(total - last.counts.get(key, 0), shown) - shown
        for kind in kinds:
            own = min(listed.get(kind, 0), full.counts[kind])
            more = min(extra, full.counts[kind] - own)
            extra -= more
            if own + more > 0:
                counts[kind] = own + more
    return counts


_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})?")


def _when(swept_at: str) -> str:
    """The last sweep as the notice names it: its time when the state holds a valid
    one, else words (the state file is not trusted to hold printable text)."""
    if _STAMP.fullmatch(swept_at):
        try:
            _dt.datetime.fromisoformat(swept_at)
            return f"the sweep of {swept_at}"
        except ValueError:
            pass
    return "the last sweep"


def whats_new(full: Decision, last: Snapshot | None, pages: PageIds) -> News:
    """*full* (a whole sweep's decision) cut down to what *last* did not hold; *pages*
    says which page each label of *full* is."""
    total = sum(full.counts.values())
    if last is None:
        news = dataclasses.replace(full, notices=[
            *full.notices, "first sweep of this target: every finding is reported; the "
                           "next sweeps report only what is new"])
        return News(news, total, 0, full.errors, 0, first=True)
    findings = _new_findings(full.findings, last, pages)
    counts = _new_counts(full, last, pages, findings)
    files: list[FileResult] = []
    newly: list[FileResult] = []
    still_unreadable = 0
    for result in full.files:
        if result.error and pages.of(result.file) in last.unreadable:
            # Still an error in the report (it may hold anything), but not news.
            still_unreadable += 1
            result = dataclasses.replace(
                result, error=STILL + (result.error or ""))
        elif result.error:
            newly.append(result)
        files.append(result)
    new = sum(counts.values())
    notices = [*full.notices, f"only what is new since {_when(last.swept_at)}: "
                              f"{total - new} findings seen then are still there"]
    # The impact list is the whole site's: the logged decision keeps it; a report of
    # news alone would read it as the news' own.
    news = dataclasses.replace(full, files=files, findings=findings, counts=counts,
                               notices=notices, impact=None)
    return News(news, new, total - new, newly, still_unreadable, first=False)
