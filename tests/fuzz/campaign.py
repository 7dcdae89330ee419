"""The campaign's suites: hypothesis as a generator, every input judged, nothing raised.

Each suite runs rounds of a hypothesis test (a fresh seed per round) until its time is
up; the test body judges each generated input and counts violations instead of
failing, so one finding never stops the campaign. ``bench/robustness.py`` runs the
suites in worker processes and prints the figures.
"""

from __future__ import annotations

import datetime as _dt
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from guardrail import Guardrail, PolicyError

from . import probe
from .cases import Base, applicable, bases, plantings
from .damage import DAMAGE, damage
from .formats import WRITERS, NotRepresentable
from .invariants import Violation, judge, judge_blocks, judge_equivalent, judge_redaction
from .leaks import needle_of
from .policies import (
    coherent_policies,
    dump,
    judges_fields_apart,
    must_block,
    personal_slots_policy,
    raises_confidence,
    redacting_policy,
    schema_policies,
)
from .regressions import save

__all__ = ["Tally", "SUITES", "run_suite"]

_ROUND = settings(database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), derandomize=False)
_KEEP = 3  # failing inputs written per (invariant, suite, format, kind)


@dataclass
class Tally:
    """What a suite did: inputs judged, violations by invariant, verdicts by kind."""

    suite: str
    inputs: int = 0
    seconds: float = 0.0
    violations: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # kind, fmt
    skipped: Counter[str] = field(default_factory=Counter)
    saved: Counter[tuple[str, ...]] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.seconds = max(self.seconds, other.seconds)
        for name in ("violations", "verdicts", "skipped", "saved"):
            getattr(self, name).update(getattr(other, name))
        self.examples += other.examples


@dataclass
class _Context:
    tally: Tally
    failures: Path | None
    folder: Path
    deadline: float
    guards: dict[str, Guardrail] = field(default_factory=dict)

    @property
    def expired(self) -> bool:
        """Past the suite's time."""
        return time.perf_counter() > self.deadline

    def guard(self, policy: str | Path) -> Guardrail:
        key = str(policy)
        if key not in self.guards:
            self.guards[key] = Guardrail.from_policy(policy)
        return self.guards[key]

    def record(self, found: list[Violation]) -> None:
        for violation in found:
            self.tally.violations[violation.invariant] += 1
            key = (violation.invariant, violation.suite, violation.format, violation.kind)
            if self.tally.saved[key] < _KEEP:
                self.tally.saved[key] += 1
                if len(self.tally.examples) < 200:
                    self.tally.examples.append(str(violation))
                if self.failures is not None:
                    save(violation, self.failures)


def _maker(suite: str, base: Base, kind: str, payload: bytes, policy: str = "asb-public-web",
           **options: Any) -> Callable[[str, str], Violation]:
    needles = [needle_of(base.identifier.value)]

    def make(invariant: str, detail: str) -> Violation:
        return Violation(invariant, suite, base.format, kind, detail, payload,
                         base.masked(), needles, policy, options)
    return make


def _mutations(ctx: _Context, base: Base, data: st.DataObject) -> None:
    """(a), (b), (e): every mutation that applies to the base, after its baseline."""
    guard, fmt = ctx.guard("asb-public-web"), base.format
    if probe.check(guard, base.clean(), format=fmt).verdict != "allow":
        ctx.tally.skipped["clean export blocked"] += 1
        return
    if probe.check(guard, base.plain(), format=fmt).verdict != "block":
        ctx.tally.skipped[f"plain {base.identifier.kind} not found"] += 1
        return
    rng = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    needles = [needle_of(base.identifier.value)]
    for mutation, planted in plantings(base, rng, ctx.tally.skipped):
        outcome = probe.check(guard, planted.payload, format=fmt)
        ctx.tally.inputs += 1
        ctx.tally.verdicts[(mutation.name, fmt, outcome.verdict)] += 1
        make = _maker("mutations", base, mutation.name, planted.payload)
        ctx.record(judge_blocks(outcome, needles, make) if mutation.preserving
                   else judge(outcome, needles, make))


def _leaks(ctx: _Context, base: Base, data: st.DataObject) -> None:
    """(a), (e) where the planted field is personal: every mutation is reported by the
    field rule, so what is shown is the mask of the mutated value."""
    guard = ctx.guard(personal_slots_policy(ctx.folder))
    rng = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    needles = [needle_of(base.identifier.value)]
    for mutation, planted in plantings(base, rng):
        outcome = probe.check(guard, planted.payload, format=base.format)
        ctx.tally.inputs += 1
        make = _maker("leaks", base, mutation.name, planted.payload,
                      personal_slots_policy(ctx.folder).read_text())
        ctx.record(judge(outcome, needles, make))


def _planted(base: Base, data: st.DataObject, preserving: bool = True) -> Any:
    choices = [m for m in applicable(base) if m.preserving or not preserving]
    mutation = data.draw(st.sampled_from(choices))
    try:
        return base.mutated(mutation, random.Random(data.draw(st.integers(0, 2**16))))
    except NotRepresentable:
        return None


def _damage(ctx: _Context, base: Base, data: st.DataObject) -> None:
    """(a), (c) chunks, (e) on damaged bytes; unreadable must be exit 3, never 4."""
    planted = _planted(base, data)
    if planted is None:
        return
    name = data.draw(st.sampled_from(sorted(DAMAGE)))
    payload = damage(name, planted.payload, random.Random(data.draw(st.integers(0, 2**16))))
    make = _maker("damage", base, name, payload)
    found = judge_equivalent(ctx.guard("asb-public-web"), payload, base.format,
                             needles=[needle_of(base.identifier.value)], make=make,
                             rng=random.Random(len(payload)))
    ctx.tally.inputs += 1
    ctx.tally.verdicts[(name, base.format, "judged")] += 1
    ctx.record(found)


def _metamorphic(ctx: _Context, base: Base, data: st.DataObject) -> None:
    """(c): order, trickled stream and jobs=2 agree with the plain check."""
    planted = _planted(base, data)
    if planted is None:
        return
    order = data.draw(st.permutations(range(len(base.export.records))))
    reordered = planted.reordered(list(order))
    make = _maker("metamorphic", base, planted.mutation, planted.payload)
    found = judge_equivalent(ctx.guard("asb-public-web"), planted.payload, base.format,
                             needles=[needle_of(base.identifier.value)], make=make,
                             rng=random.Random(len(order)), reordered=reordered,
                             jobs=data.draw(st.booleans()), detect=data.draw(st.booleans()))
    for violation in found:
        if violation.invariant == "order":
            violation.extra = {"reordered": reordered}
    ctx.tally.inputs += 1
    ctx.record(found)


_ACTIONS = st.fixed_dictionaries({level: st.sampled_from(("redact", "mask", "hash", "drop"))
                                  for level in ("internal", "personal", "special-category")})


def _redact(ctx: _Context, base: Base, data: st.DataObject) -> None:
    """(d): redact under random redacting actions; the copy must pass."""
    if not WRITERS[base.format].redacts:
        return
    planted = _planted(base, data)
    if planted is None:
        return
    path = redacting_policy(data.draw(_ACTIONS), ctx.folder)
    make = _maker("redact", base, planted.mutation, planted.payload, path.read_text())
    found = judge_redaction(ctx.guard(path), planted.payload, base.format, ctx.folder,
                            needles=[needle_of(base.identifier.value)], make=make,
                            may_block=False)
    ctx.tally.inputs += 1
    ctx.record(found)


def _schema_policy(ctx: _Context, document: Any) -> None:
    """(a): a schema-valid document loads, or is refused as a PolicyError."""
    path = ctx.folder / "schema-policy.yaml"
    path.write_text(dump(document), encoding="utf-8")
    ctx.tally.inputs += 1
    try:
        guard = Guardrail.from_policy(path)
    except PolicyError:
        ctx.tally.verdicts[("schema", "-", "refused")] += 1
        return
    except Exception as exc:  # the invariant: nothing but a GuardrailError
        ctx.tally.violations["crash"] += 1
        ctx.tally.examples.append(f"[crash] loading a schema-valid policy: {type(exc).__name__}")
        return
    outcome = probe.check(guard, [{"month": "2026-01"}])
    ctx.tally.verdicts[("schema", "-", f"loaded, {outcome.verdict}")] += 1
    if outcome.verdict in ("crash", "internal"):
        ctx.tally.violations[outcome.verdict] += 1


def _coherent_policy(ctx: _Context, document: Any, base: Base, data: st.DataObject) -> None:
    """(a), (b), (e) under a generated policy: the oracle, then preserving mutations."""
    text = dump(document)
    path = ctx.folder / f"coherent-{random.getrandbits(32):x}.yaml"
    path.write_text(text, encoding="utf-8")
    guard = Guardrail.from_policy(path)
    path.unlink()
    destination = data.draw(st.sampled_from(sorted(guard.policy.destinations)))
    options = {"format": base.format, "destination": destination}
    needles = [needle_of(base.identifier.value)]
    plain = probe.check(guard, base.plain(), **options)
    level = guard.registry.detectors[base.identifier.rule].level
    sure = must_block(guard.policy, destination, base.identifier.rule, level, _dt.date.today())
    make = _maker("policies", base, "none", base.plain(), text, destination=destination)
    ctx.record(judge_blocks(plain, needles, make) if sure else judge(plain, needles, make))
    ctx.tally.inputs += 1
    ctx.tally.verdicts[("oracle: must block" if sure else "oracle: unsure", "-",
                        plain.verdict)] += 1
    if plain.verdict != "block":
        return
    apart = judges_fields_apart(document, guard.policy)
    raised = raises_confidence(guard.policy)
    for mutation, planted in plantings(base):  # what reads the same as a blocked value blocks
        outcome = probe.check(guard, planted.payload, **options)
        make = _maker("policies", base, mutation.name, planted.payload, text,
                      destination=destination)
        # ... in the same fields (a value cut across cells is also in the next column),
        # and in the same words when confidence counts (a cue beside a number).
        same_place = not (apart and base.moves(mutation)) \
            and not (raised and base.recontexts(mutation))
        ctx.record(judge_blocks(outcome, needles, make)
                   if mutation.preserving and same_place else judge(outcome, needles, make))
        ctx.tally.inputs += 1


def _cli(ctx: _Context, base: Base, data: st.DataObject) -> None:
    """(a), (e) through the real command line in its own process: documented exit codes,
    no traceback, no planted value on stdout or stderr."""
    planted = _planted(base, data, preserving=False)
    if planted is None:
        return
    payload, kind = planted.payload, planted.mutation
    if data.draw(st.booleans()):
        kind = data.draw(st.sampled_from(sorted(DAMAGE)))
        payload = damage(kind, payload, random.Random(0))
    path = ctx.folder / f"payload{WRITERS[base.format].suffix}"
    path.write_bytes(payload)
    report = data.draw(st.sampled_from(("text", "json")))
    if WRITERS[base.format].redacts and data.draw(st.booleans()):
        policy = redacting_policy({"personal": "mask", "internal": "redact"}, ctx.folder)
        args = ["redact", "-p", str(policy), "--report", report, str(path), "-o",
                str(ctx.folder / f"copy{WRITERS[base.format].suffix}")]
    else:
        args = ["check", "-p", "asb-public-web", "--report", report, str(path)]
    done = subprocess.run([sys.executable, "-m", "guardrail", *args], capture_output=True,
                          text=True, encoding="utf-8", errors="replace", timeout=120,
                          cwd=ctx.folder)
    ctx.tally.inputs += 1
    ctx.tally.verdicts[(args[0], base.format, f"exit {done.returncode}")] += 1
    make = _maker("cli", base, kind, payload, command=args[0], report=report)
    found = []
    if done.returncode not in (0, 1, 3):
        found.append(make("crash" if done.returncode != 4 else "internal-error",
                          f"guardrail {args[0]} exited {done.returncode}"))
    if "Traceback" in done.stderr or "Traceback" in done.stdout:
        found.append(make("crash", f"guardrail {args[0]} printed a traceback"))
    if needle_of(base.identifier.value).found_in([done.stdout, done.stderr]):
        found.append(make("leak", f"guardrail {args[0]} showed a planted value"))
    ctx.record(found)


def _bound(ctx: _Context, body: Callable[..., None]) -> Callable[..., None]:
    def run(**drawn: Any) -> None:
        body(ctx, **drawn)
    return run


_BASES = {"base": bases(), "data": st.data()}
# suite: (what hypothesis draws, the body judging it, examples per round). The time is
# looked at between rounds only: a round cut short would draw differently from its
# own replay, which hypothesis rightly refuses.
SUITES: dict[str, tuple[dict[str, Any], Callable[..., None], int]] = {
    "mutations": (_BASES, _mutations, 20),
    "leaks": (_BASES, _leaks, 20),
    "damage": (_BASES, _damage, 20),
    "metamorphic": ({"base": bases(records=(5, 14)), "data": st.data()}, _metamorphic, 10),
    "redact": (_BASES, _redact, 10),
    "policies-schema": ({"document": schema_policies()}, _schema_policy, 10),
    "policies-coherent": ({"document": coherent_policies(), **_BASES}, _coherent_policy, 4),
    "cli": (_BASES, _cli, 2),
}


def run_suite(name: str, seconds: float, first_seed: int,
              failures: Path | None) -> Tally:
    """Run suite *name* for about *seconds*, in short rounds, a new seed each."""
    tally = Tally(name)
    started = time.perf_counter()
    strategies, body, examples = SUITES[name]
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as folder:
        ctx = _Context(tally, failures, Path(folder), started + seconds)
        round_ = 0
        while not ctx.expired:
            test = given(**strategies)(_bound(ctx, body))
            seed(first_seed * 1_000_003 + round_)(
                settings(_ROUND, max_examples=examples)(test))()
            round_ += 1
    tally.seconds = time.perf_counter() - started
    return tally
