"""The wide evaluation's committed labels are well formed, and its scorer never prints a
raw labelled value. No accuracy targets: the figures are printed by
``python eval/wide/evaluate.py`` (see ``eval/wide/README.md``).
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from guardrail.policy.paths import display_path  # labels name fields as reports do

WIDE = Path(__file__).parent.parent / "eval" / "wide"


def _load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guardrail_wide_evaluate", WIDE / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


scorer = _load_scorer()
CASES = scorer.load_cases(WIDE)
TABLES = json.loads((WIDE / "tables" / "labels.json").read_text(encoding="utf-8"))
OPENDATA = json.loads((WIDE / "opendata" / "labels.json").read_text(encoding="utf-8"))


def _values(entity: dict) -> list[str]:
    return [entity["value"], *entity.get("others", [])]


def test_every_case_label_names_a_field_of_its_case_and_a_known_detector() -> None:
    assert len(CASES) > 1000 and len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert case["expect"] in ("find", "clean"), case["id"]
        assert (case["expect"] == "find") == bool(case["entities"]), case["id"]
        for entity in case["entities"]:
            assert entity["detector"] in scorer.DETECTORS, case["id"]
            assert entity["field"] in case["record"], case["id"]
            for value in _values(entity):
                assert value and value in str(case["record"][entity["field"]]), case["id"]
            if entity["detector"] == "person.name":
                assert entity["kind"] in ("full", "single", "surnames"), case["id"]
                assert entity["origin"], case["id"]


def _table_cells(entry: dict) -> dict[tuple[int, str], str]:
    text = (WIDE / entry["file"]).read_text(encoding="utf-8")
    if entry["format"] == "csv":
        return {(i, k): v for i, row in enumerate(csv.DictReader(io.StringIO(text)))
                for k, v in row.items()}
    cells = {}
    for i, row in enumerate(json.loads(text)):
        for key, value in row.items():
            for sub, cell in (value.items() if isinstance(value, dict) else [(None, value)]):
                path = (key,) if sub is None else (key, sub)
                cells[(i, display_path(path))] = cell
    return cells


def test_every_table_label_names_a_cell_holding_its_value() -> None:
    on_disk = sorted(p.name for p in (WIDE / "tables").iterdir() if p.name != "labels.json")
    assert sorted(Path(e["file"]).name for e in TABLES) == on_disk
    for entry in TABLES:
        cells = _table_cells(entry)
        assert (entry["expect"] == "find") == bool(entry["entities"]), entry["file"]
        for entity in entry["entities"]:
            assert entity["detector"] in scorer.DETECTORS, entry["file"]
            assert cells[(entity["record"], entity["field"])] == entity["value"], entry["file"]


def test_open_data_files_are_labelled_and_leaky_ones_say_what_was_planted() -> None:
    for state in ("clean", "leaky"):
        on_disk = sorted(p.name for p in (WIDE / "opendata" / state).iterdir())
        assert sorted(Path(e["file"]).name for e in OPENDATA
                      if e["file"].startswith(f"opendata/{state}/")) == on_disk
    for entry in OPENDATA:
        text = (WIDE / entry["file"]).read_text(encoding="utf-8")
        assert entry["expect"] == ("block" if "/leaky/" in entry["file"] else "allow")
        assert all(d in scorer.DETECTORS for d in entry["detectors"])
        assert bool(entry["detectors"]) == (entry["expect"] == "block"), entry["file"]
        for name in entry["public_role_names"]:
            assert name in text


@pytest.fixture(scope="module")
def shown() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        scorer.main(["--sample", "80", "--show-errors"])
    return out.getvalue()


def test_show_errors_prints_no_raw_labelled_value(shown: str) -> None:
    assert "FN " in shown  # errors were listed, so the check below means something
    sample = CASES[::max(1, len(CASES) // 80)][:80]
    raw = {v for c in sample for e in c["entities"] for v in _values(e) if len(v) >= 5}
    raw |= {e["planted"] for e in OPENDATA if e["planted"]}
    raw |= {n for e in OPENDATA for n in e["public_role_names"]}
    assert len(raw) > 50
    assert sorted(v for v in raw if v in shown) == []
