"""Benchmark: the XML reader on a generated export of 500,000 records (about 150 MB).

    python bench/bench_xml.py [--records N] [--skip-check]

Generates a seeded export (a header, then N ``<case>`` records under a ``<cases>``
wrapper, each with attributes, nested and repeated elements, a comment every tenth
record and some names, phones and postcodes), then, each in its own process,
reports records read per second by lxml alone (the floor) and by the format, the
time of a full ``check`` with ``uk-personal-data`` and of a ``redact``, and the peak
RSS (ru_maxrss) of each process. Also times hostile inputs (billion laughs, a 10 MB
text node, nesting 300 deep), which must block at once. Peak memory should not grow with N.
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
WARDS = ["North", "South", "East", "West"]

CHILD = r"""
import json, resource, sys, time
from guardrail import Guardrail, Payload, ReadOptions
from guardrail.host.registry import load_registry
what, path = sys.argv[1:3]
start = time.perf_counter()
if what == "lxml":  # the floor: lxml parsing the same records, with no conversion
    from lxml import etree
    count = 0
    parser = etree.XMLPullParser(events=("end",), tag="case")
    with open(path, "rb") as handle:
        while chunk := handle.read(65536):
            parser.feed(chunk)
            for _, element in parser.read_events():
                element.getparent().remove(element)
                count += 1
elif what == "read":
    count = 0
    for section in load_registry().format("xml").read(Payload(path), ReadOptions()):
        for _ in section.records:
            count += 1
elif what == "check":
    decision = Guardrail.from_policy("uk-personal-data").check(path, format="xml")
    count = decision.files[0].records
else:
    policy = sys.argv[3]
    result = Guardrail.from_policy(policy).redact(path, path + ".out", format="xml")
    count = result.decision.files[0].records if result.written else -1
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": count, "seconds": seconds, "peak_mb": peak}))
"""

REDACT_POLICY = """\
apiVersion: guardrail/v1
kind: Policy
metadata: {name: bench-redact, version: "1"}
extends: uk-personal-data
fields:
  - {id: bench.public, name: [ref, ward, opened, status, count, generated, title], level: public}
destinations:
  public-web: {max_level: public, actions: {personal: redact, special-category: drop}}
"""


def generate(path: Path, records: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<export generated="2026-11-27">\n')
        out.write(f"  <header><title>ASB cases</title><count>{records}</count></header>\n")
        out.write("  <cases>\n")
        for i in range(records):
            out.write(f'    <case ref="C{i:07d}" status="{rng.choice(["open", "closed"])}">\n'
                      f"      <opened>2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}</opened>\n"
                      f"      <ward>{rng.choice(WARDS)}</ward>\n")
            if i % 3 == 0:
                out.write(f"      <name>{rng.choice(NAMES)}</name>\n"
                          f"      <phone>07700 900{rng.randint(100, 999)}</phone>\n"
                          f"      <phone>07700 900{rng.randint(100, 999)}</phone>\n")
            out.write(f"      <address><line>{i % 200 + 1} High Street</line>"
                      f"<postcode>SW1A {rng.randint(1, 9)}AA</postcode></address>\n"
                      f"      <text>Report {i} of noise in the <b>{rng.choice(WARDS)}</b> "
                      "ward, <![CDATA[late at night]]>.</text>\n")
            if i % 10 == 0:
                out.write(f"      <!-- reviewed batch {i // 10} -->\n")
            out.write("    </case>\n")
        out.write("  </cases>\n</export>\n")


def hostile(directory: Path) -> dict[str, Path]:
    lol = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    files = {
        "billion laughs": f'<?xml version="1.0"?><!DOCTYPE r [{lol}]><r>&l9;</r>'.encode(),
        "10 MB text node": b"<r><c><text>" + b"x" * 10_000_001 + b"</text></c></r>",
        "nesting 300 deep": b"<a>" * 300 + b"</a>" * 300,
    }
    paths = {}
    for name, data in files.items():
        path = directory / (name.replace(" ", "-") + ".xml")
        path.write_bytes(data)
        paths[name] = path
    return paths


def run(*args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, *args],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--skip-check", action="store_true",
                        help="time the reader and hostile inputs only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = directory / "export.xml"
        generate(path, args.records)
        size = path.stat().st_size / 1e6
        floor = run("lxml", str(path))
        print(f"lxml    {floor['records']:>9,} records  {size:7.1f} MB  {floor['seconds']:6.2f} s  "
              f"{floor['records'] / floor['seconds']:>9,.0f} records/s  (parsing alone)")
        read = run("read", str(path))
        print(f"read    {read['records']:>9,} records  {size:7.1f} MB  {read['seconds']:6.2f} s  "
              f"{read['records'] / read['seconds']:>9,.0f} records/s  "
              f"{size / read['seconds']:5.1f} MB/s  peak RSS {read['peak_mb']:.0f} MB")
        if not args.skip_check:
            check = run("check", str(path))
            print(f"check   {check['records']:>9,} records  {check['seconds']:6.2f} s  "
                  f"{check['records'] / check['seconds']:>9,.0f} records/s  "
                  f"peak RSS {check['peak_mb']:.0f} MB")
            policy = directory / "redact.yaml"
            policy.write_text(REDACT_POLICY)
            redact = run("redact", str(path), str(policy))
            print(f"redact  {redact['records']:>9,} records  {redact['seconds']:6.2f} s  "
                  f"{redact['records'] / redact['seconds']:>9,.0f} records/s  "
                  f"peak RSS {redact['peak_mb']:.0f} MB (includes the re-check of the copy)")
        for name, hostile_path in hostile(directory).items():
            result = run("check", str(hostile_path))
            print(f"hostile {name:<18} blocked in {result['seconds']:.3f} s  "
                  f"peak RSS {result['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
