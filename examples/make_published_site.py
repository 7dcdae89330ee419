"""Regenerate examples/published-site/: the seed incident as a small published website.

    python examples/make_published_site.py

Three pages of a council's community-safety site. ``asb-cases-2026.html`` is the
"computer error": the 61 cases of asb-export-leaky.csv with the names and addresses of
the people involved, grouped in the table by ward. The other pages are what should have
been published: counts by ward and category, and an index linking them. Used by the
incident walkthrough (docs/incidents.md) and the impact tests.
"""

from __future__ import annotations

import csv
from collections import Counter
from html import escape
from pathlib import Path

HERE = Path(__file__).parent
SITE = HERE / "published-site"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<header><a href="index.html">Community safety</a></header>
<main>
<h1>{title}</h1>
{body}
</main>
<footer>Dacorum community safety partnership. Data published under the Open Government
Licence.</footer>
</body>
</html>
"""


def _table(columns: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "\n".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
                     for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def main() -> None:
    with (HERE / "asb-export-leaky.csv").open(encoding="utf-8", newline="") as source:
        cases = list(csv.DictReader(source))
    SITE.mkdir(exist_ok=True)
    leaky = [[c["case_ref"], c["month"], c["ward"], c["category"], c["complainant_name"],
              c["complainant_address"], c["outcome"], c["notes"]] for c in cases]
    pages = {
        "asb-cases-2026.html": ("Anti-social behaviour cases 2026", (
            "<p>Cases closed this year, by ward.</p>\n"
            + _table(["Case ref", "Month", "Ward", "Category", "Reported by", "Address",
                      "Outcome", "Notes"], leaky))),
        "asb-statistics-2026.html": ("Anti-social behaviour: reports by ward, 2026", (
            "<p>Counts of closed cases; no case is shown on its own.</p>\n"
            + _table(["Ward", "Category", "Cases"],
                     [[ward, category, str(n)] for (ward, category), n in sorted(
                         Counter((c["ward"], c["category"]) for c in cases).items())]))),
        "index.html": ("Community safety", (
            "<p>What the partnership publishes about anti-social behaviour.</p>\n<ul>\n"
            '<li><a href="asb-statistics-2026.html">Reports by ward, 2026</a></li>\n'
            '<li><a href="asb-cases-2026.html">Cases closed in 2026</a></li>\n</ul>')),
    }
    for name, (title, body) in pages.items():
        (SITE / name).write_text(_PAGE.format(title=escape(title), body=body),
                                 encoding="utf-8")


if __name__ == "__main__":
    main()
