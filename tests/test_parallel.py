"""A forked scanning worker gives exactly the decision a single process gives, and fails closed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from guardrail import Guardrail
from guardrail.engine import table_walk as tables_module
from guardrail.engine.worker import can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="worker processes need fork")

NAMES = ["Daniel Hughes", "Jack Davies", "Emma Clarke", "Priya Patel", "Tom Walker"]


def _export(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["case_ref", "ward", "notes"])
    for i in range(rows):
        name = NAMES[i % len(NAMES)]
        note = (f"{name} of {i % 90 + 1} Galley Hill called on 07700 900{i % 1000:03d}"
                if i % 3 == 0 else "Youths gathering near the shops")
        writer.writerow([f"ASB/2026/{i:06d}", "Boxmoor", note])
    return out.getvalue().encode()


SCANNED_NOTES = Path(__file__).parent / "data" / "policies" / "scanned-notes.yaml"


@pytest.fixture
def small_batches(monkeypatch):
    """Start the worker after the first batch, with batches small enough to pipeline."""
    monkeypatch.setattr(tables_module, "_BATCH", 64)
    monkeypatch.setattr(tables_module, "_POOL_AFTER_ROWS", 64)


def _summary(decision):
    return (decision.verdict, sorted((k.rule, k.field, n) for k, n in decision.counts.items()),
            [(f.record, f.field, f.rule, f.evidence, f.position) for f in decision.findings])


def _same_with_a_worker(payload: bytes) -> dict[tuple[str, str], int]:
    """Check alone and with a worker; the decisions must be identical. Counts per rule
    and field."""
    guard = Guardrail.from_policy(SCANNED_NOTES)
    alone = guard.check(payload, format="csv", jobs=1)
    paired = guard.check(payload, format="csv", jobs=2)
    assert _summary(paired) == _summary(alone)
    return {(k.rule, k.field): n for k, n in paired.counts.items()}


def test_worker_gives_the_same_decision(small_batches) -> None:
    # One finding per note, counted under its deciding rule, whatever else it holds.
    assert _same_with_a_worker(_export(2000)) == {("person.name", "notes"): 667}


def test_worker_failure_blocks_as_an_internal_error(small_batches, monkeypatch) -> None:
    from guardrail.engine import scanning

    real = scanning.FieldScanner.scan_uncached

    def explode(self, text):
        import os

        if os.getpid() != parent:
            raise RuntimeError("Zebedee Quackenbush")  # a message quoting data
        return real(self, text)

    import os

    parent = os.getpid()
    monkeypatch.setattr(scanning.FieldScanner, "scan_uncached", explode)
    decision = Guardrail.from_policy(SCANNED_NOTES).check(_export(500), format="csv", jobs=2)
    assert decision.exit_code == 4
    assert decision.files[0].error.startswith("internal error (WorkerFailed)")
    assert "Quackenbush" not in str(decision.to_dict())


def test_batches_larger_than_the_pipe_buffer(monkeypatch) -> None:
    """Several batches of long free text in flight at once: no deadlock, same decision."""
    monkeypatch.setattr(tables_module, "_BATCH", 200)
    monkeypatch.setattr(tables_module, "_POOL_AFTER_ROWS", 200)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["case_ref", "notes"])
    filler = "Residents report noise from the car park late at night. " * 40  # ~2 KB
    for i in range(3000):
        extra = f" Contact Emma Clarke on 07700 900{i % 1000:03d}." if i % 7 == 0 else ""
        writer.writerow([f"ASB/2026/{i:06d}", f"{filler}{i}{extra}"])
    assert _same_with_a_worker(out.getvalue().encode()) == {("person.name", "notes"): 429}


def test_columns_cross_the_pipe_joined_unless_a_cell_holds_the_separator() -> None:
    from guardrail.engine.worker import pack

    assert pack(("a", "", "b c")) == "a\0\0b c"
    assert pack(("a\0b", "c")) == ("a\0b", "c")  # would split wrongly: sent as cells
    assert pack((1, "x")) == (1, "x")
