"""Hostile payloads at full size, each checked by ``guardrail check`` in its own process.

The wall time and the peak resident memory of that process (``ru_maxrss`` of a
wrapper's only child) are measured against the limits a guardrail must keep: exit 3
(unreadable, blocked) within 30 s and 512 MB, and no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fuzz.hostile import HOSTILE, build, limits_for

__all__ = ["Measured", "measure", "measure_all", "SECONDS", "PEAK_MB"]

SECONDS = 30
PEAK_MB = 512
# Runs the command as its only child, so RUSAGE_CHILDREN is that child's peak alone.
_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors='replace')\n"
    "w = time.perf_counter() - t\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "print(json.dumps({'exit': p.returncode, 'seconds': w, 'peak_mb': r,\n"
    "                  'traceback': 'Traceback' in p.stderr + p.stdout,\n"
    "                  'report': p.stdout[-4000:]}))\n")


@dataclass(frozen=True)
class Measured:
    """One hostile payload's check: what it cost and how it ended."""

    name: str
    size: int
    exit: int
    seconds: float
    peak_mb: float
    traceback: bool
    error: str

    @property
    def ok(self) -> bool:
        return (self.exit == 3 and self.seconds < SECONDS and self.peak_mb < PEAK_MB
                and not self.traceback)


def measure(path: Path, scale: float = 1.0) -> Measured:
    """Check *path* in its own process; below full *scale*, with limits lowered to match."""
    limits = limits_for(scale)
    lowered = [] if scale >= 1 else ["--max-file-size", str(limits.max_file_bytes),
                                     "--max-record-size", str(limits.max_record_bytes)]
    command = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "guardrail", "check",
               "-p", "uk-personal-data", "--report", "json", *lowered, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    found = json.loads(done.stdout)
    error = ""
    try:
        report = json.loads(found["report"])
        error = report["files"][0].get("error") or report["decision"]
    except (ValueError, KeyError, IndexError):
        error = "(no JSON report)"
    name = path.name.rsplit(".", 1)[0]
    return Measured(name, path.stat().st_size, found["exit"], found["seconds"],
                    found["peak_mb"], found["traceback"], error[:100])


def measure_all(scale: float) -> list[Measured]:
    """Every hostile payload at *scale*, built, measured and deleted one at a time."""
    results = []
    with tempfile.TemporaryDirectory(prefix="fuzz-hostile-") as folder:
        for name in HOSTILE:
            path = build(name, Path(folder), scale)
            try:
                results.append(measure(path, scale))
            finally:
                path.unlink()
    return results
