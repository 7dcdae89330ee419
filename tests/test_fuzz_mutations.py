"""(b) and (e): an identifier a reader still reads blocks, in every format, and never shows.

One test per reader-preserving mutation and format (the list is
``fuzz.mutations.MUTATIONS``). Each plants a synthetic identifier in a clean export
that asb-public-web allows, checks that the identifier as written blocks, then that
the mutated one blocks too. These tests are strict: until the engine reads values as a
reader sees them, the kinds in ``fuzz.mutations.MISSED_TODAY`` fail here, by design.
``python bench/robustness.py --kinds`` prints the same table with rates.
"""

from __future__ import annotations

import random

import pytest
from fuzz.cases import bases
from fuzz.formats import WRITERS, NotRepresentable
from fuzz.invariants import Violation, judge_blocks
from fuzz.leaks import needle_of
from fuzz.mutations import MISSED_TODAY, MUTATIONS, Mutation
from fuzz.probe import check
from fuzz.settings import ci
from hypothesis import assume, given
from hypothesis import strategies as st

from guardrail import Guardrail

PAIRS = [(m.name, f) for m in MUTATIONS.values() if m.preserving for f in sorted(m.formats)]


@pytest.fixture(scope="module")
def asb() -> Guardrail:
    """asb-public-web, loaded once: a Guardrail is reused across checks by design, and
    loading it for each of the ~200 cases would take most of the slice's time."""
    return Guardrail.from_policy("asb-public-web")


def test_every_registered_format_has_a_writer(asb):
    assert set(asb.registry.formats) == set(WRITERS)


def _reader_preserving_blocks(guard: Guardrail, mutation: Mutation, fmt: str) -> None:
    @ci(4)
    @given(base=bases(formats=(fmt,), mutation=mutation), seed=st.integers(0, 2**16))
    def run(base, seed):
        assume(check(guard, base.clean(), format=fmt).verdict == "allow")
        assume(check(guard, base.plain(), format=fmt).verdict == "block")
        try:
            planted = base.mutated(mutation, random.Random(seed))
        except NotRepresentable:
            assume(False)
        outcome = check(guard, planted.payload, format=fmt)

        def make(invariant: str, detail: str) -> Violation:
            return Violation(invariant, "mutations", fmt, mutation.name, detail)

        found = judge_blocks(outcome, [needle_of(base.identifier.value)], make)
        known = " (listed in fuzz.mutations.MISSED_TODAY)" \
            if fmt in MISSED_TODAY.get(mutation.name, ()) else ""
        assert not found, (f"{mutation.name} ({mutation.description}) in {fmt}{known}: "
                           f"{'; '.join(str(v) for v in found)}; case {base.masked()}")

    run()


@pytest.mark.parametrize(("kind", "fmt"), [
    pytest.param(kind, fmt, marks=pytest.mark.xfail(
        strict=True, reason="a known gap (fuzz.mutations.MISSED_TODAY)"))
    if fmt in MISSED_TODAY.get(kind, ()) else (kind, fmt) for kind, fmt in PAIRS],
    ids=[f"{k}-{f}" for k, f in PAIRS])
def test_reader_preserving_mutation_blocks(asb, kind, fmt):
    _reader_preserving_blocks(asb, MUTATIONS[kind], fmt)
