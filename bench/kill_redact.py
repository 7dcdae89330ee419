"""Kill `guardrail redact` with SIGKILL at random moments; count what it leaves behind.

    python bench/kill_redact.py [--kills 200] [--seed 10] [--rows 3000] [--named]
                                [--aim anywhere|writing]

Writes an ASB-like CSV (seeded) and a redacting policy to a fresh folder, times one
uninterrupted ``guardrail redact`` of it, then starts it again and again, each time
sending SIGKILL after a random delay (fixed seed) within that time (``--aim writing``:
within the time it holds its copy, counted from when it opens it). Every other run
replaces an existing output; the others write a new one. After each kill it checks:

* the output is absent (or the previous one) or byte-identical to the uninterrupted
  run's: anything else is a *partial output*;
* any other file left in the folder is a *leftover*; one that is not the complete,
  checked copy is an *unchecked leftover*;

and, after one more uninterrupted run at the end, how many leftovers that run did not
remove. ``--named`` hides ``os.O_TMPFILE`` from the runs, as on macOS or a file system
that refuses unnamed files, so the marked named copy and its clean-up are measured.
Linux only (SIGKILL, /proc). tests/test_atomic_kill.py runs the same code with 20 kills.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_check import generate  # noqa: E402

from guardrail.atomic.names import legacy_pattern, parse  # noqa: E402

PAYLOAD, POLICY, OUTPUT = "in.csv", "policy.yaml", "out.csv"
PREVIOUS = b"previous export\n"
# A run as the CLI would be, but on a platform without O_TMPFILE.
WITHOUT_TMPFILE = ("import os, runpy, sys; del os.O_TMPFILE; sys.argv[0] = 'guardrail'; "
                   "runpy.run_module('guardrail', run_name='__main__', alter_sys=True)")
POLICY_TEXT = textwrap.dedent("""\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: kill-redact, version: "1"}
    extends: asb-public-web
    destinations:
      public-web:
        max_level: public
        actions: {internal: redact, personal: redact, special-category: redact}
    """)


@dataclass
class Figures:
    """What the kills left behind."""

    took: float = 0.0  # seconds, an uninterrupted run
    kills: int = 0
    finished_first: int = 0  # the run ended before its SIGKILL came
    while_writing: int = 0  # killed while it held a copy open
    partial_outputs: int = 0
    leftovers: int = 0  # files beside the output just after a kill
    unchecked_leftovers: int = 0  # ... that were not the complete, checked copy
    left_after_next_run: int = 0  # ... still there after one more uninterrupted run
    strays: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"kills: {self.kills} ({self.while_writing} while a copy was being written, "
                f"{self.finished_first} after the run had finished)",
                f"partial outputs found: {self.partial_outputs}",
                f"leftover temp files found: {self.leftovers} just after a kill "
                f"({self.unchecked_leftovers} unchecked), {self.left_after_next_run} "
                "after the next run"]


def prepare(folder: Path, rows: int, seed: int = 1) -> None:
    """The payload and the policy, in *folder*."""
    generate(folder / PAYLOAD, rows, seed)
    (folder / POLICY).write_text(POLICY_TEXT, encoding="utf-8")


def command(named: bool = False) -> list[str]:
    start = [sys.executable, "-c", WITHOUT_TMPFILE] if named else [sys.executable, "-m",
                                                                   "guardrail"]
    return [*start, "redact", "--policy", POLICY, PAYLOAD, "-o", OUTPUT]


def reference(folder: Path) -> tuple[bytes, float, float]:
    """The uninterrupted run's output, how long the run took and how long it held a copy
    open (seconds): the faster of two, as the first also compiles bytecode."""
    times, writing = [], []
    for _ in range(2):
        (folder / OUTPUT).unlink(missing_ok=True)
        start = time.perf_counter()
        process = subprocess.Popen(command(), cwd=folder, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        opened = _await_copy(process, folder)
        _, errors = process.communicate(timeout=600)
        times.append(time.perf_counter() - start)
        writing.append(times[-1] - (opened - start))
        if process.returncode != 0:
            raise RuntimeError(f"the uninterrupted run failed: {errors.decode()[-500:]}")
    return (folder / OUTPUT).read_bytes(), min(times), min(writing)


def kill_runs(folder: Path, kills: int, seed: int, named: bool = False,
              aim: str = "anywhere") -> Figures:
    """Run and SIGKILL ``guardrail redact`` *kills* times in *folder* (made by
    :func:`prepare`). *aim* ``anywhere``: after a delay drawn from an uninterrupted
    run's time; ``writing``: once the run holds its copy open, after a delay drawn from
    the time an uninterrupted run holds it (so the kills hit the copy whatever the
    machine's load)."""
    expected, took, writing = reference(folder)
    rng = random.Random(seed)
    figures = Figures(took=took)
    for number in range(kills):
        existed = number % 2 == 1
        if existed:
            (folder / OUTPUT).write_bytes(PREVIOUS)
        else:
            (folder / OUTPUT).unlink(missing_ok=True)
        before = _leftovers(folder)
        process = subprocess.Popen(command(named), cwd=folder, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        if aim == "writing":
            _await_copy(process, folder)
            time.sleep(rng.uniform(0, writing))
        else:
            time.sleep(rng.uniform(0, took))
        figures.while_writing += _holds_copy(process.pid, folder)
        process.send_signal(signal.SIGKILL)
        figures.finished_first += process.wait() == 0
        figures.kills += 1
        output = folder / OUTPUT
        found = output.read_bytes() if output.exists() else None
        figures.partial_outputs += found not in ({expected, PREVIOUS} if existed
                                                 else {expected, None})
        for name in _leftovers(folder) - before:
            figures.leftovers += 1
            figures.strays.append(name)
            figures.unchecked_leftovers += (folder / name).read_bytes() != expected
    again = subprocess.run(command(), cwd=folder, capture_output=True, timeout=600)
    if again.returncode != 0 or (folder / OUTPUT).read_bytes() != expected:
        raise RuntimeError("the run after the kills did not write the expected copy")
    figures.left_after_next_run = len(_leftovers(folder))
    return figures


def _await_copy(process: subprocess.Popen[bytes], folder: Path) -> float:
    """Poll until *process* holds a copy open in *folder*, or has ended; when."""
    while process.poll() is None and not _holds_copy(process.pid, folder):
        time.sleep(0.002)
    return time.perf_counter()


def _leftovers(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} - {PAYLOAD, POLICY, OUTPUT}


def _holds_copy(pid: int, folder: Path) -> bool:
    """Does *pid* have a copy open in *folder* (an unnamed file or a marked one)?"""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:  # it has just exited
        return False
    legacy = legacy_pattern(OUTPUT)  # guardrail 0.1's copies, to measure it too
    return any(os.path.dirname(link.removesuffix(" (deleted)")) == str(folder)
               and (link.endswith(" (deleted)") or parse(os.path.basename(link)) is not None
                    or legacy.fullmatch(os.path.basename(link)) is not None)
               for link in links)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--named", action="store_true",
                        help="hide O_TMPFILE: measure the named fallback")
    parser.add_argument("--aim", choices=["anywhere", "writing"], default="anywhere",
                        help="kill at any moment of a run, or only once it holds a copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kill-redact-") as name:
        folder = Path(name).resolve()
        prepare(folder, args.rows)
        figures = kill_runs(folder, args.kills, args.seed, named=args.named, aim=args.aim)
    copy = "O_TMPFILE hidden (named fallback)" if args.named else "default"
    print(f"{args.rows} rows, uninterrupted run {figures.took:.2f} s, {copy} copy, "
          f"kills aimed {args.aim}, seed {args.seed}")
    print("\n".join(figures.lines()))
    return 0 if not figures.partial_outputs and not figures.left_after_next_run else 1


if __name__ == "__main__":
    sys.exit(main())
