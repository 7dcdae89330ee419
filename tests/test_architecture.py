"""The architecture holds: import-linter's contracts pass and cover every plugin and room.

The contracts live in pyproject.toml; this test runs them (so CI does) and fails when a
new plugin or a new core module is left out of them, so "all plugins" keeps meaning all.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import guardrail

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LINTER = CONFIG["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in LINTER["contracts"]}
# Every first-party plugin: formats, detectors and reporters (the guardrail entry-point
# group) and integrations (which other tools load: Datasette, CKAN, user code).
PLUGINS = sorted(CONFIG["tool"]["setuptools"]["package-dir"])
PUBLIC = {"guardrail.plugin"}


def test_import_linter_contracts_are_kept() -> None:
    script = Path(sys.executable).parent / "lint-imports"
    command = [str(script)] if script.exists() else ["lint-imports"]
    result = subprocess.run([*command, "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_entry_point_plugin_is_shipped_from_plugins() -> None:
    group = {ep.split(":")[0].split(".")[0]
             for ep in CONFIG["project"]["entry-points"]["guardrail"].values()}
    assert group <= set(PLUGINS)


def test_every_plugin_is_under_contract() -> None:
    assert sorted(LINTER["root_packages"]) == sorted(["guardrail", *PLUGINS])
    assert sorted(CONTRACTS["core-imports-no-plugin"]["forbidden_modules"]) == PLUGINS
    assert sorted(CONTRACTS["plugins-use-the-public-surface"]["source_modules"]) == PLUGINS


def test_every_core_module_but_the_contract_module_is_private_to_plugins() -> None:
    rooms = {f"guardrail.{m.name}" for m in pkgutil.iter_modules(guardrail.__path__)}
    rooms -= {"guardrail.__main__"}
    forbidden = set(CONTRACTS["plugins-use-the-public-surface"]["forbidden_modules"])
    assert forbidden == rooms - PUBLIC


def test_every_room_is_in_a_layer() -> None:
    rooms = {f"guardrail.{m.name}" for m in pkgutil.iter_modules(guardrail.__path__)}
    rooms -= {"guardrail.__main__"}
    layered = {name.strip() for layer in CONTRACTS["core-layers"]["layers"]
               for name in layer.replace(":", "|").split("|")}
    assert layered == rooms


def test_every_package_is_installed() -> None:
    # A core package missing from setuptools' list works in a checkout and is absent
    # from an install (the pre-commit test installs a copy and found one).
    shipped = set(CONFIG["tool"]["setuptools"]["packages"])
    core = {"guardrail." + ".".join(path.parent.relative_to(ROOT / "guardrail").parts)
            for path in (ROOT / "guardrail").rglob("__init__.py")
            if path.parent != ROOT / "guardrail"}
    assert core | {"guardrail"} | set(PLUGINS) <= shipped
