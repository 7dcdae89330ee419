"""The impact list of an audit: which pages and records held personal data, how many
distinct people-like values, grouped by area.

The shipped published site (examples/published-site/) is the seed incident: its cases
page is the 61 cases of asb-export-leaky.csv. Every expected figure is computed here
from that CSV, not copied from a report.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import helpers
import pytest
from report_plugins import invoke

from guardrail import Guardrail
from guardrail.impact import MASKED_AREA, NO_AREA
from guardrail.ledger import DecisionLog

SITE = helpers.EXAMPLES / "published-site"
CASES_PAGE = "asb-cases-2026.html"
CONTENT = str(Path(__file__).parent.parent / "policies" / "uk-content-scan.yaml")


def _cases() -> list[dict[str, str]]:
    with helpers.LEAKY_EXPORT.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def _raw_values() -> set[str]:
    return {value for case in _cases()
            for value in (case["complainant_name"], case["complainant_address"])}


def _audit(*args: str) -> tuple[int, dict]:
    result = invoke("check", "--policy", CONTENT, "--mode", "audit", "--report", "json",
                    "--no-log", "-q", *args)
    return result.exit_code, json.loads(result.stdout)


def test_the_published_site_audit_lists_the_incident_page_records_people_and_wards():
    code, report = _audit(str(SITE))
    assert code == 0  # audit: nothing blocked
    impact = report["impact"]
    cases = _cases()
    assert (impact["pages_checked"], impact["pages_affected"]) == (3, 1)
    assert impact["records_affected"] == len(cases) == 61
    assert impact["area_field"] == "Ward"
    assert impact["by_area"] == dict(Counter(case["ward"] for case in cases))
    names = {case["complainant_name"] for case in cases}
    phones = {phone for case in cases for phone in re.findall(r"07700 900\d{3}", case["notes"])}
    assert impact["distinct_by_rule"]["person.name"] == len(names)
    assert impact["distinct_by_rule"]["uk.phone"] == len(phones)
    # every address is counted; a note's "82 Galley Hill" is another spelling of one
    assert impact["distinct_by_rule"]["uk.street_address"] >= len(
        {case["complainant_address"] for case in cases})
    assert impact["distinct_values"] == sum(impact["distinct_by_rule"].values())
    (page,) = impact["pages"]
    assert page["file"].endswith(CASES_PAGE)
    assert page["records_affected"] == 61
    assert page["by_area"] == impact["by_area"]
    assert impact["capped"] is False


def test_the_text_report_gives_the_impact_in_plain_lines_and_no_raw_value():
    result = invoke("check", "--policy", CONTENT, "--mode", "audit", "--no-log", "-q",
                    str(SITE))
    out = result.stdout
    wards = Counter(case["ward"] for case in _cases())
    assert "  pages holding personal data: 1 of 3\n" in out
    assert "  records holding personal data: 61 of " in out
    assert "  records holding personal data by area (field Ward):\n" in out
    top, n = wards.most_common(1)[0]
    assert re.search(rf"\n    {re.escape(top)} +{n}\n", out)
    assert re.search(rf"\n    \S*{CASES_PAGE}: 61 of \d+ records, \d+ distinct values\n", out)
    assert not any(value in out for value in _raw_values())


def test_the_html_report_has_the_impact_section_and_no_raw_value(tmp_path: Path):
    out = tmp_path / "impact.html"
    invoke("check", "--policy", CONTENT, "--mode", "audit", "--report", "html", "--no-log",
           "-q", "-o", str(out), str(SITE))
    page = out.read_text(encoding="utf-8")
    assert '<section id="impact">' in page
    assert "<dt>Records holding personal data</dt><dd>61 of " in page
    for ward, n in Counter(case["ward"] for case in _cases()).items():
        assert f'data-name="{ward}" data-count="{n}"' in page  # a bar per ward
    assert not any(value in page for value in _raw_values())


def test_enforce_has_no_impact_unless_asked_and_then_the_same_figures():
    result = invoke("check", "--policy", CONTENT, "--report", "json", "--no-log",
                    str(helpers.LEAKY_EXPORT))
    assert result.exit_code == 1
    enforce = json.loads(result.stdout)
    assert enforce["impact"] is None
    asked = json.loads(invoke("check", "--policy", CONTENT, "--report", "json", "--no-log",
                              "--impact", str(helpers.LEAKY_EXPORT)).stdout)
    _, audit = _audit(str(helpers.LEAKY_EXPORT))
    assert asked["impact"] == audit["impact"]
    assert asked["impact"]["by_area"] == dict(Counter(case["ward"] for case in _cases()))
    _, without = _audit("--no-impact", str(helpers.LEAKY_EXPORT))
    assert without["impact"] is None
    # the impact check lists every finding, yet the report's counts are the same
    assert asked["counts"] == enforce["counts"]


def test_an_area_value_holding_personal_data_is_masked_and_blank_areas_are_said(
        tmp_path: Path):
    export = tmp_path / "cases.csv"
    export.write_text("case,ward,reported_by\n"
                      "1,Boxmoor,Margaret Okafor\n"
                      "2,Margaret Okafor,Ann Smith\n"
                      "3,,David Kowalski\n"
                      "4,Boxmoor,\n"
                      "5,Boxmoor\x1b[31m,Ann Smith\n", encoding="utf-8")
    _, report = _audit(str(export))
    impact = report["impact"]
    assert impact["records_affected"] == 4
    assert impact["by_area"] == {"Boxmoor": 1, MASKED_AREA: 2, NO_AREA: 1}
    assert impact["distinct_by_rule"] == {"person.name": 3}  # Ann Smith once
    text = json.dumps(report)
    assert "Okafor" not in text and "\\u001b" not in text


def test_the_area_field_can_be_named_and_an_absent_one_groups_nothing(tmp_path: Path):
    export = tmp_path / "cases.csv"
    export.write_text("case,ward,team,reported_by\n"
                      "1,Boxmoor,North,Margaret Okafor\n"
                      "2,Boxmoor,South,Ann Smith\n"
                      "3,Boxmoor,North,\n"
                      "4,Boxmoor,South,\n", encoding="utf-8")
    _, by_ward = _audit(str(export))
    assert by_ward["impact"]["by_area"] == {"Boxmoor": 2}
    _, by_team = _audit("--area-field", "Team", str(export))
    assert (by_team["impact"]["area_field"], by_team["impact"]["by_area"]) == \
        ("team", {"North": 1, "South": 1})
    _, nothing = _audit("--area-field", "beat", str(export))
    assert (nothing["impact"]["area_field"], nothing["impact"]["by_area"]) == (None, {})
    assert nothing["impact"]["area_fields_asked"] == ["beat"]
    assert nothing["impact"]["records_affected"] == 2


def test_nested_records_are_grouped_by_their_area_key(tmp_path: Path):
    export = tmp_path / "cases.ndjson"
    export.write_text(
        '{"ref": 1, "policing_area": "Hemel East", "note": "Caller Margaret Okafor"}\n'
        '{"ref": 2, "policing_area": "Hemel East", "note": "Bins left out"}\n'
        '{"ref": 3, "policing_area": "Tring", "note": "Reported by Ann Smith"}\n'
        '{"ref": 4, "policing_area": "Tring", "note": "Bins left out"}\n',
        encoding="utf-8")
    _, report = _audit(str(export))
    impact = report["impact"]
    assert (impact["records_affected"], impact["area_field"]) == (2, "policing_area")
    assert impact["by_area"] == {"Hemel East": 1, "Tring": 1}


def test_the_same_person_on_two_pages_is_one_distinct_value(tmp_path: Path):
    (tmp_path / "a.csv").write_text("id,name\n1,Margaret Okafor\n2,Ann Smith\n",
                                    encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,name\n1,MARGARET  OKAFOR\n", encoding="utf-8")
    _, report = _audit(str(tmp_path))
    impact = report["impact"]
    assert (impact["pages_affected"], impact["records_affected"]) == (2, 3)
    assert impact["distinct_values"] == 2
    assert sorted((p["file"].rsplit("/", 1)[-1], p["distinct_values"])
                  for p in impact["pages"]) == [("a.csv", 2), ("b.csv", 1)]


def test_warned_and_canary_findings_are_not_impact(write_policy, tmp_path: Path):
    policy = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: impact-test}
        extends: uk-content-scan
        destinations:
          lenient: {max_level: public, actions: {special-category: warn, personal: warn}}
        canaries:
          - {id: test-1, record: {name: Zebedee Quillfeather}}
    """)
    export = tmp_path / "cases.csv"
    export.write_text("id,name\n1,Zebedee Quillfeather\n2,Ann Smith\n3,\n", encoding="utf-8")
    report = json.loads(invoke("check", "--policy", str(policy), "--mode", "audit",
                               "--report", "json", "--no-log", str(export)).stdout)
    assert report["canary_hits"] == {"test-1": 1}
    assert report["impact"]["records_affected"] == 1  # Ann Smith's; the canary is a test
    assert report["impact"]["distinct_by_rule"] == {"person.name": 1}
    warned = json.loads(invoke("check", "--policy", str(policy), "--mode", "audit",
                               "-d", "lenient", "--report", "json", "--no-log",
                               str(export)).stdout)
    assert warned["impact"]["records_affected"] == 0  # only the canary blocks there
    assert warned["impact"]["pages"] == []


def test_the_api_tallies_impact_when_asked_and_the_log_keeps_it(tmp_path: Path):
    guard = Guardrail.from_policy(CONTENT)
    log = DecisionLog(tmp_path / "log.sqlite3")
    decision = guard.check(SITE, mode="audit", impact=True, log=log)
    assert decision.impact is not None
    assert (decision.impact.pages_affected, decision.impact.records_affected) == (1, 61)
    assert guard.check(SITE, mode="audit").impact is None
    (entry,) = log.entries()
    assert entry.content["impact"]["records_affected"] == 61
    assert entry.content["impact"]["by_area"] == decision.impact.to_dict()["by_area"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_large_table_gives_exact_affected_records(tmp_path: Path, jobs: str):
    export = tmp_path / "big.csv"
    rows = ["id,ward,note"]
    for i in range(30_000):
        caller = ("Margaret Okafor", "Ann Smith", "David Kowalski")[i // 400 % 3]
        note = f"Caller {caller}" if i % 400 == 0 else "Bins left out"
        rows.append(f"{i},{'North' if i % 2 else 'South'},{note}")
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, report = _audit("--jobs", jobs, str(export))
    impact = report["impact"]
    # more than the 50 findings listed: every record is still known
    assert impact["records_affected"] == 75
    assert impact["by_area"] == {"South": 75}
    assert impact["distinct_by_rule"] == {"person.name": 3}
    assert (report["counts"]["blocking"], report["findings_listed"]) == (75, 50)


def test_a_name_split_across_two_cells_counts_its_record_in_its_area(tmp_path: Path):
    # Neighbouring cells are read together a batch of rows after the rows themselves:
    # the finding reaches the impact after its record ended, and still counts there.
    export = tmp_path / "split.csv"
    rows = ["id,ward,first,last"]
    for i in range(3_000):
        first, last = ("Margaret", "Okafor") if i % 100 == 7 else ("", "")
        rows.append(f"{i},{'North' if i % 200 == 7 else 'South'},{first},{last}")
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, report = _audit(str(export))
    impact = report["impact"]
    assert impact["records_affected"] == 30
    assert impact["by_area"] == {"North": 15, "South": 15}
    assert impact["distinct_values"] >= 1


def test_a_surname_in_the_area_field_read_with_its_forename_is_masked(tmp_path: Path):
    # Each surname is a name only read with the cell before it, and is met once: the
    # area list shows none of them, and each person is one distinct value.
    export = tmp_path / "split.csv"
    export.write_text("first_name_given,ward,count\n"
                      "Margaret,Okafor,1\nDaniel,Hughes,1\nLeah,Lewis,1\nRyan,Clarke,1\n"
                      "Jack,Davies,1\n", encoding="utf-8")
    for args in ((), ("--report", "html")):
        result = invoke("check", "--policy", CONTENT, "--mode", "audit", "--no-log", "-q",
                        *args, str(export))
        for surname in ("Okafor", "Hughes", "Lewis", "Clarke", "Davies"):
            assert surname not in result.stdout
    _, report = _audit(str(export))
    impact = report["impact"]
    assert impact["by_area"] == {MASKED_AREA: 5}
    assert impact["distinct_values"] == 5


def test_an_area_met_once_is_masked_and_one_met_twice_is_shown(tmp_path: Path):
    export = tmp_path / "cases.csv"
    export.write_text("case,ward,reported_by\n"
                      "1,Okafor,Ann Smith\n"  # a bare surname no detector flags alone
                      "2,Boxmoor,David Kowalski\n"
                      "3,Boxmoor,\n", encoding="utf-8")
    _, report = _audit(str(export))
    assert report["impact"]["by_area"] == {"Boxmoor": 1, MASKED_AREA: 1}
    assert "Okafor" not in json.dumps(report)


def test_the_same_file_twice_is_one_page_and_unreadable_pages_are_counted(tmp_path: Path):
    export = tmp_path / "a.csv"
    export.write_text("id,name\n1,Margaret Okafor\n2,\n", encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    _, report = _audit(str(export), str(tmp_path), str(export),
                       str(tmp_path / "broken.json"))
    impact = report["impact"]
    assert impact["pages_checked"] == 2
    (page,) = impact["pages"]
    assert (page["records_affected"], page["records"]) == (1, 2)
    assert impact["pages_unreadable"] == 1
    text = invoke("check", "--policy", CONTENT, "--mode", "audit", "--no-log", "-q",
                  str(export), str(tmp_path / "broken.json")).stdout
    assert "  pages that could not be read: 1 (they may hold anything)\n" in text


def test_capped_figures_say_at_least_on_every_line(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    from guardrail.engine import impact_sink

    monkeypatch.setattr(impact_sink, "MAX_DISTINCT", 2)
    export = tmp_path / "many.csv"
    export.write_text("id,name\n1,Margaret Okafor\n2,Ann Smith\n3,David Kowalski\n",
                      encoding="utf-8")
    out = invoke("check", "--policy", CONTENT, "--mode", "audit", "--no-log", "-q",
                 str(export)).stdout
    assert "  distinct people-like values: at least 2 (person.name 2)\n" in out
    assert re.search(r"many\.csv: 3 of 3 records, at least 2 distinct values\n", out)


def test_an_area_that_spells_a_person_found_in_the_check_is_masked(tmp_path: Path):
    # A re-test put names into the area field twice or more (so seen in more than one
    # record), where no detector recognises them alone: a bare surname of a name found
    # elsewhere, and a name written last name first.
    export = tmp_path / "areas.csv"
    export.write_text("case,ward,reported_by,address\n"
                      "1,Okafor,Margaret Okafor,12 Boxmoor Lane\n"
                      "2,Okafor,Ann Smith,\n"
                      "3,Hughes Daniel,Daniel Hughes,\n"
                      "4,Hughes Daniel,,\n"
                      "5,Boxmoor,John Smith,\n"
                      "6,Boxmoor,,\n", encoding="utf-8")
    _, report = _audit(str(export))
    # Boxmoor is a word of a found address, not of a name: still a place
    assert report["impact"]["by_area"] == {MASKED_AREA: 3, "Boxmoor": 1}
    assert "Okafor" not in json.dumps(report["impact"])
