"""Benchmark: what listening to a check's progress costs on a large CSV.

    python bench/bench_progress.py build [--mb 50]     # bench/data/progress-50mb.csv
    python bench/bench_progress.py check [--listen] [--mb 50]

Time the two with farm-bench, paired, e.g.::

    farm-bench -n 5 -- python bench/bench_progress.py check --listen \
        --vs 'python bench/bench_progress.py check'

The listener counts the reports it gets (as cheap as a listener can be), so the
ratio is what the core's metering costs: bytes counted per chunk read, records per
row taken, and a report at most every 0.1 s. It should stay within noise (~1.02x).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
CLEAN = ROOT / "examples" / "asb-export-clean.csv"


def path_for(mb: int) -> Path:
    return HERE / "data" / f"progress-{mb}mb.csv"


def build(mb: int) -> Path:
    path = path_for(mb)
    if path.is_file() and path.stat().st_size >= mb * 1_000_000:
        return path
    header, *rows = CLEAN.read_text(encoding="utf-8").splitlines(keepends=True)
    block = "".join(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        written = len(header)
        while written < mb * 1_000_000:
            out.write(block)
            written += len(block.encode("utf-8"))
    return path


def check(mb: int, listen: bool) -> int:
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]
    from guardrail import Guardrail

    reports: list[int] = []
    guard = Guardrail.from_policy("asb-public-web")
    decision = guard.check(str(path_for(mb)), jobs=1, tune_gc=True, log=False,
                           progress=(lambda p: reports.append(p.records)) if listen else None)
    print(f"{decision.files[0].records} records, {len(reports)} reports, "
          f"exit {decision.exit_code}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("build", "check"))
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--listen", action="store_true")
    args = parser.parse_args()
    if args.what == "build":
        print(build(args.mb))
        return 0
    return check(args.mb, args.listen)


if __name__ == "__main__":
    sys.exit(main())
