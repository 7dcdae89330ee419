"""Figure: the size of the HTML report (``--report html``), which must stay bounded.

    python bench/bench_html_report.py

A check lists at most ``max_findings`` findings per rule (counts stay exact), so the page
grows with the number of rules that matched, not with the number of records. Prints, for
the shipped leaky export and for a generated worst case (24 columns, every one of them
full of what the UK detectors find, 20,000 rows, checked by uk-content-scan), the
findings listed and found and the size of the page in bytes.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from guardrail import Guardrail  # noqa: E402
from guardrail.host.registry import load_registry, make_plugin_manager  # noqa: E402

COLUMNS = {  # a column per kind of value the UK detectors find
    "caller": lambda r: f"{r.choice(['Aisha', 'Ben', 'Chloe', 'Daniel'])} "
                        f"{r.choice(['Ahmed', 'Brown', 'Clarke', 'Davies'])}",
    "phone": lambda r: f"07700 900{r.randrange(1000):03d}",
    "email": lambda r: f"user{r.randrange(10**6)}@example.org",
    "postcode": lambda r: f"HP{r.randrange(1, 4)} {r.randrange(10)}{r.choice('ABD')}"
                          f"{r.choice('JLN')}",
    "nino": lambda r: f"QQ {r.randrange(100):02d} {r.randrange(100):02d} "
                      f"{r.randrange(100):02d} C",
    "note": lambda r: f"Called from 07700 900{r.randrange(1000):03d} about "
                      f"{r.randrange(1, 200)} High Street",
}


def registry():
    found = load_registry()
    if "html" in found.reporters:
        return found
    import guardrail_html_report

    return load_registry(make_plugin_manager(plugins=[("html-report", guardrail_html_report)]))


def size(guard: Guardrail, path: str, reporter) -> str:
    decision = guard.check(path)
    out = io.StringIO()
    reporter.render(decision, out, None)
    total = sum(decision.counts.values())
    rules = len({kind.rule for kind in decision.counts})
    return (f"{len(decision.findings):>6,} of {total:>9,} findings listed, {rules:>2} rules: "
            f"{len(out.getvalue().encode('utf-8')):>9,} bytes")


def main() -> None:
    reporter = registry().reporter("html")
    leaky = str(ROOT / "examples" / "asb-export-leaky.csv")
    print(f"asb-export-leaky.csv, asb-public-web:   "
          f"{size(Guardrail.from_policy('asb-public-web'), leaky, reporter)}")
    print(f"asb-export-leaky.csv, uk-personal-data: "
          f"{size(Guardrail.from_policy('uk-personal-data'), leaky, reporter)}")
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as folder:
        wide = Path(folder) / "wide-export-with-a-long-file-name-for-every-row.csv"
        with wide.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            names = [f"{name}_{i}" for i in range(4) for name in COLUMNS]
            writer.writerow(names)
            for _ in range(20_000):
                writer.writerow([COLUMNS[name.rsplit("_", 1)[0]](rng) for name in names])
        # uk-content-scan judges each column by what it holds: one rule per kind of value
        print(f"wide worst case, uk-content-scan:       "
              f"{size(Guardrail.from_policy('uk-content-scan'), str(wide), reporter)}")


if __name__ == "__main__":
    main()
