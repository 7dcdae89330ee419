"""Benchmark: the YAML reader on a large generated export, and hostile YAML.

    python bench/bench_yaml.py [--rows N] [--policy asb-public-web] [--skip-check]

Generates bench/data/asb-N.yaml once (seeded: a top-level list of ASB-like case
mappings, one comment every 50 cases), then runs each step in its own process and
prints its time, records per second and peak memory (ru_maxrss of that process):

- ``events``: a bare PyYAML event pass (libyaml), the floor any PyYAML reader pays;
- ``read``: the yaml format plugin's records, not checked;
- ``check``: ``Guardrail.check`` with the policy (detectors and all);
- ``redact``: ``Guardrail.redact`` (names, postcodes, notes redacted), which also
  checks the copy it wrote;
- ``laughs`` / ``long-line``: a billion-laughs file and a 100 MB single line, which
  must block in well under a second with flat memory.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
FORENAMES = ["Aisha", "Ben", "Chloe", "Daniel", "Emma", "Farhan", "Grace", "Harry", "Isla"]
SURNAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hughes"]
STREETS = ["Marlowes", "Queensway", "Bennetts End Road", "Long Chaulden", "St Albans Road"]
WARDS = ["Adeyfield East", "Boxmoor", "Gadebridge", "Leverstock Green", "Grovehill"]
NOTES = [
    "{n} reports youths gathering outside {h} {s} most evenings, caller asked for a visit.",
    "Fly-tipping behind the garages on {s}; no suspects identified at this time.",
    "Caller {n} on 07700 900{p} reports repeated verbal abuse from the family next door.",
    "Motorbikes being ridden on the playing fields, residents concerned for children.",
]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write("# ASB cases export (synthetic)\n")
        for i in range(rows):
            name = f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}"
            street = rng.choice(STREETS)
            note = rng.choice(NOTES).format(n=name, h=rng.randint(1, 200), s=street,
                                            p=rng.randint(100, 999))
            if i % 50 == 0:
                out.write(f"# batch {i // 50}\n")
            out.write(f"- case_ref: ASB/2026/{i:06d}\n"
                      f"  month: 2026-{rng.randint(1, 12):02d}\n"
                      f"  category: {rng.choice(['Nuisance', 'Personal', 'Environmental'])}\n"
                      f"  ward: {rng.choice(WARDS)}\n"
                      f"  outcome: {rng.choice(['Advice given', 'No further action'])}\n"
                      f"  count: {rng.randint(1, 9)}\n"
                      f"  complainant_name: {name}\n"
                      f"  postcode: HP{rng.randint(1, 3)} {rng.randint(1, 9)}"
                      f"{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}\n"
                      f"  notes: \"{note}\"\n")
    tmp.replace(path)


def _events(path: str) -> int:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]
    from yaml.events import StreamEndEvent

    with open(path, "rb") as handle:
        parser = CParser(handle)
        count = 0
        while parser.get_event().__class__ is not StreamEndEvent:
            count += 1
    return count


def _read(path: str) -> int:
    from guardrail import Payload, ReadOptions
    from guardrail.host.registry import load_registry

    count = 0
    for section in load_registry().format("yaml").read(Payload(path), ReadOptions()):
        for _ in section.records:
            count += 1
    return count


def _check(path: str, policy: str) -> int:
    from guardrail import Guardrail

    decision = Guardrail.from_policy(policy).check(path, format="yaml")
    return decision.files[0].records


REDACT_POLICY = """\
apiVersion: guardrail/v1
kind: Policy
metadata: {name: bench-yaml-redact, version: "1"}
extends: uk-personal-data
fields:
  - id: bench.public
    name: [case_ref, month, category, ward, outcome, count]
    level: public
destinations:
  public-web: {max_level: public, actions: {personal: redact, special-category: drop}}
"""


def _redact(path: str) -> int:
    import tempfile

    from guardrail import Guardrail

    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policy.yaml"
        policy.write_text(REDACT_POLICY, encoding="utf-8")
        result = Guardrail.from_policy(policy).redact(path, Path(tmp) / "copy.yaml",
                                                      format="yaml")
        assert result.written, result.reason
        return result.changed


def hostile_file(kind: str) -> Path:
    """A billion-laughs file, or a 100 MB single line, made once under bench/data/."""
    path = HERE / "data" / f"hostile-{kind}.yaml"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        if kind == "laughs":
            out.write(b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n')
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
                out.write(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n".encode())
        else:
            out.write(b"- notes: ")
            for _ in range(50):
                out.write(b"x " * 1_000_000)
    return path


def _hostile(kind: str, guard: object) -> int:
    decision = guard.check(hostile_file(kind), format="yaml")  # type: ignore[attr-defined]
    assert decision.exit_code == 3, decision.files[0].error
    return 0


def child(step: str, path: str, policy: str) -> None:
    """Run one step in this process and print its figures as JSON."""
    import resource

    guard = None
    if step in ("laughs", "long-line"):  # time the check alone, not loading the policy
        from guardrail import Guardrail

        guard = Guardrail.from_policy("uk-personal-data")
    started = time.perf_counter()
    if step == "events":
        count = _events(path)
    elif step == "read":
        count = _read(path)
    elif step == "check":
        count = _check(path, policy)
    elif step == "redact":
        count = _redact(path)
    else:
        count = _hostile(step, guard)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"step": step, "count": count, "seconds": seconds, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--policy", default="asb-public-web")
    parser.add_argument("--skip-check", action="store_true",
                        help="skip the slow steps: check and redact")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    path = HERE / "data" / f"asb-{args.rows}.yaml"
    if not path.exists():
        generate(path, args.rows)
    size = path.stat().st_size / 1e6
    print(f"{path.name}: {args.rows:,} records, {size:.1f} MB")
    steps = ["events", "read"] + ([] if args.skip_check else ["check", "redact"]) + [
        "laughs", "long-line"]
    for kind in ("laughs", "long-line"):
        hostile_file(kind)
    for step in steps:
        out = subprocess.run([sys.executable, __file__, "--child", step, str(path),
                              args.policy], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        seconds = result["seconds"]
        if step == "events":
            rate = f"{result['count'] / seconds:>9,.0f} events/s "
        elif step in ("read", "check", "redact"):
            rate = f"{args.rows / seconds:>9,.0f} records/s"
        else:
            rate = " " * 19
        print(f"{step:>10}: {seconds:7.2f} s  {rate}  peak {result['peak_mb']:6.1f} MB")


if __name__ == "__main__":
    main()
