"""Benchmark: reading and checking an ASB-like XLSX workbook (default 100,000 rows x 8 columns).

    python bench/bench_xlsx.py [--rows N] [--policy uk-personal-data] [--openpyxl]

Generates the workbook once under bench/data/ (seeded, with openpyxl's streaming
writer), then runs each step in its own process and prints rows/s and the peak RSS
the child reports (``resource.getrusage(RUSAGE_SELF).ru_maxrss``):

* ``calamine``: a bare python-calamine pass over every row (the floor);
* ``reader``: guardrail's XLSX reader, every section consumed, no policy;
* ``check``: ``Guardrail.check`` with the policy (field classification and every
  content detector), which is what a publishing step pays;
* ``openpyxl``: openpyxl read-only, for comparison (slow; only with ``--openpyxl``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_check import FORENAMES, NOTES, STREETS, SURNAMES, WARDS  # noqa: E402

COLUMNS = ["case_ref", "reported", "category", "ward", "complainant_name", "postcode",
           "count", "notes"]

CHILD = r"""
import json, resource, sys, time
step, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
rows = 0
if step == "calamine":
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).iter_rows():
            rows += 1
elif step == "openpyxl":
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            rows += 1
elif step == "reader":
    from guardrail import Payload, ReadOptions, Table
    from guardrail_xlsx import XlsxFormat
    for section in XlsxFormat().read(Payload(path), ReadOptions()):
        for _ in (section.rows if isinstance(section, Table) else section.records):
            rows += 1
else:
    from guardrail import Guardrail
    guard = Guardrail.from_policy(sys.argv[3])
    loaded = time.perf_counter()
    decision = guard.check(path)
    rows = decision.files[0].records
    assert decision.files[0].error is None, decision.files[0].error
    start = loaded  # policy loading is paid once per process, not per workbook
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": elapsed, "peak_mb": peak}))
"""


def generate(path: Path, rows: int, seed: int = 1) -> None:
    import openpyxl

    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    book.properties.creator = None
    sheet = book.create_sheet("Cases")
    sheet.append(COLUMNS)
    for i in range(rows):
        name = f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}"
        house, street = rng.randint(1, 200), rng.choice(STREETS)
        note = rng.choice(NOTES).format(n=name, h=house, s=street, p=rng.randint(100, 999))
        sheet.append([f"ASB/2026/{i:06d}", dt.date(2026, rng.randint(1, 12), rng.randint(1, 28)),
                      rng.choice(["Nuisance", "Personal", "Environmental"]), rng.choice(WARDS),
                      name, f"HP{rng.randint(1, 3)} {rng.randint(1, 9)}AB", rng.randint(1, 40),
                      note])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    tmp.replace(path)


def run(step: str, path: Path, policy: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, step, str(path), policy],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--policy", default="uk-personal-data")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is kept")
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl read-only")
    args = parser.parse_args()
    data = HERE / "data" / f"asb-{args.rows}.xlsx"
    if not data.exists():
        print(f"generating {data} ...", flush=True)
        generate(data, args.rows)
    print(f"file: {data.name} ({args.rows:,} rows x {len(COLUMNS)} columns, "
          f"{data.stat().st_size / 1e6:.1f} MB)")
    steps = ["calamine", "reader", "check"] + (["openpyxl"] if args.openpyxl else [])
    for step in steps:
        runs = [run(step, data, args.policy) for _ in range(args.repeat if step != "openpyxl"
                                                           else 1)]
        best = min(runs, key=lambda r: r["seconds"])
        label = f"check ({args.policy})" if step == "check" else step
        print(f"{label:<28}: {best['seconds']:6.2f} s  {best['rows'] / best['seconds']:>9,.0f} "
              f"rows/s  peak {max(r['peak_mb'] for r in runs):6.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
