"""docs/integrations.md's guarded-write example, run as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent / "examples" / "integrations" / "guarded_write.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True,
                          text=True, timeout=120)


def test_a_clean_export_is_published(tmp_path: Path) -> None:
    target = tmp_path / "cases.csv"
    run = _run("clean", str(target))
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"published {target}\n"
    assert target.read_bytes() == b"month,ward,category\r\n2026-08,Adeyfield East,Nuisance\r\n"


def test_a_leaky_export_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "cases.csv"
    run = _run("leaky", str(target))
    assert run.returncode == 1
    assert run.stdout.startswith("BLOCKED: ")
    assert "complainant_name" in run.stdout
    assert "Daniel" not in run.stdout + run.stderr and "Hughes" not in run.stdout
    assert list(tmp_path.iterdir()) == []
