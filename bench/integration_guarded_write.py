"""Benchmark: writing a 100 MB CSV through ``guardrail.open_for_publish`` against writing
it plainly and checking the file afterwards (issue 12: the guarded writer must cost no
more than the check it replaces).

    python bench/integration_guarded_write.py guarded|after [--destination D]
    farm-bench -n 5 --timeout 900 --vs 'python3 bench/integration_guarded_write.py after' \
        -- python3 bench/integration_guarded_write.py guarded

Each run copies the same ~100 MB ASB-like CSV (generated once under bench/data/ by
bench_check.py's seeded generator) in 1 MiB blocks to a new file beside a target and
checks it with asb-public-web for the partner portal, which reads every row and every
note (a blocked file: guarded discards its copy; after leaves the file, which is the
whole point of the guarded writer). Prints the verdict so both runs can be compared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_check import generate  # noqa: E402

ROWS = 430_000  # about 100 MB with bench_check's rows
SOURCE = Path(__file__).parent / "data" / f"asb-{ROWS}.csv"
BLOCK = 1 << 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("how", choices=("guarded", "after"))
    parser.add_argument("--destination", default="partner-portal")
    args = parser.parse_args()
    if not SOURCE.exists():
        generate(SOURCE, ROWS)
    import guardrail

    guard = guardrail.Guardrail.from_policy("asb-public-web")
    with tempfile.TemporaryDirectory(dir=SOURCE.parent) as folder:
        target = Path(folder) / "asb-cases.csv"
        with SOURCE.open("rb") as source:
            if args.how == "guarded":
                out = guardrail.open_for_publish(target, "wb", policy=guard,
                                                 destination=args.destination)
                while block := source.read(BLOCK):
                    out.write(block)
                try:
                    out.close()
                except guardrail.PublishBlocked:
                    pass
                decision = out.decision
            else:
                with target.open("wb") as plain:
                    while block := source.read(BLOCK):
                        plain.write(block)
                decision = guard.check(target, destination=args.destination)
    assert decision is not None
    print(args.how, decision.verdict, decision.files[0].records, decision.blocking_count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
