"""The content detectors meet the accuracy targets on the labelled evaluation set.

The payloads and labels are committed under ``eval/`` (see ``eval/generate.py``),
so this needs no Faker. When a target is missed, run
``python eval/evaluate.py --show-errors`` for every false positive and negative.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

EVAL = Path(__file__).parent.parent / "eval"


def _load_evaluate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guardrail_eval_evaluate", EVAL / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


evaluate = _load_evaluate()


@pytest.fixture(scope="module")
def results() -> evaluate.Results:
    return evaluate.evaluate()


def test_every_payload_is_labelled_exactly_once() -> None:
    labels = evaluate.load_labels()
    labelled = [entry["file"] for entry in labels]
    on_disk = sorted(str(p.relative_to(EVAL)) for folder in ("data", "cases")
                     for p in (EVAL / folder).rglob("*") if p.is_file() and p.name != "labels.json")
    assert sorted(labelled) == on_disk
    for entry in labels:
        assert entry["expect"] in ("block", "allow")
        assert entry["format"] == Path(entry["file"]).suffix.lstrip(".")
        assert (entry["expect"] == "block") == bool(entry["entities"]), entry["file"]


def test_hand_written_labels_are_the_ones_evaluated() -> None:
    cases = json.loads((EVAL / "cases" / "labels.json").read_text(encoding="utf-8"))
    merged = [e for e in evaluate.load_labels() if e["file"].startswith("cases/")]
    assert [{k: v for k, v in e.items() if k != "source"} for e in merged] == cases, \
        "eval/cases/labels.json changed: run python eval/generate.py --merge-cases"


def test_every_payload_is_read_in_its_labelled_format(results: evaluate.Results) -> None:
    assert [(p.file, p.read_as, p.error) for p in results.payloads
            if p.read_as != p.format or p.error] == []


def test_payload_recall(results: evaluate.Results) -> None:
    missed = [p.file for p in results.of("block") if p.verdict != "block"]
    assert results.recall >= evaluate.TARGET_RECALL, f"must-block payloads allowed: {missed}"


def test_false_positive_rate(results: evaluate.Results) -> None:
    blocked = [p.file for p in results.of("allow") if p.verdict != "allow"]
    assert results.false_positive_rate <= evaluate.TARGET_FPR, \
        f"must-allow payloads blocked: {blocked}"


def test_every_detector_precision(results: evaluate.Results) -> None:
    low = {name: round(results.precision(name), 3) for name in results.detector_counts()
           if results.precision(name) is not None
           and results.precision(name) < evaluate.TARGET_PRECISION}
    assert low == {}


def test_report_shows_masked_evidence_and_labels_only(results: evaluate.Results) -> None:
    out = io.StringIO()
    evaluate.report(results, show_errors=True, out=out)
    text = out.getvalue()
    assert "RESULT: " in text
    # Raw values from hard cases that are both found and missed never appear.
    for raw in ("07825 419063", "7825419063", "4505577104", "Łukasz Wójcik", "Karen WHITE",
                "jane.doe [at] gmail", "0800 555 111", "14/02/2009", "YR19 KHD"):
        assert raw not in text
