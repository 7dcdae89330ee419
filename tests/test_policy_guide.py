"""docs/policy-guide.md: its policy and its test suite are the files it names, the
suite passes, the policy lints clean, and the errors it quotes are the ones guardrail
prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GUIDE = (ROOT / "docs" / "policy-guide.md").read_text(encoding="utf-8")
EXAMPLES = dict(re.findall(r"<!-- example: (\S+) -->\n```[a-z]*\n(.*?)```\n", GUIDE, re.S))


def _guardrail(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guardrail", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", ["examples/policy-guide/asb-export.yaml",
                                  "examples/policy-guide/tests/asb-export.yaml"])
def test_the_guide_shows_each_file_as_it_is(path: str) -> None:
    assert EXAMPLES[path] == (ROOT / path).read_text(encoding="utf-8")


def test_the_worked_policy_lints_clean_and_its_suite_passes() -> None:
    lint = _guardrail("lint", "examples/policy-guide/asb-export.yaml")
    assert (lint.returncode, lint.stdout) == (0, "no problems in 1 policy\n")
    suite = _guardrail("test", "examples/policy-guide/tests")
    assert suite.returncode == 0, suite.stdout + suite.stderr
    assert suite.stdout.strip().endswith("1 case file, 6 cases: 6 passed, 0 failed")


def test_the_waiver_in_the_guide_is_what_lets_the_station_through() -> None:
    clean = ("month,category,ward,lsoa_code,outcome,count,station\n"
             "2026-11,Nuisance,Boxmoor,E01023646,Advice given,12,"
             "\"Hemel Hempstead Police Station, Combe Street, HP1 1HL\"\n")
    path = ROOT / "examples" / "policy-guide" / "asb-export.yaml"
    run = subprocess.run([sys.executable, "-m", "guardrail", "check", "-p", str(path),
                          "-f", "csv", "-"], input=clean, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout
    strict = subprocess.run([sys.executable, "-m", "guardrail", "check", "-p", str(path),
                             "-f", "csv", "--no-waivers", "-"], input=clean,
                            capture_output=True, text=True, timeout=120)
    assert strict.returncode == 1 and "uk.postcode" in strict.stdout


def test_the_errors_the_guide_quotes_are_the_ones_printed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: x, version: 1.0}\n"
        "extends: uk-personal-data\nfeilds: []\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: x, version: \"1\"}\n"
        "extends: uk-personal-data\nfields:\n  - name: ward\n    level: secret\n",
        encoding="utf-8")
    for name, other in (("c", "d"), ("d", "c")):
        (tmp_path / f"{name}.yaml").write_text(
            f"apiVersion: guardrail/v1\nkind: Policy\nmetadata: {{name: {name}, version: "
            f"\"1\"}}\nextends: {other}.yaml\n", encoding="utf-8")
    printed = "".join(_guardrail("lint", f"{name}.yaml", cwd=tmp_path).stdout
                      for name in "abc")
    printed = printed.replace(f"{tmp_path}/", "")
    quoted = GUIDE[GUIDE.index("```text\n") + 8:]
    for line in quoted[:quoted.index("```")].splitlines():
        assert line in printed


def test_the_staged_rollout_snippet_audits_then_enforces(tmp_path: Path) -> None:
    snippet = re.search(r"<!-- snippet: rollout -->\n```yaml\n(.*?)```", GUIDE, re.S)
    assert snippet is not None
    policy = tmp_path / "rollout.yaml"
    policy.write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: rollout, version: \"1\"}\n"
        f"extends: {ROOT / 'examples' / 'policy-guide' / 'asb-export.yaml'}\n"
        + snippet[1], encoding="utf-8")
    rows = "month,ward,count,station\n2026-11,Boxmoor,12,Hemel Hempstead Police Station\n"
    before = subprocess.run([sys.executable, "-m", "guardrail", "check", "-p", str(policy),
                             "--today", "2026-12-01", "-f", "csv", "-"], input=rows,
                            capture_output=True, text=True, timeout=120)
    assert before.returncode == 0, before.stdout + before.stderr
    assert ("rule asb.station_postcode is in audit until 2027-01-01: 1 finding would have "
            "blocked") in before.stdout
    after = subprocess.run([sys.executable, "-m", "guardrail", "check", "-p", str(policy),
                            "--today", "2027-01-01", "-f", "csv", "-"], input=rows,
                           capture_output=True, text=True, timeout=120)
    assert after.returncode == 1 and "asb.station_postcode" in after.stdout
