"""The shipped uk-content-scan policy: only unambiguously personal field names are
classified, every other field is public and judged by what its values contain.

Expectations for the files are data, in tests/data/policies/content-scan/expected.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from guardrail import Guardrail
from guardrail.cli import cli
from guardrail.policy.classify import Classifier

HERE = Path(__file__).parent
REPO = HERE.parent
DATA = HERE / "data" / "policies" / "content-scan"
OPENDATA = REPO / "eval" / "wide" / "opendata"
EXPECTED = yaml.safe_load((DATA / "expected.yaml").read_text(encoding="utf-8"))
KNOWN_FP = EXPECTED["known_false_positives"]
POLICY = "uk-content-scan"
PERSON = "Margaret Thompson"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="guardrail")


def check(path: Path, *options: str) -> tuple[int, dict]:
    """Exit code and JSON report of ``guardrail check --policy uk-content-scan``."""
    result = run("check", "--policy", POLICY, "--report", "json", "--max-findings", "1000",
                 *options, str(path))
    return result.exit_code, json.loads(result.stdout)


def shown(field: str) -> str:
    """A key as findings name it: JMESPath quotes a key with a space."""
    return f'"{field}"' if " " in field else field


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.fixture(scope="module")
def scan() -> Guardrail:
    return Guardrail.from_policy(POLICY)


# -- shipped like the others -------------------------------------------------------------


def test_validates():
    result = run("validate", POLICY)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "uk-content-scan.yaml: ok (policy uk-content-scan 1.0.0, sha256 "
        f"{Guardrail.from_policy(POLICY).policy.sha256[:12]}, 7 field rules, 0 record rules, "
        "destinations: public-web, partner-portal, internal)\n")


def test_is_listed_by_guardrail_policies():
    result = run("policies")
    assert result.exit_code == 0
    line = next((line for line in result.stdout.splitlines()
                 if line.startswith("uk-content-scan ")), None)
    assert line is not None, "uk-content-scan is not among the installed shipped policies"
    assert line.split()[1] == "1.0.0"
    assert "data with no schema and for sweeps of published pages" in line


def test_reads_like_uk_personal_data(scan):
    """Same levels, destinations and actions, so reports of the two read alike, and the
    same special-category names, whose values no detector can judge."""
    mine, base = scan.policy, Guardrail.from_policy("uk-personal-data").policy
    assert mine.levels == base.levels
    assert {n: d.max_level for n, d in mine.destinations.items()} == \
        {n: d.max_level for n, d in base.destinations.items()}
    assert (mine.default_destination, mine.actions) == (base.default_destination, base.actions)
    assert (mine.unknown_level, base.unknown_level) == ("public", "personal")

    def special(policy):
        return {p for r in policy.field_rules if r.id == "uk.field.special_category"
                for p in r.patterns}
    assert special(mine) == special(base)


def test_classifies_nothing_uk_personal_data_calls_public(scan):
    """Every name this policy calls personal, the fail-closed base does too."""
    base = Classifier(Guardrail.from_policy("uk-personal-data").policy)
    for rule in scan.policy.field_rules:
        if rule.kind == "name" and rule.level != "public":
            for name in rule.patterns:
                assert base.classify((name,)).level != "public", name


# -- files ---------------------------------------------------------------------------------


def _clean_params():
    for path in files(DATA / "clean") + files(OPENDATA / "clean"):
        reason = KNOWN_FP.get(relative(path))
        marks = [pytest.mark.xfail(strict=True, reason=f"detector false positive: {reason}")] \
            if reason else []
        yield pytest.param(path, id=relative(path), marks=marks)


@pytest.mark.parametrize("path", _clean_params())
def test_clean_file_is_allowed(path):
    code, report = check(path)
    assert [(f["record"], f["field"], f["rule"]) for f in report["findings"]] == []
    assert (code, report["decision"]) == (0, "allow")


def test_every_known_false_positive_is_a_clean_file():
    for name in KNOWN_FP:
        assert (REPO / name).is_file() and "/clean/" in name, name


@pytest.mark.parametrize("path", files(DATA / "leaky"), ids=lambda p: p.name)
def test_our_leaky_file_is_blocked_exactly(path):
    code, report = check(path)
    assert code == 1
    assert [{k: v for k, v in f.items() if k in ("record", "field", "rule", "evidence")}
            | ({"also": f["also"]} if f.get("also") else {})
            for f in report["findings"]] == EXPECTED["leaky"][path.name]


@pytest.mark.parametrize("path", files(OPENDATA / "leaky"), ids=lambda p: p.name)
def test_opendata_leaky_file_is_blocked_where_the_planted_text_is(path):
    code, report = check(path)
    want = EXPECTED["opendata_leaky"][path.name]
    assert code == 1
    at = [f for f in report["findings"]
          if (f["record"], f["field"]) == (want["record"], want["field"])]
    assert len(at) == 1, [(f["record"], f["field"], f["rule"]) for f in report["findings"]]
    assert set(want["rules"]) <= {at[0]["rule"], *at[0].get("also", [])}


def test_every_leaky_file_has_an_expectation():
    assert sorted(EXPECTED["leaky"]) == [p.name for p in files(DATA / "leaky")]
    assert sorted(EXPECTED["opendata_leaky"]) == [p.name for p in files(OPENDATA / "leaky")]


@pytest.mark.parametrize("path", files(DATA / "leaky")[:3] + files(OPENDATA / "leaky")[:3],
                         ids=lambda p: p.name)
def test_audit_mode_exits_0_with_the_same_findings(path):
    enforce_code, enforced = check(path)
    audit_code, audited = check(path, "--mode", "audit")
    assert (enforce_code, audit_code) == (1, 0)
    assert (audited["mode"], audited["decision"]) == ("audit", "block")
    assert audited["findings"] == enforced["findings"]
    assert audited["counts"] == enforced["counts"]


# -- field names -------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "rule", "evidence"), [
    ("complainant_name", "Boxmoor", "uk.field.person_name", "B******"),
    ("surname", "Gadebridge", "uk.field.person_name", "G*********"),
    ("First Name", "Dacorum", "uk.field.person_name", "D******"),
    ("victim_surname", "Boxmoor", "uk.field.name_like", "B******"),
    ("date_of_birth", "not recorded", "uk.field.identifier", "n** r*******"),
    ("DOB", "n/a", "uk.field.identifier", "n/a"),  # a placeholder is shown as it is
    ("nhs_number", "pending", "uk.field.identifier", "p******"),
    ("nino", "to follow", "uk.field.identifier", "t* f*****"),
    ("passport_number", "none", "uk.field.identifier", "n***"),
    ("home_address", "Dacorum", "uk.field.address", "D******"),
    ("email_address", "none given", "uk.field.contact", "n*** g****"),
    ("mobile_number", "withheld", "uk.field.contact", "w*******"),
    ("ethnicity", "Not stated", "uk.field.special_category", "N** s*****"),
])
def test_unambiguous_personal_field_names_block_any_value(scan, field, value, rule, evidence):
    decision = scan.check([{"ward": "Boxmoor", field: value}])
    assert decision.verdict == "block"
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == \
        [(0, shown(field), rule, evidence)]


AMBIGUOUS = ["name", "location", "notes", "address", "description", "text", "contact",
             "Reported by", "ward_name", "col7"]
PLACES = {"name": "Adeyfield East", "location": "On or near Marlowes",
          "notes": "Joint patrols on Friday evenings", "address": "The Forum, Marlowes",
          "description": "Fly-tipping near the canal", "text": "Reports fell by 12%",
          "contact": "Call 101", "Reported by": "Hertfordshire Constabulary",
          "ward_name": "Leverstock Green", "col7": "Dacorum"}


def test_ambiguous_field_names_with_place_names_are_allowed(scan):
    decision = scan.check([PLACES, dict(PLACES, name="Tring Central", col7="Three Rivers")])
    assert [(f.record, f.field, f.rule) for f in decision.findings] == []
    assert decision.verdict == "allow"


@pytest.mark.parametrize("field", AMBIGUOUS)
def test_ambiguous_field_names_with_a_persons_name_are_blocked(scan, field):
    decision = scan.check([PLACES, dict(PLACES, **{field: PERSON})])
    assert decision.verdict == "block"
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == \
        [(1, shown(field), "person.name", "M******* T*******")]
