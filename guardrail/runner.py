"""Orchestration in one place: open, detect the format, read, evaluate, call hooks, decide.

Everything that can fail around the pure engine is caught here and turned into
a blocking decision: an unreadable payload blocks with its position, and an
unexpected error blocks with a message that never repeats payload content. A
plugin's fault stops the check instead (see :mod:`guardrail.host.faults`, which the
API runs every check under).
"""

from __future__ import annotations

import datetime as _dt
import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from guardrail.contract.limits import Limits
from guardrail.contract.payload import Payload
from guardrail.contract.progress import Meter, ProgressListener
from guardrail.contract.protocols import Format, ReadOptions
from guardrail.contract.records import Documents
from guardrail.decision import DEFAULT_MAX_FINDINGS, Decision, FileResult
from guardrail.engine import Collector, CompiledPolicy, Evaluation, evaluate
from guardrail.engine.gc_tuning import fewer_collections
from guardrail.engine.impact_sink import ImpactSink
from guardrail.errors import PayloadError, UsageError
from guardrail.host.faults import fault_of
from guardrail.host.registry import Registry, RunContext
from guardrail.policy.model import Policy
from guardrail.policy.schema import did_you_mean
from guardrail.policy.waivers import WaiverBook
from guardrail.sources import (
    Adapted,
    InFolder,
    Records,
    Refused,
    dict_records,
    source_label,
)

__all__ = ["CheckRequest", "run_check", "waiver_book", "resolve_destination", "open_payload",
           "unreadable", "internal_error", "source_label", "MODES"]

MODES = ("enforce", "audit")


@dataclass(frozen=True)
class CheckRequest:
    """One check: which payloads, for which destination, how.

    :param sources: payloads (paths, bytes, streams), or :class:`~guardrail.sources.Records`
        wrappers of in-memory records (see :func:`guardrail.sources.sort_sources`).
    :param jobs: processes for content scanning; more than 1 forks a worker.
    :param tune_gc: collect garbage less often while checking (a process-wide setting:
        the CLI's choice, opt-in for library callers).
    :param waivers: False ignores every waiver: findings a waiver would suppress block.
    :param shown_as: what reports call each source, in place of its own name (still
        screened like a path): a redacted copy is read from a file with no name of
        its own and shown as the output it will become.
    :param digests: record each payload's SHA-256 in its FileResult (a decision log
        asked for it).
    :param progress: called with a :class:`~guardrail.contract.progress.Progress` as
        each file starts, a few times a second while it is read, and when it is done.
    :param impact: read tables row by row and tally the impact (pages and records holding
        personal data, distinct values, by area): slower, for audits after an incident.
    :param area_fields: the fields to group affected records by; area words decide
        when empty (see :mod:`guardrail.impact`).
    """

    sources: Sequence[Any]
    destination: str | None = None
    format: str | None = None
    mode: str = "enforce"
    max_findings: int | None = None
    encoding: str | None = None
    today: _dt.date | None = None
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    tune_gc: bool = False
    shown_as: Sequence[Any] | None = None
    waivers: bool = True
    digests: bool = False
    progress: ProgressListener | None = None
    impact: bool = False
    area_fields: tuple[str, ...] = ()


def resolve_destination(policy: Policy, name: str | None) -> str:
    """The destination to check for: the caller's, else the policy's default."""
    chosen = name or policy.default_destination
    if chosen not in policy.destinations:
        raise UsageError(
            f"policy '{policy.name}' has no destination '{chosen}'"
            f"{did_you_mean(chosen, policy.destinations) or ';'} "
            f"available: {', '.join(policy.destinations)}"
        )
    return chosen


def waiver_book(compiled: CompiledPolicy, request: CheckRequest) -> WaiverBook:
    """The waivers a check or a redaction judges findings against (see policy/waivers.py)."""
    return WaiverBook(compiled.waivers, request.today, enabled=request.waivers)


def run_check(registry: Registry, compiled: CompiledPolicy, request: CheckRequest) -> Decision:
    """Check every source and return one decision for the whole publishing step."""
    if request.mode not in MODES:
        raise UsageError(f"unknown mode '{request.mode}'; expected one of: {', '.join(MODES)}")
    if request.format is not None:
        registry.format(request.format)  # fail early on a typo, before reading anything
    policy = compiled.policy
    collector = Collector(request.max_findings or policy.max_findings or DEFAULT_MAX_FINDINGS)
    sink = ImpactSink(collector, compiled.holds_personal_data, request.area_fields) \
        if request.impact else collector
    evaluation = Evaluation(compiled, sink, today=request.today, jobs=request.jobs,
                            waivers=waiver_book(compiled, request))
    labels = [source_label(compiled, source, n)
              for n, source in enumerate(request.shown_as or request.sources, 1)]
    context = RunContext(policy, compiled.destination.name, request.mode, tuple(labels))
    registry.pm.hook.guardrail_before_check(context=context)
    try:
        with fewer_collections(request.tune_gc):
            files = [_check_one(registry, policy, request, evaluation, source, label,
                                _meter(request, n, len(labels), label))
                     for n, (source, label) in enumerate(zip(request.sources, labels,
                                                             strict=True), 1)]
    finally:
        evaluation.close()
    decision = Decision(
        policy=policy.describe(),
        destination=compiled.destination.name,
        mode=request.mode,
        files=files,
        findings=collector.findings,
        counts=dict(collector.counts),
        notices=evaluation.notices(collector.counts),
        waivers_used=evaluation.waivers_used(collector.counts),
        waivers_ignored=not evaluation.waivers.enabled,
        waivers_expired=evaluation.waivers.expired if evaluation.waivers.enabled else (),
        judged_on=evaluation.today.isoformat(),
        impact=sink.result(files) if isinstance(sink, ImpactSink) else None,
    )
    registry.pm.hook.guardrail_after_check(context=context, decision=decision)
    return decision


def _meter(request: CheckRequest, file: int, files: int, label: str) -> Meter | None:
    return None if request.progress is None else Meter(request.progress, file, files, label)


def _check_one(registry: Registry, policy: Policy, request: CheckRequest,
               evaluation: Evaluation, source: Any, label: str,
               meter: Meter | None = None) -> FileResult:
    """One source's result; *meter* (when someone listens) is told it is done."""
    if meter is None:
        return _check_source(registry, policy, request, evaluation, source, label, None)
    result = _check_source(registry, policy, request, evaluation, source, label, meter)
    meter.records = max(meter.records, result.records)  # records given in memory too
    meter.emit(done=True)
    return result


def _check_source(registry: Registry, policy: Policy, request: CheckRequest,
                  evaluation: Evaluation, source: Any, label: str,
                  meter: Meter | None) -> FileResult:
    if isinstance(source, Records):
        result = FileResult(file=label, format="records")
        try:
            result.records = evaluate(evaluation, result.file,
                                      Documents(dict_records(source.records)))
        except UsageError:
            raise
        except Exception as exc:
            internal_error(result, exc)
        return result
    if isinstance(source, Refused):
        return FileResult(file=label, error=source.reason, error_kind="payload")
    result = FileResult(file=label)
    try:
        options = ReadOptions(records=policy.records, encoding=request.encoding,
                              limits=request.limits)
        if isinstance(source, Adapted):
            name = label
            result.format = source.adapter.name
            sections, section = source.adapter.read(source.obj, options), None
        else:
            payload, fmt = open_payload(registry, request, source, result, meter)
            name = payload.name
            sections, section = fmt.read(payload, options), None
        try:
            for section in sections:
                if meter is not None:
                    section = meter.watch(section)
                result.records += evaluate(evaluation, name, section)
        except BaseException:
            _discard(getattr(section, "rows", getattr(section, "records", None)), sections)
            raise
        if request.digests and not isinstance(source, Adapted):
            result.sha256 = payload.sha256()
    except PayloadError as exc:
        unreadable(result, exc)
    except UsageError:
        raise
    except Exception as exc:
        internal_error(result, exc)
    return result


def _discard(*readers: Any) -> None:
    """Close a reader's generators stopped half-way now, rather than when the garbage
    collector gets to them: Python would print what their clean-up raises, text and
    all. What stopped them is the error reported."""
    for reader in readers:
        close = getattr(reader, "close", None)
        if close is not None:
            try:
                close()
            except BaseException:  # noqa: S110 - the error already raised is what counts
                pass


def open_payload(registry: Registry, request: CheckRequest, source: Any,
                 result: FileResult, meter: Meter | None = None) -> tuple[Payload, Format]:
    """The payload (named as *result* names it) and the format to read it with; *meter*
    learns the payload's size, when known, and counts its bytes as they are read.

    Raises PayloadError for a payload over the size limit or of no known format.
    """
    try:
        payload = Payload(source, name=result.file, encoding=request.encoding,
                          max_bytes=request.limits.max_file_bytes, digest=request.digests,
                          meter=meter)
    except TypeError:
        raise UsageError(f"cannot check {result.file}: pass a path, bytes, a stream or an "
                         "iterable of dict records") from None
    if payload.path is not None:
        _readable(payload.path, payload.name)
    name = request.format or registry.pm.hook.guardrail_detect_format(
        payload=payload, formats=registry.formats)
    if name is None:
        raise PayloadError(
            "cannot tell the format (unknown extension and the content matched no "
            f"format); pass --format with one of: {', '.join(sorted(registry.formats))}"
            + ("; if it is not meant to be checked, leave it out with --exclude GLOB"
               if isinstance(source, InFolder) else ""),
            file=payload.name,
        )
    fmt = registry.format(name)
    result.format = fmt.name
    if meter is not None:
        meter.total_bytes = _size(payload, source)
        meter.emit()
    return payload, fmt


def _readable(path: Any, name: str) -> None:
    """A file this process may not open is unreadable (it blocks, and a folder check
    goes on), not a fault of the format plugin that would have tried."""
    try:
        os.close(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
    except PermissionError:
        raise PayloadError("permission denied: this process may not read the file; fix "
                           "its permissions, or leave it out with --exclude GLOB",
                           file=name) from None
    except OSError:
        pass  # missing files and others: the format reports them as it reads


def _size(payload: Payload, source: Any) -> int | None:
    if payload.path is not None:
        return payload.path.stat().st_size
    return len(source) if isinstance(source, (bytes, bytearray)) else None


def unreadable(result: FileResult, exc: PayloadError) -> None:
    """Record that the payload could not be read, with where, if known."""
    where = f"{exc.position}: " if exc.position else ""
    result.error, result.error_kind = f"{where}{exc.reason}", "payload"


def internal_error(result: FileResult, exc: BaseException, doing: str = "checking",
                   outcome: str = "the payload is blocked") -> None:
    """Record an unexpected error; the exception text may quote payload content, so only
    its type is shown (the traceback with GUARDRAIL_DEBUG=1).

    An error a plugin raised (or the time limit) is not recorded: it stops the check,
    raised as the GuardrailError that names the plugin.
    """
    fault = fault_of(exc)
    if fault is not None:
        raise fault from None
    result.error = (f"internal error ({type(exc).__name__}) while {doing}; {outcome}. Run "
                    "with GUARDRAIL_DEBUG=1 to see the traceback")
    result.error_kind = "internal"
    if os.environ.get("GUARDRAIL_DEBUG"):
        traceback.print_exception(type(exc), exc, exc.__traceback__)


