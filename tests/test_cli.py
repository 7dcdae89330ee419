"""The command line: exit codes, messages, reports and every subcommand."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import helpers
import pytest
import yaml
from click.testing import CliRunner

from guardrail import Guardrail
from guardrail.cli import cli
from guardrail.host.registry import load_registry
from guardrail.policy.schema import policy_schema

HERE = Path(__file__).parent
DATA = HERE / "data"
CLEAN = str(helpers.CLEAN_EXPORT)
LEAKY = str(helpers.LEAKY_EXPORT)
INVALID_POLICY = DATA / "cli" / "invalid-policy.yaml"
# asb-public-web with no content detectors: for tests of CLI mechanics (destinations,
# modes, stdin, caps, the report's shape) whose expected findings are the field rules alone.
NO_DETECTORS = str(helpers.NO_DETECTORS)
LEAKY_FIELDS = "case_ref, complainant_address, complainant_name, notes, postcode"
RULES = ["asb.field.internal", "uk.field.address", "uk.field.free_text", "uk.field.name_like",
         "uk.field.person_name"]



@pytest.fixture(scope="module")
def policy():
    return Guardrail.from_policy("asb-public-web").policy


@pytest.fixture(scope="module")
def plain_policy():
    return Guardrail.from_policy(NO_DETECTORS).policy


def run(*args: str, input: bytes | None = None, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False,
                              prog_name="guardrail")


def check(*args: str, **kwargs):
    return run("check", "--policy", "asb-public-web", *args, **kwargs)


def check_without_detectors(*args: str, **kwargs):
    return run("check", "--policy", NO_DETECTORS, *args, **kwargs)


# -- exit 0 and 1 --------------------------------------------------------------------------

def test_clean_example_exits_0(policy):
    result = check(CLEAN)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "ALLOWED: publishable to 'public-web'",
        f"policy asb-public-web 1.0.0 (sha256 {policy.sha256[:12]}), destination public-web",
        "",
        f"  {CLEAN}: csv, 61 records, ok",
    ]


def test_leaky_example_exits_1_with_counts_and_masked_examples(plain_policy):
    # Without detectors until person.name stops reporting addresses such as
    # "2 Queensway, Hemel Hempstead" (records 19 and 58) as names.
    result = check_without_detectors(LEAKY)
    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        f"BLOCKED: 305 findings may not go to 'public-web' (fields: {LEAKY_FIELDS})",
        f"policy asb-no-detectors 1.0.0 (sha256 {plain_policy.sha256[:12]}), "
        "destination public-web",
        "",
        f"  {LEAKY}: csv, 61 records, BLOCKED (305 findings)",
    ]
    assert "  (250 of 305 findings listed in detail; counts are exact)" in lines
    assert "First 5 records with findings (evidence is masked):" in lines
    assert f"  {LEAKY} record 0 (line 2):" in lines
    assert "    complainant_name = D***** H*****  [uk.field.person_name, personal, block]" in lines


def test_several_payloads_are_one_decision():
    # Without detectors: see test_leaky_example_exits_1_with_counts_and_masked_examples.
    result = check_without_detectors(CLEAN, LEAKY)
    assert result.exit_code == 1
    assert f"  {CLEAN}: csv, 61 records, ok" in result.stdout.splitlines()
    assert f"  {LEAKY}: csv, 61 records, BLOCKED (305 findings)" in result.stdout.splitlines()


def test_destination_option():
    result = check_without_detectors("--destination", "partner-portal", LEAKY, "--report", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["destination"] == "partner-portal"
    assert "asb.field.internal" not in report["counts"]["by_rule"]
    assert report["counts"]["blocking"] == 244
    assert check_without_detectors("-d", "internal", LEAKY).exit_code == 0


def test_policy_and_destination_from_the_environment():
    env = {"GUARDRAIL_POLICY": "asb-public-web", "GUARDRAIL_DESTINATION": "internal"}
    result = run("check", LEAKY, env=env)
    assert result.exit_code == 0
    assert result.stdout.startswith("ALLOWED: publishable to 'internal'")


def test_output_file(tmp_path):
    out = tmp_path / "report.json"
    result = check("--report", "json", "--output", str(out), LEAKY)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["decision"] == "block"


# -- exit 2: usage and policy errors -------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["--policy", "no-such-policy", CLEAN],
     "guardrail: error: no policy named 'no-such-policy'; run 'guardrail policies' to list "
     "shipped policies or pass a path to a .yaml file\n"),
    (["--policy", str(DATA / "cli" / "missing.yaml"), CLEAN],
     f"guardrail: error: policy file not found: {DATA / 'cli' / 'missing.yaml'}\n"),
    (["--policy", "asb-public-web", "--destination", "public-wbe", CLEAN],
     "guardrail: error: policy 'asb-public-web' has no destination 'public-wbe'; did you mean "
     "'public-web'? available: public-web, partner-portal, internal\n"),
    (["--policy", "asb-public-web", "--report", "jsn", CLEAN],
     "guardrail: error: unknown report 'jsn'; did you mean 'json'? available: "
     f"{', '.join(sorted(load_registry().reporters))}\n"),
])
def test_usage_errors_exit_2_with_one_message(args, message):
    result = run("check", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message


def test_unknown_format_exits_2_before_reading():
    result = check("--format", "pdf", CLEAN)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("guardrail: error: unknown format 'pdf'; available: ")
    assert "csv" in result.stderr and "ndjson" in result.stderr


def test_invalid_policy_exits_2_listing_every_problem():
    result = run("check", "--policy", str(INVALID_POLICY), CLEAN)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "guardrail: error: policy is invalid (2 problems):"
    assert lines[1].startswith(f"  {INVALID_POLICY}:8:16: destinations.public-web.max_level: "
                               "unknown level 'publik'")
    assert lines[2].startswith(f"  {INVALID_POLICY}:11:12: fields[0].level: "
                               "unknown level 'secret'")


@pytest.mark.parametrize("args", [
    ["check", CLEAN],                                             # no --policy
    ["check", "--policy", "asb-public-web"],                      # no payload
    ["check", "--policy", "asb-public-web", "--mode", "dry", CLEAN],
    ["check", "--policy", "asb-public-web", "--max-findings", "0", CLEAN],
    ["no-such-command"],
])
def test_bad_command_lines_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage: guardrail" in result.stderr


# -- exit 3: payload could not be read -----------------------------------------------------

def test_unparseable_payload_exits_3_with_its_position():
    path = str(DATA / "json" / "malformed.json")
    result = check(path)
    assert result.exit_code == 3
    assert result.stderr == ""
    error = "line 3, column 24: not valid JSON: Expecting property name enclosed in double quotes"
    lines = result.stdout.splitlines()
    assert lines[0] == f"BLOCKED: {path} could not be checked: {error}"
    assert lines[3] == f"  {path}: json, 0 records, UNREADABLE: {error}"


def test_unknown_format_of_a_payload_exits_3():
    path = str(DATA / "csv" / "unknown-content")
    result = check(path, "--report", "json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["decision"] == "block"
    [entry] = report["files"]
    assert entry["error_kind"] == "payload"
    assert entry["error"].startswith("cannot tell the format")
    assert "format" not in entry


def test_missing_payload_file_exits_3():
    result = check(str(DATA / "csv" / "no-such-file.csv"))
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0] == (
        f"BLOCKED: {DATA / 'csv' / 'no-such-file.csv'} could not be checked: no such file")


def test_unreadable_payload_wins_over_findings():
    result = check(LEAKY, str(DATA / "json" / "malformed.json"))
    assert result.exit_code == 3


def test_format_option_reads_a_mislabelled_file():
    path = str(DATA / "csv" / "mislabelled.json")
    assert check(path).exit_code == 3
    result = check("--format", "csv", path, "--report", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"] == [{"file": path, "format": "csv", "records": 1}]


# -- audit mode ------------------------------------------------------------------------------

def _without_time(report: dict) -> dict:
    """The report but when and how it was made (audit adds the impact list)."""
    return {k: v for k, v in report.items() if k not in ("checked_at", "mode", "impact")}


def test_audit_exits_0_with_the_same_findings():
    enforce = check("--report", "json", LEAKY)
    audit = check("--report", "json", "--mode", "audit", LEAKY)
    assert (enforce.exit_code, audit.exit_code) == (1, 0)
    enforce_report, audit_report = json.loads(enforce.stdout), json.loads(audit.stdout)
    assert audit_report["mode"] == "audit"
    assert audit_report["decision"] == "block"
    assert _without_time(audit_report) == _without_time(enforce_report)
    assert enforce_report["impact"] is None  # the impact list is audit's by default
    assert audit_report["impact"]["records_affected"] == 61


def test_audit_text_report_says_audit():
    result = check_without_detectors("--mode", "audit", LEAKY)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "AUDIT (dry run, nothing was blocked): would be BLOCKED: 305 findings may not go to "
        f"'public-web' (fields: {LEAKY_FIELDS})")


def test_audit_from_the_environment():
    result = check(LEAKY, env={"GUARDRAIL_MODE": "audit"})
    assert result.exit_code == 0
    assert result.stdout.startswith("AUDIT")


def test_audit_still_fails_on_an_unreadable_payload():
    result = check("--mode", "audit", str(DATA / "json" / "malformed.json"))
    assert result.exit_code == 3
    assert result.stdout.startswith("AUDIT (dry run, nothing was blocked): would be BLOCKED: ")


# -- stdin -------------------------------------------------------------------------------------

def test_stdin_dash():
    result = check("--report", "json", "-", input=Path(LEAKY).read_bytes())
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["files"] == [{"file": "<stdin>", "format": "csv", "records": 61}]
    assert report["findings"][0]["file"] == "<stdin>"
    assert report["findings"][0]["position"] == "line 2"


def test_stdin_with_format():
    payload = b'{"month": "2026-01"}\n{"month": "2026-02", "email": "zeb@example.org"}\n'
    result = check_without_detectors("--format", "ndjson", "--report", "json", "-", input=payload)
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["record"], finding["field"], finding["position"]) == (1, "email", "line 2")


def test_clean_stdin_exits_0():
    assert check("-", input=Path(CLEAN).read_bytes()).exit_code == 0


# -- the JSON report -------------------------------------------------------------------------

def test_json_report_structure(plain_policy):
    result = check_without_detectors("--report", "json", LEAKY)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert list(report) == ["decision", "mode", "destination", "policy", "checked_at", "files",
                            "counts", "findings", "findings_listed", "findings_total", "notices",
                            "waivers_used", "waivers_ignored", "waivers_expired",
                            "judged_on", "canary_hits", "impact"]
    assert report["decision"] == "block"
    assert report["mode"] == "enforce"
    assert report["destination"] == "public-web"
    assert report["policy"] == {"name": "asb-no-detectors", "version": "1.0.0",
                                "sha256": plain_policy.sha256, "file": plain_policy.file}
    assert len(report["policy"]["sha256"]) == 64
    assert report["files"] == [{"file": LEAKY, "format": "csv", "records": 61}]
    assert report["counts"]["blocking"] == 305
    assert report["counts"]["by_rule"] == dict.fromkeys(RULES, 61)
    assert report["counts"]["by_rule_and_field"] == [
        {"rule": rule, "field": field, "level": level, "action": "block", "count": 61}
        for rule, field, level in [
            ("asb.field.internal", "case_ref", "internal"),
            ("uk.field.address", "postcode", "personal"),
            ("uk.field.free_text", "notes", "personal"),
            ("uk.field.name_like", "complainant_address", "personal"),
            ("uk.field.person_name", "complainant_name", "personal"),
        ]
    ]
    assert report["findings_total"] == 305
    assert report["findings_listed"] == len(report["findings"]) == 250
    assert report["notices"] == []
    first = report["findings"][0]
    assert first == {
        "file": LEAKY, "record": 0, "field": "case_ref", "rule": "asb.field.internal",
        "level": "internal", "action": "block", "evidence": "A**/****/******",
        "message": "field 'case_ref' is internal (name rule 'case_ref'); 'public-web' accepts "
                   "at most public",
        "position": "line 2", "found_by": "field", "line": 2,
    }
    for finding in report["findings"]:
        assert {"file", "record", "field", "rule", "level", "action", "evidence"} <= set(finding)


def test_max_findings_caps_listed_findings_per_rule_counts_stay_exact():
    result = check_without_detectors("--report", "json", "--max-findings", "3", LEAKY)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["counts"]["by_rule"] == dict.fromkeys(RULES, 61)
    assert [row["count"] for row in report["counts"]["by_rule_and_field"]] == [61] * 5
    assert report["findings_total"] == 305
    assert report["findings_listed"] == 15
    assert Counter(f["rule"] for f in report["findings"]) == dict.fromkeys(RULES, 3)
    assert sorted({f["record"] for f in report["findings"]}) == [0, 1, 2]


def test_max_findings_in_the_text_report():
    result = check_without_detectors("--max-findings", "3", LEAKY)
    lines = result.stdout.splitlines()
    assert "  (15 of 305 findings listed in detail; counts are exact)" in lines
    assert "First 3 records with findings (evidence is masked):" in lines


# -- other commands ---------------------------------------------------------------------------

def test_policies_lists_the_shipped_policies():
    result = run("policies")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert "asb-public-web" in names and "uk-personal-data" in names
    asb = next(line for line in lines if line.startswith("asb-public-web "))
    assert asb.split()[1] == "1.0.0"
    assert "ASB case export to the public web" in asb


def test_validate_a_shipped_policy(policy):
    result = run("validate", "asb-public-web")
    assert result.exit_code == 0
    assert result.stdout == (
        f"{policy.file}: ok (policy asb-public-web 1.0.0, sha256 {policy.sha256[:12]}, "
        f"{len(policy.field_rules)} field rules, 1 record rules, destinations: public-web, "
        "partner-portal, internal)\n")


def test_validate_an_invalid_policy_exits_2():
    result = run("validate", str(INVALID_POLICY))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("guardrail: error: policy is invalid (2 problems):\n")
    assert f"{INVALID_POLICY}:8:16:" in result.stderr
    assert f"{INVALID_POLICY}:11:12:" in result.stderr


def test_validate_resolved_prints_the_effective_policy():
    result = run("validate", "--resolved", "asb-public-web")
    assert result.exit_code == 0
    resolved = yaml.safe_load(result.stdout)
    assert resolved["metadata"]["name"] == "asb-public-web"
    assert set(resolved["destinations"]) == {"public-web", "partner-portal", "internal"}
    ids = [rule.get("id") for rule in resolved["fields"]]
    assert ids.index("asb.field.public") < ids.index("uk.field.person_name")
    assert [rule["id"] for rule in resolved["rules"]] == ["asb.small_count"]


def test_schema_prints_the_policy_schema():
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == policy_schema()


def test_plugins_lists_formats_reporters_and_policies():
    result = run("plugins")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for kind in ("formats:", "detectors:", "reporters:", "policies:"):
        assert kind in lines
    entries = {line.split()[0]: line.split(None, 1)[1] for line in lines if line.startswith("  ")}
    for name in ("csv", "tsv", "json", "ndjson", "text", "asb-public-web", "uk-personal-data"):
        assert entries[name] == "guardrail 0.1.0"


@pytest.mark.parametrize(("args", "expected"), [
    (["--help"], "Check exports against a data-publishing policy"),
    (["-h"], "Commands:"),
    (["check", "--help"], "Exit codes: 0 publishable, 1 blocked by policy"),
    (["policies", "--help"], "List the policies that installed plugins ship."),
    (["validate", "--help"], "Validate a policy and report every problem"),
    (["schema", "--help"], "Print the JSON Schema that policies are validated against."),
    (["plugins", "--help"], "List installed formats, detectors, reporters, policies and decision"),
])
def test_help(args, expected):
    result = run(*args)
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: guardrail")
    assert expected in result.stdout


def test_check_help_lists_every_option():
    text = run("check", "--help").stdout
    for option in ("--policy", "--destination", "--format", "--mode", "--report",
                   "--max-findings", "--encoding", "--output"):
        assert option in text


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == "guardrail, version 0.1.0\n"


# -- the real executable -----------------------------------------------------------------------

def _python_m(*args: str, input: bytes | None = None, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARDRAIL_")}
    return helpers.run_guardrail(*args, input=input, env=env, cwd=cwd, timeout=60)


def test_subprocess_clean_and_leaky(tmp_path):
    clean = _python_m("check", "-p", "asb-public-web", CLEAN, cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.decode().startswith("ALLOWED: publishable to 'public-web'\n")
    # Without detectors: see test_leaky_example_exits_1_with_counts_and_masked_examples.
    leaky = _python_m("check", "-p", NO_DETECTORS, "--report", "json", LEAKY, cwd=tmp_path)
    assert leaky.returncode == 1
    assert leaky.stderr == b""
    assert json.loads(leaky.stdout)["counts"]["by_rule"] == dict.fromkeys(RULES, 61)


def test_subprocess_stdin_and_errors(tmp_path):
    # Without detectors: see test_leaky_example_exits_1_with_counts_and_masked_examples.
    piped = _python_m("check", "-p", NO_DETECTORS, "-", input=Path(LEAKY).read_bytes(),
                      cwd=tmp_path)
    assert piped.returncode == 1
    assert b"  <stdin>: csv, 61 records, BLOCKED (305 findings)" in piped.stdout
    bad = _python_m("check", "-p", "asb-public-web", str(DATA / "json" / "malformed.json"),
                    cwd=tmp_path)
    assert bad.returncode == 3
    assert bad.stderr == b""
    unknown = _python_m("check", "-p", "no-such-policy", CLEAN, cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stdout == b""
    assert unknown.stderr.startswith(b"guardrail: error: no policy named 'no-such-policy'")


def test_a_reader_that_stops_reading_is_not_an_internal_error(tmp_path) -> None:
    """`guardrail test -v | head`: the command exits as SIGPIPE would (141), silently, not
    with "internal error" and 4. 300 passing cases with long names are more than a pipe
    holds."""
    import subprocess
    import sys
    cases = "".join(f"  - name: case {n} of a long suite that passes {'.' * 250}\n"
                    "    records: [{month: 2026-01, ward: Abbey}]\n"
                    "    decision: allow\n    findings: []\n" for n in range(300))
    (tmp_path / "long.yaml").write_text("policy: asb-public-web\ncases:\n" + cases,
                                        encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "guardrail", "test", "-v",
                                str(tmp_path / "long.yaml")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, error
    assert "internal error" not in error
