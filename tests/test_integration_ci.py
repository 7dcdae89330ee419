"""docs/integrations.md's CI step, run as a CI job runs it, and its workflow example."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "examples" / "integrations" / "ci_check.sh"


def _run(*files: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARDRAIL_")}
    return subprocess.run(["sh", str(SCRIPT), *map(str, files)], capture_output=True,
                          text=True, timeout=120, env=env)


def test_the_step_passes_a_clean_export() -> None:
    run = _run(ROOT / "examples" / "asb-export-clean.csv")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ALLOWED" in run.stdout


def test_the_step_fails_the_job_on_a_leaky_export_without_printing_it() -> None:
    run = _run(ROOT / "examples" / "asb-export-clean.csv",
               ROOT / "examples" / "asb-export-leaky.csv")
    assert run.returncode == 1
    assert "BLOCKED" in run.stdout and "complainant_name" in run.stdout
    assert "Daniel Hughes" not in run.stdout + run.stderr


def test_the_workflow_on_the_page_is_valid_yaml_calling_the_step() -> None:
    page = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- workflow -->\n```yaml\n(.*?)```", page, re.S)
    assert block is not None
    workflow = yaml.safe_load(block[1])
    steps = workflow["jobs"]["export"]["steps"]
    assert any("examples/integrations/ci_check.sh" in step.get("run", "") for step in steps)
