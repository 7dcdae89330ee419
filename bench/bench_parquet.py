"""Benchmark: the Parquet reader on generated 100,000- and 1,000,000-row files.

    python bench/bench_parquet.py [--rows N ...] [--row-group ROWS] [--detectors]

Writes seeded ASB-like Parquet files (the columns of bench_check.py, snappy, row
groups of 131,072 rows as Spark and pyarrow writers commonly produce), then, each
in its own process, times:

- ``bare``: pyarrow alone, every row group batch converted to Python lists;
- ``read``: the format's rows, as the engine receives them;
- ``check``: ``guardrail check`` with field classification only
  (``bench/policies/asb-classification-only.yaml``), or with every content detector
  (``uk-personal-data``) when ``--detectors`` is given;

and prints rows per second and each process's peak RSS (ru_maxrss). The peak should
be the same for 100,000 and 1,000,000 rows: memory follows the row group, not the file.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent

CHILD = r"""
import json, resource, sys, time
what, path, policy = sys.argv[1:4]
start = time.perf_counter()
if what == "bare":
    import pyarrow.parquet as pq
    parquet, rows = pq.ParquetFile(path), 0
    for group in range(parquet.metadata.num_row_groups):
        for batch in parquet.iter_batches(8192, row_groups=[group]):
            rows += len(list(zip(*(column.to_pylist() for column in batch.columns))))
elif what == "read":
    from guardrail import Payload, ReadOptions
    from guardrail.host.registry import load_registry
    rows = 0
    for section in load_registry().format("parquet").read(Payload(path), ReadOptions()):
        for _ in section.rows:
            rows += 1
else:
    from guardrail import Guardrail
    decision = Guardrail.from_policy(policy).check(path)
    rows = decision.files[0].records
    assert decision.files[0].error is None, decision.files[0].error
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak}))
"""


def generate(path: Path, rows: int, row_group: int, seed: int = 1) -> None:
    """Written a row group at a time, so the generator's memory stays small too."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from bench_check import COLUMNS, FORENAMES, NOTES, STREETS, SURNAMES, WARDS

    rng = random.Random(seed)
    schema = pa.schema([(name, pa.string()) for name in COLUMNS])
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        for first in range(0, rows, row_group):
            columns: dict[str, list[str]] = {name: [] for name in COLUMNS}
            for i in range(first, min(first + row_group, rows)):
                name = f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}"
                house, street = rng.randint(1, 200), rng.choice(STREETS)
                values = [
                    f"ASB/2026/{i:06d}", f"2026-{rng.randint(1, 12):02d}",
                    rng.choice(["Nuisance", "Personal", "Environmental"]), rng.choice(WARDS),
                    f"E0102{rng.randint(3000, 3999)}", f"Dacorum {rng.randint(1, 20):03d}A",
                    rng.choice(["Advice given", "No further action", "Warning issued"]),
                    name, f"{house} {street}", f"HP{rng.randint(1, 3)} {rng.randint(1, 9)}AB",
                    rng.choice(NOTES).format(n=name, h=house, s=street,
                                             p=rng.randint(100, 999)),
                ]
                for column, value in zip(COLUMNS, values, strict=True):
                    columns[column].append(value)
            writer.write_table(pa.table(columns, schema=schema))


def generate_apart(path: Path, rows: int, row_group: int) -> None:
    """In another process: a child's peak RSS starts at its parent's (fork), so the
    parent must stay small for the children's figures to mean anything."""
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from pathlib import Path; "
            f"from bench_parquet import generate; generate(Path({str(path)!r}), {rows}, "
            f"{row_group})")
    subprocess.run([sys.executable, "-c", code], check=True)


def run(what: str, path: Path, policy: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, what, str(path), policy],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{what} {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--row-group", type=int, default=131_072)
    parser.add_argument("--detectors", action="store_true",
                        help="check with uk-personal-data (every content detector)")
    args = parser.parse_args()
    policy = "uk-personal-data" if args.detectors else \
        str(HERE / "policies" / "asb-classification-only.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = Path(tmp) / f"asb-{rows}.parquet"
            generate_apart(path, rows, args.row_group)
            print(f"{rows:,} rows, {path.stat().st_size / 1e6:.0f} MB, row groups of "
                  f"{args.row_group:,}")
            for what in ("bare", "read", "check"):
                got = run(what, path, policy)
                assert got["rows"] == rows, got
                print(f"  {what:5}  {got['seconds']:6.2f} s  {rows / got['seconds']:>10,.0f} "
                      f"rows/s  peak {got['peak_mb']:6.1f} MB")


if __name__ == "__main__":
    main()
