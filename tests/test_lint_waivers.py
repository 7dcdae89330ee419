"""``guardrail lint`` flags exceptions that can never suppress a finding, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import lint

DATA = Path(__file__).parent / "data" / "lint"
IDLE = "several/waivers-idle.yaml"




@pytest.fixture(autouse=True)
def _in_data(monkeypatch):
    monkeypatch.chdir(DATA)


def test_only_the_exceptions_that_never_apply_are_flagged():
    result = lint(IDLE)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{IDLE}:25:11: warning: field 'postcode' is always classified, by name rule "
        f"'postcode' ({IDLE}:15), so rule field.unclassified never reports it and this "
        "exception never suppresses anything: remove it, or name rule field.level if that is "
        "what it waives [waiver-never-applies]",
        f"{IDLE}:30:11: warning: every destination already accepts 'public', the level of rule "
        "lint.field.public; this exception never suppresses anything: remove it, or fix the "
        "rule it waives [waiver-never-applies]",
        f"{IDLE}:47:19: warning: destination 'partner' already accepts 'personal', the level "
        "of field 'postcode'; this exception never suppresses anything: remove it, or name a "
        "destination that does not accept 'personal' [waiver-never-applies]",
        "3 problems (0 errors, 3 warnings) in 1 policy",
    ]


def test_a_waiver_for_a_field_content_detectors_scan_is_not_judged(tmp_path):
    text = (DATA / "waiver-never-applies.yaml").read_text(encoding="utf-8")
    path = tmp_path / "scanned.yaml"
    path.write_text(text + "detectors:\n  run: ['*']\n", encoding="utf-8")
    result = lint(str(path))
    assert (result.exit_code, result.output) == (0, "no problems in 1 policy\n")


def test_a_waiver_to_a_destination_that_refuses_the_level_is_kept(tmp_path):
    text = (DATA / "waiver-never-applies.yaml").read_text(encoding="utf-8")
    path = tmp_path / "kept.yaml"
    path.write_text(text.replace("max_level: personal", "max_level: internal"),
                    encoding="utf-8")
    result = lint(str(path))
    assert (result.exit_code, result.output) == (0, "no problems in 1 policy\n")
