"""Decision log cost: one append, and throughput with N writer processes at once.

    PYTHONPATH=.:plugins python3 bench/ledger.py [--appends 300] [--writers 1,2,4]

Each append is one ``BEGIN IMMEDIATE`` transaction with ``synchronous=FULL`` (the WAL
is fsynced per decision), holding a real decision of examples/asb-export-leaky.csv
(250 masked findings listed, 305 blocking) or of the clean export (no findings). The
whole-command cost (``check`` with the log vs ``--no-log``) is timed with farm-bench;
see bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from guardrail import Guardrail
from guardrail.decision import Decision
from guardrail.ledger import DecisionLog, verify_log

EXAMPLES = Path(__file__).parent.parent / "examples"


def _decisions() -> dict[str, Decision]:
    guard = Guardrail.from_policy("asb-public-web")
    return {name: guard.check(EXAMPLES / f"asb-export-{name}.csv", log=False)
            for name in ("clean", "leaky")}


def _append_many(path: str, decision: Decision, count: int) -> None:
    log = DecisionLog(path)
    for _ in range(count):
        log.append(decision)
    log.close()


def single(decision: Decision, count: int, folder: Path, name: str) -> None:
    log = DecisionLog(folder / f"single-{name}.sqlite")
    times = []
    for _ in range(count):
        start = time.perf_counter()
        log.append(decision)
        times.append(time.perf_counter() - start)
    log.close()
    times.sort()
    size = log.path.stat().st_size / count
    print(f"one writer, {name:5} decision: median {statistics.median(times) * 1e3:.2f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1e3:.2f} ms per append; "
          f"{size / 1024:.1f} KiB per entry")


def concurrent(decision: Decision, writers: int, count: int, folder: Path) -> None:
    path = str(folder / f"concurrent-{writers}.sqlite")
    DecisionLog(path).close()
    procs = [multiprocessing.Process(target=_append_many, args=(path, decision, count))
             for _ in range(writers)]
    start = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - start
    result = verify_log(DecisionLog(path))
    total = writers * count
    assert result.ok and result.entries == total, result
    print(f"{writers} writer processes x {count}: {total / elapsed:.0f} appends/s "
          f"({elapsed:.2f} s incl. process start), chain verified")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--writers", default="1,2,4")
    args = parser.parse_args()
    decisions = _decisions()
    with tempfile.TemporaryDirectory() as folder:
        for name, decision in decisions.items():
            single(decision, args.appends, Path(folder), name)
        for writers in (int(n) for n in args.writers.split(",")):
            concurrent(decisions["leaky"], writers, args.appends // writers, Path(folder))


if __name__ == "__main__":
    main()
