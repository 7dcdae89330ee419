"""``guardrail redact`` killed by SIGKILL at random moments leaves the whole checked copy or
nothing: never a partial output, and no temporary file that outlives the next run.

bench/kill_redact.py is the same harness with 200 kills and a report of its figures.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="SIGKILL and /proc/<pid>/fd")

BENCH = Path(__file__).parent.parent / "bench" / "kill_redact.py"


def _harness():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kill_redact", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="no O_TMPFILE")
def test_killed_redactions_leave_no_partial_output_and_no_temporary_file(
        tmp_path: Path) -> None:
    harness = _harness()
    harness.prepare(tmp_path, rows=1500)
    # Kills land while the copy is written and checked, or just after.
    figures = harness.kill_runs(tmp_path, kills=20, seed=10, aim="writing")
    assert figures.while_writing >= 10, figures.lines()  # the kills hit the copy
    assert figures.partial_outputs == 0
    # With O_TMPFILE a killed copy never has a name; only a kill inside the two system
    # calls that rename a finished, checked copy over an existing output could leave one.
    assert figures.unchecked_leftovers == 0, figures.strays
    assert figures.left_after_next_run == 0


def test_without_o_tmpfile_the_next_run_removes_what_a_kill_left(tmp_path: Path) -> None:
    harness = _harness()
    harness.prepare(tmp_path, rows=1500)
    figures = harness.kill_runs(tmp_path, kills=8, seed=11, named=True, aim="writing")
    assert figures.partial_outputs == 0
    assert figures.leftovers >= 1, figures.lines()  # what the clean-up is for
    assert all(".out.csv.guardrail-tmp." in name for name in figures.strays)
    assert figures.left_after_next_run == 0
