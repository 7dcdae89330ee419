"""Benchmark: `guardrail check` on a 1,000,000-row ASB-like CSV against a bare csv.reader pass.

    python bench/bench_check.py [--rows N] [--policy asb-public-web] [--keep]

Generates the file once under bench/data/ (seeded, so every run reads the same
bytes), then, in one run, times a bare ``csv.reader`` pass and ``guardrail
check`` over it, each in its own process so both pay interpreter start-up, and
prints the ratio and each process's peak memory (ru_maxrss from wait4).
Target (issue 2): ratio <= 2.0 and guardrail's peak memory < 150 MB.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
FORENAMES = ["Aisha", "Ben", "Chloe", "Daniel", "Emma", "Farhan", "Grace", "Harry", "Isla",
             "Jack", "Kiran", "Leah", "Mohammed", "Niamh", "Oliver", "Priya", "Ryan", "Sophie"]
SURNAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hughes",
            "Iqbal", "Jones", "Khan", "Lewis", "Morgan", "Nowak", "Patel", "Smith", "Taylor"]
STREETS = ["Marlowes", "Queensway", "Bennetts End Road", "Long Chaulden", "St Albans Road",
           "Warners End Road", "Belswains Lane", "Galley Hill", "Fletcher Way"]
WARDS = ["Adeyfield East", "Boxmoor", "Chaulden and Warners End", "Gadebridge",
         "Leverstock Green", "Hemel Hempstead Town", "Grovehill", "Highfield"]
NOTES = [
    "{n} reports youths gathering outside {h} {s} most evenings, caller asked for a visit.",
    "Neighbour dispute; {n} of {h} {s} says loud music is played after midnight.",
    "Caller {n} on 07700 900{p} reports repeated verbal abuse from the family next door.",
    "Fly-tipping behind the garages on {s}; no suspects identified at this time.",
    "Group of teenagers damaging the bus shelter near the shops; CCTV requested.",
    "Motorbikes being ridden on the playing fields, residents concerned for children.",
]
COLUMNS = ["case_ref", "month", "category", "ward", "lsoa_code", "lsoa_name", "outcome",
           "complainant_name", "complainant_address", "postcode", "notes"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(rows):
            name = f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}"
            house, street = rng.randint(1, 200), rng.choice(STREETS)
            note = rng.choice(NOTES).format(n=name, h=house, s=street, p=rng.randint(100, 999))
            writer.writerow([
                f"ASB/2026/{i:06d}", f"2026-{rng.randint(1, 12):02d}",
                rng.choice(["Nuisance", "Personal", "Environmental"]), rng.choice(WARDS),
                f"E0102{rng.randint(3000, 3999)}", f"Dacorum {rng.randint(1, 20):03d}A",
                rng.choice(["Advice given", "No further action", "Warning issued"]),
                name, f"{house} {street}, Hemel Hempstead",
                f"HP{rng.randint(1, 3)} {rng.randint(1, 9)}AB", note,
            ])
    tmp.replace(path)


BARE = ("import csv,sys\n"
        "n=0\n"
        "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
        "    for row in csv.reader(f):\n"
        "        n+=1\n")


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--policy", default="asb-public-web")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is kept")
    parser.add_argument("--jobs", type=int, default=None,
                        help="guardrail check --jobs (default: the CLI's default, 2)")
    args = parser.parse_args()
    data = HERE / "data" / f"asb-{args.rows}.csv"
    if not data.exists():
        print(f"generating {data} ...", flush=True)
        generate(data, args.rows)
    size = data.stat().st_size / 1e6
    bare_cmd = [sys.executable, "-c", BARE, str(data)]
    check_cmd = [sys.executable, "-m", "guardrail", "check", "--policy", args.policy,
                 "--report", "json", str(data)]
    if args.jobs is not None:
        check_cmd[-1:-1] = ["--jobs", str(args.jobs)]
    # Runs alternate (bare, check, bare, check, ...): on a shared machine whose speed
    # drifts, each pair sees the same conditions, so the median of the pair ratios is
    # steadier than either best time alone.
    pairs = [(timed(bare_cmd), timed(check_cmd)) for _ in range(args.repeat)]
    bare = min((b for b, _ in pairs), key=lambda run: run[0])
    check = min((c for _, c in pairs), key=lambda run: run[0])
    ratios = sorted(c[0] / b[0] for b, c in pairs)
    print(f"file: {data.name} ({args.rows:,} rows, {size:.0f} MB)")
    print(f"bare csv.reader pass : {bare[0]:6.2f} s  peak {bare[1]:6.1f} MB "
          f"(best of {args.repeat})")
    print(f"guardrail check      : {check[0]:6.2f} s  peak {check[1]:6.1f} MB  "
          f"(exit {check[2]}, policy {args.policy}, jobs {args.jobs or 'default'})")
    print(f"ratio of best times  : {check[0] / bare[0]:.2f}x")
    print(f"ratio per pair       : median {statistics.median(ratios):.2f}x "
          f"(from {ratios[0]:.2f}x to {ratios[-1]:.2f}x over {len(ratios)} pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
