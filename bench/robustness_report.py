"""The campaign's tables: suites and violations, mutation kinds by format, hostile input."""

from __future__ import annotations

from collections import Counter

from fuzz.campaign import Tally
from fuzz.invariants import INVARIANTS
from fuzz.mutations import MISSED_TODAY, MUTATIONS
from robustness_hostile import PEAK_MB, SECONDS, Measured

__all__ = ["print_suites", "print_kinds", "print_hostile"]

_COLUMNS = ("crash", "internal-error", "leak", "wrong-allow", "order", "chunks", "jobs",
            "redact")
_SHORT = {"internal-error": "internal", "wrong-allow": "wrong-allow"}


def print_suites(tallies: dict[str, Tally], measured: list[Measured], elapsed: float) -> None:
    head = f"{'suite':18} {'inputs':>9} " + " ".join(f"{_SHORT.get(c, c):>11}"
                                                    for c in _COLUMNS) + f" {'seconds':>8}"
    print("\n" + head)
    total: Counter[str] = Counter()
    inputs = 0
    for name, tally in tallies.items():
        inputs += tally.inputs
        total.update(tally.violations)
        print(f"{name:18} {tally.inputs:>9,} " + " ".join(
            f"{tally.violations[c]:>11,}" for c in _COLUMNS) + f" {tally.seconds:>8.0f}")
    if measured:
        bad = sum(1 for m in measured if not m.ok)
        print(f"{'hostile (CLI)':18} {len(measured):>9,} {'':>11} " +
              f"{'':>11} " * 5 + f"{bad:>11} (not blocked in {SECONDS} s / {PEAK_MB} MB)")
        inputs += len(measured)
    print(f"{'total':18} {inputs:>9,} " + " ".join(f"{total[c]:>11,}" for c in _COLUMNS) +
          f" {elapsed:>8.0f}")
    for code in _COLUMNS:
        print(f"  {_SHORT.get(code, code):>11}: {INVARIANTS[code]}")
    skipped = sum((t.skipped for t in tallies.values()), Counter())
    if skipped:
        print("skipped (not inputs): " + ", ".join(f"{k} {v}" for k, v in
                                                   skipped.most_common(6)))
    examples = [e for t in tallies.values() for e in t.examples
                if not e.startswith("[wrong-allow]")]
    if examples:
        print("\nother violations (first of each kind; inputs under --failures):")
        for line in dict.fromkeys(e.split(":")[0] for e in examples):
            print(f"  {line}")


def print_kinds(tally: Tally | None) -> None:
    """Reader-preserving mutations: inputs allowed / inputs, by kind and format.
    ``*`` marks a cell MISSED_TODAY expects to be missed; ``!`` one it did not expect."""
    if tally is None:
        return
    formats = sorted({fmt for (_, fmt, _) in tally.verdicts})
    print("\nreader-preserving mutations, allowed / tried (must be 0; * = in MISSED_TODAY, "
          "! = allowed but not listed, ~ = listed but none allowed)")
    print(f"{'kind':20}" + "".join(f"{f:>12}" for f in formats))
    for kind, mutation in MUTATIONS.items():
        if not mutation.preserving:
            continue
        cells = []
        for fmt in formats:
            tried = sum(n for (k, f, _), n in tally.verdicts.items() if k == kind and f == fmt)
            allowed = tally.verdicts[(kind, fmt, "allow")]
            listed = fmt in MISSED_TODAY.get(kind, ())
            mark = ("*" if listed else "!") if allowed else ("~" if listed and tried else " ")
            cells.append(f"{allowed}/{tried}{mark}" if tried else "-")
        print(f"{kind:20}" + "".join(f"{c:>12}" for c in cells))


def print_hostile(measured: list[Measured], scale: float) -> None:
    size = "full size" if scale >= 1 else f"at {scale:g} of full size, limits lowered"
    print(f"\nhostile payloads ({size}; guardrail check in its own process):")
    for m in measured:
        flag = "" if m.ok else "  <-- FAILS"
        print(f"  {m.name:22} {m.size / 2**20:9.1f} MB  exit {m.exit}  {m.seconds:6.2f} s  "
              f"{m.peak_mb:6.0f} MB peak{flag}  {m.error[:60]}")
    slowest = max(measured, key=lambda m: m.seconds)
    biggest = max(measured, key=lambda m: m.peak_mb)
    print(f"worst time: {slowest.name} {slowest.seconds:.2f} s; worst memory: "
          f"{biggest.name} {biggest.peak_mb:.0f} MB peak (limits {SECONDS} s, {PEAK_MB} MB)")
