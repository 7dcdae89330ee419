"""The invariants, as functions that return violations instead of raising.

(a) nothing but a Decision or a GuardrailError comes out of the API, and an unreadable
    payload blocks as unreadable (exit 3), never as an internal error (exit 4);
(b) a payload holding a planted identifier that a reader can read is not allowed;
(c) the verdict does not depend on record order, on the payload being bytes or a
    stream read a few bytes at a time, or on ``jobs``;
(d) a redacted copy passes the policy it was redacted for, and holds no identifier
    the policy found;
(e) no planted value shows in anything a user sees, however it is disguised.

The CI slice asserts that the lists are empty; ``bench/robustness.py`` counts them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guardrail import Guardrail

from . import probe
from .leaks import Needle
from .probe import Outcome

__all__ = ["Violation", "judge", "judge_blocks", "judge_equivalent", "judge_redaction",
           "INVARIANTS"]

INVARIANTS = {
    "crash": "(a) an exception other than GuardrailError left the API",
    "internal-error": "(a) blocked as an internal error (exit 4) instead of a verdict",
    "wrong-allow": "(b) allowed a payload holding a planted identifier",
    "order": "(c) verdict changed with the order of the records",
    "chunks": "(c) verdict changed when read as a stream of small chunks",
    "jobs": "(c) verdict changed with jobs=2",
    "redact": "(d) the redacted copy was refused, failed its check or kept the identifier",
    "leak": "(e) a planted value shows in a report, message or log",
}


@dataclass
class Violation:
    """One broken invariant, described without the planted value.

    :param payload: the input, to write out as a regression case.
    :param extra: further payloads the replay needs (the reordered copy), by name.
    """

    invariant: str
    suite: str
    format: str
    kind: str
    detail: str
    payload: bytes = b""
    description: dict[str, Any] = field(default_factory=dict)
    needles: Sequence[Needle] = ()
    policy: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, bytes] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"[{self.invariant}] {self.suite}/{self.format}/{self.kind}: {self.detail}"


def judge(outcome: Outcome, needles: Sequence[Needle], make: Any) -> list[Violation]:
    """Invariants (a) and (e) on one outcome; *make(invariant, detail)* builds a violation."""
    found = []
    if outcome.verdict == "crash":
        found.append(make("crash", f"raised {outcome.error}"))
    elif outcome.verdict == "internal":
        found.append(make("internal-error", outcome.error))
    if any(needle.found_in(outcome.shown) for needle in needles):
        found.append(make("leak", f"verdict {outcome.verdict}; a planted value is shown"))
    return found


def judge_blocks(outcome: Outcome, needles: Sequence[Needle], make: Any) -> list[Violation]:
    """(a), (e), and (b): the payload holds an identifier a reader reads, so no allow."""
    found = judge(outcome, needles, make)
    if outcome.verdict == "allow":
        found.append(make("wrong-allow", "ALLOWED"))
    return found


def _same(first: Outcome, second: Outcome) -> bool:
    return first.verdict == second.verdict and first.rules == second.rules


def _differ(first: Outcome, second: Outcome) -> str:
    return (f"{first.verdict} {dict(first.rules)} vs {second.verdict} {dict(second.rules)}")


def judge_equivalent(guard: Guardrail, payload: bytes, format_name: str, *,
                     needles: Sequence[Needle], make: Any, rng: random.Random,
                     reordered: bytes | None = None, jobs: bool = False,
                     detect: bool = False,
                     options: dict[str, Any] | None = None) -> list[Violation]:
    """(c): bytes, a trickling stream, the records reordered and jobs=2 all agree; with
    *detect*, also when the format is left to detection (sniffing a trickle sees less)."""
    options = dict(options or {}, format=None if detect else format_name)
    base = probe.check(guard, payload, **options)
    found = judge(base, needles, make)
    trickle = probe.check(guard, probe.Trickle(payload, rng), **options)
    if not _same(base, trickle):
        found.append(make("chunks", _differ(base, trickle)))
    found += judge(trickle, needles, make)
    if reordered is not None:
        other = probe.check(guard, reordered, **options)
        # Reordering moves findings between records, never in or out of the payload.
        if not _same(base, other):
            found.append(make("order", _differ(base, other)))
    if jobs:
        with probe.small_batches():
            parallel = probe.check(guard, payload, jobs=2, **options)
        if not _same(base, parallel):
            found.append(make("jobs", _differ(base, parallel)))
        found += judge(parallel, needles, make)
    return found


def judge_redaction(guard: Guardrail, payload: bytes, format_name: str, folder: Path, *,
                    needles: Sequence[Needle], make: Any, may_block: bool,
                    destination: str | None = None) -> list[Violation]:
    """(d): redact, then the copy must pass the same policy and hold no found identifier.

    :param may_block: the policy's action for some level is ``block``, so refusing to
        write is a correct answer; otherwise a readable payload must give a copy.
    """
    done = probe.redact(guard, payload, format_name, folder, destination=destination)
    found = judge(done.outcome, needles, make)
    if done.written:
        assert done.recheck is not None
        found += judge(done.recheck, (), make)
        if done.recheck.verdict != "allow":
            found.append(make("redact", f"the copy it wrote is {done.recheck.verdict} by "
                                        "the same policy"))
        blocked = done.outcome.decision is not None and not done.outcome.decision.allowed
        if blocked and any(n.found_in([done.copy.decode("utf-8", "replace")])
                           for n in needles):
            found.append(make("redact", "the copy still holds the planted identifier"))
    elif done.outcome.verdict in ("allow", "block") and not may_block:
        found.append(make("redact", f"nothing written: {_reason(done.reason)}"))
    return found


def _reason(reason: str) -> str:
    """The reason nothing was written, without the summary that may follow it."""
    return reason.split(" (", 1)[0][:160]
