"""Orchestration in one place: detect format, read, evaluate, call listeners, decide.

Everything that can fail around the pure engine is caught here and turned into
a blocking decision: an unreadable payload blocks with its position, and an
unexpected error blocks with a message that never repeats payload content.
"""

from __future__ import annotations

import datetime as _dt
import os
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guardrail.decision import DEFAULT_MAX_FINDINGS, Collector, Decision, FileResult
from guardrail.engine.evaluator import Evaluator
from guardrail.errors import PayloadError, UsageError
from guardrail.engine.gc_tuning import fewer_collections
from guardrail.contract.protocols import Format, Limits, ReadOptions
from guardrail.contract.payload import Payload
from guardrail.policy.classify import Classifier
from guardrail.policy.model import Policy
from guardrail.policy.schema import did_you_mean
from guardrail.contract.records import Documents
from guardrail.host.registry import Registry, RunContext
from guardrail.engine.scanning import select_detectors

__all__ = ["CheckRequest", "run_check", "resolve_destination", "open_payload", "unreadable",
           "internal_error", "MODES"]

MODES = ("enforce", "audit")


@dataclass(frozen=True)
class CheckRequest:
    """One check: which payloads, for which destination, how."""

    sources: Sequence[Any]
    destination: str | None = None
    format: str | None = None
    mode: str = "enforce"
    max_findings: int | None = None
    encoding: str | None = None
    today: _dt.date | None = None
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)


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


def run_check(registry: Registry, policy: Policy, request: CheckRequest,
              classifier: Classifier | None = None) -> Decision:
    """Check every source and return one decision for the whole publishing step."""
    if request.mode not in MODES:
        raise UsageError(f"unknown mode '{request.mode}'; expected one of: {', '.join(MODES)}")
    destination = policy.destinations[resolve_destination(policy, request.destination)]
    if request.format is not None:
        registry.format(request.format)  # fail early on a typo, before reading anything
    max_findings = request.max_findings or policy.max_findings or DEFAULT_MAX_FINDINGS
    collector = Collector(max_findings)
    evaluator = Evaluator(policy, destination, collector, today=request.today,
                          detectors=select_detectors(policy, registry.detectors),
                          classifier=classifier, jobs=request.jobs)
    context = RunContext(policy, destination.name, request.mode,
                         tuple(_label(s) for s in request.sources))
    registry.pm.hook.guardrail_before_check(context=context)
    try:
        with fewer_collections():
            files = [_check_one(registry, policy, request, evaluator, source)
                     for source in request.sources]
    finally:
        evaluator.close()
    decision = Decision(
        policy=policy.describe(),
        destination=destination.name,
        mode=request.mode,
        files=files,
        findings=collector.findings,
        counts=dict(collector.counts),
        notices=evaluator.notices(),
    )
    registry.pm.hook.guardrail_after_check(context=context, decision=decision)
    return decision


def _label(source: Any) -> str:
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        return str(source) if not isinstance(source, bytes) else "<bytes>"
    return getattr(source, "name", None) or f"<{type(source).__name__}>"


def _is_records(source: Any) -> bool:
    """An in-memory iterable of records (dicts) rather than a file or stream."""
    if isinstance(source, (str, bytes, bytearray, memoryview, Mapping)):
        return False
    if hasattr(source, "read") or hasattr(source, "__fspath__"):
        return False
    return isinstance(source, Iterable)


def _check_one(registry: Registry, policy: Policy, request: CheckRequest,
               evaluator: Evaluator, source: Any) -> FileResult:
    if _is_records(source):
        result = FileResult(file="<records>", format="records")
        try:
            result.records = evaluator.evaluate(result.file, Documents(iter(source)))
        except Exception as exc:
            internal_error(result, exc)
        return result
    result = FileResult(file=_label(source))
    try:
        payload, fmt = open_payload(registry, request, source, result)
        options = ReadOptions(records=policy.records, encoding=request.encoding,
                              limits=request.limits)
        for section in fmt.read(payload, options):
            result.records += evaluator.evaluate(payload.name, section)
    except PayloadError as exc:
        unreadable(result, exc)
    except UsageError:
        raise
    except Exception as exc:
        internal_error(result, exc)
    return result


def open_payload(registry: Registry, request: CheckRequest, source: Any,
                 result: FileResult) -> tuple[Payload, Format]:
    """The payload and the format to read it with; *result* learns both names.

    Raises PayloadError for a payload over the size limit or of no known format.
    """
    try:
        payload = Payload(source, encoding=request.encoding,
                          max_bytes=request.limits.max_file_bytes)
    except TypeError as exc:
        raise UsageError(f"cannot check {result.file}: {exc}; pass a path, bytes, a "
                         "stream or an iterable of dict records") from None
    result.file = payload.name
    name = request.format or registry.pm.hook.guardrail_detect_format(
        payload=payload, formats=registry.formats)
    if name is None:
        raise PayloadError(
            "cannot tell the format (unknown extension and the content matched no "
            f"format); pass --format with one of: {', '.join(sorted(registry.formats))}",
            file=payload.name,
        )
    fmt = registry.format(name)
    result.format = fmt.name
    return payload, fmt


def unreadable(result: FileResult, exc: PayloadError) -> None:
    """Record that the payload could not be read, with where, if known."""
    where = f"{exc.position}: " if exc.position else ""
    result.error, result.error_kind = f"{where}{exc.reason}", "payload"


def internal_error(result: FileResult, exc: BaseException, doing: str = "checking",
                   outcome: str = "the payload is blocked") -> None:
    """Record an unexpected error; the exception text may quote payload content, so only
    its type is shown (the traceback with GUARDRAIL_DEBUG=1)."""
    result.error = (f"internal error ({type(exc).__name__}) while {doing}; {outcome}. Run "
                    "with GUARDRAIL_DEBUG=1 to see the traceback")
    result.error_kind = "internal"
    if os.environ.get("GUARDRAIL_DEBUG"):
        traceback.print_exception(type(exc), exc, exc.__traceback__)
