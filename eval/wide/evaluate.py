"""Score guardrail's content detectors on the wide evaluation (eval/wide/README.md).

    python eval/wide/evaluate.py                   # every table of figures
    python eval/wide/evaluate.py --show-errors     # and each FP (masked) and FN (label)
    python eval/wide/evaluate.py --policy uk-content-scan   # open data under another policy too
    python eval/wide/evaluate.py --data /tmp/wide7 # a fresh sample from generate.py --seed

Each case (one NDJSON record) is checked on its own, each table and open-data file as
a payload, all with ``eval/wide/policy.yaml`` (every field public, every detector on).
Entities are (record, field, detector), as in ``eval/evaluate.py``. Only masked
evidence and labels are printed, never a raw value from a payload. No targets: the
figures are for reading, the detectors are being rewritten.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
POLICY = HERE / "policy.yaml"

DETECTORS = ("person.name", "uk.phone", "uk.nhs_number", "uk.nino", "uk.postcode",
             "uk.vehicle_registration", "network.ip_address", "payment_card",
             "uk.date_of_birth", "email", "uk.street_address", "bank.iban", "uk.passport",
             "uk.driving_licence")


def _base() -> Any:
    """eval/evaluate.py, for its ratio and formatting helpers and its finding reading."""
    spec = importlib.util.spec_from_file_location("guardrail_eval_evaluate",
                                                  HERE.parent / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


base = _base()
ratio, fmt = base._ratio, base._fmt
Key = tuple  # (record, field, detector)


@dataclass
class Scored:
    """One checked payload (a case, a table or an open-data file) against its labels."""

    id: str
    family: str
    expect: str  # find / clean (cases, tables); block / allow (open data)
    verdict: str
    labels: list[dict[str, Any]]
    tp: dict[Key, str] = field(default_factory=dict)  # key -> masked evidence
    fp: dict[Key, str] = field(default_factory=dict)
    fn: set[Key] = field(default_factory=set)
    deciding: dict[Key, str] = field(default_factory=dict)  # key -> the finding's first rule
    error: str | None = None
    distractor: str | None = None


def _findings(guard: Any, source: Any, fmt_name: str | None) -> tuple[str, dict, dict, str | None]:
    decision = guard.check(source, format=fmt_name, max_findings=100000)
    read = decision.files[0] if decision.files else None
    found: dict[Key, str] = {}
    deciding: dict[Key, str] = {}
    for finding in decision.findings:
        if finding.waived_by is None:
            for rule in finding.rules:
                key = (finding.record, finding.field, rule)
                found.setdefault(key, finding.evidence)
                deciding.setdefault(key, finding.rule)
    return decision.verdict, found, deciding, read.error if read else None


def _score(id_: str, family: str, expect: str, labels: list[dict], verdict: str,
           found: dict, deciding: dict, error: str | None) -> Scored:
    expected = {(e["record"], e["field"], e["detector"]) for e in labels}
    found = {k: v for k, v in found.items() if k[2] in DETECTORS}  # field rules aside
    return Scored(id_, family, expect, verdict, labels,
                  tp={k: v for k, v in found.items() if k in expected},
                  fp={k: v for k, v in found.items() if k not in expected},
                  fn=expected - set(found), deciding=deciding, error=error)


def load_cases(data: Path) -> list[dict[str, Any]]:
    with (data / "cases.ndjson").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def score_cases(guard: Any, data: Path, sample: int | None = None) -> list[Scored]:
    scored = []
    cases = load_cases(data)
    if sample:  # spread over every family: every k-th case
        cases = cases[::max(1, len(cases) // sample)][:sample]
    for case in cases:
        payload = (json.dumps(case["record"], ensure_ascii=False) + "\n").encode("utf-8")
        labels = [{"record": 0, **e} for e in case["entities"]]
        s = _score(case["id"], case["family"], case["expect"], labels,
                   *_findings(guard, payload, "ndjson"))
        s.distractor = case.get("distractor")
        scored.append(s)
    return scored


def score_tables(guard: Any, data: Path) -> list[Scored]:
    entries = json.loads((data / "tables" / "labels.json").read_text(encoding="utf-8"))
    return [_score(e["file"], e["family"], e["expect"], e["entities"],
                   *_findings(guard, str(data / e["file"]), e["format"])) for e in entries]


def score_opendata(guard: Any, data: Path) -> list[tuple[dict, Scored]]:
    entries = json.loads((data / "opendata" / "labels.json").read_text(encoding="utf-8"))
    out = []
    for e in entries:
        verdict, found, deciding, error = _findings(guard, str(data / e["file"]), e["format"])
        s = Scored(e["file"], e["kind"], e["expect"], verdict, [], error=error)
        s.fp = {k: v for k, v in found.items() if deciding.get(k) == k[2]}  # every finding
        out.append((e, s))
    return out


# -- figures --------------------------------------------------------------------------


def _counts(scored: list[Scored], keep: Any = lambda s, key: True) -> dict[str, Counter]:
    counts: dict[str, Counter] = {d: Counter() for d in DETECTORS}
    for s in scored:
        for kind in ("tp", "fp", "fn"):
            for key in getattr(s, kind):
                if keep(s, key):
                    counts.setdefault(key[2], Counter())[kind] += 1
    return counts


def _row(name: str, c: Counter, width: int = 44) -> str:
    p, r = ratio(c["tp"], c["tp"] + c["fp"], None), ratio(c["tp"], c["tp"] + c["fn"], None)
    return f"  {name[:width]:{width}} {c['tp']:5} {c['fp']:5} {c['fn']:5} {fmt(p):>6} {fmt(r):>6}"


def _head(title: str, width: int = 44) -> str:
    return f"{title:{width + 2}} {'TP':>5} {'FP':>5} {'FN':>5} {'P':>6} {'R':>6}"


def _label_of(s: Scored, key: Key) -> dict:
    for e in s.labels:
        if (e["record"], e["field"], e["detector"]) == key:
            return e
    return {}


def _is_public_role(s: Scored, key: Key) -> bool:
    return key[2] == "person.name" and bool(_label_of(s, key).get("public_role"))


def _masked_words(text: str) -> list[str]:
    """The words of *text* masked one by one (no cut for length), split at punctuation."""
    from guardrail.masking import mask_value

    return [w for t in text.split() for w in re.findall(r"[\w*]+", mask_value(t))]


def _find(needle: list[str], hay: list[str]) -> list[int]:
    return [i for i in range(len(hay) - len(needle) + 1) if hay[i:i + len(needle)] == needle]


def name_span(s: Scored, key: Key, record: dict) -> str:
    """Where a person.name hit's masked evidence lies in the masked field: on the whole
    labelled name (a title before it allowed), on part of it, elsewhere, or unknown
    (the evidence is another rule's, or cut short)."""
    evidence = s.tp[key]
    if s.deciding.get(key) != "person.name" or "…" in evidence:
        return "unknown"
    hay = _masked_words(str(record.get(key[1], "")))
    shown = re.findall(r"[\w*]+", evidence)  # already masked
    found = _find(shown, hay)
    label = _label_of(s, key)
    best = "elsewhere"
    for value in [label["value"]] + label.get("others", []):
        words = _masked_words(value)
        for start in _find(words, hay):
            for at in found:
                end = at + len(shown)
                if at <= start and end >= start + len(words):
                    return "whole name"
                if at < start + len(words) and end > start:
                    best = "part of the name"
    return best


def report(cases: list[Scored], tables: list[Scored], opendata: dict[str, list],
           installed: set[str], show_errors: bool, records: dict[str, dict],
           out: Any = None) -> None:
    def say(text: str = "") -> None:
        print(text, file=out or sys.stdout)

    everything = cases + tables
    say(_head("Per detector (cases and tables), entity level"))
    for name, c in _counts(everything).items():
        note = "" if name in installed else "   (not installed)"
        say(_row(name, c) + note)

    say()
    say(_head("person.name"))
    names = lambda s, k: k[2] == "person.name"  # noqa: E731
    say(_row("all labelled names", _counts(everything, names)["person.name"]))
    say(_row("without the public-role family", _counts(
        everything, lambda s, k: names(s, k) and not _is_public_role(s, k))["person.name"]))
    say(_row("public role only", _counts(
        everything, lambda s, k: names(s, k) and _is_public_role(s, k))["person.name"]))
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for s in cases:
        for kind in ("tp", "fn"):
            for key in getattr(s, kind):
                if names(s, key) and not _is_public_role(s, key):
                    by_kind[_label_of(s, key)["kind"]][kind] += 1
    for kind, c in sorted(by_kind.items()):
        say(_row(f"cases, {kind} (recall)", c))
    spans = Counter(name_span(s, k, records[s.id]) for s in cases for k in s.tp
                    if k[2] == "person.name")
    say(f"  where the {sum(spans.values())} person.name hits in cases lie (masked evidence in "
        "the masked text): " + ", ".join(f"{k} {v}" for k, v in sorted(spans.items())))

    say()
    say("person.name recall by origin (cases, public role excluded): full / single / surname list")
    origin: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for s in cases:
        for kind in ("tp", "fn"):
            for key in getattr(s, kind):
                if names(s, key) and not _is_public_role(s, key):
                    label = _label_of(s, key)
                    origin[label["origin"]][label["kind"]][kind] += 1
    say(f"  {'origin':10} {'full':>12} {'single':>12} {'surnames':>12}")
    for loc, kinds in sorted(origin.items(), key=lambda x: _recall(x[1]["full"]) or 0):
        cells = [f"{fmt(_recall(kinds[k]))} ({kinds[k]['tp'] + kinds[k]['fn']:3})"
                 for k in ("full", "single", "surnames")]
        say(f"  {loc:10} " + " ".join(f"{c:>12}" for c in cells))

    say()
    say(_head("Per family and detector (cases)"))
    fam: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for s in cases:
        for kind in ("tp", "fp", "fn"):
            for key in getattr(s, kind):
                fam[(s.family, key[2])][kind] += 1
    for (family, detector), c in sorted(fam.items()):
        say(_row(f"{family} | {detector}", c, 60))

    say()
    say("Identifier recall by written form (cases and tables)")
    forms: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for s in everything:
        for kind in ("tp", "fn"):
            for key in getattr(s, kind):
                label = _label_of(s, key)
                if "form" in label:
                    forms[(key[2], label["form"])][kind] += 1
    for (detector, form), c in sorted(forms.items()):
        say(f"  {detector:24} {form:22} {fmt(_recall(c)):>6} ({c['tp'] + c['fn']})")

    say()
    say("Payload level: find cases blocked (recall); clean cases blocked (false-positive rate)")
    for title, group in (("cases", cases), ("tables", tables)):
        families = sorted({s.family for s in group})
        for family in families:
            members = [s for s in group if s.family == family]
            blocked = sum(s.verdict == "block" for s in members)
            what = "recall" if members[0].expect == "find" else "FPR"
            say(f"  {title:6} {family:58} {what:6} {blocked / len(members):.3f} "
                f"({blocked}/{len(members)})")
        for expect, what in (("find", "recall"), ("clean", "FPR")):
            members = [s for s in group if s.expect == expect]
            blocked = sum(s.verdict == "block" for s in members)
            say(f"  {title:6} {'ALL ' + expect:58} {what:6} {ratio(blocked, len(members), 0):.3f} "
                f"({blocked}/{len(members)})")
    clean_fp: dict[str, Counter] = defaultdict(Counter)
    for s in cases:
        if s.expect == "clean":
            clean_fp[f"{s.family.split('/')[1]}: {s.distractor}"][
                "blocked" if s.verdict == "block" else "allowed"] += 1
    say("  clean cases blocked, by distractor:")
    for what, c in sorted(clean_fp.items()):
        say(f"    {what:64} {c['blocked']:4}/{c['blocked'] + c['allowed']}")

    for policy, files in opendata.items():
        say()
        say(f"Open data under {policy}")
        for kind in sorted({e['kind'] for e, _ in files}):
            clean = [(e, s) for e, s in files if e["kind"] == kind and e["expect"] == "allow"]
            leaky = [(e, s) for e, s in files if e["kind"] == kind and e["expect"] == "block"]
            fp = sum(s.verdict == "block" for _, s in clean)
            fp_roles = sum(s.verdict == "block" and not _only_public_roles(e, s) for e, s in clean)
            caught = sum(s.verdict == "block" for _, s in leaky)
            say(f"  {kind:18} clean blocked {fp}/{len(clean)} (not by a public-role name alone "
                f"{fp_roles}/{len(clean)})   leaky blocked {caught}/{len(leaky)}")
        clean = [(e, s) for e, s in files if e["expect"] == "allow"]
        leaky = [(e, s) for e, s in files if e["expect"] == "block"]
        fpr = sum(s.verdict == "block" for _, s in clean) / len(clean)
        fpr2 = sum(s.verdict == "block" and not _only_public_roles(e, s) for e, s in clean)
        rec = sum(s.verdict == "block" for _, s in leaky) / len(leaky)
        planted = Counter()
        for e, s in leaky:
            for d in e["detectors"]:
                planted[(d, any(k[2] == d for k in s.fp))] += 1
        say(f"  ALL  false-positive rate {fpr:.3f} ({fpr2}/{len(clean)} not by a public-role "
            f"name alone), leaky recall {rec:.3f}")
        say("  planted items found by their detector anywhere in the file: " + ", ".join(
            f"{d} {planted[(d, True)]}/{planted[(d, True)] + planted[(d, False)]}"
            for d in sorted({d for d, _ in planted})))
        if show_errors:
            for e, s in files:
                if (s.verdict == "block") != (e["expect"] == "block"):
                    say(f"    {'FP' if e['expect'] == 'allow' else 'FN'} {e['file']}: "
                        + ("; ".join(f"{_where(k)}: {v}" for k, v in sorted(s.fp.items(),
                                                                           key=_sort))
                           or f"planted {', '.join(e['detectors'])} not found"))

    errors = [s for s in everything if s.error]
    if errors:
        say()
        say(f"{len(errors)} payloads could not be read: " + ", ".join(s.id for s in errors[:10]))
    if show_errors:
        say()
        say("False positives (masked evidence) and false negatives (labels, masked value):")
        from guardrail.masking import mask_value

        for s in everything:
            for key, evidence in sorted(s.fp.items(), key=_sort):
                extra = f" [clean: {s.distractor}]" if s.distractor else ""
                say(f"  FP {s.id}: {_where(key)}: {evidence}{extra}")
            for key in sorted(s.fn, key=_sort):
                label = _label_of(s, key)
                meta = ", ".join(f"{k}={label[k]}" for k in ("origin", "kind", "form")
                                 if k in label)
                say(f"  FN {s.id}: {_where(key)} ({meta}): {mask_value(label['value'])}")


def _only_public_roles(entry: dict, s: Scored) -> bool:
    """Was *s* blocked only by person.name on (part of) a public-role name?"""
    from guardrail.masking import mask_value

    if not s.fp or not entry.get("public_role_names"):
        return False
    masks = [mask_value(n).split() for n in entry["public_role_names"]]
    for key, evidence in s.fp.items():
        words = evidence.split()
        if key[2] != "person.name" or not any(
                any(m[i:i + len(words)] == words for i in range(len(m))) for m in masks):
            return False
    return True


def _recall(c: Counter) -> float | None:
    return ratio(c["tp"], c["tp"] + c["fn"], None)


def _where(key: Key) -> str:
    record = "(document)" if key[0] is None else f"record {key[0]}"
    return f"{record}, field {key[1]}, {key[2]}"


def _sort(item: Any) -> tuple:
    key = item[0] if isinstance(item[0], tuple) else item
    return (-1 if key[0] is None else key[0], str(key[1]), key[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", action="store_true",
                        help="list every false positive (masked) and false negative (label)")
    parser.add_argument("--policy", default=None,
                        help="also check the open-data files with this policy (name or path)")
    parser.add_argument("--data", type=Path, default=HERE,
                        help="a sample written by generate.py --out (default: the committed one)")
    parser.add_argument("--sample", type=int, default=None,
                        help="score only N cases spread over the families, and no tables")
    args = parser.parse_args(argv)

    from guardrail import Guardrail

    guard = Guardrail.from_policy(POLICY)
    installed = set(guard.registry.detectors)
    cases = score_cases(guard, args.data, args.sample)
    tables = [] if args.sample else score_tables(guard, args.data)
    opendata = {"eval/wide/policy.yaml (all public)": score_opendata(guard, args.data)}
    if args.policy:
        other = Guardrail.from_policy(args.policy)
        opendata[f"{args.policy}"] = score_opendata(other, args.data)
    records = {c["id"]: c["record"] for c in load_cases(args.data)}
    report(cases, tables, opendata, installed, args.show_errors, records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
