"""One sweep: gather the target's pages, check them all as one audit decision, log it,
and say what is new since the last sweep of the same target."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from guardrail.api import Guardrail
from guardrail.contract.limits import Limits
from guardrail.decision import Decision
from guardrail.errors import UsageError
from guardrail.host.faults import guarded
from guardrail.ledger import DecisionLog, LogEntry, log_of, record_decision
from guardrail.runner import CheckRequest, resolve_destination, run_check
from guardrail.sources import Refused
from guardrail.sweep.crawl import Crawl, crawl, is_url, normalise
from guardrail.sweep.news import News, whats_new
from guardrail.sweep.state import SweepState, snapshot_of, target_key
from guardrail.tree import Selection, expand_folders

__all__ = ["SweepOptions", "SweepResult", "sweep_once", "DEFAULT_MAX_PAGES",
           "DEFAULT_SWEEP_FINDINGS"]

DEFAULT_MAX_PAGES = 500
# Findings listed per rule: what is new is judged on the listed findings' fingerprints
# (and on exact counts), so a sweep lists more than a check's report does.
DEFAULT_SWEEP_FINDINGS = 1000


@dataclass(frozen=True)
class SweepOptions:
    """How to sweep: the check's settings, and the crawl's bounds for a URL target."""

    destination: str | None = None
    max_findings: int | None = None
    selection: Selection = field(default_factory=Selection)
    max_pages: int = DEFAULT_MAX_PAGES
    timeout: float = 30.0
    limits: Limits = field(default_factory=Limits)
    log: str | os.PathLike[str] | DecisionLog | bool | None = None


@dataclass
class SweepResult:
    """A sweep's whole decision (as logged), what is new in it, and its log entry."""

    decision: Decision
    news: News
    entry: LogEntry | None

    @property
    def pages(self) -> int:
        return len(self.decision.files)

    @property
    def exit_code(self) -> int:
        return self.news.exit_code


def sweep_once(guard: Guardrail, target: str, options: SweepOptions,
               state: SweepState) -> SweepResult:
    """Check every page of *target* (a folder, or an http(s) start URL) in audit mode,
    log the decision, and compare it with the last sweep's snapshot in *state*, which
    it then replaces.

    Raises UsageError for a target that is neither, PluginFault as a check does, and
    StateError when the state cannot be read or written.
    """
    destination = resolve_destination(guard.policy, options.destination)
    ledger = log_of(options.log)
    with tempfile.TemporaryDirectory(prefix="guardrail-sweep-") as folder:
        sources, shown_as, notices, key = _gather(guard, target, options, folder)
        request = CheckRequest(sources, destination, None, "audit",
                               options.max_findings or DEFAULT_SWEEP_FINDINGS,
                               limits=options.limits, shown_as=shown_as,
                               digests=ledger is not None, impact=True)
        decision = guarded(guard.registry, request.limits,
                           lambda: run_check(guard.registry, guard.compiled(destination),
                                             request))
    decision.notices.extend(notices)
    entry = record_decision(decision, ledger, guard.registry.pm) if ledger else None
    series = target_key(key, guard.policy.name or "", destination)
    news = whats_new(decision, state.last(series))
    state.save(series, snapshot_of(decision))
    return SweepResult(decision, news, entry)


def _gather(guard: Guardrail, target: str, options: SweepOptions, folder: str
            ) -> tuple[list[Any], list[Any] | None, list[str], str]:
    """The sources to check, what reports call them (None: their own paths), notices
    about what was left alone, and the target as its series of sweeps knows it."""
    if not is_url(target):
        if not os.path.isdir(target):
            raise UsageError(f"{target} is neither a folder nor an http(s) URL: give the "
                             "folder of published pages or the site's start URL")
        scan = expand_folders(target, options.selection)
        return scan.sources, None, [], os.path.realpath(target)
    if options.selection != Selection():
        raise UsageError("--include, --exclude and --hidden choose files in a folder; a "
                         "site is swept from its start URL: drop them")
    extensions = frozenset(ext for fmt in guard.registry.formats.values()
                           for ext in fmt.extensions)
    found = crawl(target, folder, extensions=extensions, max_pages=options.max_pages,
                  max_bytes=options.limits.max_file_bytes, timeout=options.timeout)
    sources: list[Any] = [page.path if page.path is not None
                          else Refused(page.error or "could not be fetched")
                          for page in found.pages]
    # A URL is named decoded (a name hidden as %20 is screened as the words it spells),
    # and screened like any path before a report shows it.
    labels: list[Any] = [unquote(page.url) for page in found.pages]
    return sources, labels, _crawl_notices(found, options.max_pages), normalise(target)


def _crawl_notices(found: Crawl, max_pages: int) -> list[str]:
    notices = []
    if found.not_fetched:
        notices.append(f"stopped at --max-pages {max_pages}: {found.not_fetched} more "
                       "links found were not fetched, nor what they link to; raise "
                       "--max-pages to sweep the whole site")
    if found.elsewhere:
        notices.append(f"{found.elsewhere} links to other sites were not followed (a "
                       "sweep stays on the start URL's scheme, host and port)")
    if found.skipped:
        notices.append(f"{found.skipped} links to files no installed format reads "
                       "(images, stylesheets, scripts, ...) were not fetched")
    return notices
