"""Hostile payloads block as unreadable (exit 3), quickly, in every format.

Built at a hundredth of the campaign's size with limits lowered to match, so each
takes the same path as the full one in a fraction of a second; ``python
bench/robustness.py`` measures the full sizes in their own processes (time and peak
memory against 30 s and 512 MB).
"""

from __future__ import annotations

import time

import pytest
from fuzz.hostile import HOSTILE, build, limits_for
from fuzz.probe import check

from guardrail import Guardrail

SCALE = 0.01


@pytest.fixture(scope="module")
def uk() -> Guardrail:
    """uk-personal-data, loaded once for the module."""
    return Guardrail.from_policy("uk-personal-data")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_payload_blocks_as_unreadable(uk, name, tmp_path):
    path = build(name, tmp_path, SCALE)
    started = time.perf_counter()
    outcome = check(uk, str(path), limits=limits_for(SCALE))
    elapsed = time.perf_counter() - started
    assert outcome.verdict == "unreadable", (outcome.verdict, outcome.error)
    assert elapsed < 30 * SCALE * 10, f"{elapsed:.1f} s"
