"""Benchmark: the impact list of an audit (``check --mode audit``, impact on by default)
against the same audit with ``--no-impact``.

    python bench/bench_impact.py [--rows 50000 200000] [--pages 200]

An impact check reads every table row by row to know each finding's record; this says
what that costs. Builds under bench/data/: CSVs of N rows (the 61 leaky ASB cases
repeated, so 61 distinct people) and a published site of P copies of the shipped cases
page, then runs each check in its own process and prints wall time and peak memory
(ru_maxrss from wait4). Peak memory should not grow with the rows: the impact keeps one
digest per distinct value and one entry per affected record's key, not the rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
EXAMPLES = ROOT / "examples"


def build_csv(rows: int) -> Path:
    path = HERE / "data" / f"impact-{rows}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    header, *cases = (EXAMPLES / "asb-export-leaky.csv").read_text(encoding="utf-8") \
        .splitlines(keepends=True)
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        for n in range(rows):
            out.write(cases[n % len(cases)])
    return path


def build_distinct(rows: int) -> Path:
    """Rows each holding a different phone number: the impact's distinct values grow
    with every row, up to its cap (see guardrail/engine/impact_sink.py)."""
    path = HERE / "data" / f"impact-distinct-{rows}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write("id,note\n")
        for n in range(rows):
            out.write(f"{n},Call back on 07{n % 1000:03d} {n // 1000:06d}\n")
    return path


def build_site(pages: int) -> Path:
    folder = HERE / "data" / f"impact-site-{pages}"
    if folder.is_dir() and len(list(folder.glob("*.html"))) == pages:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for n in range(pages):
        shutil.copy(EXAMPLES / "published-site" / "asb-cases-2026.html",
                    folder / f"cases-{n:04d}.html")
    return folder


def run(target: Path, *extra: str) -> tuple[float, float, int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "guardrail", "check", "-p", "uk-content-scan", "--mode",
         "audit", "--no-log", "-q", "-o", os.devnull, *extra, str(target)],
        env=env, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, \
        os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[50_000, 200_000])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--distinct", type=int, nargs="*", default=[100_000, 400_000],
                        help="rows of distinct phone numbers (memory with the cap)")
    args = parser.parse_args()
    targets = [(f"{rows:,} rows", build_csv(rows)) for rows in args.rows]
    targets += [(f"{rows:,} distinct", build_distinct(rows)) for rows in args.distinct]
    if args.pages:
        targets.append((f"{args.pages} pages", build_site(args.pages)))
    for name, target in targets:
        for label, extra in (("impact", ()), ("no impact", ("--no-impact",))):
            wall, peak, code = run(target, *extra)
            print(f"{name:>14}  {label:<9}  {wall:7.2f} s  peak {peak:7.1f} MB  exit {code}")


if __name__ == "__main__":
    main()
