"""Hostile policies: each must be refused (exit 2) in under 2 s and 200 MB, whatever the file.

Builds every case of ``tests/hostile_policy_cases.py`` (the ones the tests use) in a
temporary folder, runs ``guardrail validate`` and ``guardrail check --policy`` on it,
each in a fresh process, and prints the exit code, wall time, CPU time and peak
memory of that process (``ru_maxrss`` from ``os.wait4`` in a small wrapper process, so
that child's alone) and the start of the first problem:

    python bench/hostile_policies.py [--only NAME] [--runs N]

With ``--runs``, each figure is the worst of N runs. The first rows run the shipped
``asb-public-web`` policy the same way, for scale: most of each figure is starting
Python and loading the plugins. Exits 1 if any case does not exit 2 or passes a bound.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_policy_cases import CASES  # noqa: E402

MAX_SECONDS = 2.0
MAX_MB = 200
PAYLOAD = ROOT / "examples" / "asb-export-clean.csv"
COMMANDS = {
    "validate": lambda policy: ["validate", str(policy)],
    "check": lambda policy: ["check", "--policy", str(policy), str(PAYLOAD)],
}


# Spawns guardrail and reports its own usage. The child is forked from this small
# process, not from the bench, whose memory (it writes 100 MB of cases) would otherwise
# count towards the child's peak.
_WRAPPER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=sys.stderr)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), time.perf_counter() - start,
                  usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024]))
"""


def measure(args: list[str], folder: Path) -> tuple[int, float, float, float, str]:
    """Exit code, wall seconds, CPU seconds, peak MB and stderr of one guardrail run."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "guardrail",
                           *args], capture_output=True, text=True, check=True, cwd=folder)
    code, wall, cpu, peak = json.loads(done.stdout)
    return code, wall, cpu, peak, done.stderr


def first_problem(stderr: str, folder: Path) -> str:
    lines = [line.strip() for line in stderr.splitlines()]
    shown = next((line for line in lines[1:] if line), lines[0] if lines else "")
    return shown.replace(f"{folder}/", "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run one case")
    parser.add_argument("--runs", type=int, default=1, help="runs per case (worst is shown)")
    args = parser.parse_args()
    failed = 0
    print(f"{'case':28} {'command':8} {'size':>9} exit {'wall':>6} {'cpu':>6} {'peak':>7}  "
          "first problem")
    # For scale: the shipped policy, valid, through the same commands (exit 0).
    with tempfile.TemporaryDirectory() as tmp:
        for command, argv in COMMANDS.items():
            runs = [measure(argv("asb-public-web"), Path(tmp)) for _ in range(args.runs)]
            wall, cpu, peak = (max(r[i] for r in runs) for i in (1, 2, 3))
            print(f"{'(shipped asb-public-web)':28} {command:8} {'':>9} {runs[0][0]:4} "
                  f"{wall:5.2f}s {cpu:5.2f}s {peak:5.0f}MB")
    for name, build in CASES.items():
        if args.only and name != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            policy = build(folder)
            size = sum(p.stat().st_size for p in folder.iterdir())
            for command, argv in COMMANDS.items():
                runs = [measure(argv(policy), folder) for _ in range(args.runs)]
                code = max(r[0] for r in runs)
                wall, cpu, peak = (max(r[i] for r in runs) for i in (1, 2, 3))
                ok = all(r[0] == 2 for r in runs) and wall < MAX_SECONDS and peak < MAX_MB
                failed += not ok
                print(f"{name:28} {command:8} {size / 1024:7.0f}kB {code:4} {wall:5.2f}s "
                      f"{cpu:5.2f}s {peak:5.0f}MB  {'' if ok else 'FAIL '}"
                      f"{first_problem(runs[0][4], folder)[:70]}", flush=True)
    print(f"\n{failed} over the bounds (exit 2, < {MAX_SECONDS:.0f} s, < {MAX_MB} MB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
