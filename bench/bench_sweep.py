"""Benchmark: `guardrail sweep URL` of a site of N pages served on loopback.

    python bench/bench_sweep.py [--pages 200] [--runs 5]

Builds bench/data/site-N/ once (N HTML pages of a few paragraphs each, every page
linking to the home page and to the next ten, plus the shipped clean ASB export linked
from the home page), serves it from this process on 127.0.0.1, and times whole sweeps
with farm-bench (start-up, crawl over HTTP, check and report; a fresh state file each
run, so every run is a first sweep and compares against nothing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
PARAGRAPH = ("<p>The neighbourhood team met residents in the ward this month to talk about "
             "parking, litter and the new lighting on the high street. Reports of "
             "anti-social behaviour fell compared with last year.</p>")


def build(pages: int) -> Path:
    site = HERE / "data" / f"site-{pages}"
    if site.is_dir() and len(list(site.glob("page-*.html"))) == pages - 1:
        return site
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "asb-export-clean.csv", site / "asb.csv")
    for n in range(pages):
        name = "index.html" if n == 0 else f"page-{n:05d}.html"
        links = "".join(f'<li><a href="page-{m:05d}.html">Update {m}</a></li>'
                        for m in range(n + 1, min(n + 11, pages)))
        extra = '<a href="asb.csv">Data</a>' if n == 0 else '<a href="/">Home</a>'
        (site / name).write_text(f"<html><body><h1>Update {n}</h1>{PARAGRAPH * 5}"
                                 f"<ul>{links}</ul>{extra}</body></html>", encoding="utf-8")
    return site


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    site = build(args.pages)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins"),
                                                        os.environ.get("PYTHONPATH", "")])}
    with tempfile.TemporaryDirectory() as folder:
        # A fresh state file each run: `sh -c` removes it before the sweep starts.
        state = Path(folder) / "state.sqlite"
        command = (f"rm -f {state}* && exec {sys.executable} -m guardrail sweep -q -p "
                   f"uk-content-scan --no-log --state {state} --max-pages "
                   f"{args.pages + 1} -o /dev/null {url}")
        print(f"site: {args.pages} pages + 1 CSV at {url}", flush=True)
        subprocess.run(["farm-bench", "-n", str(args.runs), "--timeout", "1200", "--",
                        "sh", "-c", command], env=env, check=False)
    server.shutdown()


if __name__ == "__main__":
    main()
