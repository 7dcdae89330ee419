"""``guardrail lint`` reports every problem ``validate`` reports, each with a real code.

It runs the loader's own case files (``data/policies/schema-errors.yaml`` and
``semantic-errors.yaml``) and the hostile policies: no loader message may fall
through to the catch-all ``invalid`` code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile_policy_cases import CASES

from guardrail.authoring.lint import LintFinding, lint_policies
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data" / "policies"
LINT_ONLY_CODES = {"shadowed-field-rule", "duplicate-field-rule", "waiver-expired",
                   "waiver-expiring", "undocumented-destination", "incomplete"}


@pytest.fixture(scope="module")
def lint():
    registry = load_registry()

    def run(path: Path) -> list[LintFinding]:
        return lint_policies([str(path)], registry.policy_path,
                             extra_rule_ids=frozenset(registry.detectors))
    return run


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _cases("schema-errors.yaml") + _cases("semantic-errors.yaml"),
                         ids=lambda case: case["id"])
def test_lint_reports_what_validate_reports(case, tmp_path, lint):
    path = tmp_path / "policy.yaml"
    path.write_text(case["policy"], encoding="utf-8")
    findings = lint(path)
    from_loader = [f for f in findings if f.code not in LINT_ONLY_CODES]
    assert [f"{f.line}:{f.column}: {f.message}" for f in from_loader] == \
        case["problems"].splitlines()
    assert all(f.severity == "error" and f.code != "invalid" for f in from_loader)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_hostile_policy_gets_a_known_code(name, tmp_path, lint):
    findings = lint(CASES[name](tmp_path))
    assert findings and {f.code for f in findings}.isdisjoint({"invalid"}), \
        [(f.code, f.message[:80]) for f in findings]
