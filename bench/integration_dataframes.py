"""Benchmark: checking a 1,000,000-row DataFrame against checking the same rows as CSV.

    python bench/integration_dataframes.py compare [--rows N] [--runs 5] [--typed]
    python bench/integration_dataframes.py {csv,pandas,polars,pandas-load,polars-load}

Target (issue 12): ``Guardrail.check(df)`` is no slower than ``Guardrail.check(path)``
on a CSV file holding the same rows. The rows are examples/asb-export-clean.csv's
(month, category, ward, LSOA code and name, outcome) repeated to 1M rows; the frame is
kept as Parquet under bench/data/ so loading it costs little and the same way each
time. Each mode is one process, as a user's job is: it loads what it checks, checks
it (``asb-public-web`` for ``public-web``, which reads and scans every column) and
prints the check's own seconds and the process's peak memory as JSON. The ``-load``
modes load the frame and stop: the whole-process cost of a check is the difference.
``--typed`` adds a whole-number column (``incidents``), so the frame is a typed table
rather than a table of text (the CSV holds the same numbers as text).

``compare`` runs each mode in turn (``--runs`` times, interleaved) and prints the
medians and the ratios frame/CSV, of the check alone and of peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
DATA = HERE / "data"
SOURCE = ROOT / "examples" / "asb-export-clean.csv"
POLICY, DESTINATION = "asb-public-web", "public-web"
MODES = ("csv", "pandas", "polars", "pandas-load", "polars-load")


def paths(rows: int, typed: bool) -> tuple[Path, Path]:
    stem = f"dataframes-{rows}{'-typed' if typed else ''}"
    return DATA / f"{stem}.csv", DATA / f"{stem}.parquet"


def build(rows: int, typed: bool) -> None:
    """The CSV and the Parquet copy of the same rows, made once."""
    csv_path, parquet_path = paths(rows, typed)
    if csv_path.exists() and parquet_path.exists():
        return
    import pandas as pd

    DATA.mkdir(exist_ok=True)
    seed = pd.read_csv(SOURCE, dtype=str, keep_default_na=False)
    frame = pd.concat([seed] * (rows // len(seed) + 1), ignore_index=True).iloc[:rows]
    frame = frame.reset_index(drop=True)
    if typed:
        frame["incidents"] = [5 + (i * 7919) % 500 for i in range(rows)]
    frame.to_csv(csv_path, index=False)
    frame.to_parquet(parquet_path, index=False)


def child(mode: str, rows: int, typed: bool) -> None:
    csv_path, parquet_path = paths(rows, typed)
    from guardrail import Guardrail

    if mode == "csv":
        source: object = str(csv_path)
    elif mode.startswith("pandas"):
        import pandas as pd
        source = pd.read_parquet(parquet_path)
    else:
        import polars as pl
        source = pl.read_parquet(parquet_path)
    seconds = None
    if not mode.endswith("-load"):
        guard = Guardrail.from_policy(POLICY)
        guard.compiled(DESTINATION)
        start = time.perf_counter()
        decision = guard.check(source, destination=DESTINATION)
        seconds = time.perf_counter() - start
        assert decision.allowed and decision.files[0].records == rows, decision.summary()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mode": mode, "check_seconds": seconds, "peak_mb": round(peak, 1)}))


def compare(rows: int, runs: int, typed: bool) -> None:
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for _ in range(runs):
        for mode in MODES:
            done = subprocess.run([sys.executable, __file__, mode, "--rows", str(rows),
                                   *(["--typed"] if typed else [])],
                                  check=True, capture_output=True, text=True)
            results[mode].append(json.loads(done.stdout))
    median = {mode: {key: statistics.median(r[key] for r in found)
                     for key in ("check_seconds", "peak_mb") if found[0][key] is not None}
              for mode, found in results.items()}
    for mode in MODES:
        print(mode, median[mode])
    for frame in ("pandas", "polars"):
        ratio = median[frame]["check_seconds"] / median["csv"]["check_seconds"]
        extra = median[frame]["peak_mb"] - median[f"{frame}-load"]["peak_mb"]
        print(f"{frame}: check {ratio:.2f}x the CSV check's time; peak "
              f"{median[frame]['peak_mb']:.0f} MB ({extra:+.0f} MB over loading the frame; "
              f"CSV check peak {median['csv']['peak_mb']:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=(*MODES, "compare"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--typed", action="store_true")
    args = parser.parse_args()
    build(args.rows, args.typed)
    if args.mode == "compare":
        compare(args.rows, args.runs, args.typed)
    else:
        child(args.mode, args.rows, args.typed)


if __name__ == "__main__":
    main()
