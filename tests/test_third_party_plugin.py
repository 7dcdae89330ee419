"""A third-party plugin, really installed, adds a format with no change to the core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import NO_DETECTORS, run_guardrail

PLUGIN = Path(__file__).parent / "data" / "plugins" / "guardrail-kv"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the plugin distribution into a private site directory with pip."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(PLUGIN)],
        check=True, cwd=build, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert (target / "guardrail_kv.py").is_file()
    return target


def _guardrail(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    return run_guardrail(*args, text=True, env=env, cwd=cwd)


def test_installed_plugin_format_is_used(plugin_site: Path, tmp_path: Path) -> None:
    payload = tmp_path / "cases.kv"
    payload.write_text("month: 2026-05\nward: Boxmoor\n\nmonth: 2026-06\n"
                       "complainant_name: Zebedee Quackenbush\n", encoding="utf-8")
    result = _guardrail(plugin_site, "check", "--policy", str(NO_DETECTORS), "--report", "json",
                        str(payload), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["files"][0]["format"] == "kv"
    assert report["files"][0]["records"] == 2
    assert [(f["record"], f["field"], f["rule"], f["evidence"]) for f in report["findings"]] == [
        (1, "complainant_name", "uk.field.person_name", "Z****** Q**********")
    ]
    assert "Quackenbush" not in result.stdout + result.stderr


def test_plugin_listed_with_its_distribution(plugin_site: Path, tmp_path: Path) -> None:
    result = _guardrail(plugin_site, "plugins", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("kv "))
    assert "guardrail-kv 0.3.0" in line


def test_plugin_payload_error_blocks_with_position(plugin_site: Path, tmp_path: Path) -> None:
    payload = tmp_path / "bad.kv"
    payload.write_text("month: 2026-05\nnot a pair\n", encoding="utf-8")
    result = _guardrail(plugin_site, "check", "--policy", "asb-public-web", str(payload),
                        cwd=tmp_path)
    assert result.returncode == 3
    assert "line 2: expected 'key: value'" in result.stdout


def test_without_the_plugin_the_format_is_unknown(tmp_path: Path) -> None:
    payload = tmp_path / "cases.kv"
    payload.write_text("month: 2026-05\n", encoding="utf-8")
    result = run_guardrail("check", "--policy", "asb-public-web", str(payload), text=True,
                           cwd=tmp_path)
    assert result.returncode == 3
    assert "cannot tell the format" in result.stdout
