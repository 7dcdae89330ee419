"""Every shipped policy has a test suite in policies/tests/, run here as CI runs it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from guardrail.cli import cli

POLICIES = Path(__file__).parent.parent / "policies"


def test_every_shipped_policy_has_a_suite() -> None:
    shipped = {p.stem for p in POLICIES.glob("*.yaml")}
    suites = {p.stem for p in (POLICIES / "tests").glob("*.yaml")}
    assert shipped and shipped <= suites, f"no suite in policies/tests/ for {shipped - suites}"


def test_shipped_suites_pass_with_at_least_90_percent_coverage() -> None:
    result = CliRunner().invoke(
        cli, ["test", "--coverage", "--min-coverage", "90", str(POLICIES / "tests")],
        catch_exceptions=False, prog_name="guardrail")
    assert result.stderr == ""
    assert result.exit_code == 0, result.stdout
    tested = {line.split()[2] for line in result.stdout.splitlines()
              if line.startswith("coverage of ")}
    assert tested == {p.stem for p in POLICIES.glob("*.yaml")}
    assert "0 failed" in result.stdout.splitlines()[-1]
