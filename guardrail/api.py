"""The Python API: ``Guardrail.from_policy(...).check(...)`` inside any export job."""

from __future__ import annotations

import datetime as _dt
import os
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from guardrail.contract.limits import Limits
from guardrail.contract.progress import ProgressListener
from guardrail.contract.protocols import ReportOptions
from guardrail.decision import Decision, PublishBlocked, TextMatch
from guardrail.engine.compiled import CompiledPolicy
from guardrail.host.faults import guarded
from guardrail.host.registry import Registry, load_registry
from guardrail.ledger import DecisionLog, log_of, record_decision
from guardrail.masking import mask_value
from guardrail.policy.load import load_policy
from guardrail.policy.model import Policy
from guardrail.redact.redactor import HASH_KEY_ENV
from guardrail.redact.run import RedactionResult, run_redact
from guardrail.runner import CheckRequest, resolve_destination, run_check
from guardrail.sources import sort_sources
from guardrail.tree import expand_folders, holds_folder

__all__ = ["Guardrail"]


class Guardrail:
    """A loaded, validated policy plus the installed plugins, ready to check payloads.

    Build one per policy and reuse it: the policy is compiled once per destination
    (classification, record rules, detectors) and reused by every check, so a server
    checking thousands of payloads pays for it once. Safe to share between threads.

    Plugins run guarded: whatever one raises (``SystemExit`` and ``KeyboardInterrupt``
    too), or a check that outlasts ``limits.max_seconds``, raises
    :class:`~guardrail.PluginFault` naming the plugin (or, when no plugin was running
    out of time, :class:`~guardrail.PayloadError`); no decision is returned. The
    user's own Ctrl-C is re-raised as the ``KeyboardInterrupt`` it is.
    """

    def __init__(self, policy: Policy, registry: Registry) -> None:
        self.policy = policy
        self.registry = registry
        self._compiled: dict[str, CompiledPolicy] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_policy(cls, name_or_path: str | os.PathLike[str],
                    registry: Registry | None = None) -> Guardrail:
        """Load a shipped policy by name (``asb-public-web``) or a policy file by path.

        Raises :class:`~guardrail.PolicyError` listing every problem with file:line:col.
        """
        registry = registry or load_registry()
        policy = load_policy(str(name_or_path), registry.policy_path,
                             extra_rule_ids=frozenset(registry.detectors))
        return cls(policy, registry)

    def compiled(self, destination: str | None = None) -> CompiledPolicy:
        """The policy compiled for *destination* (the policy's default when None)."""
        name = resolve_destination(self.policy, destination)
        found = self._compiled.get(name)
        if found is None:
            with self._lock:
                found = self._compiled.get(name)
                if found is None:
                    found = self._compiled[name] = CompiledPolicy.build(
                        self.policy, name, self.registry.detectors)
        return found

    def check(self, source: Any, format: str | None = None, destination: str | None = None,
              *, mode: str = "enforce", max_findings: int | None = None,
              encoding: str | None = None, today: _dt.date | None = None,
              jobs: int = 1, limits: Limits | None = None,
              tune_gc: bool = False, waivers: bool = True,
              log: str | os.PathLike[str] | DecisionLog | bool | None = None,
              progress: ProgressListener | None = None, impact: bool = False,
              area_fields: Sequence[str] = ()) -> Decision:
        """Check one payload, or several checked as one publication.

        :param source: a path (``str`` or ``os.PathLike``; ``"-"`` for stdin), bytes, a
            binary or text stream, an iterable of dict records, an object an installed
            adapter plugin reads (a pandas or polars DataFrame with
            ``guardrail[dataframes]``), or a list/tuple of paths, bytes, streams or such
            objects. Anything else (a NumPy array, a single dict, an iterable of
            non-dicts) raises :class:`~guardrail.UsageError`.
        :param format: format name; detected from extension and content when None.
        :param destination: where the payload is going; the policy's default when None.
        :param mode: ``enforce`` or ``audit`` (same checks, reported as a dry run).
        :param jobs: processes for content scanning of large tables; 2 forks a second
            process. Keep 1 (the default) inside servers that must not fork.
        :param tune_gc: collect garbage less often during the check (a process-wide
            setting, faster on large payloads; off by default for embedding).
        :param waivers: False ignores every exception in the policy: findings a waiver
            would suppress block (``guardrail check --no-waivers``).
        :param log: append the decision to a decision log: a path or a
            :class:`~guardrail.ledger.DecisionLog`; None uses ``GUARDRAIL_LOG`` when it
            is set (and not ``off``); False never logs; True uses the default place.
        :param progress: called with a :class:`~guardrail.contract.progress.Progress`
            (file i of n, its screened label, bytes read of its size, records) as each
            file is read, a few times a second at most; None costs nothing.
        :param impact: also tally :attr:`Decision.impact` (pages and records that held
            personal data, distinct values, records by area): every finding is read
            record by record, so it is slower; for audits after an incident.
        :param area_fields: fields to group affected records by (the first present);
            a field named like an area (ward, district, ...) when empty.

        A folder is checked file by file, every file in its tree but hidden ones (see
        :mod:`guardrail.tree`; for include/exclude globs pass
        ``guardrail.tree.expand_folders(folder, Selection(...)).sources``).

        Raises :class:`~guardrail.PluginFault` when a plugin fails or overruns, and
        :class:`~guardrail.ledger.LogError` (carrying the decision) when an enforce
        check cannot be logged.
        """
        if holds_folder(source):
            source = expand_folders(source).sources
        sources = sort_sources(source, self.registry.adapter_for)
        ledger = log_of(log)
        request = CheckRequest(sources, destination, format, mode, max_findings, encoding,
                               today, jobs, limits or Limits(), tune_gc, waivers=waivers,
                               digests=ledger is not None, progress=progress,
                               impact=impact, area_fields=tuple(area_fields))
        decision = guarded(self.registry, request.limits,
                           lambda: run_check(self.registry, self.compiled(destination),
                                             request))
        if ledger is not None:
            record_decision(decision, ledger, self.registry.pm)
        return decision

    def scan_text(self, text: str, destination: str | None = None, *,
                  field: str = "") -> list[TextMatch]:
        """What the policy's detectors find in one string that *destination* may not
        receive, in order: for masking free text in place (a log line, a message).

        The same detectors, thresholds, allow list and reading (invisible characters
        between letters read as the word they spell) a check applies to a value of
        *field*; field rules, which judge records, do not apply. Overlapping matches
        are all returned.
        """
        scanner = self.compiled(destination).scanner
        fields = scanner.for_field(field) if scanner is not None else None
        if fields is None or not text:
            return []
        return [TextMatch(hit.rule, hit.level, hit.start, hit.end,
                          hit.evidence if hit.evidence is not None
                          else mask_value(text[hit.start:hit.end]))
                for hit in sorted(fields.scan(text), key=lambda hit: (hit.start, hit.end))]

    def redact(self, source: Any, output: str | os.PathLike[str], format: str | None = None,
               destination: str | None = None, *, hash_key: bytes | str | None = None,
               encoding: str | None = None, today: _dt.date | None = None,
               max_findings: int | None = None, limits: Limits | None = None,
               tune_gc: bool = False, waivers: bool = True,
               log: str | os.PathLike[str] | DecisionLog | bool | None = None,
               progress: ProgressListener | None = None) -> RedactionResult:
        """Write a copy of *source* to *output* with what the destination may not receive
        replaced by the policy's action for its level (redact, mask, hash, drop).

        Writes nothing when an action is ``block``, the payload cannot be read, or the
        copy would still fail the policy; the output file is replaced atomically.

        :param hash_key: secret for the ``hash`` action (default: the
            ``GUARDRAIL_HASH_KEY`` environment variable).
        :param waivers: False ignores every exception: what a waiver would leave as it
            is gets the action for its level.
        :param log: as for :meth:`check`; the decision on the payload (with the action
            taken for each finding) is logged.
        :param progress: as for :meth:`check`, for the reading of *source*.

        Raises :class:`~guardrail.PluginFault` when a plugin fails or overruns; nothing
        is written then.
        """
        if hash_key is None:
            hash_key = os.environ.get(HASH_KEY_ENV)
        key = hash_key.encode("utf-8") if isinstance(hash_key, str) else hash_key
        ledger = log_of(log)
        request = CheckRequest(sort_sources(source), destination, format, "enforce",
                               max_findings, encoding, today, limits=limits or Limits(),
                               tune_gc=tune_gc, waivers=waivers, digests=ledger is not None,
                               progress=progress)
        result = guarded(self.registry, request.limits,
                         lambda: run_redact(self.registry, self.compiled(destination),
                                            request, output, key))
        if ledger is not None:
            record_decision(result.decision, ledger, self.registry.pm)
        return result

    def render(self, decision: Decision, out: TextIO, report: str = "text", *,
               color: bool = False, limits: Limits | None = None) -> None:
        """Write *decision* to *out* with the reporter named *report*, guarded as a check
        is: a reporter that fails raises :class:`~guardrail.PluginFault`."""
        reporter = self.registry.reporter(report)
        guarded(self.registry, limits or Limits(),
                lambda: reporter.render(decision, out, ReportOptions(color=color)))

    def enforce(self, source: Any, format: str | None = None,
                destination: str | None = None, **options: Any) -> Decision:
        """Like :meth:`check`, but raise :class:`~guardrail.PublishBlocked` unless allowed."""
        decision = self.check(source, format, destination, **options)
        if not decision.allowed:
            raise PublishBlocked(decision)
        return decision
