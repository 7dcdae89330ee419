"""Write the seeded evaluation payloads to eval/data/ and their labels to eval/labels.json.

    pip install -e '.[eval]'        # Faker, only needed to regenerate
    python eval/generate.py         # rewrites eval/data/ and eval/labels.json
    python eval/generate.py --merge-cases   # only re-read eval/cases/labels.json (no Faker)

The generated files are committed, so the evaluation and its test run without
Faker. Output depends on the seed and on Faker's en_GB data: regenerate with the
same Faker major version to reproduce byte for byte.

Labels say which detector should fire in which record and field, as guardrail
reports them: CSV/TSV fields are header cells, JSON fields are paths such as
``parties[1].contact.phone``, and JSON outside the records array is record null.
Hand-written hard cases live in eval/cases/ with their labels in
eval/cases/labels.json; they are copied into eval/labels.json unchanged.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from guardrail.policy.paths import display_path  # labels name fields as reports do

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

DATA = HERE / "data"
LABELS = HERE / "labels.json"
CASE_LABELS = HERE / "cases" / "labels.json"
SEED = 20260312
EXTENSIONS = {"csv": "csv", "tsv": "tsv", "json": "json", "ndjson": "ndjson"}


def unwrap(value: Any, path: tuple[str | int, ...], found: list[tuple[str, str]]) -> Any:
    """Plain data for *value*, collecting (field, detector) for every tagged leaf."""
    from pii import V

    if isinstance(value, V):
        if value.value not in (None, ""):
            found.extend((display_path(path), d) for d in sorted(value.detectors))
        return value.value
    if isinstance(value, dict):
        return {k: unwrap(v, path + (k,), found) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v, path + (i,), found) for i, v in enumerate(value)]
    return value


def render(built: Any, fmt: str) -> tuple[str, list[dict[str, Any]]]:
    """The payload text and its entity labels."""
    entities: list[dict[str, Any]] = []
    rows = []
    for index, record in enumerate(built.records):
        found: list[tuple[str, str]] = []
        rows.append(unwrap(record, (), found))
        if fmt in ("csv", "tsv"):  # a table's field is the header cell, as written
            found = [(f[1:-1].replace('\\"', '"') if f.startswith('"') else f, d)
                     for f, d in found]
        entities += [{"record": index, "field": f, "detector": d} for f, d in found]
    if fmt in ("csv", "tsv"):
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        return out.getvalue(), _dedupe(entities)
    if fmt == "ndjson":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), _dedupe(entities)
    if built.document is None:
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n", _dedupe(entities)
    document = {}
    for key, value in built.document.items():
        if key == built.records_key:
            document[key] = rows
            continue
        found = []
        document[key] = unwrap(value, (key,), found)
        entities += [{"record": None, "field": f, "detector": d} for f, d in found]
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n", _dedupe(entities)


def _dedupe(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {(e["record"], e["field"], e["detector"]): e for e in entities}
    return sorted(seen.values(), key=lambda e: (-1 if e["record"] is None else e["record"],
                                                e["field"], e["detector"]))


def generate(seed: int) -> list[dict[str, Any]]:
    from pii import People
    from scenarios import ALLOW, BLOCK

    people = People(seed)
    if DATA.exists():
        shutil.rmtree(DATA)
    labels = []
    for expect, scenarios in (("block", BLOCK), ("allow", ALLOW)):
        (DATA / expect).mkdir(parents=True, exist_ok=True)
        for scenario in scenarios:
            for i in range(scenario.count):
                fmt = scenario.formats[i % len(scenario.formats)]
                size = people.rng.randint(5, 40) if people.chance(0.8) else \
                    people.rng.randint(41, 60)
                built = scenario.build(people, size, fmt)
                text, entities = render(built, fmt)
                if expect == "block" and not entities:
                    raise AssertionError(f"{scenario.name} {i}: must-block with no entity")
                # A clean scenario may still name people (councillors in minutes): such a
                # payload must block, so it is written with the must-block ones.
                verdict = "block" if entities else expect
                name = f"{verdict}/{scenario.name}_{i + 1:02d}.{EXTENSIONS[fmt]}"
                (DATA / name).write_text(text, encoding="utf-8")
                labels.append({"file": f"data/{name}", "format": fmt, "expect": verdict,
                               "source": "generated", "entities": entities})
    return labels


def merge(generated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cases = json.loads(CASE_LABELS.read_text(encoding="utf-8")) if CASE_LABELS.exists() else []
    for case in cases:
        case.setdefault("source", "hand-written")
        if not (HERE / case["file"]).exists():
            raise SystemExit(f"eval/cases/labels.json names a missing file: {case['file']}")
    return generated + cases


def write_labels(labels: list[dict[str, Any]], path: Path = LABELS) -> None:
    """One payload per block and one entity per line: diffs stay readable."""
    blocks = []
    for entry in labels:
        head = {k: v for k, v in entry.items() if k != "entities"}
        lines = [json.dumps(e, ensure_ascii=False) for e in entry["entities"]]
        entities = "[]" if not lines else "[\n   " + ",\n   ".join(lines) + "\n  ]"
        blocks.append(" " + json.dumps(head, ensure_ascii=False)[:-1] + ',\n  "entities": '
                      + entities + "}")
    path.write_text("[\n" + ",\n".join(blocks) + "\n]\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--merge-cases", action="store_true",
                        help="keep the generated data; only refresh the hand-written labels")
    args = parser.parse_args(argv)
    if args.merge_cases:
        old = json.loads(LABELS.read_text(encoding="utf-8"))
        generated = [e for e in old if e.get("source") == "generated"]
    else:
        generated = generate(args.seed)
    labels = merge(generated)
    write_labels(labels)
    block = sum(e["expect"] == "block" for e in labels)
    entities = sum(len(e["entities"]) for e in labels)
    print(f"{len(labels)} payloads ({block} must-block, {len(labels) - block} must-allow), "
          f"{entities} labelled entities -> {LABELS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
