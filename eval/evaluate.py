"""Measure the content detectors against the labelled payloads in eval/labels.json.

    python eval/evaluate.py                 # per-payload lines, per-detector table, verdict
    python eval/evaluate.py --show-errors   # and every false positive / false negative
    python eval/evaluate.py --strict        # exit 1 when a target is missed

Each payload is checked with ``eval/policy.yaml`` (every field public, every
detector on), so only detectors decide. Two levels are scored:

* payload: a must-block payload that is blocked is caught; a must-allow payload
  that is blocked is a false positive. Targets: recall >= 0.97, false-positive
  rate <= 0.03.
* entity: a finding's (record, field, detector) that matches a label is a true
  positive, one with no label a false positive, a label with no finding a false
  negative. Target: every detector's precision >= 0.95.

Only masked evidence (as guardrail reports it) and labels are printed, never a
raw value from a payload.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
POLICY = HERE / "policy.yaml"
LABELS = HERE / "labels.json"

TARGET_RECALL = 0.97
TARGET_FPR = 0.03
TARGET_PRECISION = 0.95

Key = tuple["int | None", str, str]  # (record, field, detector)


@dataclass
class PayloadResult:
    file: str
    format: str
    expect: str
    verdict: str
    read_as: str | None
    error: str | None
    tp: set[Key] = field(default_factory=set)
    fp: dict[Key, str] = field(default_factory=dict)  # key -> masked evidence
    fn: set[Key] = field(default_factory=set)

    @property
    def correct(self) -> bool:
        return self.verdict == self.expect


@dataclass
class Results:
    payloads: list[PayloadResult]
    detectors: list[str]

    def __repr__(self) -> str:
        return f"Results({len(self.payloads)} payloads, {len(self.detectors)} detectors)"

    def of(self, expect: str) -> list[PayloadResult]:
        return [p for p in self.payloads if p.expect == expect]

    @property
    def recall(self) -> float:
        block = self.of("block")
        return _ratio(sum(p.verdict == "block" for p in block), len(block), 1.0)

    @property
    def false_positive_rate(self) -> float:
        allow = self.of("allow")
        return _ratio(sum(p.verdict == "block" for p in allow), len(allow), 0.0)

    def detector_counts(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for name in self.detectors:
            counts[name]  # every installed detector gets a row, found or not
        for p in self.payloads:
            for kind, keys in (("tp", p.tp), ("fp", p.fp), ("fn", p.fn)):
                for key in keys:
                    counts[key[2]][kind] += 1
        return dict(sorted(counts.items()))

    def precision(self, detector: str) -> float | None:
        c = self.detector_counts()[detector]
        return _ratio(c["tp"], c["tp"] + c["fp"], None)

    def recall_of(self, detector: str) -> float | None:
        c = self.detector_counts()[detector]
        return _ratio(c["tp"], c["tp"] + c["fn"], None)

    def failures(self) -> list[str]:
        """Targets missed, as readable sentences; empty when every target is met."""
        missed = []
        if self.recall < TARGET_RECALL:
            missed.append(f"payload recall {self.recall:.3f} < {TARGET_RECALL}")
        if self.false_positive_rate > TARGET_FPR:
            missed.append(f"false-positive rate {self.false_positive_rate:.3f} > {TARGET_FPR}")
        for name in self.detector_counts():
            precision = self.precision(name)
            if precision is not None and precision < TARGET_PRECISION:
                missed.append(f"{name} precision {precision:.3f} < {TARGET_PRECISION}")
        return missed


def _ratio(num: int, den: int, empty: Any) -> Any:
    return num / den if den else empty


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def evaluate(labels: list[dict[str, Any]] | None = None, root: Path = HERE) -> Results:
    """Check every labelled payload and score the findings against the labels."""
    from guardrail import Guardrail

    guard = Guardrail.from_policy(POLICY)
    payloads = []
    for entry in labels if labels is not None else load_labels():
        decision = guard.check(str(root / entry["file"]), max_findings=100000)
        read = decision.files[0] if decision.files else None
        found: dict[Key, str] = {}
        for finding in decision.findings:
            if finding.waived_by is None:  # one finding per value, carrying every rule
                for rule in finding.rules:
                    found.setdefault((finding.record, finding.field, rule), finding.evidence)
        expected = {(e["record"], e["field"], e["detector"]) for e in entry["entities"]}
        payloads.append(PayloadResult(
            entry["file"], entry["format"], entry["expect"], decision.verdict,
            read.format if read else None, read.error if read else None,
            tp=set(found) & expected,
            fp={k: v for k, v in found.items() if k not in expected},
            fn=expected - set(found),
        ))
    return Results(payloads, sorted(guard.registry.detectors))


# -- report -------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return " n/a" if value is None else f"{value:.2f}"


def _where(key: Key) -> str:
    record = "(document)" if key[0] is None else f"record {key[0]}"
    return f"{record}, field {key[1]}, {key[2]}"


def report(results: Results, show_errors: bool = False, out: Any = sys.stdout) -> None:
    def say(text: str = "") -> None:
        print(text, file=out)

    say("Per payload (entity-level TP/FP/FN, precision, recall):")
    for p in results.payloads:
        mark = "ok  " if p.correct else ("MISS" if p.expect == "block" else "FP  ")
        tp, fp, fn = len(p.tp), len(p.fp), len(p.fn)
        say(f"  {mark} expect {p.expect:5} got {p.verdict:5}  TP {tp:3} FP {fp:3} FN {fn:3}  "
            f"P {_fmt(_ratio(tp, tp + fp, None))} R {_fmt(_ratio(tp, tp + fn, None))}  {p.file}")
        if p.read_as and p.read_as != p.format:
            say(f"       read as {p.read_as}, labelled {p.format}")
        if p.error:
            say(f"       could not be read: {p.error}")
        if not p.correct and p.expect == "allow":
            for key, evidence in sorted(p.fp.items(), key=_sort_key):
                say(f"       blocked by {_where(key)}: {evidence}")
        if not p.correct and p.expect == "block":
            for key in sorted(p.fn, key=_sort_key):
                say(f"       missed {_where(key)}")

    say()
    say(f"{'detector':26} {'TP':>5} {'FP':>5} {'FN':>5} {'precision':>9} {'recall':>7}")
    for name, c in results.detector_counts().items():
        say(f"{name:26} {c['tp']:5} {c['fp']:5} {c['fn']:5} {_fmt(results.precision(name)):>9}"
            f" {_fmt(results.recall_of(name)):>7}")

    if show_errors:
        say()
        say("False positives (masked evidence) and false negatives (labels):")
        for p in results.payloads:
            for key, evidence in sorted(p.fp.items(), key=_sort_key):
                say(f"  FP {p.file}: {_where(key)}: {evidence}")
            for key in sorted(p.fn, key=_sort_key):
                say(f"  FN {p.file}: {_where(key)}")

    block, allow = results.of("block"), results.of("allow")
    caught = sum(p.verdict == "block" for p in block)
    false_blocks = sum(p.verdict == "block" for p in allow)
    say()
    say(f"payloads: {len(results.payloads)} ({len(block)} must-block, {len(allow)} must-allow)")
    say(f"payload recall:      {results.recall:.3f} ({caught}/{len(block)})"
        f"  target >= {TARGET_RECALL}")
    say(f"false-positive rate: {results.false_positive_rate:.3f} ({false_blocks}/{len(allow)})"
        f"  target <= {TARGET_FPR}")
    missed = results.failures()
    say("RESULT: PASS (all targets met)" if not missed
        else "RESULT: FAIL (" + "; ".join(missed) + ")")


def _sort_key(item: Any) -> tuple[int, str, str]:
    key = item[0] if isinstance(item, tuple) and isinstance(item[0], tuple) else item
    return (-1 if key[0] is None else key[0], key[1], key[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score guardrail's content detectors.")
    parser.add_argument("--show-errors", action="store_true",
                        help="list every false positive (masked) and false negative (label)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    results = evaluate()
    report(results, show_errors=args.show_errors)
    return 1 if args.strict and results.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
