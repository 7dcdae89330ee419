"""Benchmark: `guardrail check FOLDER` over folders of 200 and 2,000 files.

    python bench/bench_folder.py [--files 200 2000] [--report sarif]

Builds each folder once under bench/data/folder-N/ (copies of the shipped clean ASB
export, one leaky one among them), then checks each in its own process and prints the
wall time and peak memory (ru_maxrss from wait4). Files are read one at a time, so peak
memory should grow only by the small per-file result (a name, counts), not with the
files' size; the ratio of the two peaks says how much.
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


def build(files: int) -> Path:
    folder = HERE / "data" / f"folder-{files}"
    if folder.is_dir() and len(list(folder.rglob("*.csv"))) == files:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for n in range(files - 1):
        sub = folder / f"part-{n // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / "asb-export-clean.csv", sub / f"month-{n:05d}.csv")
    shutil.copy(EXAMPLES / "asb-export-leaky.csv", folder / "leaky.csv")
    return folder


def run(folder: Path, report: str) -> tuple[float, float, int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "guardrail", "check", "-p",
                                "asb-public-web", "--report", report, "-o", os.devnull,
                                str(folder)], env=env, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--report", default="text")
    args = parser.parse_args()
    peaks = []
    for files in args.files:
        folder = build(files)
        wall, peak, code = run(folder, args.report)
        peaks.append(peak)
        print(f"{files:>6} files  {wall:7.2f} s  {files / wall:8.1f} files/s  "
              f"peak {peak:7.1f} MB  exit {code}")
    if len(peaks) > 1:
        print(f"peak memory ratio {peaks[-1] / peaks[0]:.2f} for "
              f"{args.files[-1] / args.files[0]:.0f}x the files")


if __name__ == "__main__":
    main()
