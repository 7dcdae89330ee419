"""Benchmark: what canaries add to `guardrail check`, timed by farm-bench.

    python bench/bench_canaries.py [--rows N] [--runs N]

Generates the seeded ASB-like CSV of bench_check.py (N rows, default 200,000) once
under bench/data/, then times with ``farm-bench --vs`` (whole processes, A/B paired):

1. every content detector judging every value (bench/policies/uk-detectors-only.yaml)
   with two canaries (uk-detectors-canaries.yaml) against without;
2. a destination that accepts every level, where nothing but the canaries runs,
   against the same policy and file for that destination without canaries (the
   floor: reading and field rules only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench_check import generate

HERE = Path(__file__).parent
POLICIES = HERE / "policies"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("farm-bench") is None:
        print("farm-bench is not installed", file=sys.stderr)
        return 2
    data = HERE / "data" / f"asb-{args.rows}.csv"
    if not data.exists():
        generate(data, args.rows)
    # The same policy without its canaries, for the destination that accepts everything.
    plain = HERE / "data" / "uk-detectors-records-office.yaml"
    plain.write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: records-office}\n"
        f"extends: {POLICIES / 'uk-detectors-only.yaml'}\n"
        "destinations: {records-office: special-category}\n", encoding="utf-8")
    check = [sys.executable, "-m", "guardrail", "check", "--jobs", "1", "--report", "json",
             "-o", os.devnull]
    canaries = str(POLICIES / "uk-detectors-canaries.yaml")
    scenarios = [
        ("every detector runs: with canaries (A) vs without (B)",
         [*check, "-p", canaries, str(data)],
         [*check, "-p", str(POLICIES / "uk-detectors-only.yaml"), str(data)]),
        ("destination accepts every level: canaries only (A) vs nothing scanned (B)",
         [*check, "-p", canaries, "-d", "records-office", str(data)],
         [*check, "-p", str(plain), "-d", "records-office", str(data)]),
    ]
    for title, a, b in scenarios:
        print(f"\n== {title}, {args.rows:,} rows", flush=True)
        subprocess.run(["farm-bench", "-n", str(args.runs), "--timeout", "1200",
                        "--vs", " ".join(b), "--", *a], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
