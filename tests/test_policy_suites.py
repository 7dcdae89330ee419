"""``guardrail test``: policy case files, their diff, exit codes, errors and coverage."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail.authoring.case_file import CaseFileError
from guardrail.authoring.coverage import policy_coverage
from guardrail.authoring.suites import (
    SuiteRunner,
    check_case,
    load_cases,
    load_suite,
    run_suite,
)
from guardrail.cli import cli

DATA = Path(__file__).parent / "data" / "suites"


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tests/data/suites, so the paths printed are short and stable."""
    monkeypatch.chdir(DATA)
    return DATA


def run(*args: str):
    return CliRunner().invoke(cli, ["test", *args], catch_exceptions=False,
                              prog_name="guardrail")


GOLDEN_FAILURE = """\
FAIL golden.yaml:8: small counts are suppressed
  policy small-council, destination partners
  decision: expected allow, got block
  findings (- expected, not found; + found, not expected):
    - {record: 0, field: count, rule: council.small_count, evidence: "*"}
    + {record: 0, field: count, rule: council.small_count, evidence: "*"}
    + {record: 0, field: resident, rule: field.level, evidence: "J*** S****"}
    - {record: 1, field: ward, rule: council.public}
""" + ("  hint: record 0, field count: the case's evidence is unmasked; write it as a + line "
       "shows it, or leave it out\n")


def test_golden_output_of_a_failing_and_a_passing_case(in_data: Path) -> None:
    result = run("golden.yaml")
    assert result.exit_code == 1
    assert result.stdout == GOLDEN_FAILURE + "\n1 case file, 2 cases: 1 passed, 1 failed\n"
    assert result.stderr == ""


def test_verbose_lists_passing_cases_too(in_data: Path) -> None:
    result = run("golden.yaml", "-v")
    assert result.exit_code == 1
    assert result.stdout == ("PASS golden.yaml:3: statistics pass\n" + GOLDEN_FAILURE
                             + "\n1 case file, 2 cases: 1 passed, 1 failed\n")


def test_passing_suite_is_quiet_and_exits_0(in_data: Path) -> None:
    result = run("cases.yaml")
    assert result.exit_code == 0
    assert result.stdout == "\n1 case file, 3 cases: 3 passed, 0 failed\n"


def test_no_raw_value_in_the_diff(in_data: Path) -> None:
    """Actual evidence is the core's mask; the payload's 'John Smith' never shows."""
    result = run("golden.yaml")
    assert "John" not in result.stdout and "Smith" not in result.stdout


COVERAGE = """\
coverage of small-council (policy.yaml): 5 of 9 parts exercised (55.6%)
  not exercised:
    field rule field.unclassified (defaults.unknown_fields: personal)
    detector uk.postcode
    record rule council.small_count at policy.yaml:28
    destination partners at policy.yaml:11
"""


def test_coverage_figures_of_a_small_policy(in_data: Path) -> None:
    result = run("cases.yaml", "--coverage")
    assert result.exit_code == 0
    assert result.stdout == "\n" + COVERAGE + "\n1 case file, 3 cases: 3 passed, 0 failed\n"


def test_min_coverage_fails_below_the_threshold(in_data: Path) -> None:
    assert run("cases.yaml", "--min-coverage", "55").exit_code == 0
    result = run("cases.yaml", "--min-coverage", "60")
    assert result.exit_code == 1
    assert result.stdout == (
        "\n" + COVERAGE + "\ncoverage of small-council is 55.6%, below --min-coverage 60: "
        "add cases that exercise the parts listed\n"
        "1 case file, 3 cases: 3 passed, 0 failed\n")


def test_coverage_counts_each_kind_of_part() -> None:
    """Field rules by the classification of every field (public ones leave no finding),
    waivers by the findings they waived, destinations by the cases run for them."""
    runner = SuiteRunner()
    results = run_suite(load_suite(DATA / "cases.yaml", runner.registry), runner)
    (found,) = policy_coverage(runner, results)
    assert [(item.kind, item.name.split(" (")[0], item.exercised) for item in found.items] == [
        ("field rule", "council.public", True),      # month, ward: public, no finding
        ("field rule", "council.internal", True),    # case_ref, waived
        ("field rule", "name resident", True),       # a rule with no id
        ("field rule", "field.unclassified", False),
        ("detector", "uk.postcode", False),
        ("record rule", "council.small_count", False),
        ("destination", "public-web", True),
        ("destination", "partners", False),
        ("waiver", "exception for rule council.internal and field case_ref", True),
    ]
    assert found.percent == pytest.approx(500 / 9)


BROKEN = """\
guardrail: error: case file is invalid (8 problems):
  broken/broken.yaml:2:1: destinaton: unknown key 'destinaton'; did you mean 'destination'? \
expected one of: policy, destination, today, cases
  broken/broken.yaml:4:5: cases[0]: missing 'decision' (allow or block)
  broken/broken.yaml:7:5: cases[0].decison: unknown key 'decison'; did you mean 'decision'? \
expected one of: name, policy, destination, today, records, text, format, file, decision, \
findings, skip, xfail
  broken/broken.yaml:10:15: cases[1].records[0]: 'records' must be a list of mappings (one \
per record)
  broken/broken.yaml:11:15: cases[1].decision: 'decision' must be allow or block
  broken/broken.yaml:13:9: cases[1].findings[0]: missing 'rule'
  broken/broken.yaml:13:18: cases[1].findings[0].record: 'record' must be the record's number \
as reports show it (the first is 0), or null for the document around the records
  broken/broken.yaml:14:5: cases[2]: a case needs exactly one payload: 'records' (a list of \
mappings), 'text' (with 'format') or 'file' (a fixture); found records, file
guardrail: error: case file is invalid (2 problems):
  broken/names.yaml:4:18: cases[0].destination: policy 'small-council' has no destination \
'partner'; did you mean 'partners'? available: public-web, partners
  broken/names.yaml:13:44: cases[1].findings[0].rule: policy 'small-council' has no rule \
'council.smal_count'; did you mean 'council.small_count'?
"""


def test_malformed_case_files_exit_2_with_every_problem_at_file_line_col(in_data: Path) -> None:
    result = run("broken", "cases.yaml")
    assert result.exit_code == 2
    assert result.stderr == BROKEN
    # the readable file still runs, so one typo hides nothing else
    assert result.stdout.endswith(
        "3 case files, 3 cases: 3 passed, 0 failed; 2 case files could not be read\n")


@pytest.mark.parametrize(("text", "message"), [
    ("", "x.yaml:1:1: the case file is empty; write 'policy:' and a list of 'cases:'"),
    ("policy: [a\n", "x.yaml:2:1: YAML syntax error"),
    ("apiVersion: guardrail/v1\nkind: Policy\n", "x.yaml:1:1: this is a policy, not a case "
     "file; name the case files (e.g. 'guardrail test policies/tests')"),
    ("policy: p.yaml\ncases: []\n", "x.yaml:2:8: cases: 'cases' must be a non-empty list"),
    ("cases:\n  - name: a\n    records: []\n    decision: allow\n    findings: []\n",
     "x.yaml:2:5: cases[0]: no 'policy' for this case"),
    ("policy: p.yaml\ncases:\n  - name: a\n    text: 'x'\n    decision: allow\n"
     "    findings: []\n", "x.yaml:4:11: cases[0].text: 'text' needs a 'format'"),
    ("policy: p.yaml\ntoday: soon\ncases:\n  - name: a\n    records: []\n"
     "    decision: allow\n    findings: []\n", "x.yaml:2:8: today: 'today' must be a date"),
    ("policy: p.yaml\ncases:\n  - name: a\n    file: nowhere.csv\n    decision: allow\n"
     "    findings: []\n", "x.yaml:4:11: cases[0].file: fixture file not found"),
    ("policy: p.yaml\ncases:\n  - name: a\n    records: []\n    decision: allow\n"
     "  - name: a\n    records: []\n    decision: allow\n    findings: []\n",
     "x.yaml:3:5: cases[0]: missing 'findings'"),
])
def test_case_file_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                            message: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        load_suite("x.yaml")
    assert str(caught.value.problems[0]).startswith(message)


def test_an_unknown_format_is_refused_at_its_line(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text(f"policy: {DATA / 'policy.yaml'}\ncases:\n  - name: a\n    text: x\n"
                    "    format: cvs\n    decision: allow\n    findings: []\n", encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        load_suite(file)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (5, 13, "cases[0].format")
    assert problem.message.startswith("unknown format 'cvs'; did you mean 'csv'?")


def test_an_unreadable_payload_blocks_and_says_why(in_data: Path, tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text(f"policy: {DATA / 'policy.yaml'}\ncases:\n  - name: broken JSON\n"
                    "    text: '{\"month\": '\n    format: json\n    decision: allow\n"
                    "    findings: []\n", encoding="utf-8")
    result = run(str(file))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"FAIL {file}:3: broken JSON",
                         "  policy small-council, destination public-web"]
    assert lines[2].startswith("  <bytes> could not be checked: ")
    assert lines[3] == "  decision: expected allow, got block"


def test_duplicate_case_names_are_refused(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text(textwrap.dedent(f"""\
        policy: {DATA / 'policy.yaml'}
        cases:
          - {{name: a, records: [], decision: allow, findings: []}}
          - {{name: a, records: [], decision: allow, findings: []}}
        """), encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        load_suite(file)
    assert [p.message for p in caught.value.problems] == [
        "duplicate case name 'a' (first on line 3); give each case its own name"]


def test_a_policy_that_does_not_load_is_a_case_file_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: guardrail/v1\nkind: Policy\nfieldz: []\n",
                                       encoding="utf-8")
    (tmp_path / "x.yaml").write_text("policy: bad.yaml\ncases:\n  - {name: a, records: [], "
                                     "decision: allow, findings: []}\n", encoding="utf-8")
    result = run(str(tmp_path / "x.yaml"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'x.yaml'}:1:9: policy: policy 'bad.yaml' does not validate; fix it " \
        f"first (run 'guardrail validate {tmp_path / 'bad.yaml'}')" in result.stderr
    assert f"{tmp_path / 'bad.yaml'}:3:1: fieldz: unknown key" in result.stderr


def test_a_missing_path_exits_2(in_data: Path) -> None:
    result = run("nowhere.yaml")
    assert result.exit_code == 2
    assert result.stderr == ("guardrail: error: case file is invalid (1 problem):\n"
                             "  nowhere.yaml:1:1: no such file or folder\n")


def test_no_path_and_no_policies_tests_folder_is_a_usage_error(tmp_path: Path,
                                                              monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2
    assert "no policies/tests/ here" in result.stderr


def test_no_path_runs_policies_tests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suites = tmp_path / "policies" / "tests"
    suites.mkdir(parents=True)
    (suites / "small.yaml").write_text(
        (DATA / "cases.yaml").read_text(encoding="utf-8").replace(
            "policy: policy.yaml", f"policy: {DATA / 'policy.yaml'}"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert (result.exit_code, result.stdout) == (0, "\n1 case file, 3 cases: 3 passed, 0 failed\n")


# -- the public loader, as a plugin author's pytest suite uses it ----------------------

@pytest.mark.parametrize("case", load_cases(DATA / "cases.yaml"), ids=lambda case: case.id)
def test_a_plugin_author_runs_cases_with_pytest(case) -> None:
    result = check_case(case)
    assert result.passed and result.decision.verdict == case.decision


def test_check_case_raises_the_diff() -> None:
    failing = load_cases(DATA / "golden.yaml")[1]
    with pytest.raises(AssertionError) as caught:
        check_case(failing)
    assert str(caught.value) == GOLDEN_FAILURE.replace("golden.yaml:8",
                                                       f"{DATA / 'golden.yaml'}:8").rstrip("\n")


def test_results_say_what_was_missing_and_unexpected() -> None:
    runner = SuiteRunner()
    passing, failing = run_suite(load_suite(DATA / "golden.yaml", runner.registry), runner)
    assert passing.passed and not failing.passed and not failing.decision_ok
    assert [(e.record, e.field, e.rule) for e in failing.missing] == [
        (0, "count", "council.small_count"), (1, "ward", "council.public")]
    assert sorted((f.record, f.field, f.rule, f.evidence) for f in failing.unexpected) == [
        (0, "count", "council.small_count", "*"), (0, "resident", "field.level", "J*** S****")]


def test_the_case_file_in_the_help_passes(tmp_path: Path) -> None:
    """The example an author copies from --help is a real, passing case."""
    help_text = CliRunner().invoke(cli, ["test", "--help"]).stdout
    example = help_text.split("A case file (e.g. policies/tests/my-policy.yaml):\n")[1]
    example = textwrap.dedent(example.split("\n\n")[0])
    assert example.startswith("policy: ../my-policy.yaml")
    file = tmp_path / "help.yaml"
    file.write_text(example.replace("../my-policy.yaml", "asb-public-web"), encoding="utf-8")
    result = run(str(file), "-v")
    assert (result.exit_code, result.stdout) == (
        0, f"PASS {file}:4: a name blocks\n"
        f"XFAIL {file}:10: a nickname blocks (xfail: no rule for nicknames yet)\n\n"
        "1 case file, 2 cases: 1 passed, 0 failed, 1 failed as expected (xfail)\n")


def _one_case(tmp_path: Path, body: str) -> str:
    file = tmp_path / "x.yaml"
    file.write_text(f"policy: {DATA / 'policy.yaml'}\n" + textwrap.dedent(body),
                    encoding="utf-8")
    return str(file)


def test_today_decides_whether_a_waiver_still_applies(tmp_path: Path) -> None:
    """After its expiry the waiver no longer waives: the finding blocks, the diff shows
    the case's ``waived: true`` as missing, and coverage counts the waiver unused."""
    file = _one_case(tmp_path, """\
        today: 2100-01-01
        cases:
          - name: expired waiver
            records: [{case_ref: C-1042}]
            decision: allow
            findings:
              - {record: 0, field: case_ref, rule: council.internal, waived: true}
        """)
    result = run(file, "--coverage")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[2:7] == [
        "  decision: expected allow, got block",
        "  findings (- expected, not found; + found, not expected):",
        "    - {record: 0, field: case_ref, rule: council.internal, waived: true}",
        '    + {record: 0, field: case_ref, rule: council.internal, evidence: C-****}',
        "  hint: record 0, field case_ref: the findings match except 'waived': the case "
        "says true, the check did not waive it",
    ]
    assert "    waiver exception for rule council.internal and field case_ref at " \
        f"{DATA / 'policy.yaml'}:35" in result.stdout


@pytest.mark.parametrize(("extra", "passes"), [
    ("", True),
    (", level: personal, action: block, also: [uk.postcode]", True),
    (", level: internal", False),
    (", action: warn", False),
    (", also: []", False),
    (', evidence: "HP1 ***"', True),
    (', evidence: "HP1 1AA"', False),
])
def test_optional_attributes_are_compared_when_given(tmp_path: Path, extra: str,
                                                     passes: bool) -> None:
    file = _one_case(tmp_path, f"""\
        cases:
          - name: a postcode in a resident field
            records: [{{resident: HP1 1AA}}]
            decision: block
            findings:
              - {{record: 0, field: resident, rule: field.level{extra}}}
        """)
    (case,) = load_cases(file)
    runner = SuiteRunner()
    assert runner.run(case).passed is passes


@pytest.mark.parametrize("text", ["C-****", "*", "True", "No", "null", "1e3", "J*** S****",
                                  "#3", "a: b", "[x]", "people[*].name", "~", "'q'"])
def test_diff_lines_read_back_as_the_finding(text: str) -> None:
    """A + line pasted into a case file gives the same field and evidence."""
    import yaml

    from guardrail.authoring.case_diff import _actual
    from guardrail.decision import Finding

    finding = Finding("f", 0, text, "r", "personal", "block", text)
    assert yaml.safe_load(_actual(finding)) == {"record": 0, "field": text, "rule": "r",
                                                 "evidence": text}


def test_evidence_a_case_writes_unmasked_is_never_printed(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # From a new-user trial: the diff printed the case's raw email address back.
    (tmp_path / "policy.yaml").write_text((DATA / "policy.yaml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    (tmp_path / "raw.yaml").write_text(
        "policy: policy.yaml\ncases:\n  - name: raw evidence\n"
        "    records:\n      - {month: 2024-01, contact_email: megan.lowe@example.net}\n"
        "    decision: block\n    findings:\n"
        "      - {record: 0, field: contact_email, rule: field.unclassified, "
        "evidence: megan.lowe@example.net}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for args in (["raw.yaml"], ["--format", "json", "raw.yaml"]):
        result = run(*args)
        assert result.exit_code == 1
        assert "megan" not in result.stdout and "example.net" not in result.stdout
    text = run("raw.yaml").stdout
    assert "evidence: \"m****.l***@e******.n**\"}" in text
    assert "hint: record 0, field contact_email: the case's evidence is unmasked; " in text


def test_a_case_file_is_named_as_one_and_may_hold_many_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # From an adversarial run: 4,000 inline records passed the policy limit of 10,000
    # YAML values, and a binary case file was called "the policy".
    (tmp_path / "policy.yaml").write_text((DATA / "policy.yaml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    rows = "".join(f"      - {{month: 2024-01, ward: Abbey, count: {n + 10}}}\n"
                   for n in range(4000))
    (tmp_path / "many.yaml").write_text("policy: policy.yaml\ncases:\n  - name: many\n"
                                        f"    records:\n{rows}    decision: allow\n"
                                        "    findings: []\n", encoding="utf-8")
    (tmp_path / "bin.yaml").write_bytes(b"policy: x\n\x00\x01")
    monkeypatch.chdir(tmp_path)
    assert run("many.yaml").exit_code == 0
    binary = run("bin.yaml")
    assert binary.exit_code == 2
    assert "bin.yaml:2:1: the case file contains the control character U+0000, which YAML " \
           "does not allow; a case file is a YAML text file" in binary.stderr
