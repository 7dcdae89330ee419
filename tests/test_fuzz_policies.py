"""Policies drawn from the policy JSON Schema (``guardrail schema``).

Any document the schema accepts either loads or is refused with a PolicyError; a
coherent one loads, and under it a planted identifier the policy plainly does not
waive blocks, its reader-preserving mutations block whenever the plain one does,
and no planted value shows.
"""

from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import jsonschema
from fuzz.cases import applicable, bases
from fuzz.formats import NotRepresentable
from fuzz.invariants import Violation, judge, judge_blocks
from fuzz.leaks import needle_of
from fuzz.policies import SCHEMA, coherent_policies, dump, must_block, schema_policies
from fuzz.probe import check
from fuzz.settings import ci
from hypothesis import assume, given
from hypothesis import strategies as st

from guardrail import Guardrail, PolicyError

VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _write(document: object, folder: Path) -> Path:
    path = folder / f"policy-{random.getrandbits(40):x}.yaml"
    path.write_text(dump(document), encoding="utf-8")
    return path


def test_any_schema_valid_policy_loads_or_is_refused_as_a_policy_error(tmp_path):
    @ci(25)
    @given(document=schema_policies())
    def run(document):
        assert VALIDATOR.is_valid(document), "the generator left the schema"
        try:
            guard = Guardrail.from_policy(_write(document, tmp_path))
        except PolicyError as exc:
            assert exc.problems or str(exc)
            return
        assert check(guard, [{"month": "2026-01"}]).verdict in ("allow", "block")
    run()


def test_generated_policies_block_what_they_do_not_waive(tmp_path):
    today = _dt.date.today()

    @ci(15)
    @given(document=coherent_policies(), base=bases(), data=st.data())
    def run(document, base, data):
        assert VALIDATOR.is_valid(document), "the generator left the schema"
        guard = Guardrail.from_policy(_write(document, tmp_path))
        destination = data.draw(st.sampled_from(sorted(guard.policy.destinations)))
        needles = [needle_of(base.identifier.value)]

        def make(invariant: str, detail: str) -> Violation:
            return Violation(invariant, "policies", base.format, "none", detail)

        options = {"format": base.format, "destination": destination}
        found = judge(check(guard, base.clean(), **options), needles, make)
        plain = check(guard, base.plain(), **options)
        found += judge(plain, needles, make)
        level = guard.registry.detectors[base.identifier.rule].level
        if must_block(guard.policy, destination, base.identifier.rule, level, today):
            found += judge_blocks(plain, needles, make)
        if plain.verdict == "block":  # then what a reader reads the same must block too
            mutation = data.draw(st.sampled_from(
                [m for m in applicable(base) if m.preserving]), label="mutation")
            try:
                planted = base.mutated(mutation, random.Random(0))
            except NotRepresentable:
                assume(False)
            outcome = check(guard, planted.payload, **options)
            found += judge(outcome, needles, make)
            if outcome.verdict == "allow" and mutation.name == "none":
                found.append(make("wrong-allow", "the same payload allowed on a second check"))
        assert not found, f"{'; '.join(map(str, found))}; case {base.masked()}"
    run()
