"""Benchmark: the plain text and Markdown readers on a generated 1,000,000-line file.

    python bench/bench_text.py [--lines N]

Generates a seeded log-like file (a blank line after every tenth line, some lines
naming people, phones and postcodes) and a Markdown file (paragraphs and a pipe
table of N/10 rows), then, each in its own process, reports lines read per second by
the format alone, the time of a full ``check`` with ``uk-personal-data``, and the peak
RSS (ru_maxrss) of each process. Also times a 100 MB line with no line break, which
must block on the record-size limit at once. Peak memory should not grow with N.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

NAMES = ["Aisha Ahmed", "Ben Brown", "Chloe Clarke", "Daniel Davies", "Emma Evans"]
EVENTS = ["processed batch {i} in {ms} ms", "user session {i} opened", "cache miss for key {i}",
          "caller {name} on 07700 900{p} asked for a call back", "parcel for SW1A {p}AA held"]

CHILD = r"""
import json, resource, sys, time
from guardrail import Guardrail, Payload, ReadOptions
from guardrail.host.registry import load_registry
what, path, fmt = sys.argv[1:4]
start = time.perf_counter()
if what == "read":
    count = 0
    for section in load_registry().format(fmt).read(Payload(path), ReadOptions()):
        for _ in getattr(section, "rows", None) or section.records:
            count += 1
else:
    decision = Guardrail.from_policy("uk-personal-data").check(path, format=fmt)
    count = decision.files[0].records
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": count, "seconds": seconds, "peak_mb": peak}))
"""


def generate_log(path: Path, lines: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for i in range(lines):
            event = rng.choice(EVENTS).format(i=i, ms=rng.randint(1, 999),
                                              name=rng.choice(NAMES), p=rng.randint(100, 999))
            handle.write(f"2026-11-27T10:{i // 60 % 60:02d}:{i % 60:02d} INFO {event}\n")
            if i % 10 == 9:
                handle.write("\n")


def generate_markdown(path: Path, lines: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("# Report\n\n")
        for i in range(lines // 2):
            handle.write(f"Paragraph {i} says the {rng.choice(['north', 'south'])} ward met.\n")
            if i % 5 == 4:
                handle.write("\n")
        handle.write("\n| Ward | Month | Count |\n|---|---|---:|\n")
        for i in range(lines // 2):
            handle.write(f"| {rng.choice(['North', 'South'])} | 2026-{i % 12 + 1:02d} | {i} |\n")


def run(what: str, path: Path, fmt: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, what, str(path), fmt],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{what} {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log, markdown, long_line = folder / "big.log", folder / "big.md", folder / "line.txt"
        generate_log(log, args.lines)
        generate_markdown(markdown, args.lines)
        with long_line.open("wb") as handle:  # in pieces: a child inherits our peak RSS
            for _ in range(100):
                handle.write(b"x" * (1 << 20))
        for path, fmt in ((log, "text"), (markdown, "markdown")):
            size = path.stat().st_size / 1e6
            read, check = run("read", path, fmt), run("check", path, fmt)
            print(f"{fmt:8} {size:6.0f} MB  read: {read['records']:,} records in "
                  f"{read['seconds']:.2f} s = {read['records'] / read['seconds']:,.0f}/s, "
                  f"peak {read['peak_mb']:.0f} MB;  check: {check['seconds']:.2f} s, "
                  f"peak {check['peak_mb']:.0f} MB")
        hostile = run("check", long_line, "text")
        print(f"100 MB line: blocked in {hostile['seconds']:.2f} s, peak {hostile['peak_mb']:.0f} "
              "MB (the default record-size limit: at most the limit is held)")


if __name__ == "__main__":
    main()
