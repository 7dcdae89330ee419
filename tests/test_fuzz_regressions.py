"""Replay the failing inputs the fuzzing found, kept under tests/data/fuzz-regressions/.

Each case is the payload as generated (its identifiers are synthetic), a JSON file
saying which invariant it broke with masked values only, and a generated policy when
there was one (see ``fuzz.regressions``). ``bench/robustness.py --failures DIR``
writes new ones; copy the ones worth keeping here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz.regressions import load, replay

CASES = load(Path(__file__).parent / "data" / "fuzz-regressions")
# Cases still failing, expected to (strict): when one is fixed, remove it from here.
KNOWN_GAPS: set[str] = set()


@pytest.mark.parametrize("case", [
    pytest.param(case, marks=pytest.mark.xfail(strict=True, reason="a known gap"))
    if case.id in KNOWN_GAPS else case for case in CASES], ids=[case.id for case in CASES])
def test_regression_case_holds_its_invariant(case):
    found = replay(case)
    assert not found, "; ".join(map(str, found))


@pytest.mark.parametrize("name", [
    "internal-error-ndjson-byte_flip-b0edf61de2ae.payload.ndjson",
    "internal-error-parquet-byte_flip-c00779082b9c.payload.parquet",
    "internal-error-xlsx-byte_flip-e97c7b62bd05.payload.xlsx",
])
def test_damaged_payloads_the_campaign_found_are_unreadable_not_internal_errors(name):
    """Each once ended in exit 4 (a UnicodeDecodeError, a ZIP version no reader knows, a
    stream peeked after it closed): damage is the payload's fault, exit 3."""
    from guardrail import Guardrail

    path = Path(__file__).parent / "data" / "fuzz-regressions" / name
    decision = Guardrail.from_policy("asb-public-web").check(path.read_bytes(),
                                                              format=path.suffix[1:])
    assert decision.exit_code == 3
    assert [f.error_kind for f in decision.files] == ["payload"]
