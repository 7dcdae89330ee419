"""Benchmark: the HTML reader on a generated ASB page, and hostile pages.

    python bench/bench_html.py [--rows 100000] [--check] [--hostile]

Generates (seeded) a page with an N-row ASB case table like the seed incident's,
some prose, a JSON-LD block and hidden text, under bench/data/, then times the HTML
reader alone (every section and row consumed) in a fresh process and prints rows/s
and peak RSS (ru_maxrss). ``--check`` also times ``guardrail check`` with
uk-personal-data; ``--hostile`` times pages that must be blocked quickly: 100 MB on
one line, 100,000 nested ``<div>``, and 200 KB of ``<span></x>`` (the nesting guard's
known gap: end tags that close nothing hide the nesting from the gate, and Lexbor's
time grows with the square of the depth; memory stays small).
"""

from __future__ import annotations

import argparse
import html
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_check import FORENAMES, NOTES, STREETS, SURNAMES, WARDS  # noqa: E402

_READ = """
import resource, sys, time
from guardrail import Payload, ReadOptions, Table
from guardrail_html import HtmlFormat
start = time.perf_counter()
rows = texts = 0
try:
    for section in HtmlFormat().read(Payload(sys.argv[1]), ReadOptions()):
        if isinstance(section, Table):
            rows += sum(1 for _ in section.rows)
        else:
            texts += sum(1 for _ in section.records)
    outcome = "read"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:160]
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{outcome}|{rows}|{texts}|{elapsed:.3f}|{peak:.1f}")
"""


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                  "<title>Anti-social behaviour cases</title>"
                  '<script type="application/ld+json">{"@type": "Dataset", '
                  '"author": {"name": "Dacorum Borough Council"}}</script></head>\n<body>'
                  '<main><h1>Reported cases</h1><p>Cases reported in the last quarter.</p>'
                  '<div hidden><p>Reviewed by the ASB team.</p></div>\n'
                  '<table id="cases"><thead><tr><th>Case ref</th><th>Month</th><th>Ward</th>'
                  "<th>Complainant</th><th>Address</th><th>Notes</th></tr></thead><tbody>\n")
        for i in range(rows):
            name = f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}"
            house, street = rng.randint(1, 200), rng.choice(STREETS)
            note = rng.choice(NOTES).format(n=name, h=house, s=street, p=rng.randint(100, 999))
            cells = [f"ASB/2026/{i:06d}", f"2026-{rng.randint(1, 12):02d}", rng.choice(WARDS),
                     name, f"{house} {street}, Hemel Hempstead", note]
            out.write("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>\n")
        out.write("</tbody></table></main></body></html>\n")
    tmp.replace(path)


def time_read(path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", _READ, str(path)], capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def time_check(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(["guardrail", "check", "--policy", "uk-personal-data",
                           "--max-findings", "5", str(path)], capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def hostile(directory: Path) -> None:
    """Each page is written in pieces: this process must stay small, as a child's peak
    memory (ru_maxrss) starts from its parent's."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = {
        "one 100 MB line": (b"<p>", b"a" * (1 << 20), 100),
        "100,000 nested <div>": (b"<!DOCTYPE html><body>", b"<div>" * 10_000, 10),
        "<span></x> x 20,000": (b"<body>", b"<span></x>" * 1_000, 20),
    }
    for label, (start, piece, count) in pages.items():
        path = directory / "hostile.html"
        with path.open("wb") as out:
            out.write(start)
            for _ in range(count):
                out.write(piece)
        outcome, _, _, elapsed, peak = time_read(path).split("|")
        print(f"{label:24s} {float(elapsed):7.2f} s  peak {peak:>7s} MB  {outcome[:90]}")
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--hostile", action="store_true")
    args = parser.parse_args()
    path = HERE / "data" / f"asb-{args.rows}.html"
    if not path.exists():
        generate(path, args.rows)
    size = path.stat().st_size / 1e6
    outcome, rows, texts, elapsed, peak = time_read(path).split("|")
    print(f"{path.name}: {size:.1f} MB, {outcome}: {rows} rows, {texts} text records in "
          f"{float(elapsed):.2f} s = {int(rows) / float(elapsed):,.0f} rows/s; "
          f"peak RSS {peak} MB")
    if args.check:
        seconds, code = time_check(path)
        print(f"guardrail check --policy uk-personal-data: {seconds:.2f} s, exit {code}")
    if args.hostile:
        hostile(HERE / "data")


if __name__ == "__main__":
    main()
