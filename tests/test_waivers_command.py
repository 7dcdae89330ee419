"""``guardrail waivers``: the golden table, inherited exceptions, JSON, exit codes and a
policy that cannot be read. Run from ``tests/data`` so files are named as typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail.cli import cli
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data"
CHILD = "waivers/child.yaml"
PARENT = "waivers/../policies/waivers.yaml"

GOLDEN = f"""\
POLICY         SCOPE                                        APPROVED BY  EXPIRES     STATUS               FROM
waivers-child  field postcode                               Jo Bloggs    2026-06-30  81 days left         {PARENT}:18 (inherited)
    reason: Postcode districts only; agreed with the DPO.
waivers-child  rule waivers.small_count for partner-portal  Al Khan      2026-03-31  expired 10 days ago  {PARENT}:22 (inherited)
    reason: Partners may see small counts under the data-sharing agreement.
waivers-child  rule uk.field.name_like and field *_name     Jo Bloggs    2026-12-31  265 days left        {PARENT}:27 (inherited)
    reason: Ward and team names end in _name in this export.
waivers-child  rule uk.field.contact                        Sam Lee      2026-04-10  expires today        waivers/child.yaml:8
    reason: Shared team mailboxes, not people.
4 exceptions in 1 policy as on 2026-04-10: 1 expired, 1 expires within 30 days
an expired exception waives nothing: renew it (a new 'expires' date and approval) or remove it and fix what it waived
"""  # noqa: E501


@pytest.fixture(autouse=True)
def _in_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)


def _run(*args: str):
    return CliRunner().invoke(cli, ["waivers", *args])


def test_golden_table_with_inherited_exceptions_exits_1_when_one_expired() -> None:
    result = _run(CHILD, "--today", "2026-04-10")
    assert result.output == GOLDEN
    assert result.exit_code == 1


def test_none_expired_exits_0() -> None:
    result = _run("policies/waivers.yaml", "--today", "2026-03-31")  # the last day of one
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "3 exceptions in 1 policy as on 2026-03-31: 0 expired, 1 expires within 30 days")
    assert "expires today" in result.output


def test_one_day_past_expiry() -> None:
    result = _run("policies/waivers.yaml", "--today", "2026-07-01")
    assert result.exit_code == 1
    assert "2026-06-30  expired 1 day ago" in result.output
    assert "2026-03-31  expired 92 days ago" in result.output


def test_json_form() -> None:
    result = _run(CHILD, "--today", "2026-04-10", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["today"] == "2026-04-10"
    [policy] = report["policies"]
    assert (policy["name"], policy["file"]) == ("waivers-child", CHILD)
    assert [(w["rule"], w["field"], w["days_left"], w["expired"], w["origin"], w["inherited"])
            for w in policy["waivers"]] == [
        (None, "postcode", 81, False, f"{PARENT}:18", True),
        ("waivers.small_count", None, -10, True, f"{PARENT}:22", True),
        ("uk.field.name_like", "*_name", 265, False, f"{PARENT}:27", True),
        ("uk.field.contact", None, 0, False, f"{CHILD}:8", False),
    ]
    assert policy["waivers"][1]["destinations"] == ["partner-portal"]
    assert policy["waivers"][3]["reason"] == "Shared team mailboxes, not people.\n"
    assert policy["waivers"][3]["approved_by"] == "Sam Lee"


def test_a_policy_that_cannot_be_read_exits_2_and_says_where() -> None:
    result = _run("waivers/unknown-rule.yaml", "policies/waivers.yaml",
                  "--today", "2026-01-01")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[-3] == ("waivers/unknown-rule.yaml: error: cannot read the policy: policy "
                         "is invalid (1 problem):")
    assert lines[-2].startswith(
        "  waivers/unknown-rule.yaml:8:11: exceptions[0].rule: exception names unknown rule "
        "'uk.field.emial'; did you mean")
    # The readable policy is still listed.
    assert lines[0].startswith("POLICY ") and len(lines) == 1 + 3 * 2 + 3
    assert lines[-1] == ("3 exceptions in 1 policy as on 2026-01-01: 0 expired, "
                         "0 expire within 30 days")


def test_a_missing_policy_exits_2() -> None:
    result = _run("no-such-policy")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "no-such-policy: error: cannot read the policy: no policy named 'no-such-policy'; "
        "run 'guardrail policies' to list shipped policies or pass a path to a .yaml file")


def test_with_no_policy_every_shipped_policy_is_listed() -> None:
    shipped = load_registry().policies
    result = _run("--today", "2026-01-01", "--format", "json")
    assert result.exit_code == 0
    assert [p["name"] for p in json.loads(result.output)["policies"]] == sorted(shipped)


def test_a_policy_without_exceptions_by_name() -> None:
    result = _run("uk-personal-data", "--today", "2026-01-01")
    assert (result.exit_code, result.output) == (
        0, "0 exceptions in 1 policy as on 2026-01-01: 0 expired, 0 expire within 30 days\n")
