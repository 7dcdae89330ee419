"""The robustness campaign: generated, mutated and hostile input against the invariants.

    python bench/robustness.py                      # the full campaign, about 14 minutes
    python bench/robustness.py --quick              # about a minute, smaller hostile input
    python bench/robustness.py --kinds              # only the per-mutation-kind table
    python bench/robustness.py --seed 7 --budget-seconds 300 --failures /tmp/found

Suites (``tests/fuzz/campaign.py``) run in two worker processes through the Python API;
a sample goes through the real command line, and every hostile payload
(``tests/fuzz/hostile.py``, full size) is checked in its own process with its wall time
and peak memory (``ru_maxrss`` of the child). Prints inputs tried per suite, crashes,
internal errors, leaks, wrong allows and the other violations, the reader-preserving
mutation kinds by format, and the worst hostile input's time and memory. Failing inputs
are written under ``--failures`` (default ``bench/data/fuzz-failures/seed-N``) as files
with a masked description; ``tests/test_fuzz_regressions.py`` replays the ones copied
to ``tests/data/fuzz-regressions/``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT / "tests", ROOT / "plugins", ROOT):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))
# Children (the CLI sample, hostile payloads) import this checkout, not an installed copy.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT), str(ROOT / "plugins"), *filter(None, [os.environ.get("PYTHONPATH")])])

from fuzz.campaign import Tally, run_suite  # noqa: E402
from robustness_hostile import Measured, measure_all  # noqa: E402
from robustness_report import print_hostile, print_kinds, print_suites  # noqa: E402

# Share of the workers' time per suite (the CLI sample is slower per input, and the
# policies suites load a policy per input).
SHARES = {"mutations": 0.34, "leaks": 0.10, "damage": 0.15, "metamorphic": 0.12,
          "redact": 0.09, "policies-coherent": 0.10, "policies-schema": 0.03, "cli": 0.07}
WORKERS = 2


def hostile_seconds(scale: float) -> float:
    """What the hostile set takes on one core, roughly: a process start per payload,
    plus the reading, which grows with the payloads."""
    return 20 + 100 * scale


def _task(job: tuple[str, float, int, str]) -> Tally | list[Measured]:
    name, seconds, first_seed, failures = job
    if name == "hostile":  # one worker's share: the set, each in its own process
        return measure_all(seconds)
    return run_suite(name, seconds, first_seed, Path(failures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="campaign seed (default 1)")
    parser.add_argument("--budget-seconds", type=float, default=None,
                        help="wall time for the whole campaign (default 840, --quick 60)")
    parser.add_argument("--quick", action="store_true",
                        help="a short run: one minute, hostile input at a twentieth of its size")
    parser.add_argument("--kinds", action="store_true",
                        help="run only the mutations suite and print the kind x format table")
    parser.add_argument("--failures", type=Path, default=None,
                        help="where failing inputs go (default bench/data/fuzz-failures/seed-N)")
    parser.add_argument("--no-hostile", action="store_true", help="skip hostile payloads")
    args = parser.parse_args()
    budget = args.budget_seconds or (60 if args.quick or args.kinds else 840)
    failures = args.failures or ROOT / "bench" / "data" / "fuzz-failures" / f"seed-{args.seed}"
    shares = {"mutations": 1.0} if args.kinds else SHARES
    hostile = not (args.no_hostile or args.kinds)
    scale = 0.05 if args.quick else 1.0
    # The hostile set runs on one worker; the suites share the rest of both workers' time.
    suite_core_seconds = budget * WORKERS * 0.97 - (hostile_seconds(scale) if hostile else 0)
    jobs = [(name, suite_core_seconds * share / WORKERS, args.seed * 100 + worker,
             str(failures)) for name, share in shares.items() for worker in range(WORKERS)]
    if hostile:
        jobs.append(("hostile", scale, 0, str(failures)))  # "seconds" is the scale here
    print(f"guardrail robustness campaign: seed {args.seed}, budget {budget:.0f} s, "
          f"{WORKERS} workers, failing inputs to {failures}", flush=True)
    started = time.perf_counter()
    tallies: dict[str, Tally] = {}
    measured: list[Measured] = []
    # Longest first, one job at a time per worker, a fresh process per job.
    jobs.sort(key=lambda j: -(hostile_seconds(scale) if j[0] == "hostile" else j[1]))
    with multiprocessing.get_context("fork").Pool(WORKERS, maxtasksperchild=1) as pool:
        for result in pool.imap_unordered(_task, jobs, chunksize=1):
            if isinstance(result, Tally):
                tallies.setdefault(result.suite, Tally(result.suite)).merge(result)
            else:
                measured = result
    elapsed = time.perf_counter() - started
    print_suites(tallies, measured, elapsed)
    print_kinds(tallies.get("mutations"))
    if measured:
        print_hostile(measured, scale)
    broken = sum(sum(t.violations.values()) for t in tallies.values()) + sum(
        1 for m in measured if not m.ok)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
