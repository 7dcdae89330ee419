"""``guardrail redact``: write a copy of a payload that the policy allows, or nothing.

1. The format plugin reads the payload and writes the copy to a temporary file
   (:class:`~guardrail.atomic.AtomicFile`: on Linux one with no name, so a killed run
   leaves nothing), each section passing through a
   :class:`~guardrail.redact.redactor.Redactor`.
2. A value whose action is ``block`` (or a payload that cannot be read) stops there:
   the temporary file is dropped and nothing is written.
3. The finished copy is checked again, by the same policy and destination, as any
   published file would be. Only a copy that passes is put in place: a bug in a
   writer, or a value a detector only sees once its neighbour is gone, fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guardrail.atomic import AtomicFile
from guardrail.contract.progress import Meter
from guardrail.contract.protocols import ReadOptions, RedactingFormat
from guardrail.decision import DEFAULT_MAX_FINDINGS, Decision, FileResult
from guardrail.engine import Collector, CompiledPolicy, Evaluation
from guardrail.engine.gc_tuning import fewer_collections
from guardrail.errors import (
    EXIT_ALLOW,
    EXIT_BLOCKED,
    EXIT_INTERNAL,
    EXIT_PAYLOAD,
    PayloadError,
    UsageError,
)
from guardrail.host.registry import Registry
from guardrail.redact.recorder import EditRecorder
from guardrail.redact.redactor import Redactor
from guardrail.runner import (
    CheckRequest,
    internal_error,
    open_payload,
    run_check,
    source_label,
    unreadable,
    waiver_book,
)

__all__ = ["RedactionResult", "run_redact"]


@dataclass
class RedactionResult:
    """What a redaction did.

    :param decision: what the payload held and the action taken for each finding.
    :param written: True when the copy was put in place.
    :param changed: values replaced or removed.
    :param verification: the check of the finished copy (None when it was never made).
    :param reason: why nothing was written, for people.
    """

    decision: Decision
    output: str
    written: bool = False
    changed: int = 0
    verification: Decision | None = None
    reason: str = ""

    @property
    def exit_code(self) -> int:
        """0 written; 1 blocked by the policy; 3 unreadable payload; 4 internal error."""
        if self.written:
            return EXIT_ALLOW
        kinds = {f.error_kind for f in self.decision.files if f.error}
        if "internal" in kinds:
            return EXIT_INTERNAL
        if "payload" in kinds:
            return EXIT_PAYLOAD
        return EXIT_BLOCKED

    def summary(self) -> str:
        if self.written:
            return (f"REDACTED: {self.changed} value{'s' if self.changed != 1 else ''} "
                    f"replaced or removed; the copy passes the policy and was written to "
                    f"{self.output}")
        return f"NOT WRITTEN: {self.reason}"


def run_redact(registry: Registry, compiled: CompiledPolicy, request: CheckRequest,
               output: Any, hash_key: bytes | None) -> RedactionResult:
    """Redact ``request.sources[0]`` into *output* (a path, or ``"-"`` for stdout)."""
    if len(request.sources) != 1:
        raise UsageError("redact takes one payload at a time")
    source = request.sources[0]
    policy, destination = compiled.policy, compiled.destination
    if request.format is not None:
        registry.format(request.format)
    collector = Collector(request.max_findings or policy.max_findings or DEFAULT_MAX_FINDINGS)
    recorder = EditRecorder(collector)
    evaluation = Evaluation(compiled, recorder, today=request.today,
                            waivers=waiver_book(compiled, request))
    file_result = FileResult(file=source_label(compiled, source, 1))
    redactor = Redactor(evaluation, recorder, file_result.file, hash_key)
    target = AtomicFile(output, inputs=[source])
    result: RedactionResult | None = None
    meter = None if request.progress is None else Meter(request.progress, 1, 1,
                                                         file_result.file)
    with target, fewer_collections(request.tune_gc):
        try:
            payload, fmt = open_payload(registry, request, source, file_result, meter)
            if not isinstance(fmt, RedactingFormat):
                able = sorted(n for n, f in registry.formats.items()
                              if isinstance(f, RedactingFormat))
                raise UsageError(f"format '{fmt.name}' cannot write redacted copies; "
                                 f"formats that can: {', '.join(able)}")
            options = ReadOptions(records=policy.records, encoding=request.encoding,
                                  limits=request.limits)
            fmt.redact(payload, options, redactor, target.stream)
            if request.digests:
                file_result.sha256 = payload.sha256()
        except PayloadError as exc:
            unreadable(file_result, exc)
        except UsageError:
            raise
        except Exception as exc:  # fail closed; the message never quotes the payload
            internal_error(file_result, exc, "redacting", "nothing was written")
        file_result.records = redactor.records
        if meter is not None:  # bytes are counted as read; records are known at the end
            meter.records = redactor.records
            meter.emit(done=True)
        decision = Decision(policy=policy.describe(), destination=destination.name,
                            mode="redact", files=[file_result],
                            findings=collector.findings, counts=dict(collector.counts),
                            waivers_used=evaluation.waivers_used(collector.counts))
        result = RedactionResult(decision, str(output), changed=redactor.changed)
        if file_result.error:
            result.reason = f"{file_result.file} could not be read: {file_result.error}"
            return result
        if redactor.blocked:
            result.reason = (f"the policy's action for some findings is 'block' for "
                             f"'{destination.name}': the payload cannot be redacted, "
                             "only fixed at its source")
            return result
        copy = target.finish()
        result.verification = run_check(
            registry, compiled,
            CheckRequest([str(copy)], destination.name, fmt.name, today=request.today,
                         limits=request.limits, waivers=request.waivers,
                         shown_as=["<redacted copy>" if output == "-" else output]))
        if not result.verification.allowed:
            result.reason = ("the redacted copy still fails the policy ("
                             f"{result.verification.summary()}); nothing was written")
            return result
        target.commit()
        result.written = True
        return result
