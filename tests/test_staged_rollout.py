"""Staged rollout: ``mode: audit|enforce`` and ``enforce_from`` on a policy or a rule.

A rule in audit reports what it finds with the action ``audit``, which never blocks;
the decision's notices name the rule, the day it enforces from and how many findings
it would have blocked. The clock is always passed as ``today=`` so these tests do not
age. Fixture: ``data/staged_rollout/rollout.yaml`` (extends ``uk-personal-data``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail import Decision, Guardrail
from guardrail.cli import cli
from guardrail.engine.rollout import in_audit
from guardrail.errors import PolicyProblem

POLICY = Path(__file__).parent / "data" / "staged_rollout" / "rollout.yaml"
CSV = ("month,ward,count,notes\n2026-01,Grovehill,3,x\n2026-01,Adeyfield,2,y\n"
       "2026-02,Adeyfield,9,z\n")
BEFORE = dt.date(2026, 12, 31)
ENFORCE_DAY = dt.date(2027, 1, 1)
SMALL_COUNT_AUDIT = ("rule asb.small_count is in audit until 2027-01-01: "
                     "2 findings would have blocked")
NOTES_AUDIT = "rule rollout.field.notes is in audit: 3 findings would have blocked"


@pytest.fixture(scope="module")
def guardrail() -> Guardrail:
    return Guardrail.from_policy(POLICY)


def _check(guardrail: Guardrail, today: dt.date, csv: str = CSV) -> Decision:
    return guardrail.check(csv.encode(), format="csv", destination="public-web", today=today)


def _actions(decision: Decision) -> list[tuple[str, str, int]]:
    return [(row["rule"], row["action"], row["count"]) for row in decision.grouped_counts()]


def test_the_rollout_keys_are_loaded_into_the_model(guardrail: Guardrail) -> None:
    policy = guardrail.policy
    assert (policy.mode, policy.enforce_from) == (None, None)
    assert [(r.id, r.mode, r.enforce_from) for r in policy.field_rules[:2]] == [
        ("rollout.field.notes", "audit", None), ("rollout.field.public", None, None)]
    assert [(r.id, r.mode, r.enforce_from) for r in policy.record_rules] == [
        ("asb.small_count", None, ENFORCE_DAY)]


def test_before_enforce_from_a_rule_reports_audit_and_allows(guardrail: Guardrail) -> None:
    decision = _check(guardrail, BEFORE)
    assert decision.allowed
    assert decision.exit_code == 0
    assert decision.blocking_count == 0
    assert _actions(decision) == [("rollout.field.notes", "audit", 3),
                                  ("asb.small_count", "audit", 2)]
    assert [(f.record, f.field, f.rule, f.action) for f in decision.findings
            if f.rule == "asb.small_count"] == [
        (0, "count", "asb.small_count", "audit"), (1, "count", "asb.small_count", "audit")]
    assert decision.notices == [SMALL_COUNT_AUDIT, NOTES_AUDIT]
    assert decision.summary() == "ALLOWED: publishable to 'public-web'"


def test_from_enforce_from_on_the_rule_blocks(guardrail: Guardrail) -> None:
    for today in (ENFORCE_DAY, dt.date(2027, 6, 1)):
        decision = _check(guardrail, today)
        assert not decision.allowed
        assert decision.exit_code == 1
        assert _actions(decision) == [("rollout.field.notes", "audit", 3),
                                      ("asb.small_count", "block", 2)]
        # The rule with no date stays in audit; the one that enforces is no longer named.
        assert decision.notices == [NOTES_AUDIT]
        assert decision.summary() == (
            "BLOCKED: 2 findings may not go to 'public-web' (fields: count)")


def test_a_rule_in_audit_with_no_findings_is_still_named(guardrail: Guardrail) -> None:
    decision = _check(guardrail, BEFORE, "month,ward,count\n2026-01,Grovehill,9\n")
    assert decision.allowed
    assert decision.findings == []
    assert decision.notices == [
        "rule asb.small_count is in audit until 2027-01-01: 0 findings would have blocked",
        "rule rollout.field.notes is in audit: 0 findings would have blocked",
    ]


def test_one_finding_is_singular(guardrail: Guardrail) -> None:
    decision = _check(guardrail, BEFORE, "month,ward,count\n2026-01,Grovehill,3\n")
    assert decision.notices[0] == (
        "rule asb.small_count is in audit until 2027-01-01: 1 finding would have blocked")


def test_rules_not_in_audit_still_block(guardrail: Guardrail) -> None:
    decision = _check(guardrail, BEFORE, "month,postcode\n2026-01,HP1 1AA\n")
    assert not decision.allowed
    assert _actions(decision) == [("uk.field.address", "block", 1)]


POLICY_IN_AUDIT = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {{name: staged}}
    extends: uk-personal-data
    {top}
    fields:
      - id: staged.field.public
        name: [month, ward]
        level: public
      - id: staged.field.case_ref
        name: case_ref
        level: internal
        mode: enforce
    detectors:
      skip: ["*"]
"""
PAYLOAD = ("month,ward,postcode,case_ref\n2026-01,Grovehill,HP1 1AA,C1\n"
           "2026-01,Adeyfield,HP2 4BB,C2\n")


def _staged(write_policy: Callable[..., Path], top: str, today: dt.date) -> Decision:
    path = write_policy(POLICY_IN_AUDIT.format(top=top))
    return _check(Guardrail.from_policy(path), today, PAYLOAD)


def test_policy_mode_audit_puts_every_rule_without_its_own_mode_in_audit(
        write_policy: Callable[..., Path]) -> None:
    decision = _staged(write_policy, "mode: audit", BEFORE)
    assert not decision.allowed  # case_ref says mode: enforce, and its own mode wins
    assert _actions(decision) == [("staged.field.case_ref", "block", 2),
                                  ("uk.field.address", "audit", 2)]
    assert decision.notices == ["policy staged is in audit: 2 findings would have blocked"]


def test_policy_enforce_from_audits_before_the_day_and_enforces_from_it(
        write_policy: Callable[..., Path]) -> None:
    before = _staged(write_policy, "enforce_from: 2027-01-01", BEFORE)
    assert _actions(before) == [("staged.field.case_ref", "block", 2),
                                ("uk.field.address", "audit", 2)]
    assert before.notices == [
        "policy staged is in audit until 2027-01-01: 2 findings would have blocked"]
    after = _staged(write_policy, "enforce_from: 2027-01-01", ENFORCE_DAY)
    assert _actions(after) == [("staged.field.case_ref", "block", 2),
                               ("uk.field.address", "block", 2)]
    assert after.notices == []


def test_warn_stays_warn_in_audit(write_policy: Callable[..., Path]) -> None:
    path = write_policy(POLICY_IN_AUDIT.format(top="mode: audit\n    actions: {personal: warn}"))
    decision = _check(Guardrail.from_policy(path), BEFORE, "month,postcode\n2026-01,HP1 1AA\n")
    assert decision.allowed
    assert _actions(decision) == [("uk.field.address", "warn", 1)]
    # Nothing that would have blocked: the notice says so.
    assert decision.notices == ["policy staged is in audit: 0 findings would have blocked"]


@pytest.mark.parametrize(("mode", "enforce_from", "today", "expected"), [
    (None, None, BEFORE, False),
    ("enforce", None, BEFORE, False),
    ("audit", None, dt.date(2099, 1, 1), True),
    (None, ENFORCE_DAY, BEFORE, True),
    (None, ENFORCE_DAY, ENFORCE_DAY, False),
    ("audit", ENFORCE_DAY, BEFORE, True),
    ("audit", ENFORCE_DAY, ENFORCE_DAY, False),
])
def test_in_audit(mode: str | None, enforce_from: dt.date | None, today: dt.date,
                  expected: bool) -> None:
    assert in_audit(mode, enforce_from, today) is expected


def test_bad_rollout_values_are_policy_errors_at_file_line_col(
        write_policy: Callable[..., Path],
        problems_of: Callable[[Path | str], tuple[PolicyProblem, ...]]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: bad}
        extends: uk-personal-data
        mode: dry-run
        enforce_from: soon
        fields:
          - name: notes
            level: personal
            mode: audit
        rules:
          - id: bad.small_count
            when: "count < `5`"
            level: personal
            enforce_from: 2027-02-30
            mode: enforced
    """)
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:5:7: mode: 'dry-run' is not allowed; expected 'audit', 'enforce'",
        f"{path}:6:15: enforce_from: 'soon' is not a valid date; expected YYYY-MM-DD",
        (f"{path}:10:11: fields[0].mode: a field rule with 'mode' needs an 'id', so the "
         "report can name the rule that is in audit; add e.g. 'id: my.field.rule'"),
        (f"{path}:15:19: rules[0].enforce_from: '2027-02-30' is not a valid date; "
         "expected YYYY-MM-DD"),
        (f"{path}:16:11: rules[0].mode: 'enforced' is not allowed; did you mean 'enforce'? "
         "expected 'audit', 'enforce'"),
    ]


def test_the_json_report_shows_the_audit_action_and_the_notice(tmp_path: Path) -> None:
    payload = tmp_path / "export.csv"
    payload.write_text("month,ward,count,notes\n2026-01,Grovehill,3,x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "-p", str(POLICY), "--report", "json",
                                      "--today", "2026-12-31", str(payload)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["decision"] == "allow"
    assert report["counts"]["blocking"] == 0
    assert report["counts"]["by_rule_and_field"] == [
        {"rule": "asb.small_count", "field": "count", "level": "personal", "action": "audit",
         "count": 1},
        {"rule": "rollout.field.notes", "field": "notes", "level": "personal",
         "action": "audit", "count": 1}]
    assert [(f["rule"], f["action"]) for f in report["findings"]] == [
        ("rollout.field.notes", "audit"), ("asb.small_count", "audit")]
    assert report["notices"] == [
        "rule asb.small_count is in audit until 2027-01-01: 1 finding would have blocked",
        "rule rollout.field.notes is in audit: 1 finding would have blocked"]


def test_check_today_shows_what_blocks_once_the_rule_enforces(tmp_path: Path) -> None:
    payload = tmp_path / "export.csv"
    payload.write_text("month,ward,count\n2026-01,Grovehill,3\n", encoding="utf-8")
    args = ["check", "-p", str(POLICY), "--report", "json", str(payload)]
    before = CliRunner().invoke(cli, [*args, "--today", "2026-12-31"])
    assert (before.exit_code, json.loads(before.output)["decision"]) == (0, "allow")
    on_the_day = CliRunner().invoke(cli, [*args, "--today", "2027-01-01"])
    assert on_the_day.exit_code == 1
    report = json.loads(on_the_day.output)
    assert (report["decision"], report["counts"]["blocking"]) == ("block", 1)
    assert report["notices"] == [
        "rule rollout.field.notes is in audit: 0 findings would have blocked"]
    bad = CliRunner().invoke(cli, [*args, "--today", "soon"])
    assert bad.exit_code == 2
    assert "Invalid value for '--today': 'soon' does not match the format '%Y-%m-%d'" \
        in bad.output


AUDIT_ONLY = POLICY.parent / "audit-only.yaml"
EXPORT = POLICY.parent / "export.csv"


def test_the_text_report_counts_audit_findings_and_prints_the_notice(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Golden output (export.txt); paths are relative to the repository, as it was made.
    monkeypatch.chdir(POLICY.parents[3])
    result = CliRunner().invoke(cli, ["check", "-p", str(AUDIT_ONLY.relative_to(Path.cwd())),
                                      str(EXPORT.relative_to(Path.cwd()))])
    assert result.exit_code == 0, result.output
    assert result.output == (POLICY.parent / "export.txt").read_text(encoding="utf-8")


def test_an_audit_finding_beside_a_blocking_one_is_counted_apart(tmp_path: Path) -> None:
    payload = tmp_path / "export.csv"
    payload.write_text("month,notes,case_ref\n2026-01,Seen twice,C1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "-p", str(AUDIT_ONLY), str(payload)])
    assert result.exit_code == 1
    assert f"  {payload}: csv, 1 records, BLOCKED (1 finding) (1 in audit)\n" in result.output


def test_lint_warns_when_the_policys_enforce_from_has_come(
        write_policy: Callable[..., Path]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: staged, version: "1.0"}
        destinations:
          public-web: {max_level: public, description: Anyone on the internet.}
        default_destination: public-web
        mode: audit
        enforce_from: 2026-12-01
    """)
    runner = CliRunner()
    came = runner.invoke(cli, ["lint", "--today", "2026-12-01", str(path)])
    assert (came.exit_code, came.output.splitlines()[0]) == (1, (
        f"{path}:8:15: warning: enforce_from 2026-12-01 has come (today): every rule of the "
        "policy enforces now; remove 'enforce_from' and any 'mode: audit' beside it "
        "[enforce-from-passed]"))
    before = runner.invoke(cli, ["lint", "--today", "2026-11-30", str(path)])
    assert (before.exit_code, before.output) == (0, "no problems in 1 policy\n")


DETECTORS_IN_AUDIT = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: staged-detectors}
    extends: uk-personal-data
    fields:
      - id: staged.field.public
        name: [month, text, ref]
        level: public
    detectors:
      run: [uk.postcode]
      settings:
        uk.postcode: {enforce_from: 2027-01-01}
      custom:
        - id: staged.case_ref
          regex: "ASB-[0-9]{4}"
          level: internal
          mode: audit
"""


def test_a_custom_detector_and_a_detectors_settings_can_be_in_audit(
        write_policy: Callable[..., Path]) -> None:
    guardrail = Guardrail.from_policy(write_policy(DETECTORS_IN_AUDIT))
    assert [(s.id, s.mode) for s in guardrail.policy.detectors.custom] == [
        ("staged.case_ref", "audit")]
    assert guardrail.policy.detectors.settings["uk.postcode"].enforce_from == ENFORCE_DAY
    csv = "month,text,ref\n2026-01,Seen at HP1 1AA,ASB-1234\n"
    before = _check(guardrail, BEFORE, csv)
    assert before.allowed
    assert _actions(before) == [("staged.case_ref", "audit", 1), ("uk.postcode", "audit", 1)]
    assert before.notices == [
        "rule staged.case_ref is in audit: 1 finding would have blocked",
        "rule uk.postcode is in audit until 2027-01-01: 1 finding would have blocked",
    ]
    after = _check(guardrail, ENFORCE_DAY, csv)
    assert not after.allowed
    assert _actions(after) == [("staged.case_ref", "audit", 1), ("uk.postcode", "block", 1)]


def test_lint_warns_of_a_detectors_enforce_from_that_has_come(
        write_policy: Callable[..., Path]) -> None:
    path = write_policy(DETECTORS_IN_AUDIT)
    result = CliRunner().invoke(cli, ["lint", "--today", "2027-01-02", str(path)])
    assert (result.exit_code, result.output.splitlines()[:-1]) == (1, [
        f"{path}:12:33: warning: enforce_from 2027-01-01 has come (yesterday): detector "
        "uk.postcode enforces now; remove 'enforce_from' and any 'mode: audit' beside it "
        "[enforce-from-passed]"])


def test_explain_says_a_rule_is_in_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(POLICY.parents[3])
    result = CliRunner().invoke(cli, [
        "explain", "-p", "tests/data/staged_rollout/audit-only.yaml",
        "tests/data/staged_rollout/export.csv", "--record", "0", "--field", "notes"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        "Verdict: allowed for now: audit.field.notes is in audit (staged rollout) and would "
        "block it once it enforces.")
    assert result.output.splitlines()[5:7] == [
        "  public-web accepts at most public; this field is personal, so the policy says: "
        "block; but rule audit.field.notes is in audit, so for now it is only reported.",
        "  No content detector looks at this field for this destination.",
    ]
    assert result.output.splitlines()[7] == (
        "  Result: allowed: audit.field.notes is in audit, so it is reported, not blocked "
        "(evidence, masked: S*** t****; rules that matched: audit.field.notes).")


def test_redact_leaves_values_of_a_rule_in_audit_as_they_are(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # In audit a rule enforces nothing, so 'guardrail redact' rewrites nothing for it.
    monkeypatch.chdir(POLICY.parents[3])
    result = CliRunner().invoke(cli, [
        "redact", "-p", "tests/data/staged_rollout/audit-only.yaml", "-o", "-",
        "tests/data/staged_rollout/export.csv"])
    assert result.exit_code == 0
    assert result.stdout == EXPORT.read_text(encoding="utf-8")


def test_a_waived_finding_of_a_rule_in_audit_would_not_have_blocked(
        write_policy: Callable[..., Path]) -> None:
    top = ("exceptions:\n"
           "      - field: postcode\n"
           "        reason: Station postcodes.\n"
           "        approved_by: Jo Bloggs\n"
           "        expires: 2099-01-01\n"
           "    mode: audit")
    decision = _staged(write_policy, top, BEFORE)
    assert [(row["rule"], row["action"], row.get("waived_by") is not None)
            for row in decision.grouped_counts()] == [
        ("staged.field.case_ref", "block", False), ("uk.field.address", "audit", True)]
    assert decision.notices == ["policy staged is in audit: 0 findings would have blocked"]


# -- a rule in audit never protects less than no rule ----------------------------------------

NEW_COLUMN_IN_AUDIT = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: staged-new-column}
    extends: uk-personal-data
    fields:
      - id: t.tighten
        name: summary
        level: personal
        enforce_from: 2027-02-01
      - id: t.public
        name: [month, ward, summary]
        level: public
      - id: t.new_personal
        name: contractor_notes
        level: personal
        enforce_from: 2027-02-01
      - id: t.loosen
        name: crew_notes
        level: public
        enforce_from: 2027-02-01
    detectors: {skip: ["*"]}
"""


def test_a_field_rule_in_audit_does_not_let_out_what_the_rest_of_the_policy_blocks(
        write_policy: Callable[..., Path]) -> None:
    # From a new-user trial: classifying a new column personal in audit made it
    # publishable, where with no rule at all it blocked as unclassified.
    guard = Guardrail.from_policy(write_policy(NEW_COLUMN_IN_AUDIT))
    csv = "month,ward,contractor_notes,crew_notes,summary\n2026-11,Abbey,x,y,z\n"
    before = _check(guard, dt.date(2027, 1, 31), csv)
    assert [(f.field, f.rule, f.action) for f in before.findings] == [
        ("contractor_notes", "field.unclassified", "block"),  # as if t.new_personal were not there
        ("crew_notes", "field.unclassified", "block"),  # loosening waits for its day too
        ("summary", "t.tighten", "audit"),  # tightening a public field: reported, not blocked
    ]
    assert before.findings[0].message.endswith(
        "; rule t.new_personal is in audit and does not apply yet")
    after = _check(guard, dt.date(2027, 2, 1), csv)
    assert [(f.field, f.rule, f.action) for f in after.findings] == [
        ("contractor_notes", "t.new_personal", "block"), ("summary", "t.tighten", "block")]
    explained = CliRunner().invoke(cli, [
        "explain", "-p", str(guard.policy.file), "--today", "2027-01-31",
        "contractor_notes", "crew_notes"])
    assert [line.split(": ", 1)[0] + " -> " + line.rsplit(" -> ", 1)[1]
            for line in explained.output.splitlines()] == [
        "contractor_notes -> public-web accepts at most public: BLOCK (rule t.new_personal "
        "is in audit and does not apply yet)",
        "crew_notes -> public-web accepts at most public: BLOCK (rule t.loosen is in audit "
        "and does not apply yet)"]
