"""(a), (c), (d), (e) on generated payloads in every format, damaged or not.

* damaged bytes: whatever the damage, a Decision or a GuardrailError, an unreadable
  payload blocks as unreadable (exit 3) and never as an internal error, and the verdict
  is the same read from bytes or from a stream a few bytes at a time;
* order, chunks, jobs: the same verdict and counts whatever the record order, for
  bytes and trickled streams, and with a forked scanning worker (``jobs=2``);
* redaction: the copy of a payload passes the policy it was redacted for;
* masks: a mutated value reported by its field rule is never shown, however written;
* the CLI, as its own process: no traceback and no planted value on stdout or stderr.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz.cases import applicable, bases
from fuzz.damage import DAMAGE, damage
from fuzz.formats import WRITERS, NotRepresentable
from fuzz.invariants import Violation, judge, judge_equivalent, judge_redaction
from fuzz.leaks import needle_of
from fuzz.policies import personal_slots_policy, redacting_policy
from fuzz.probe import check
from fuzz.settings import ci
from hypothesis import assume, given
from hypothesis import strategies as st

from guardrail import Guardrail

FORMATS = sorted(WRITERS)
REDACTING = sorted(name for name, w in WRITERS.items() if w.redacts)


@pytest.fixture(scope="module")
def asb() -> Guardrail:
    """asb-public-web, loaded once for the module (a Guardrail is reused by design)."""
    return Guardrail.from_policy("asb-public-web")


def _maker(suite: str, fmt: str, kind: str):
    def make(invariant: str, detail: str) -> Violation:
        return Violation(invariant, suite, fmt, kind, detail)
    return make


def _planted(data, base, preserving_only: bool = False):
    """The base with one applicable mutation (``none`` included), or skip the example."""
    choices = [m for m in applicable(base) if m.preserving or not preserving_only]
    mutation = data.draw(st.sampled_from(choices), label="mutation")
    try:
        return base.mutated(mutation, random.Random(data.draw(st.integers(0, 2**16))))
    except NotRepresentable:
        assume(False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_payloads_block_cleanly_and_agree_across_chunking(asb, fmt):
    @ci(12)
    @given(base=bases(formats=(fmt,)), data=st.data())
    def run(base, data):
        planted = _planted(data, base)
        name = data.draw(st.sampled_from(sorted(DAMAGE)), label="damage")
        payload = damage(name, planted.payload, random.Random(data.draw(st.integers(0, 99))))
        found = judge_equivalent(asb, payload, fmt, needles=[needle_of(base.identifier.value)],
                                 make=_maker("damage", fmt, name), rng=random.Random(1))
        assert not found, f"{'; '.join(map(str, found))}; case {base.masked()}"
    run()


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_verdict_whatever_the_order_chunking_or_jobs(asb, fmt):
    @ci(8)
    @given(base=bases(formats=(fmt,), records=(5, 14)), data=st.data())
    def run(base, data):
        planted = _planted(data, base, preserving_only=True)
        order = data.draw(st.permutations(range(len(base.export.records))), label="order")
        found = judge_equivalent(
            asb, planted.payload, fmt, needles=[needle_of(base.identifier.value)],
            make=_maker("metamorphic", fmt, planted.mutation), rng=random.Random(2),
            reordered=planted.reordered(list(order)), jobs=True)
        assert not found, f"{'; '.join(map(str, found))}; case {base.masked()}"
    run()


@pytest.mark.parametrize("kind", ["name", "email", "postcode"])  # letters masks keep some of
@pytest.mark.parametrize("fmt", FORMATS)
def test_masked_evidence_never_shows_a_planted_value(fmt, kind, tmp_path_factory):
    """Planted in a field the policy makes personal, any mutation of the value is
    reported by the field rule: its mask must hide it however it is written."""
    guard = Guardrail.from_policy(personal_slots_policy(tmp_path_factory.mktemp("leaks")))

    @ci(2)
    @given(base=bases(formats=(fmt,), kinds=(kind,)))
    def run(base):
        found = []
        for mutation in applicable(base):
            try:
                planted = base.mutated(mutation, random.Random(0))
            except NotRepresentable:
                continue
            found += judge(check(guard, planted.payload, format=fmt),
                           [needle_of(base.identifier.value)],
                           _maker("leaks", fmt, mutation.name))
        assert not found, f"{'; '.join(map(str, found))}; case {base.masked()}"
    run()


_ACTIONS = st.fixed_dictionaries({level: st.sampled_from(("redact", "mask", "hash", "drop"))
                                  for level in ("internal", "personal", "special-category")})


@pytest.mark.parametrize("fmt", REDACTING)
def test_redacted_copy_passes_the_policy_it_was_redacted_for(fmt, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"redact-{fmt}")
    guards: dict[Path, Guardrail] = {}

    @ci(5)
    @given(base=bases(formats=(fmt,)), actions=_ACTIONS, data=st.data())
    def run(base, actions, data):
        path = redacting_policy(actions, folder)
        guard = guards.get(path) or guards.setdefault(path, Guardrail.from_policy(path))
        planted = _planted(data, base, preserving_only=True)
        found = judge_redaction(guard, planted.payload, fmt, folder,
                                needles=[needle_of(base.identifier.value)],
                                make=_maker("redact", fmt, planted.mutation), may_block=False)
        assert not found, f"{'; '.join(map(str, found))}; case {base.masked()}"
    run()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "guardrail", *args], capture_output=True,
                          text=True, encoding="utf-8", errors="replace", cwd=cwd,
                          timeout=120)


def test_cli_shows_no_traceback_and_no_planted_value(tmp_path):
    """A sample through the real command line, its own process: exit codes as
    documented, nothing on stderr that looks like a traceback, no value shown."""
    paths, needles = [], []

    @ci(4)
    @given(base=bases(), data=st.data())
    def collect(base, data):
        planted = _planted(data, base)
        payload = planted.payload
        if data.draw(st.booleans(), label="damaged"):
            payload = damage(data.draw(st.sampled_from(sorted(DAMAGE))), payload,
                             random.Random(0))
        path = tmp_path / f"case-{len(paths)}{WRITERS[base.format].suffix}"
        path.write_bytes(payload)
        paths.append(path)
        needles.append(needle_of(base.identifier.value))
    collect()
    for number, (path, needle) in enumerate(zip(paths, needles, strict=True)):
        report = ("text", "json")[number % 2]
        done = _cli("check", "-p", "asb-public-web", "--report", report, str(path),
                    cwd=tmp_path)
        assert done.returncode in (0, 1, 3), (path.name, done.returncode, done.stderr[-300:])
        assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, path.name
        assert not needle.found_in([done.stdout, done.stderr]), f"{path.name}: value shown"
