"""The text report ends with what to do next, and doing it works: the YAML it suggests
validates and changes the verdict, and the command it names writes the copy."""

from __future__ import annotations

import datetime as dt
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from guardrail import Guardrail

ROOT = Path(__file__).parent.parent
LEAKY = ROOT / "examples" / "asb-export-leaky.csv"


def _report(guard: Guardrail, source, **options) -> str:
    out = io.StringIO()
    guard.render(guard.check(source, **options), out)
    text = out.getvalue()
    return text[text.index("What to do next:"):] if "What to do next:" in text else ""


def _block(steps: str, first_line: str) -> str:
    """The indented YAML block that starts at *first_line* in the steps."""
    lines = steps.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == first_line)
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = [lines[start]]
    for line in lines[start + 1:]:
        if len(line) - len(line.lstrip()) <= indent and not line.strip().startswith("-"):
            break
        if len(line) - len(line.lstrip()) < indent:
            break
        block.append(line)
    return "\n".join(line[indent:] for line in block) + "\n"


def _policy(tmp_path: Path, extends: str, body: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text("apiVersion: guardrail/v1\nkind: Policy\n"
                    "metadata: {name: mine, version: 1.0.0}\n"
                    f"extends: {extends}\n{body}", encoding="utf-8")
    return path


def test_an_allowed_payload_has_no_next_steps() -> None:
    guard = Guardrail.from_policy("asb-public-web")
    assert _report(guard, ROOT / "examples" / "asb-export-clean.csv") == ""


def test_fields_the_policy_does_not_know_get_the_yaml_that_classifies_them(tmp_path) -> None:
    guard = Guardrail.from_policy("uk-personal-data")
    payload = tmp_path / "teams.csv"
    payload.write_text("month,ward,team\n2026-01,Abbey,North\n", encoding="utf-8")
    steps = _report(guard, payload)
    assert "  - 3 fields are not classified by the policy (month, ward, team)." in steps
    assert f"guardrail init {payload} -o my-policy.yaml" in steps
    fields = yaml.safe_load(_block(steps, "fields:"))["fields"]
    assert fields == [{"name": name, "level": "public"} for name in ("month", "ward", "team")]
    # pasted as it is, the export passes
    body = yaml.safe_dump({"fields": fields})
    mine = Guardrail.from_policy(_policy(tmp_path, "uk-personal-data", body))
    assert mine.check(payload).allowed


def test_a_false_alarm_gets_an_exception_that_validates_and_waives_it(tmp_path) -> None:
    guard = Guardrail.from_policy("uk-content-scan")
    payload = tmp_path / "stations.csv"
    payload.write_text("ward,notes\nAbbey,Call Daniel Hughes on 07700 900123\n",
                       encoding="utf-8")
    steps = _report(guard, payload)
    exceptions = yaml.safe_load(_block(steps, "exceptions:"))["exceptions"]
    # one per rule that matched the value: waiving one rule alone would still block
    assert [{k: e[k] for k in ("rule", "field", "destinations")} for e in exceptions] == [
        {"rule": "person.name", "field": "notes", "destinations": ["public-web"]},
        {"rule": "uk.phone", "field": "notes", "destinations": ["public-web"]}]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(e["expires"])) for e in exceptions)
    filled = [{**e, "reason": "a test", "approved_by": "the DPO", "expires": str(e["expires"])}
              for e in exceptions]
    mine = Guardrail.from_policy(_policy(tmp_path, "uk-content-scan",
                                         yaml.safe_dump({"exceptions": filled})))
    decision = mine.check(payload)
    assert [f.waived_by is not None for f in decision.findings] == [True]
    assert "Daniel" not in steps and "07700" not in steps


def test_a_policy_that_redacts_gets_the_command_that_writes_the_copy(tmp_path) -> None:
    policy = _policy(tmp_path, "asb-public-web", "actions:\n  personal: redact\n"
                     "  internal: drop\n")
    payload = tmp_path / "cases.csv"
    payload.write_bytes(LEAKY.read_bytes())
    command = next(line.strip() for line in _report(Guardrail.from_policy(policy), payload)
                   .splitlines() if line.strip().startswith("guardrail redact "))
    run = subprocess.run([sys.executable, "-m", "guardrail", *shlex.split(command)[1:]],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "cases.redacted.csv").exists()


def test_a_policy_that_blocks_says_which_fields_to_leave_out() -> None:
    steps = _report(Guardrail.from_policy("asb-public-web"), LEAKY)
    assert steps.splitlines()[1:3] == [
        "  - Leave out of the export the fields the policy keeps from 'public-web' "
        "(case_ref, complainant_name, complainant_address, postcode, notes);",
        "    if the policy classifies one wrongly, change its level in "
        "policies/asb-public-web.yaml.",
    ]
    assert "guardrail redact" not in steps  # 'block' cannot be redacted: not suggested


@pytest.mark.parametrize("header", ["daniel.hughes@example.com"])
def test_a_field_name_that_is_personal_data_is_never_shown(tmp_path, header) -> None:
    payload = tmp_path / "odd.csv"
    payload.write_text(f"month,{header}\n2026-01,x\n", encoding="utf-8")
    steps = _report(Guardrail.from_policy("uk-personal-data"), payload)
    assert "not classified" in steps and header not in steps


def test_an_unclassified_field_whose_values_hold_personal_data_is_not_suggested_public(
        tmp_path) -> None:
    guard = Guardrail.from_policy("uk-personal-data")
    payload = tmp_path / "teams.csv"
    payload.write_text("month,team,reached_on\n2026-01,North,call 07700 900123\n"
                       "2026-02,South,none\n", encoding="utf-8")
    steps = _report(guard, payload)
    # 'month' and 'team' hold nothing a detector finds: classifying it is the fix
    assert "  - 2 fields are not classified by the policy (month, team)." in steps
    # 'reached_on' held a phone number: no level makes that value publishable
    assert ("  - 1 unclassified field (reached_on) also held what the detectors find "
            "(uk.phone):\n    whatever level the policy gives it, those values block.") in steps
    assert yaml.safe_load(_block(steps, "fields:")) == {
        "fields": [{"name": "month", "level": "public"}, {"name": "team", "level": "public"}]}
    flagged = steps[steps.index("unclassified field (reached_on)"):]
    assert yaml.safe_load(_block(flagged, "fields:")) == {
        "fields": [{"name": "reached_on", "level": "personal"}]}
    assert "07700" not in steps and "900123" not in steps


def test_with_waivers_ignored_no_exception_is_suggested_again() -> None:
    policy = ROOT / "examples" / "policy-guide" / "asb-export.yaml"
    guard = Guardrail.from_policy(str(policy))
    source = io.BytesIO(b"month,category,station\n2026-10,Noise,Town Police Station HP1 1AA\n")
    with_waivers = guard.check(source, format="csv")
    assert with_waivers.allowed and not with_waivers.waivers_ignored
    source.seek(0)
    steps = _report(guard, source, format="csv", waivers=False)
    assert "exceptions:" not in steps
    assert ("  - This check ignored the policy's exceptions (--no-waivers). Check again "
            "without it to see\n    which findings remain before adding an exception") in steps


def test_a_record_rule_names_itself_and_its_description_not_an_exception() -> None:
    guard = Guardrail.from_policy(str(ROOT / "examples" / "policy-guide" / "asb-export.yaml"))
    source = io.BytesIO(b"month,category,count\n2026-10,Noise,3\n2026-10,Litter,12\n")
    decision = guard.check(source, format="csv")
    assert [(f.rule, f.record, f.found_by) for f in decision.findings] == [
        ("asb.small_count", 0, "record")]
    source.seek(0)
    steps = _report(guard, source, format="csv")
    assert steps == (
        "What to do next:\n"
        "  - Records matched the policy's own record rule (asb.small_count) in "
        "examples/policy-guide/asb-export.yaml:\n"
        "        asb.small_count: Counts of 1 to 4 can identify the people involved; "
        "publish \"<5\" instead.\n"
        "    change those values in the export (each rule's description says how).\n")


def test_every_unclassified_field_is_named_not_only_those_listed_in_detail(tmp_path) -> None:
    # From a new-user trial: with findings listed 50 per rule and tables walked column
    # by column, the steps named only the first fields. They come from exact counts.
    guard = Guardrail.from_policy("uk-personal-data")
    columns = [f"col_{n}" for n in range(7)]
    payload = tmp_path / "wide.csv"
    payload.write_text(",".join(columns) + "\n" + ",".join("x" for _ in columns) + "\n"
                       + ",".join("y" for _ in columns) + "\n", encoding="utf-8")
    steps = _report(guard, payload, max_findings=1)
    assert "  - 7 fields are not classified by the policy (col_0, col_1, col_2, col_3, " \
           "col_4 and 2 more)." in steps
    assert yaml.safe_load(_block(steps, "fields:")) == {
        "fields": [{"name": name, "level": "public"} for name in columns]}


def test_a_header_that_is_personal_data_is_renamed_not_waived(tmp_path) -> None:
    # '#2' pasted as YAML is a comment: no rule or exception can name it.
    guard = Guardrail.from_policy("uk-personal-data")
    payload = tmp_path / "hdr.csv"
    payload.write_text("month,jo.bloggs@example.com\n2026-01,x\n", encoding="utf-8")
    steps = _report(guard, payload)
    assert steps.startswith(
        "What to do next:\n  - #2: a field shown by number has no name a report may print "
        "(its header holds\n    personal data, or is empty): give the column a plain name "
        "in the export, then classify it\n    by that name.\n")
    assert steps.count("#2") == 1 and "exceptions:" not in steps
    assert "jo.bloggs" not in steps


def test_an_expired_exception_is_renewed_not_written_again() -> None:
    guard = Guardrail.from_policy(str(ROOT / "examples" / "policy-guide" / "asb-export.yaml"))
    source = io.BytesIO(b"month,category,station\n2026-10,Noise,Town Police Station HP1 1AA\n")
    steps = _report(guard, source, format="csv", today=dt.date(2027, 7, 1))
    assert steps == (
        "What to do next:\n"
        "  - The exception at examples/policy-guide/asb-export.yaml:48 covered station but "
        "expired on 2027-06-30: if it still\n"
        "    holds, have it approved again and set a new 'expires' there.\n")


def test_a_new_exception_expires_90_days_after_the_day_judged_and_allow_comes_first(
        tmp_path) -> None:
    guard = Guardrail.from_policy("asb-public-web")
    source = io.BytesIO(b"month,category,ward\n2026-10,Noise,call 07700 900123\n")
    steps = _report(guard, source, format="csv", today=dt.date(2027, 7, 1))
    assert "        detectors:\n          allow: [\"<the exact text>\"]\n" in steps
    assert "it lets through every finding of\n    the rule in ward, real ones too:" in steps
    assert "            expires: 2027-09-29\n" in steps


def test_the_init_command_is_runnable_when_the_payload_had_no_file_name() -> None:
    guard = Guardrail.from_policy("uk-personal-data")
    steps = _report(guard, io.BytesIO(b"month,team\n2026-01,North\n"), format="csv")
    assert "    or start a policy from this export: guardrail init EXPORT-FILE -o " \
           "my-policy.yaml\n" in steps
    assert "<payload" not in steps
