"""One sweep: gather the target's pages, check them all as one audit decision, log it,
and say what is new since the last sweep of the same target.

The new snapshot is saved only when the caller commits it (:meth:`SweepResult.commit`),
after the report of what is new was delivered: a report that could not be written
leaves the news to the next sweep instead of losing it."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from guardrail.api import Guardrail
from guardrail.contract.limits import Limits
from guardrail.contract.payload import Payload
from guardrail.decision import Decision
from guardrail.engine import CompiledPolicy
from guardrail.errors import UsageError
from guardrail.host.faults import guarded
from guardrail.ledger import DecisionLog, LogEntry, log_of, record_decision
from guardrail.runner import CheckRequest, resolve_destination, run_check
from guardrail.sources import Refused, source_label
from guardrail.sweep.crawl import Crawl, Page, crawl, is_url, normalise
from guardrail.sweep.identity import PageIds
from guardrail.sweep.news import News, whats_new
from guardrail.sweep.state import Snapshot, SweepState, snapshot_of, target_key
from guardrail.tree import Selection, expand_folders

__all__ = ["SweepOptions", "SweepResult", "sweep_once", "DEFAULT_MAX_PAGES",
           "DEFAULT_SWEEP_FINDINGS"]

DEFAULT_MAX_PAGES = 500
# Findings listed per rule: what is new is judged on the listed findings' fingerprints
# (and on exact counts), so a sweep lists more than a check's report does.
DEFAULT_SWEEP_FINDINGS = 1000
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,80}")


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
    """A sweep's whole decision (as logged), what is new in it, and its log entry.

    The state still holds the last sweep's snapshot: :meth:`commit` saves this one,
    once what is new has been reported."""

    decision: Decision
    news: News
    entry: LogEntry | None
    _state: SweepState = field(repr=False)
    _series: str = field(repr=False)
    _snapshot: Snapshot = field(repr=False)
    committed: bool = False

    @property
    def pages(self) -> int:
        return len(self.decision.files)

    @property
    def exit_code(self) -> int:
        return self.news.exit_code

    def commit(self) -> None:
        """Save this sweep's snapshot for the next to compare with (once).

        Raises StateError when the state cannot be written."""
        if not self.committed:
            self._state.save(self._series, self._snapshot)
            self.committed = True


def sweep_once(guard: Guardrail, target: str, options: SweepOptions,
               state: SweepState) -> SweepResult:
    """Check every page of *target* (a folder, or an http(s) start URL) in audit mode,
    log the decision, and compare it with the last sweep's snapshot in *state*. The
    state is not changed (but for its key, made on first use) until the result is
    committed.

    Raises UsageError for a target that is neither, PluginFault as a check does, and
    StateError when the state cannot be read.
    """
    destination = resolve_destination(guard.policy, options.destination)
    ledger = log_of(options.log)
    with tempfile.TemporaryDirectory(prefix="guardrail-sweep-") as folder:
        gathered = _gather(guard, target, options, folder, destination)
        sources, shown_as, notices, key, identities = gathered
        request = CheckRequest(sources, destination, None, "audit",
                               options.max_findings or DEFAULT_SWEEP_FINDINGS,
                               limits=options.limits, shown_as=shown_as,
                               digests=ledger is not None, impact=True)
        decision = guarded(guard.registry, request.limits,
                           lambda: run_check(guard.registry, guard.compiled(destination),
                                             request))
    decision.notices.extend(notices)
    keyed = state.keyed()
    pages = PageIds(keyed, decision, identities)
    series = target_key(keyed, key, guard.policy.name or "", destination)
    news = whats_new(decision, state.last(series), pages)
    entry = record_decision(decision, ledger, guard.registry.pm) if ledger else None
    return SweepResult(decision, news, entry, state, series, snapshot_of(decision, pages))


def _gather(guard: Guardrail, target: str, options: SweepOptions, folder: str,
            destination: str) -> tuple[list[Any], list[Any] | None, list[str], str, list[str]]:
    """The sources to check, what reports call them (None: their own paths), notices
    about what was left alone, the target as its series of sweeps knows it, and what
    each source really is (its URL, or its path under the folder)."""
    if not is_url(target):
        if not os.path.isdir(target):
            shown = source_label(guard.compiled(destination), target, 1)
            raise UsageError(f"{shown} is neither a folder nor an http(s) URL: give the "
                             "folder of published pages or the site's start URL")
        scan = expand_folders(target, options.selection)
        identities = [os.path.relpath(_path_of(source), target) for source in scan.sources]
        return scan.sources, None, [], os.path.realpath(target), identities
    if options.selection != Selection():
        raise UsageError("--include, --exclude and --hidden choose files in a folder; a "
                         "site is swept from its start URL: drop them")
    extensions = frozenset(ext for fmt in guard.registry.formats.values()
                           for ext in fmt.extensions)
    found = crawl(target, folder, extensions=extensions, max_pages=options.max_pages,
                  max_bytes=options.limits.max_file_bytes, timeout=options.timeout)
    compiled = guard.compiled(destination)
    sources: list[Any] = [_source_of(guard, compiled, page) for page in found.pages]
    # A URL is named decoded (a name hidden as %20 is screened as the words it spells),
    # and screened like any path before a report shows it.
    labels: list[Any] = [unquote(page.url) for page in found.pages]
    return (sources, labels, _crawl_notices(found, options.max_pages), normalise(target),
            [page.url for page in found.pages])


def _source_of(guard: Guardrail, compiled: CompiledPolicy, page: Page) -> Any:
    """What the check reads for *page*: its file, or why it is unreadable. A body of no
    known extension is told by its content; one no format reads is unreadable, never
    left out (a PDF or a Word document may hold anything)."""
    if page.path is None:
        return Refused(page.error or "could not be fetched")
    if os.path.splitext(page.path)[1]:
        return page.path
    found = guard.registry.pm.hook.guardrail_detect_format(
        payload=Payload(page.path, name="page"), formats=guard.registry.formats)
    if found is not None:
        return page.path
    kind = page.content_type
    shown = f"of type {kind}" if _MEDIA_TYPE.fullmatch(kind) \
        and not compiled.holds_personal_data(kind) else "of a type"
    return Refused(f"the server sent a document {shown} that no installed format reads; "
                   "a page a sweep cannot read may hold anything")


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
        notices.append(f"{found.skipped} links to images, stylesheets, scripts, fonts "
                       "or media were not fetched")
    return notices


def _path_of(source: Any) -> str:
    """Where a source of a folder scan is: a file, or a refused one (a folder it may
    not list, a symlink out of the tree) by the name it was refused under."""
    if isinstance(source, Refused):
        return source.name or ""
    return os.fspath(source)
