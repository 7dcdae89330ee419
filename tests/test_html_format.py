"""The HTML format: tables, text blocks, attributes, hidden text, JSON-LD, limits, redaction."""

from __future__ import annotations

import html.parser
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from guardrail_html.runs import rewrite_run
from guardrail_html.walk import walk_page
from helpers import also, detect, findings, run_guardrail
from selectolax.lexbor import LexborHTMLParser

from guardrail import Documents, Guardrail, Payload, PayloadError, ReadOptions, Table
from guardrail.contract.protocols import Limits
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data" / "html"
ASB = DATA / "asb-cases.html"
CLEAN = DATA / "clean-statistics.html"

# uk-personal-data with the page's public columns and JSON-LD's "@context"/"@type" public.
POLICY = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: html-test, version: "1"}
    extends: uk-personal-data
    fields:
      - id: test.field.public
        name: [case_ref, ward, month, outcome, reports, context, type]
        level: public
"""
REDACT_POLICY = POLICY + """\
    destinations:
      public-web: {max_level: public, actions: {personal: %s, special-category: drop}}
"""
PLANTED = ["Daniel Evans", "Priya Patel", "HP1 1BB", "HP2 5HA", "14 Marlowes", "3 Queensway",
           "Grace Hughes", "Sophie", "Taylor", "07700 900123", "Oliver Morgan", "Harry Lewis",
           "Ryan Green"]


@pytest.fixture
def guard(write_policy) -> Guardrail:
    return Guardrail.from_policy(write_policy(POLICY))


@pytest.fixture
def redacting(write_policy):
    """A policy whose action for personal data is *action* (redact, mask, hash, drop)."""
    return lambda action: Guardrail.from_policy(write_policy(REDACT_POLICY % action,
                                                             f"{action}.yaml"))


def read(data: bytes | Path | io.BytesIO, limits: Limits | None = None) -> list:
    """Every section the reader yields, as plain tuples: tables with their rows and each
    row's position, documents with each record and its position."""
    out = []
    fmt = load_registry().format("html")
    for section in fmt.read(Payload(data), ReadOptions(limits=limits or Limits())):
        if isinstance(section, Table):
            rows = []
            for row in section.rows:
                rows.append((list(row), section.locate(row, section.mark())))
            out.append(("table", section.name, list(section.columns), rows))
        else:
            assert isinstance(section, Documents)
            records = [(record, section.locate(record)) for record in section.records]
            out.append(("documents", section.name, records))
    return out


def texts(data: bytes) -> list[tuple[str, str]]:
    """The (page text) records: (text, position)."""
    found = [s for s in read(data) if s[0] == "documents" and s[1] == "(page text)"]
    return [(record["text"], where) for record, where in (found[0][2] if found else [])]


# -- format detection -------------------------------------------------------------------

@pytest.mark.parametrize("head, score", [
    (b"<!DOCTYPE html>\n<html><body></body></html>", 100),
    (b"\xef\xbb\xbf  <!-- generated -->\n<!doctype HTML><p>x", 100),
    (b"<html lang='en'><p>x</p></html>", 98),
    (b"<body><p>x</p></body>", 95),
    (b"<table><tr><td>1</td></tr></table>", 80),
    (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', 97),
    (b'<?xml version="1.0"?>\n<cases><case/></cases>', 0),
    (b"<cases><case/></cases>", 0),
    (b"name,address\nJane,1 High St\n", 0),
    (b'{"html": "<p>"}', 0),
    (b"", 0),
])
def test_sniff_scores_html_by_content(head, score):
    assert load_registry().format("html").sniff(head) == score


def test_html_pages_are_detected_by_content_and_beat_xml():
    page = b"<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>"
    assert detect(page) == "html"
    assert detect(b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>') == "html"
    assert detect(b"<table><tr><td>1</td></tr></table>") == "html"
    assert detect(b'<?xml version="1.0"?><cases><case/></cases>') == "xml"
    assert detect(b"<p>x</p>", name="page.HTM") == "html"
    assert detect(b"<p>x</p>", name="page.xhtml") == "html"


# -- the seed incident: a page of cases ---------------------------------------------------

def test_case_table_cells_text_hidden_text_alt_comment_and_json_ld(guard):
    decision = guard.check(ASB)
    assert decision.exit_code == 1
    assert [(f.format, f.records, f.error) for f in decision.files] == [("html", 18, None)]
    cases = "body > main > table"
    row2, row3 = f"{cases} row 2", f"{cases} row 3"
    # one finding per value: the field rule decides, the detectors that matched too are
    # its "also"; one mask of the whole value, no digit shown
    address1 = "** M*******, H**** H******** H**… (36 chars)"
    address2 = "* Q********, H**** H******** H**… (36 chars)"
    ld = "head > script (JSON-LD)"
    assert findings(decision) == [
        (cases, 0, "Name", "uk.field.person_name", "D***** E****", row2),
        (cases, 0, "Address", "uk.field.address", address1, row2),
        (cases, 1, "Name", "uk.field.person_name", "P**** P****", row3),
        (cases, 1, "Address", "uk.field.address", address2, row3),
        (ld, 0, "author.name", "uk.field.person_name", "G**** H*****", "head > script"),
        ("(page text)", 9, "text", "person.name", "S***** T*****",
         "body > main > p:nth-of-type(2)"),
        ("(page text)", 10, "text", "person.name", "O***** M*****",
         "body > main > div > p (hidden)"),
        ("(page text)", 12, "text", "person.name", "H**** L****", "body > main > img[alt]"),
        ("(page text)", 13, "text", "person.name", "R*** G****", "body > comment 1"),
    ]
    assert also(decision) == [
        ("uk.field.person_name", ("person.name",)),
        ("uk.field.address", ("uk.postcode", "uk.street_address")),
        ("uk.field.person_name", ("person.name",)),
        ("uk.field.address", ("uk.postcode", "uk.street_address")),
        ("uk.field.person_name", ("person.name",)),
        ("person.name", ("uk.phone",)),  # a name and a phone number in one paragraph
        ("person.name", ()), ("person.name", ()), ("person.name", ()),
    ]


def test_the_case_page_is_read_as_a_table_a_json_ld_block_and_text_records():
    sections = read(ASB)
    assert [s[:2] for s in sections] == [("table", "body > main > table"),
                                        ("documents", "head > script (JSON-LD)"),
                                        ("documents", "(page text)")]
    assert sections[0][2] == ["Case ref", "Ward", "Name", "Address", "Outcome"]
    assert sections[0][3][2] == (["ASB/2026/0003", "Gadebridge", "", "", "No further action"],
                                 "body > main > table row 4")
    assert sections[1][2] == [({"@context": "https://schema.org", "@type": "Dataset",
                                "author": {"@type": "Person", "name": "Grace Hughes"}},
                               "head > script")]
    assert [(r["text"], where) for r, where in sections[2][2]] == [
        ("Anti-social behaviour cases - Hemel Hempstead", "head > title"),
        ("application/ld+json", "head > script[type]"),
        ("/images/logo.png", "body > header > img[src]"),
        ("Dacorum Borough Council", "body > header > img[alt]"),
        ("Anti-social behaviour cases", "body > main > h1"),
        ("mailto:community.safety@example.gov.uk", "body > main > p:nth-of-type(1) > a[href]"),
        ("Cases closed this month. Questions go to the team.", "body > main > p:nth-of-type(1)"),
        ("cases", "body > main > table[id]"),
        ("Closed cases, August 2026", "body > main > table > caption"),
        ("Reported by Sophie Taylor on 07700 900123.", "body > main > p:nth-of-type(2)"),
        ("Internal: witness Oliver Morgan", "body > main > div > p (hidden)"),
        ("/photos/scene.jpg", "body > main > img[src]"),
        ("Damage at the home of Harry Lewis", "body > main > img[alt]"),
        ("exported by Ryan Green from the case system", "body > comment 1"),
    ]


def test_a_clean_government_page_is_allowed(guard):
    decision = guard.check(CLEAN)
    assert (decision.exit_code, decision.findings, decision.files[0].error) == (0, [], None)
    assert decision.files[0].records == 4 + 61  # table rows, text records (classes included)


def test_cli_exit_codes(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_bytes(b'<script type="application/json">{"a": </script>')

    def run(path: Path) -> int:
        return run_guardrail("check", "--policy", "uk-personal-data", str(path)).returncode

    quiet = tmp_path / "quiet.html"
    quiet.write_bytes(b"<!DOCTYPE html><title>Opening hours</title><p>Open 9am to 5pm.</p>")
    assert [run(quiet), run(ASB), run(broken)] == [0, 1, 3]


# -- text as a browser shows it -----------------------------------------------------------

def test_inline_elements_join_blocks_split_and_br_breaks_lines():
    page = ("<body><p>Call <b>Ja</b><i>ne</i>\n   Smith&nbsp;today</p>"
            "<div>Intro <p>inner para</p> tail <span>end</span></div>"
            "<ul><li>one</li><li>two<br>lines</li></ul>"
            "<pre>line 1\n  line 2</pre><p>soft\u00adhy&shy;phen and zero\u200bwidth</p>").encode()
    assert texts(page) == [
        ("Call Jane Smith today", "body > p:nth-of-type(1)"),
        ("Intro", "body > div"),
        ("inner para", "body > div > p"),
        ("tail end", "body > div"),
        ("one", "body > ul > li:nth-of-type(1)"),
        ("two\nlines", "body > ul > li:nth-of-type(2)"),
        ("line 1\nline 2", "body > pre"),
        ("softhyphen and zerowidth", "body > p:nth-of-type(2)"),
    ]


def test_a_name_split_by_markup_or_invisible_characters_is_found(uk):
    page = "<p>Contact J<b>ohn</b>&nbsp;Sm\u200bith at SW1A&nbsp;1AA</p>".encode()
    decision = uk.check(page, format="html")
    assert findings(decision) == [
        ("(page text)", 0, "text", "person.name", "J*** S****", "body > p"),
    ]
    assert also(decision) == [("person.name", ("uk.postcode",))]


@pytest.mark.parametrize("hiding, position", [
    ('<div hidden><p>{}</p></div>', "body > div > p (hidden)"),
    ('<div style="DISPLAY : none"><p>{}</p></div>', "body > div > p (hidden)"),
    ('<p style="visibility:hidden">{}</p>', "body > p (hidden)"),
    ('<p aria-hidden="true">{}</p>', "body > p (hidden)"),
    ('<p>Visible <span hidden>{}</span> text</p>', "body > p > span (hidden)"),
    ('<template id="row"><p>{}</p></template>', "body > template > p (hidden)"),
    ('<noscript><p>{}</p></noscript>', "body > noscript > p (hidden)"),
    ('<dialog><p>{}</p></dialog>', "body > dialog > p (hidden)"),
])
def test_hidden_text_is_inspected_and_its_position_says_hidden(uk, hiding, position):
    page = ("<!DOCTYPE html><body>" + hiding.format("Witness Sarah Connor") + "</body>").encode()
    decision = uk.check(page, format="html")
    assert decision.exit_code == 1
    assert [(f.field, f.rule, f.evidence, f.position) for f in decision.findings] == [
        ("text", "person.name", "S**** C*****", position)]


def test_hidden_input_value_and_attribute_values_are_inspected():
    page = (b'<body><form><input type="hidden" name="ref" value="Jane Doe">'
            b'<input placeholder="e.g. SW1A 1AA" aria-label="Your name" class="wide">'
            b'<textarea>Notes about Tom Hardy</textarea>'
            b'<select><option value="1">Mr Brown</option></select></form>'
            b'<abbr title="Title text">T</abbr><div data-owner="Owner text" style="color:red" '
            b'data-empty="">D</div><meta content="Meta text"><img alt="Alt text" src="x.png">'
            b'<a href="/people?name=Jane+Doe%20Smith" onclick="track(\'Click text\')">L</a></body>')
    assert texts(page) == [
        ("hidden", "body > form > input:nth-of-type(1)[type] (hidden)"),
        ("ref", "body > form > input:nth-of-type(1)[name] (hidden)"),
        ("Jane Doe", "body > form > input:nth-of-type(1)[value] (hidden)"),
        ("e.g. SW1A 1AA", "body > form > input:nth-of-type(2)[placeholder]"),
        ("Your name", "body > form > input:nth-of-type(2)[aria-label]"),
        ("wide", "body > form > input:nth-of-type(2)[class]"),
        ("Notes about Tom Hardy", "body > form > textarea"),
        ("1", "body > form > select > option[value]"),
        ("Mr Brown", "body > form > select > option"),
        ("Title text", "body > abbr[title]"),
        ("T", "body"),
        ("Owner text", "body > div[data-owner]"),
        ("D", "body > div"),
        ("Meta text", "body > meta[content]"),
        ("Alt text", "body > img[alt]"),
        ("x.png", "body > img[src]"),
        ("/people?name=Jane Doe Smith", "body > a[href]"),
        ('track("Click text")', "body > a[onclick]"),  # JavaScript: see the script test
        ("L", "body"),
    ]


def test_comments_anywhere_are_records():
    page = b"<!-- before --><!DOCTYPE html><html><body><p>x<!--in p--></p><!-- 2 --></body></html>"
    # a block's text is one record once the block ends, after what was found inside it
    assert texts(page) == [("before", "comment 1"), ("in p", "body > p > comment 1"),
                           ("x", "body > p"), ("2", "body > comment 1")]


def test_hidden_inline_text_is_its_own_record_and_the_visible_text_stays_whole(uk):
    page = (b"<p>Call Jane <span hidden>(ref 12)</span>Smith today</p>"
            b"<table><tr><th>name</th></tr><tr><td>Ann <i hidden>x</i>Lee</td></tr></table>")
    assert read(page) == [
        ("table", "body > table", ["name"], [(["Ann Lee"], "body > table row 2")]),
        ("documents", "(page text)", [
            ({"text": "(ref 12)"}, "body > p > span (hidden)"),
            ({"text": "Call Jane Smith today"}, "body > p"),
            ({"text": "x"}, "body > table > tbody > tr:nth-of-type(2) > td:nth-of-type(1) > i "
                            "(hidden)")]),
    ]
    assert [(f.rule, f.evidence, f.position) for f in uk.check(page, format="html").findings
            if f.field == "text"] == [("person.name", "J*** S****", "body > p")]


def test_svg_text_iframe_srcdoc_and_nested_templates_are_read():
    page = (b'<svg viewBox="0 0 10 10" aria-label="Chart of cases"><title>Cases by ward</title>'
            b'<path d="M0 0 L07700 900123"/><text x="1" y="2">Boxmoor 14</text></svg>'
            b'<iframe srcdoc="<p>Jane Smith</p>" title="Embedded"></iframe>'
            b'<template id="outer"><p>one</p><template><p>two</p></template></template>')
    assert texts(page) == [
        ("Chart of cases", "body > svg[aria-label]"),  # geometry (d, viewBox) is not text
        ("Cases by ward", "body > svg > title"),
        ("Boxmoor 14", "body > svg"),
        ("<p>Jane Smith</p>", "body > iframe[srcdoc]"),
        ("Embedded", "body > iframe[title]"),
        ("outer", "body > template[id] (hidden)"),
        ("one", "body > template > p (hidden)"),
        ("two", "body > template > template > p (hidden)"),
    ]


# -- scripts and styles -----------------------------------------------------------------

def test_json_ld_keys_are_field_paths(uk):
    page = (b'<head><script type="application/ld+json" id="meta">'
            b'{"author": {"name": "Grace Hughes"}}</script></head>')
    decision = uk.check(page, format="html")
    assert findings(decision) == [
        ("head > script (JSON-LD)", 0, "author.name", "uk.field.person_name", "G**** H*****",
         "head > script"),
    ]
    assert also(decision) == [("uk.field.person_name", ("person.name",))]


def test_a_json_array_is_one_record_per_item(uk):
    page = (b'<body><script type="application/json" id="data">'
            b'[{"ward": "Boxmoor"}, {"email": "jane.doe@example.com"}]</script></body>')
    assert read(page)[0] == ("documents", "body > script (JSON)", [
        ({"ward": "Boxmoor"}, "body > script, item 0"),
        ({"email": "jane.doe@example.com"}, "body > script, item 1")])
    decision = uk.check(page, format="html")
    assert [(f.record, f.field, f.rule, f.also, f.position) for f in decision.findings] == [
        (0, "ward", "field.unclassified", (), "body > script, item 0"),
        (1, "email", "uk.field.contact", ("email",), "body > script, item 1"),
    ]


def test_malformed_json_in_a_script_is_an_unreadable_payload(uk):
    page = b'<body><p>x</p><script type="application/json" id="cases">{"a": 1,\n "b": }</script>'
    decision = uk.check(page, format="html")
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "body > script, line 2, column 7: a JSON <script> block is not valid JSON (Expecting "
        "value); fix the block or remove it")


def test_other_scripts_are_read_whole_and_styles_only_by_their_strings(uk):
    page = (b'<head><style>.a { color: #b294bb; font-family: "Helvetica Neue"; }\n'
            b'.b::before { content: "Call Jane Smith" } /* by Chris Kempson */</style>'
            b"<script>// data\nvar rows = [['Tom Hardy', 'SW1A 1AA', \"O'Brien\"]];</script>"
            b"</head><body onload=\"greet('Sam Evans')\"></body>")
    assert texts(page) == [
        ("Helvetica Neue", "head > style (CSS string 1)"),
        ("Call Jane Smith", "head > style (CSS string 2)"),
        # detectors see single-quoted strings as double-quoted: 'Tom finds no name
        ('// data\nvar rows = [["Tom Hardy", "SW1A 1AA", "O\'Brien"]];', "head > script"),
        ('greet("Sam Evans")', "body[onload]"),
    ]
    decision = uk.check(page, format="html")
    assert [(f.rule, f.also, f.evidence, f.position) for f in decision.findings] == [
        ("person.name", (), "J*** S****", "head > style (CSS string 2)"),
        ("person.name", ("uk.postcode",), "T** H****", "head > script"),
        ("person.name", (), "S** E****", "body[onload]"),
    ]


# -- tables -----------------------------------------------------------------------------

def table(page: bytes) -> tuple:
    found = [s for s in read(page) if s[0] == "table"]
    return found[0][2], [row for row, _ in found[0][3]]


def test_a_table_without_header_cells_takes_its_first_row_as_header():
    assert table(b"<table><tr><td>ward</td><td>count</td></tr><tr><td>Boxmoor</td>"
                 b"<td>3</td></tr></table>") == (["ward", "count"], [["Boxmoor", "3"]])


def test_leading_th_rows_are_combined_into_column_names():
    page = (b"<table><tr><th rowspan=2>Ref</th><th colspan=2>Victim</th></tr>"
            b"<tr><th>Name</th><th>Postcode</th></tr>"
            b"<tr><td>A1</td><td>Jane Doe</td><td>SW1A 1AA</td></tr></table>")
    assert table(page) == (["Ref", "Victim Name", "Victim Postcode"],
                           [["A1", "Jane Doe", "SW1A 1AA"]])


def test_duplicate_headers_ragged_rows_and_empty_header_cells(uk):
    page = (b"<table><thead><tr><th>name</th><th>name</th><th></th></tr></thead>"
            b"<tr><td>Ann</td><td>Lee</td><td>x</td><td>SW1A 1AA</td></tr>"
            b"<tr><td>Bo</td></tr><tr></tr></table>")
    assert table(page) == (["name", "name", "#3", "#4"],
                           [["Ann", "Lee", "x", "SW1A 1AA"], ["Bo", "", "", ""]])
    decision = uk.check(page, format="html")
    # the postcode detector's match is the whole cell: its evidence is the cell's one mask
    assert [(f.record, f.field, f.rule, f.also, f.evidence, f.position)
            for f in decision.findings] == [
        (0, "name", "uk.field.person_name", ("person.name",), "A**", "body > table row 2"),
        (0, "name", "uk.field.person_name", ("person.name",), "L**", "body > table row 2"),
        (0, "#3", "field.unclassified", (), "x", "body > table row 2"),
        (0, "#4", "field.unclassified", ("uk.postcode",), "SW1A ***", "body > table row 2"),
        (1, "name", "uk.field.person_name", ("person.name",), "B*", "body > table row 3"),
    ]


def test_colspan_and_rowspan_fill_one_slot_and_leave_the_others_empty():
    page = (b"<table><tr><th>a</th><th>b</th><th>c</th></tr>"
            b"<tr><td colspan=2>wide</td><td rowspan=3>tall</td></tr>"
            b"<tr><td>1</td><td>2</td></tr>"
            b"<tr><td colspan=0>zero is one</td><td>3</td></tr>"
            b"<tr><td>4</td><td>5</td><td>6</td></tr></table>")
    assert table(page) == (["a", "b", "c"], [["wide", "", "tall"], ["1", "2", ""],
                                             ["zero is one", "3", ""], ["4", "5", "6"]])


def test_nested_tables_are_their_own_sections_and_not_counted_twice():
    page = (b"<table id=outer><tr><th>ward</th><th>detail</th></tr>"
            b"<tr><td>Boxmoor</td><td>See:<table><tr><th>name</th></tr>"
            b"<tr><td>Jane Doe</td></tr></table>after</td></tr></table>")
    sections = read(page)
    inner = "body > table > tbody > tr:nth-of-type(2) > td:nth-of-type(2) > table"
    assert [s[:3] for s in sections] == [
        ("table", "body > table", ["ward", "detail"]),
        ("table", inner, ["name"]),
        ("documents", "(page text)", [({"text": "outer"}, "body > table[id]")]),
    ]
    assert sections[0][3] == [(["Boxmoor", "See:\nafter"], "body > table row 2")]
    assert sections[1][3] == [(["Jane Doe"], f"{inner} row 2")]


def test_cell_attributes_and_markup_inside_cells_are_read():
    page = (b'<table><tr><th>ward</th></tr><tr><td data-sort="Doe, Jane" title="t">'
            b'<a href="/w/1">Box<b>moor</b></a><img alt="Photo of Jane Doe"></td></tr></table>')
    sections = read(page)
    assert sections[0][3] == [(["Boxmoor"], "body > table row 2")]
    cell = "body > table > tbody > tr:nth-of-type(2) > td:nth-of-type(1)"
    assert [(r["text"], where) for r, where in sections[1][2]] == [
        ("Doe, Jane", f"{cell}[data-sort]"), ("t", f"{cell}[title]"),
        ("/w/1", f"{cell} > a[href]"), ("Photo of Jane Doe", f"{cell} > img[alt]")]


# -- malformed, empty and odd pages --------------------------------------------------------

def test_malformed_html_is_recovered_as_a_browser_does():
    page = (b"<p>One<p>Two<div>Block</span></b>x<table><tr><td>a<td>b</table>"
            b"<p>Unclosed <b>bold <i>both</b> after</i>")
    assert read(page) == [
        ("table", "body > div > table", ["a", "b"], []),
        ("documents", "(page text)", [
            ({"text": "One"}, "body > p:nth-of-type(1)"),
            ({"text": "Two"}, "body > p:nth-of-type(2)"),
            ({"text": "Blockx"}, "body > div"),
            ({"text": "Unclosed bold both after"}, "body > div > p"),
        ]),
    ]


@pytest.mark.parametrize("page", [b"", b"   \n", b"<!DOCTYPE html>", b"<html></html>",
                                  b"<table></table>", b"<p></p><!---->"])
def test_empty_pages_have_nothing_to_check(uk, page):
    decision = uk.check(page, format="html")
    assert (decision.exit_code, decision.files[0].records, decision.findings) == (0, 0, [])


def test_positions_are_structure_only_never_ids_or_classes():
    page = (b'<body><div class="results main"><p>a</p><p id="x-1">b</p></div>'
            b'<div id="case-07700900123"><p class="Jane Doe">c</p></div>'
            b'<section id="has space"><p>d</p></section></body>')
    assert texts(page) == [
        ("results main", "body > div:nth-of-type(1)[class]"),
        ("a", "body > div:nth-of-type(1) > p:nth-of-type(1)"),
        ("x-1", "body > div:nth-of-type(1) > p:nth-of-type(2)[id]"),
        ("b", "body > div:nth-of-type(1) > p:nth-of-type(2)"),
        ("case-07700900123", "body > div:nth-of-type(2)[id]"),
        ("Jane Doe", "body > div:nth-of-type(2) > p[class]"),
        ("c", "body > div:nth-of-type(2) > p"),
        ("has space", "body > section[id]"), ("d", "body > section > p"),
    ]


def test_an_id_or_class_that_is_personal_data_never_appears_in_a_position(uk):
    page = (b'<body><div id="jane-smith" class="sam-evans"><p>Opening hours</p>'
            b'<p>Call Jane Smith</p></div><table id="cases"><tr><th>n</th></tr></table>'
            b'<table id="tom-hardy" class="tom-hardy"><tr><th>name</th></tr>'
            b'<tr><td>Ann Lee</td></tr></table></body>')
    decision = uk.check(page, format="html")
    positions = [(f.section, f.rule, f.also, f.position) for f in decision.findings]
    second = "body > table:nth-of-type(2)"
    assert positions == [
        (second, "uk.field.person_name", ("person.name",), f"{second} row 2"),
        ("(page text)", "person.name", (), "body > div > p:nth-of-type(2)"),
    ]
    assert not any(name in str(positions) for name in ("jane", "sam", "tom", "cases"))


# -- what the parsed tree hides: names, instructions, doctype ids, repeated attributes ------

def test_a_pasted_name_and_address_in_angle_brackets_is_read_as_text(uk):
    # "Contact <jane.smith@example.com>" makes an element of the address: the screen
    # shows "Contact today", the saved page holds the address
    page = b"<p>Contact <jane.smith@example.com> today</p>"
    assert texts(page) == [("jane.smith@example.com", "body > p > :nth-child(1) (names)"),
                           ("Contact today", "body > p")]
    assert findings(uk.check(page, format="html")) == [
        ("(page text)", 0, "text", "email", "j***@e******.c**",
         "body > p > :nth-child(1) (names)")]


def test_names_no_vocabulary_knows_are_read_and_positions_never_print_them():
    page = (b'<div Jane.Smith@example.com="Call 07700 900123" title="t" v-if="ok">x</div>'
            b'<app-root>y</app-root><svg viewBox="0 0 1 1"><jane.doe@example.com x="1"/></svg>'
            b'<p data-row="1" aria-label="l" onclick="go()" class="c" data-07700900123>z</p>')
    assert texts(page) == [
        ("jane.smith@example.com v-if", "body > div (names)"),
        ("Call 07700 900123", "body > div (attribute 1)"),
        ("t", "body > div[title]"),
        ("ok", "body > div (attribute 3)"),
        ("x", "body > div"),
        ("app-root", "body > :nth-child(2) (names)"),  # custom elements too
        ("y", "body"),
        ("jane.doe@example.com", "body > svg > :nth-child(1) (names)"),
        ("data-07700900123", "body > p (names)"),  # data-* with a phone-like number
        ("1", "body > p[data-row]"),
        ("l", "body > p[aria-label]"),
        ("go()", "body > p[onclick]"),
        ("c", "body > p[class]"),
        ("z", "body > p"),
    ]


def test_processing_instructions_and_bogus_comments_are_read_as_comments(uk):
    page = b"<?php Jane Smith 07700 900123 ?><p>x<?xml-stylesheet href='a.xsl'?></p><!x-y z>"
    assert texts(page) == [("php Jane Smith 07700 900123", "comment 1"),
                           ("?xml-stylesheet href='a.xsl'?", "body > p > comment 1"),
                           ("x", "body > p"), ("x-y z", "body > comment 1")]
    decision = uk.check(page, format="html")
    assert findings(decision) == [
        ("(page text)", 0, "text", "person.name", "J*** S****", "comment 1")]
    assert also(decision) == [("person.name", ("uk.phone",))]


def test_style_class_slot_itemprop_list_form_type_and_doctype_ids_are_read(uk):
    page = (b'<!DOCTYPE html PUBLIC "-//Jane Smith 07700 900123//EN" "http://x.example/dtd">'
            b'<p style="font-family:\'Jane Smith 07700 900123\'; color:#b294bb; '
            b'background:url(/p/Sam%20Evans%2007700%20900456.png)" class="Jane Smith">x</p>'
            b'<input form="f" list="Tom Hardy" type="text" itemprop="name" slot="s">')
    assert texts(page) == [
        ('html PUBLIC "-//Jane Smith 07700 900123//EN" "http://x.example/dtd"', "doctype"),
        ("Jane Smith 07700 900123", "body > p[style] (CSS string 1)"),  # not the colour
        ("/p/Sam Evans 07700 900456.png", "body > p[style] (CSS url 1)"),
        ("Jane Smith", "body > p[class]"),
        ("x", "body > p"),
        ("f", "body > input[form]"),
        ("Tom Hardy", "body > input[list]"),
        ("text", "body > input[type]"),
        ("name", "body > input[itemprop]"),
        ("s", "body > input[slot]"),
    ]
    assert [(f.rule, f.also, f.position) for f in uk.check(page, format="html").findings] == [
        ("person.name", ("uk.phone",), "doctype"),
        ("person.name", ("uk.phone",), "body > p[style] (CSS string 1)"),
        ("person.name", ("uk.phone",), "body > p[style] (CSS url 1)"),
        ("person.name", (), "body > p[class]"),
        ("person.name", (), "body > input[list]"),
    ]


@pytest.mark.parametrize("element", [
    b'<p title="ok" title="Jane Smith 07700 900123">x</p>',
    b'<p title TITLE="Jane Smith">x</p>',
    b'<p/title="ok"/title="Jane Smith">x</p>',
    b'<a href="/a>b" class=x href="/people/jane-smith">x</a>',
    b'<script src=a.js src="/Jane Smith.js"></script>',
])
def test_an_element_that_repeats_an_attribute_blocks_the_page(uk, element):
    # the tree keeps the first copy, as browsers do; the page still holds the others
    decision = uk.check(b"<!DOCTYPE html>\n" + element, format="html")
    assert (decision.exit_code, decision.findings, decision.files[0].error) == (3, [], (
        "line 2: an element repeats an attribute; browsers keep the first, but the page "
        "still holds the others: fix the export"))


def test_repeated_attributes_in_comments_scripts_and_text_are_not_markup(uk):
    page = (b"<!-- <p a=1 a=2> --><script>var s = '<p a=1 a=2>';</script>"
            b"<textarea><b c c></textarea><p>ok</p><p class=a id=b>ok</p>")
    assert uk.check(page, format="html").exit_code == 0


# -- encodings --------------------------------------------------------------------------

def test_a_declared_windows_1252_page_is_decoded_as_a_browser_does(uk):
    page = '<meta charset="windows-1252"><p>Fee: £5 paid by Zoë Ball</p>'.encode("cp1252")
    assert texts(page)[-1] == ("Fee: £5 paid by Zoë Ball", "body > p")
    latin = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>\x80</p>'
    assert texts(latin)[-1] == ("€", "body > p")  # browsers read latin-1 as windows-1252


def test_utf16_with_a_bom_is_read():
    page = "\ufeff<!DOCTYPE html><p>Call Jane Smith</p>".encode("utf-16")
    assert texts(page) == [("Call Jane Smith", "body > p")]


def test_bytes_that_are_not_utf8_block_with_their_offset(uk):
    decision = uk.check(b"<p>ok</p><p>caf\xe9</p>", format="html")
    assert decision.exit_code == 3
    assert decision.files[0].error == ("byte 15: content is not valid utf-8 text; pass "
                                       "--encoding with the right encoding or fix the page")


# -- limits and hostile input -----------------------------------------------------------------

def test_elements_deeper_than_max_depth_block_with_their_position(uk):
    limits = Limits(max_depth=6)
    ok = b"<div><div><div><p>x</p></div></div></div>"  # html > body > div > div > div > p
    assert uk.check(ok, format="html", limits=limits).exit_code == 0
    deep = b"<div><div><div><div><p>x</p></div></div></div></div>"
    decision = uk.check(deep, format="html", limits=limits)
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "body > div > div > div > div > p: an element's nesting exceeds the nesting depth "
        "limit of 6 levels; the payload is blocked. If it is genuine, raise the limit with "
        "--max-depth")


def test_a_nesting_bomb_is_blocked_before_parsing(uk):
    page = b"<!DOCTYPE html><body>" + b"<div>" * 200_000 + b"x" + b"</div>" * 200_000
    decision = uk.check(page, format="html")
    assert decision.files[0].error == (
        "the nesting of the page's elements exceeds the nesting depth limit of 256 levels; "
        "the payload is blocked. If it is genuine, raise the limit with --max-depth")


def test_sloppy_but_shallow_pages_pass_the_nesting_guard():
    # 3,000 rows each leaving a <font> and a <span> open: the gate counts them, the
    # simulation of implied end tags closes them at </td>, as browsers do.
    rows = b"".join(b"<tr><td><font><span>%d<td>x" % i for i in range(3000))
    found = read(b"<table><tr><th>n</th><th>v</th></tr>" + rows + b"</table>")
    assert len(found[0][3]) == 3000


def test_file_size_text_run_and_tag_limits(uk):
    # the core checks the size of a file first; the reader checks a stream as it reads it
    with pytest.raises(PayloadError) as caught:
        read(io.BytesIO(b"<p>" + b"x" * 3000), Limits(max_file_bytes=2048))
    assert caught.value.reason == (
        "the page exceeds the file size limit of 2,048 bytes; the payload is blocked. If it "
        "is genuine, raise the limit with --max-file-size")
    long_text = uk.check(b"<p>hello</p>" + b"y" * 500, format="html",
                         limits=Limits(max_record_bytes=100))
    assert long_text.files[0].error == (
        "byte 9: a stretch of text with no markup exceeds the record size limit of 100 "
        "bytes; the payload is blocked. If it is genuine, raise the limit with "
        "--max-record-size")
    tags = uk.check(b"<br>" * 3, format="html", limits=Limits(max_file_bytes=2048))
    assert tags.files[0].error == (
        "the page has more than 2 tags: an HTML page is parsed whole, so it may have one tag "
        "per KiB of the file size limit; the payload is blocked. If it is genuine, raise the "
        "limit with --max-file-size")


def test_one_long_attribute_or_text_node_is_held_to_the_record_limit(uk):
    limits = Limits(max_record_bytes=2 * 1024 * 1024)
    value = b"<img alt='" + b"<" * (3 * 1024 * 1024) + b"'>"
    decision = uk.check(value, format="html", limits=limits)
    assert decision.files[0].error == (
        "body > img[alt]: one piece of text exceeds the record size limit of 2,097,152 bytes; "
        "the payload is blocked. If it is genuine, raise the limit with --max-record-size")


def test_a_100_mb_line_is_blocked_with_bounded_memory(tmp_path):
    page = tmp_path / "line.html"
    with page.open("wb") as out:
        out.write(b"<!DOCTYPE html><p>")
        chunk = b"lorem ipsum " * (1 << 16)
        for _ in range(100 * (1 << 20) // len(chunk)):
            out.write(chunk)
    # A fresh process (via a small parent, whose peak it starts from) reports its peak.
    code = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "print(json.dumps([p.returncode, time.perf_counter() - t, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, p.stdout]))")
    done = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "guardrail",
                           "check", "-p", "uk-personal-data", "--report", "json", str(page)],
                          capture_output=True, text=True, check=True)
    exit_code, _, peak_mb, out = json.loads(done.stdout)
    assert exit_code == 3
    assert json.loads(out)["files"][0]["error"].startswith(
        "byte 16: a stretch of text with no markup exceeds the record size limit of "
        "16,777,216 bytes")
    assert peak_mb < 150  # the page is 100 MB: it was never held whole


def test_json_nesting_in_a_script_is_held_to_max_depth(uk):
    page = b'<script type="application/json" id="d">' + b"[" * 300 + b"]" * 300 + b"</script>"
    decision = uk.check(page, format="html")
    assert decision.files[0].error == (
        "head > script: the nesting of a JSON block exceeds the nesting depth limit of 256 levels; "
        "the payload is blocked. If it is genuine, raise the limit with --max-depth")


# -- redaction --------------------------------------------------------------------------------

class _Recorder:
    """A stand-in redactor that records what the format hands it and changes nothing."""

    def __init__(self) -> None:
        self.sections: list = []

    def table(self, columns, *, section=None, typed=False):
        rows: list = []
        self.sections.append(("table", section, list(columns), rows))

        class _T:
            keep = list(range(len(columns)))

            def row(self, row):
                rows.append(list(row))
                return row

        table = _T()
        table.columns = list(columns)
        return table

    def documents(self, *, section=None, first_index=0, index=True):
        records: list = []
        self.sections.append(("documents", section, records))

        class _D:
            def record(self, record):
                records.append(record)
                return record

        return _D()


# Everything the tree hides, in one page: doctype ids, an instruction, unknown names,
# a style attribute, a link to decode.
ODD = (b'<!DOCTYPE html SYSTEM "about:legacy-compat"><?php x ?><p>Mail <a.b@example.com> me'
       b'</p><p v-if="ok" style="font-family:\'A\'; background:url(/a%20b.png)" class="c">'
       b'<a href="/find?q=a+b">x</a></p>')


@pytest.mark.parametrize("page", [ASB, CLEAN, ODD])
def test_redact_hands_the_redactor_exactly_what_read_yields(page, tmp_path):
    recorder = _Recorder()
    out = tmp_path / "out.html"
    with out.open("wb") as stream:
        load_registry().format("html").redact(Payload(page), ReadOptions(), recorder, stream)
    expected = []
    for section in read(page):
        if section[0] == "table":
            expected.append(("table", section[1], section[2], [row for row, _ in section[3]]))
        else:
            expected.append(("documents", section[1], [record for record, _ in section[2]]))
    assert recorder.sections == expected
    assert read(out) == read(page)  # nothing changed: the copy reads the same


def _parses_with_the_standard_library(text: str) -> list[str]:
    class Collect(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.data: list[str] = []

        def handle_data(self, data: str) -> None:
            if data.strip():
                self.data.append(data.strip())

    parser = Collect()
    parser.feed(text)
    parser.close()
    return parser.data


def test_redact_round_trip_replaces_only_what_the_policy_forbids(redacting, tmp_path):
    out = tmp_path / "redacted.html"
    result = redacting("redact").redact(ASB, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    copy = out.read_text(encoding="utf-8")
    assert [value for value in PLANTED if value in copy] == []
    data = _parses_with_the_standard_library(copy)
    assert "Anti-social behaviour cases" in data and "Closed cases, August 2026" in data
    sections = read(out)
    cases = "body > main > table"
    assert sections[0] == ("table", cases, ["Case ref", "Ward", "Name", "Address", "Outcome"], [
        (["ASB/2026/0001", "Boxmoor", "[REDACTED]", "[REDACTED]", "Warning issued"],
         f"{cases} row 2"),
        (["ASB/2026/0002", "Grovehill", "[REDACTED]", "[REDACTED]", "Advice given"],
         f"{cases} row 3"),
        (["ASB/2026/0003", "Gadebridge", "", "", "No further action"], f"{cases} row 4")])
    assert sections[1][2] == [({"@context": "https://schema.org", "@type": "Dataset",
                                "author": {"@type": "Person", "name": "[REDACTED]"}},
                               "head > script")]
    assert [r["text"] for r, _ in sections[2][2]] == [
        "Anti-social behaviour cases - Hemel Hempstead", "application/ld+json",
        "/images/logo.png", "Dacorum Borough Council", "Anti-social behaviour cases",
        "mailto:community.safety@example.gov.uk",
        "Cases closed this month. Questions go to the team.", "cases",
        "Closed cases, August 2026", "Reported by [REDACTED] on [REDACTED].",
        "Internal: witness [REDACTED]", "/photos/scene.jpg",
        "Damage at the home of [REDACTED]", "exported by [REDACTED] from the case system"]
    assert "<p>Reported by <b>[REDACTED]</b> on [REDACTED].</p>" in copy  # markup kept
    assert "<div style=\"display: none\">" in copy


def test_redact_with_drop_removes_columns_attributes_and_text(redacting, tmp_path):
    out = tmp_path / "dropped.html"
    result = redacting("drop").redact(ASB, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    copy = out.read_text(encoding="utf-8")
    assert [value for value in PLANTED if value in copy] == []
    sections = read(out)
    assert sections[0] == ("table", "body > main > table", ["Case ref", "Ward", "Outcome"], [
        (["ASB/2026/0001", "Boxmoor", "Warning issued"], "body > main > table row 2"),
        (["ASB/2026/0002", "Grovehill", "Advice given"], "body > main > table row 3"),
        (["ASB/2026/0003", "Gadebridge", "No further action"], "body > main > table row 4")])
    assert sections[1][2] == [({"@context": "https://schema.org", "@type": "Dataset",
                                "author": {"@type": "Person"}}, "head > script")]
    assert '<img src="/photos/scene.jpg">' in copy  # the alt attribute is gone
    assert "<!--" not in copy and "witness" not in copy


def test_redact_with_mask_and_hash(redacting, tmp_path, monkeypatch):
    masked = tmp_path / "masked.html"
    assert redacting("mask").redact(ASB, masked).written
    assert read(masked)[0][3][0][0] == ["ASB/2026/0001", "Boxmoor", "D***** E****",
                                        "** M*******, H**** H******** H** ***", "Warning issued"]
    hashed = tmp_path / "hashed.html"
    assert redacting("hash").redact(ASB, hashed, hash_key=b"k").written
    name = read(hashed)[0][3][0][0][2]
    assert name.startswith("hmac-sha256:") and len(name) == len("hmac-sha256:") + 64


def test_redact_spanning_cells_and_a_dropped_column_keep_the_table_aligned(redacting, tmp_path):
    page = tmp_path / "spans.html"
    page.write_bytes(b"<table><tr><th>ward</th><th>name</th><th>month</th></tr>"
                     b"<tr><td colspan=2>Boxmoor and more</td><td>2026-01</td></tr>"
                     b"<tr><td>Grovehill</td><td rowspan=2>Jane Doe</td><td>2026-02</td></tr>"
                     b"<tr><td>Adeyfield</td><td>2026-03</td></tr></table>")
    out = tmp_path / "out.html"
    assert redacting("drop").redact(page, out).written
    assert read(out)[0][2:] == (["ward", "month"], [
        (["Boxmoor and more", "2026-01"], "body > table row 2"),
        (["Grovehill", "2026-02"], "body > table row 3"),
        (["Adeyfield", "2026-03"], "body > table row 4")])
    assert "Jane" not in out.read_text()


def test_redact_drop_of_a_cell_with_attributes_and_markup_inside(redacting, tmp_path):
    page = tmp_path / "cells.html"
    page.write_bytes(b'<table><tr><th>ward</th><th>name</th></tr><tr><td>Boxmoor</td>'
                     b'<td data-sort="Jane Doe"><img alt="Photo of Jane Doe">Jane Doe</td></tr>'
                     b'</table><script type="application/ld+json" id="ld">{"name": "Jane Doe"}'
                     b"</script>")
    out = tmp_path / "out.html"
    assert redacting("drop").redact(page, out).written
    assert out.read_text() == (
        "<html><head></head><body><table><tbody><tr><th>ward</th></tr><tr><td>Boxmoor</td>"
        '</tr></tbody></table><script type="application/ld+json" id="ld">{}</script>'
        "</body></html>")


def test_redacted_json_scripts_stay_valid_json_and_cannot_close_their_script(redacting,
                                                                             tmp_path):
    page = tmp_path / "data.html"
    page.write_bytes(b'<script type="application/json" id="d">[{"ward": "<\\/script>", '
                     b'"name": "Jane Doe"}, {"ward": "Boxmoor"}]</script><p>after</p>')
    out = tmp_path / "out.html"
    assert redacting("redact").redact(page, out).written
    assert read(out)[0] == ("documents", "head > script (JSON)", [
        ({"ward": "</script>", "name": "[REDACTED]"}, "head > script, item 0"),
        ({"ward": "Boxmoor"}, "head > script, item 1")])
    assert texts(out.read_bytes()) == [("application/json", "head > script[type]"),
                                       ("d", "head > script[id]"), ("after", "body > p")]


def test_a_redacted_windows_1252_page_is_written_and_declared_as_utf8(redacting, tmp_path):
    page = tmp_path / "legacy.html"
    page.write_bytes('<meta charset="windows-1252"><p>Fee £5 paid by Jane Smith</p>'
                     .encode("cp1252"))
    out = tmp_path / "out.html"
    assert redacting("redact").redact(page, out).written
    copy = out.read_bytes().decode("utf-8")
    assert '<meta charset="utf-8">' in copy and "Fee £5 paid by [REDACTED]" in copy


def test_redact_keeps_line_breaks_and_replaces_a_header_that_is_personal_data(redacting,
                                                                             tmp_path):
    page = tmp_path / "headless.html"
    page.write_bytes(b"<table><tr><td>Jane Smith</td><td>ward</td></tr>"
                     b"<tr><td>Boxmoor</td><td>Grovehill</td></tr></table>"
                     b"<p>Write to <a href='/w'>Tom <b>Hardy</b></a>,<br>1 High Street</p>")
    out = tmp_path / "out.html"
    result = redacting("redact").redact(page, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    copy = out.read_text(encoding="utf-8")
    # the first row is the header; its first cell is a name, so it is replaced
    assert "<tr><td>[REDACTED]</td><td>ward</td></tr>" in copy
    assert "<p>Write to <a href=\"/w\">[REDACTED]<b></b></a>,<br>[REDACTED]</p>" in copy
    assert read(out)[0][2:] == (["[REDACTED]", "ward"], [
        (["[REDACTED]", "Grovehill"], "body > table row 2")])  # "#1" is unclassified


CHANGES = [
    lambda t: t.replace("a", "[REDACTED]"), lambda t: "D***** E**** " + t[::-1],
    lambda t: "", lambda t: "hmac-sha256:" + "ab12" * 16, lambda t: t.upper(),
    lambda t: t.replace("\n", " ").replace("e", ""),
]


@pytest.mark.parametrize("markup", [
    b"<p>Reported by <b>Sophie</b> Taylor on 07700 900123.</p>",
    b"<p>  Daniel\n\n <i>Evans</i>,<br><br>14 <a href=x>Marlowes</a>  HP1 1BB </p>",
    b"<pre>Ref   ASB/1\nCaller  <b>Leah</b> Jones\n</pre>",
    b"<p>Zo\xc3\xab&nbsp;Ball\xe2\x80\x8b <span>and</span> Priya Patel</p>",
])
@pytest.mark.parametrize("change", CHANGES)
def test_redacted_text_goes_back_into_its_nodes_exactly(markup, change):
    tree = LexborHTMLParser(markup.decode("utf-8"))
    record = next(r for r in walk_page(tree, Limits(), "x", keep=True).texts
                  if r.target[0] == "run")
    new = change(record.text)
    _, pieces, nodes = record.target
    rewrite_run(pieces, nodes, new)
    again = [r.text for r in walk_page(LexborHTMLParser(tree.html), Limits(), "x").texts
             if r.note == ""]
    # Whatever the alignment, the nodes hold exactly the new text; a <br> stays where it
    # was, so only a change that moves text across a line break (which redaction never
    # does) can move that break.
    assert [" ".join(t.split()) for t in again] == ([" ".join(new.split())] if new else [])
    if change is CHANGES[0]:
        assert again == [new]


def test_redacted_scripts_keep_their_own_quotes(redacting, tmp_path):
    page = tmp_path / "js.html"
    page.write_bytes(b"<script>var rows = [['Daniel Evans', 'SW1A 1AA'], [\"O'Brien\"]];"
                     b"</script><button onclick=\"alert('Priya Patel')\">Go</button>")
    out = tmp_path / "out.html"
    assert redacting("redact").redact(page, out).written
    assert out.read_text() == (
        "<html><head><script>var rows = [['[REDACTED]', '[REDACTED]'], [\"O'Brien\"]];"
        "</script></head><body><button onclick=\"alert('[REDACTED]')\">Go</button>"
        "</body></html>")


def test_redact_replaces_unknown_elements_by_their_text_and_removes_unknown_attributes(
        redacting, tmp_path):
    page = tmp_path / "names.html"
    page.write_bytes(b'<p>Contact <jane.smith@example.com> today</p>'
                     b'<p Sam.Evans@example.com title="ok">x</p><app-root>y</app-root>')
    out = tmp_path / "out.html"
    result = redacting("redact").redact(page, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    assert out.read_text() == ('<html><head></head><body><p>Contact [REDACTED] today</p>'
                               '<p title="ok">x</p><app-root>y</app-root></body></html>')
    dropped = tmp_path / "dropped.html"
    result = redacting("drop").redact(page, dropped)
    assert (result.written, result.verification.exit_code) == (True, 0)
    assert "<p>Contact  today</p>" in dropped.read_text()


def test_redact_rewrites_instructions_style_strings_classes_and_the_doctype(redacting,
                                                                            tmp_path):
    page = tmp_path / "odd.html"
    page.write_bytes(b'<!DOCTYPE Jane Smith 07700 900123><?php echo "Jane Smith"; ?>'
                     b'<style>.a{background:url(/p/Sam%20Evans%2007700%20900456.png)}</style>'
                     b'<p style="font-family:\'Jane Smith 07700 900123\'; color:#b294bb" '
                     b'class="Jane Smith">x</p>')
    out = tmp_path / "out.html"
    result = redacting("redact").redact(page, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    # a doctype whose name is redacted goes (the page stays in quirks mode); an
    # instruction becomes a comment; a url() stays a URL
    assert out.read_text() == (
        '<!--php echo "[REDACTED]";--><html><head><style>.a{background:'
        "url(/p/%5BREDACTED%5D%20%5BREDACTED%5D.png)}</style></head><body>"
        '<p style="font-family:\'[REDACTED] [REDACTED]\'; color:#b294bb" class="[REDACTED]">'
        "x</p></body></html>")
    dropped = tmp_path / "dropped.html"
    assert redacting("drop").redact(page, dropped).written
    assert dropped.read_text() == (
        "<html><head><style>.a{background:url()}</style></head><body>"
        '<p style="font-family:\'\'; color:#b294bb">x</p></body></html>')


@pytest.mark.parametrize("action, link, image", [
    ("redact", "https://x.example/find?q=%5BREDACTED%5D&amp;ward=Box%20moor",
     "/p/%5BREDACTED%5D%20%5BREDACTED%5D.png 2x, /p/y.png 1x"),
    ("mask", "https://x.example/find?q=J***+S****&amp;ward=Box%20moor",
     "/p/J***%20S****%20*****%20******.png 2x, /p/y.png 1x"),
])
def test_a_redacted_link_stays_a_valid_url_written_as_the_page_wrote_it(redacting, tmp_path,
                                                                        action, link, image):
    page = tmp_path / "links.html"
    page.write_bytes(b'<a href="https://x.example/find?q=Jane+Smith&amp;ward=Box%20moor">l</a>'
                     b'<img src="/p/x.png" srcset="/p/Jane%20Smith%2007700%20900123.png 2x, '
                     b'/p/y.png 1x">')
    out = tmp_path / "out.html"
    result = redacting(action).redact(page, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    assert out.read_text() == (f'<html><head></head><body><a href="{link}">l</a>'
                               f'<img src="/p/x.png" srcset="{image}"></body></html>')


def test_a_block_action_writes_nothing(uk, tmp_path):
    out = tmp_path / "out.html"
    result = uk.redact(ASB, out)
    assert (result.written, out.exists(), result.exit_code) == (False, False, 1)

