"""Plain helpers the test modules share; fixtures live in conftest.py.

Importable as ``helpers`` because pytest puts this folder (it holds a conftest.py and no
``__init__.py``) on ``sys.path``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from guardrail import Decision, Payload
from guardrail.cli import cli
from guardrail.host.registry import load_registry

EXAMPLES = Path(__file__).parent.parent / "examples"
# The shipped ASB exports, 61 records each: one publishable, one leaking every personal column.
CLEAN_EXPORT = EXAMPLES / "asb-export-clean.csv"
LEAKY_EXPORT = EXAMPLES / "asb-export-leaky.csv"
# asb-public-web with no content detectors: for tests whose expected findings are the
# field and record rules alone (formats, positions, destinations, modes, reports, CLI).
NO_DETECTORS = Path(__file__).parent / "data" / "policies" / "asb-no-detectors.yaml"
LINT_TODAY = "2026-12-01"  # the day lint tests judge waivers on


def lint(*args: str) -> Result:
    """``guardrail lint ARGS`` in-process, waivers judged as on :data:`LINT_TODAY`."""
    return CliRunner().invoke(cli, ["lint", "--today", LINT_TODAY, *args],
                              catch_exceptions=False, prog_name="guardrail")


def finding_tuples(*attributes: str) -> Callable[[Decision], list[tuple]]:
    """A function giving, for every finding of a decision, the tuple of *attributes* in the
    order named: what a test compares exactly, and nothing it does not mean to check."""

    def tuples(decision: Decision) -> list[tuple]:
        return [tuple(getattr(finding, name) for name in attributes)
                for finding in decision.findings]

    return tuples


# Where a document or table finding is: the form most format tests compare.
findings = finding_tuples("section", "record", "field", "rule", "evidence", "position")
# Each finding's rule and the other rules that matched the same value (Finding.also).
also = finding_tuples("rule", "also")


def detect(source: bytes | str | os.PathLike[str], name: str | None = None) -> str | None:
    """The format a fresh registry detects for *source* (a path or bytes, which *name*
    may name), as a check would before reading; None when no format claims it."""
    registry = load_registry()
    return registry.pm.hook.guardrail_detect_format(payload=Payload(source, name=name),
                                                    formats=registry.formats)


def run_guardrail(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run ``python -m guardrail`` with *args* as its own process, output captured; the
    keyword arguments (input, text, env, cwd, timeout) go to subprocess.run."""
    return subprocess.run([sys.executable, "-m", "guardrail", *args], capture_output=True,
                          **kwargs)


def fake_distribution(site: Path, name: str, version: str, plugin: str, module: str) -> Path:
    """Declare an installed distribution *name* *version* in the folder *site*, with
    one guardrail plugin entry point, ``plugin = module``: what pip would leave, as
    ``importlib.metadata`` (and so guardrail) finds it once *site* is on ``sys.path``."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\n"
                                   f"Version: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[guardrail]\n{plugin} = {module}\n",
                                           encoding="utf-8")
    return site
