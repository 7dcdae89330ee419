"""The ``html`` reporter: structure, exact counts, escaping of hostile names, and no
network reference and no raw value anywhere in the page."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from collections import Counter
from importlib import resources

import guardrail_html_report
import helpers
import lxml.html
import pytest
from click.testing import CliRunner

from guardrail import Guardrail
from guardrail.cli import cli
from guardrail.host.registry import Registry, load_registry, make_plugin_manager
from guardrail.plugin import Decision, FileResult, Finding, FindingKind, ReportOptions

LEAKY = str(helpers.LEAKY_EXPORT)
CLEAN = str(helpers.CLEAN_EXPORT)
PERSONAL_COLUMNS = ("complainant_name", "complainant_address", "postcode", "notes")
HOSTILE_FIELD = "<img src=x onerror=alert(1)>"
HOSTILE_FILE = "exports/x</script><script>alert(1)</script>.csv"
TODAY = _dt.date(2026, 6, 1)


def html_registry() -> Registry:
    """The registry with the html reporter: installed (entry point) or, before the
    package is reinstalled, registered here as a plugin the way an embedder would."""
    registry = load_registry()
    if "html" in registry.reporters:
        return registry
    return load_registry(make_plugin_manager(plugins=[("html-report",
                                                        guardrail_html_report)]))


def render(decision: Decision) -> str:
    out = io.StringIO()
    html_registry().reporter("html").render(decision, out, ReportOptions())
    return out.getvalue()


def asset(name: str) -> str:
    return resources.files(guardrail_html_report).joinpath(name).read_text(encoding="utf-8")


_STEP = re.compile(r"^(\w+)?(?:#([\w-]+))?((?:\.[\w-]+)*)(?:\[([\w-]+)(?:=\"([^\"]*)\")?\])?$")


def sel(element, selector: str) -> list:
    """The elements under *element* matching a simple CSS selector (tag, #id, .class,
    [attr] or [attr="value"], joined by descendant spaces), by XPath."""
    path = "."
    for step in selector.split():
        tag, ident, classes, attr, value = _STEP.match(step).groups()
        tests = [f'@id="{ident}"'] if ident else []
        tests += [f'contains(concat(" ", normalize-space(@class), " "), " {c} ")'
                  for c in classes.split(".") if c]
        if attr:
            tests.append(f'@{attr}="{value}"' if value is not None else f"@{attr}")
        path += f"//{tag or '*'}" + "".join(f"[{t}]" for t in tests)
    return element.xpath(path)


def text(element) -> str:
    return " ".join(element.text_content().split())


def table_rows(doc) -> list[tuple[str, ...]]:
    """(file, record, field, rule, level, action, evidence, waived) of every finding row;
    the record cell's position and the rule cell's 'also' line left out."""
    rows = []
    for tr in sel(doc, "#findings tbody tr.finding"):
        cells = sel(tr, "td")
        record = cells[1].text or ""
        rule = sel(cells[3], ".rule")[0].text_content()
        rows.append((cells[0].text_content(), record, cells[2].text_content(), rule,
                     cells[4].text_content(), cells[5].text_content(),
                     cells[6].text_content(), cells[7].text_content()))
    return rows


def bars(doc, chart: str) -> list[tuple[str, int, float, str]]:
    """(name, data-count, rect width, count label) of each bar of a chart, top down."""
    return [(g.get("data-name"), int(g.get("data-count")),
             float(sel(g, "rect")[0].get("width")), sel(g, "text.count")[0].text)
            for g in sel(doc, f"#{chart} g.bar")]


def expected_width(count: int, top: int) -> float:
    return max(2.0, round(170 * count / top, 2))


@pytest.fixture(scope="module")
def leaky() -> tuple[Decision, str]:
    decision = Guardrail.from_policy("asb-public-web").check(LEAKY)
    return decision, render(decision)


def synthetic(findings: list[Finding], counts: dict[FindingKind, int], *,
              mode: str = "enforce", files: list[FileResult] | None = None) -> Decision:
    return Decision(policy={"name": "p", "version": "2.1.0", "sha256": "ab" * 32},
                    destination="public-web", mode=mode,
                    files=files or [FileResult(file=f.file, format="csv", records=9)
                                    for f in findings[:1]],
                    findings=findings, counts=counts, checked_at="2026-06-01T10:00:00+00:00")


def finding(file: str, record: int, field: str, rule: str, level: str = "personal",
            action: str = "block", evidence: str = "J*** S****", **extra) -> Finding:
    return Finding(file=file, record=record, field=field, rule=rule, level=level,
                   action=action, evidence=evidence, **extra)


# -- registration and the CLI -------------------------------------------------------------------

def test_the_reporter_is_registered_as_html():
    registry = html_registry()
    assert registry.reporters["html"].name == "html"
    assert registry.providers["reporters"]["html"] == "html-report"


def test_check_writes_the_page_to_the_output_file(tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["check", "--policy", "asb-public-web", "--report", "html",
                                      "-o", str(out), LEAKY], obj={"registry": html_registry()},
                                catch_exceptions=False, prog_name="guardrail")
    assert result.exit_code == 1
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert page.endswith("</body></html>\n")
    doc = lxml.html.fromstring(page)
    assert text(sel(doc, "#verdict .verdict")[0]) == "BLOCKED"


# -- structure ------------------------------------------------------------------------------------

def test_banner_names_the_verdict_policy_destination_and_time(leaky):
    decision, page = leaky
    doc = lxml.html.fromstring(page)
    banner = sel(doc, "#verdict")[0]
    assert banner.get("class") == "banner block"
    assert text(sel(banner, ".verdict")[0]) == "BLOCKED"
    assert text(sel(banner, ".summary")[0]) == (
        "305 findings may not go to 'public-web' (fields: case_ref, complainant_address, "
        "complainant_name, notes, postcode)")
    sha = decision.policy["sha256"]
    facts = {text(sel(div, "dt")[0]): text(sel(div, "dd")[0])
             for div in sel(banner, ".facts div")}
    assert facts == {
        "Policy": f"asb-public-web 1.0.0 sha256 {sha[:12]}",
        "Destination": "public-web",
        "Mode": "enforce",
        "Checked at": decision.checked_at,
        "Records": "61 in 1 file",
        "Findings": "305 (305 blocking)",
    }
    assert sel(banner, ".sha")[0].get("title") == f"sha256 {sha}"
    assert doc.findtext(".//title") == "guardrail: BLOCKED for public-web (asb-public-web)"
    files = [[text(td) for td in sel(tr, "td")] for tr in sel(doc, "#files tbody tr")]
    assert files == [[LEAKY, "csv", "61", "blocked (305 findings)", "0", "0"]]


def test_allowed_and_audit_banners(leaky):
    guard = Guardrail.from_policy("asb-public-web")
    allowed = lxml.html.fromstring(render(guard.check(CLEAN)))
    assert text(sel(allowed, "#verdict .verdict")[0]) == "ALLOWED"
    assert sel(allowed, "#verdict")[0].get("class") == "banner allow"
    assert sel(allowed, "#findings tbody tr.finding") == []
    assert sel(allowed, "#next") == []  # nothing to fix
    audit = lxml.html.fromstring(render(guard.check(LEAKY, mode="audit")))
    assert text(sel(audit, "#verdict .verdict")[0]) == "AUDIT: would be BLOCKED"
    assert sel(audit, "#verdict")[0].get("class") == "banner audit"


def test_bars_follow_the_decisions_exact_counts(leaky):
    decision, page = leaky
    doc = lxml.html.fromstring(page)
    by_rule = decision.to_dict()["counts"]["by_rule"]
    assert [(name, count) for name, count, _, _ in bars(doc, "by-rule")] == sorted(
        by_rule.items(), key=lambda item: (-item[1], item[0]))
    fields: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for row in decision.grouped_counts():
        fields[row["field"]] += row["count"]
        levels[row["level"]] += row["count"]
    assert [(n, c) for n, c, _, _ in bars(doc, "by-field")] == [
        ("case_ref", 61), ("complainant_address", 61), ("complainant_name", 61), ("notes", 61),
        ("postcode", 61)] == sorted(fields.items())
    assert [(n, c, w, label) for n, c, w, label in bars(doc, "by-level")] == [
        ("personal", 244, 170.0, "244"), ("internal", 61, expected_width(61, 244), "61")]
    assert levels == {"personal": 244, "internal": 61}
    assert text(sel(doc, "#charts h2 .aside")[0]) == "305 in all (305 blocking); exact counts"


def test_bar_widths_are_proportional_and_labelled():
    kinds = {FindingKind("a.csv", rule, "f", "personal", "block"): n
             for rule, n in (("r.one", 1), ("r.many", 1200), ("r.some", 300), ("r.tie", 300))}
    doc = lxml.html.fromstring(render(synthetic([], kinds, files=[FileResult("a.csv")])))
    assert bars(doc, "by-rule") == [
        ("r.many", 1200, 170.0, "1,200"), ("r.some", 300, 42.5, "300"),
        ("r.tie", 300, 42.5, "300"), ("r.one", 1, 2.0, "1")]  # a count of 1 still shows


def test_table_rows_are_the_findings_and_the_cap_is_said(leaky):
    decision, page = leaky
    doc = lxml.html.fromstring(page)
    assert table_rows(doc) == [
        (f.file, str(f.record), f.field, f.rule, f.level, f.action, f.evidence,
         f.waived_by or "no") for f in decision.findings]
    assert len(decision.findings) == 250
    assert text(sel(doc, "#capped")[0]) == (
        "250 of 305 findings are listed (the first of each rule, up to the check's max "
        "findings); the counts and charts above are exact.")
    assert text(sel(doc, "#shown-count")[0]) == "250 of 250 shown"
    first = sel(doc, "#findings tbody tr.finding")[1]
    assert text(sel(first, ".pos")[0]) == "line 2"
    assert text(sel(first, ".also")[0]) == "also person.name"
    options = {s.get("data-filter"): [o.get("value") for o in sel(s, "option")]
               for s in sel(doc, "select[data-filter]")}
    assert options == {
        "rule": ["", "asb.field.internal", "uk.field.address", "uk.field.free_text",
                 "uk.field.name_like", "uk.field.person_name"],
        "field": ["", "case_ref", "complainant_address", "complainant_name", "notes",
                  "postcode"],
        "level": ["", "personal", "internal"],
        "file": ["", LEAKY],
    }


def test_no_cap_note_when_every_finding_is_listed():
    decision = Guardrail.from_policy("asb-public-web").check(LEAKY, max_findings=100)
    doc = lxml.html.fromstring(render(decision))
    assert len(decision.findings) == 305
    assert sel(doc, "#capped") == []
    assert len(sel(doc, "#findings tbody tr.finding")) == 305


def test_waived_findings_notices_and_indexed_fields():
    waived = finding("a.json", 3, "people[2].name", "person.name", waived_by="station-names")
    plain = finding("a.json", 4, "people[0].name", "person.name")
    kinds = {FindingKind("a.json", "person.name", "people[*].name", "personal", "block",
                         waived_by="station-names"): 1,
             FindingKind("a.json", "person.name", "people[*].name", "personal", "block"): 1}
    decision = synthetic([waived, plain], kinds)
    decision.notices.append("2 keys repeated <b>inside</b> one object")
    doc = lxml.html.fromstring(render(decision))
    rows = table_rows(doc)
    assert [row[2] for row in rows] == ["people[2].name", "people[0].name"]
    assert [row[7] for row in rows] == ["station-names", "no"]
    assert [tr.get("data-field") for tr in sel(doc, "tr.finding")] == ["people[*].name"] * 2
    assert [text(li) for li in sel(doc, "#notices li")] == [
        "2 keys repeated <b>inside</b> one object"]
    assert sel(doc, "#notices b") == []


# -- escaping -------------------------------------------------------------------------------------

def test_hostile_field_and_file_names_are_shown_as_text():
    hostile = finding(HOSTILE_FILE, 0, HOSTILE_FIELD, "field.unclassified",
                      evidence="</script><script>alert(2)</script>",
                      position="</title><img src=x>", also=("\"><svg onload=alert(3)>",))
    kinds = {FindingKind(HOSTILE_FILE, "field.unclassified", HOSTILE_FIELD, "personal",
                         "block"): 1}
    decision = synthetic([hostile], kinds)
    decision.destination = "</script><b>web"
    page = render(decision)
    doc = lxml.html.fromstring(page)
    # the page's own script is the only script, its own style the only style; no image
    assert [s.text for s in doc.iter("script")] == [asset("report.js")]
    assert [s.text for s in doc.iter("style")] == [asset("report.css")]
    assert list(doc.iter("img", "b")) == []
    assert len(list(doc.iter("svg"))) == 3  # the three charts, none from a name
    for raw in (HOSTILE_FIELD, "</script><script>", "<img src=x>", "<svg onload", "<b>web"):
        assert raw not in page
    assert table_rows(doc) == [(HOSTILE_FILE, "0", HOSTILE_FIELD, "field.unclassified",
                                "personal", "block", "</script><script>alert(2)</script>",
                                "no")]
    assert [g.get("data-name") for g in sel(doc, "#by-field g.bar")] == [HOSTILE_FIELD]
    assert [o.get("value") for o in sel(doc, "#f-file option")] == ["", HOSTILE_FILE]
    assert text(sel(doc, "#files td.path")[0]) == HOSTILE_FILE
    assert text(sel(doc, "#verdict .summary")[0]).startswith("1 finding may not go to "
                                                                  "'</script><b>web'")


def test_a_real_file_named_with_a_closing_script_tag(tmp_path):
    folder = tmp_path / "x<"  # the path reads .../x</script>.csv
    folder.mkdir()
    payload = folder / "script>.csv"
    payload.write_text("case_ref,<img src=x onerror=alert(1)>,postcode\nASB/1,hello,HP3 9SY\n",
                       encoding="utf-8")
    decision = Guardrail.from_policy("asb-public-web").check(str(payload))
    page = render(decision)
    assert "</script>.csv" in decision.files[0].file
    doc = lxml.html.fromstring(page)
    assert [s.text for s in doc.iter("script")] == [asset("report.js")]
    assert list(doc.iter("img")) == []
    assert "</script>.csv" not in page and "<img src" not in page
    assert "HP3 9SY" not in page
    assert {row[0] for row in table_rows(doc)} == {decision.files[0].file}


# -- nothing from the network, nothing raw --------------------------------------------------------

def test_the_page_refers_to_nothing_outside_itself(leaky):
    _, page = leaky
    # the CSP's base64 hashes may hold a '//': everything else may not
    bare = re.sub(r"'sha256-[A-Za-z0-9+/=]{44}'", "", page.replace("&#x27;", "'"))
    for marker in ("http:", "https:", "//", "url(", "@import", "ftp:", "data:", "src="):
        assert marker not in bare, marker
    doc = lxml.html.fromstring(page)
    linked = [el.tag for el in doc.iter() if isinstance(el.tag, str)
              and {"src", "href", "srcset", "action", "poster", "xlink:href"} & set(el.attrib)]
    assert linked == []
    assert [el.tag for el in doc.iter("link", "iframe", "object", "embed", "img", "form")] == []
    csp = sel(doc, 'meta[http-equiv="Content-Security-Policy"]')[0].get("content")
    assert re.fullmatch(r"default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]{44}'; "
                        r"script-src 'sha256-[A-Za-z0-9+/=]{44}'; img-src 'none'; "
                        r"base-uri 'none'; form-action 'none'", csp)


def sensitive_values() -> list[str]:
    """Every value of the leaky export's personal columns, and the pieces a person
    could be found by: each name, each street, each postcode's inward part, each phone."""
    with open(LEAKY, encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    values: set[str] = set()
    for record in records:
        values.update(record[column] for column in PERSONAL_COLUMNS)
        values.update(record["complainant_name"].split())
        values.add(record["complainant_address"].split(",")[0])  # "82 Galley Hill"
        values.add(" " + record["postcode"].split()[1])  # inward part: " 9SY"
        values.update(re.findall(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b", record["notes"]))
    return sorted(values)


def test_no_raw_sensitive_value_anywhere(leaky):
    _, page = leaky
    values = sensitive_values()
    assert len(values) > 200
    assert [value for value in values if value in page] == []


def test_size_stays_bounded(leaky):
    _, page = leaky
    assert len(page.encode("utf-8")) < 200_000


def test_waivers_and_warnings_from_a_real_policy():
    decision = Guardrail.from_policy(helpers.EXAMPLES.parent / "tests" / "data" / "reports"
                                     / "waivers.yaml").check(LEAKY, today=TODAY, max_findings=1)
    doc = lxml.html.fromstring(render(decision))
    files = [[text(td) for td in sel(tr, "td")] for tr in sel(doc, "#files tbody tr")]
    assert files == [[LEAKY, "csv", "61", "blocked (183 findings)", "61", "61"]]
    assert [text(li) for li in sel(doc, "#waivers li")] == [
        w.label() for w in decision.waivers_used]
    assert text(sel(doc, "#charts h2 .aside")[0]) == (
        "305 in all (183 blocking, 61 not blocking, 61 waived); exact counts")
    assert len(decision.waivers_used) >= 1
    waived = [row for row in table_rows(doc) if row[7] != "no"]
    assert [(row[2], row[7]) for row in waived] == [
        (f.field, f.waived_by) for f in decision.findings if f.waived_by]
    assert waived


def test_an_unreadable_payload_blocks_in_either_mode(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"records": [', encoding="utf-8")
    guard = Guardrail.from_policy("asb-public-web")
    for mode in ("enforce", "audit"):
        decision = guard.check(str(broken), mode=mode)
        doc = lxml.html.fromstring(render(decision))
        assert text(sel(doc, "#verdict .verdict")[0]) == "BLOCKED"
        status = text(sel(doc, "#files .status")[0])
        assert status == f"unreadable: {decision.files[0].error}"
        assert status.startswith("unreadable: ")


def test_what_to_do_next_gives_the_text_reports_steps_in_full(leaky, tmp_path):
    decision, page = leaky
    steps = [pre.text_content() for pre in sel(lxml.html.fromstring(page), "#next pre.step")]
    assert steps == [
        "Leave out of the export the fields the policy keeps from 'public-web' (case_ref, "
        "complainant_name, complainant_address, postcode, notes);\n"
        "if the policy classifies one wrongly, change its level in "
        "policies/asb-public-web.yaml."]
    # an unclassified column: the YAML to add, as the text report gives it, kept as YAML
    export = tmp_path / "export.csv"
    export.write_text("month,ward,officer_badge\n2026-01,Boxmoor,PC 4411\n",
                      encoding="utf-8")
    guard = Guardrail.from_policy("asb-public-web")
    unclassified = guard.check(export)
    shown = [pre.text_content() for pre in
             sel(lxml.html.fromstring(render(unclassified)), "#next pre.step")]
    text_report = io.StringIO()
    guard.render(unclassified, text_report, "text")
    for step in shown:
        first = step.splitlines()[0]
        assert f"  - {first}\n" in text_report.getvalue()
    assert any("  - name: officer_badge\n" in step for step in shown)
