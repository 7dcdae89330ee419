"""The core install stays small: integrations' libraries are extras, imported only by
the integration that needs them, never by a plain check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
HEAVY = ("pandas", "polars", "pyarrow", "numpy", "boto3", "botocore", "httpx", "requests",
         "flask", "django", "starlette", "fastapi", "uvicorn", "waitress", "datasette",
         "ckan", "moto")


def test_no_integration_library_is_a_core_dependency() -> None:
    core = {dep.split(">")[0].split("=")[0].split("[")[0].strip().lower()
            for dep in CONFIG["project"]["dependencies"]}
    assert core.isdisjoint(HEAVY)


def test_every_integration_has_an_extra() -> None:
    extras = CONFIG["project"]["optional-dependencies"]
    for extra in ("dataframes", "pandas", "polars", "s3", "httpx", "requests", "http", "web",
                  "datasette", "ckan", "logging"):
        assert extra in extras


def test_a_check_imports_no_integration_library() -> None:
    script = (
        "import sys, guardrail\n"
        "guard = guardrail.Guardrail.from_policy('asb-public-web')\n"
        "decision = guard.check('examples/asb-export-clean.csv')\n"
        "assert decision.allowed\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "[]\n"
