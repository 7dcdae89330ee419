"""The HTML reader against a real browser: everything Chromium has, guardrail inspects.

A page that a browser would show must be inspected as a browser would show it, hidden
text included. Headless Debian Chromium renders the test pages; every line of its
``innerText``, the text of its hidden elements, its comments, template contents, form
values, JSON-LD strings and text-bearing attribute values must be inside what the HTML
reader hands to the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from guardrail import Documents, Guardrail, Payload, ReadOptions, Table
from guardrail.host.registry import load_registry

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DATA = Path(__file__).parent / "data" / "html"
PAGE = DATA / "browser-page.html"
ARGUMENTS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync")
# Attributes whose values a browser shows or exposes as text (tooltips, alt text,
# accessible names, form values, metadata); guardrail reads these and more.
TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "value", "content", "href",
                   "label")
PLANTED = ["Daniel Evans", "Priya", "Patel", "HP1 1BB", "HP2 5HA", "14 Marlowes", "Grace Hughes",
           "grace.hughes@example.org", "Niamh Green", "Kiran Khan", "Sophie", "Taylor",
           "900123", "Leah Jones", "Ben Brown", "Oliver Morgan", "Isla Davies", "Chloe Fletcher",
           "Jack Hughes", "Farhan Iqbal", "Harry Lewis", "Ryan Green", "Mohammed Nowak",
           "Emma Clarke", "Jack Davies"]

# What the browser has, collected in the page: visible text, hidden text, the rest.
COLLECT = """
const out = {visible: document.body.innerText, title: document.title, hidden: [],
             comments: [], templates: [], values: [], attributes: [], jsonld: []};
for (const el of document.querySelectorAll('*')) {
  const style = getComputedStyle(el);
  if (el.hidden || el.getAttribute('aria-hidden') === 'true' || style.display === 'none'
      || style.visibility === 'hidden') {
    if (!['SCRIPT', 'STYLE', 'HEAD', 'META', 'TITLE', 'LINK'].includes(el.tagName)
        && el.closest('head') === null) out.hidden.push(el.textContent);
  }
  for (const name of arguments[0]) {
    if (el.hasAttribute(name)) out.attributes.push([name, el.getAttribute(name)]);
  }
  for (const attr of el.attributes) {
    if (attr.name.startsWith('data-')) out.attributes.push([attr.name, attr.value]);
  }
  if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') out.values.push(el.value);
  if (el.tagName === 'TEMPLATE') out.templates.push(el.content.textContent);
}
const walker = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
while (walker.nextNode()) out.comments.push(walker.currentNode.data);
for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
  const strings = [];
  (function leaves(v) {
    if (typeof v === 'string') strings.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(leaves);
  })(JSON.parse(s.textContent));
  out.jsonld.push(...strings);
}
return out;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (CI installs it: "
                    "apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def normal(text: str) -> str:
    """Whitespace collapsed and invisible characters removed, on both sides alike."""
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\u00ad", "")
    return " ".join(text.split())


def pieces(text: str) -> Iterator[str]:
    """innerText's lines and tab-separated table cells."""
    for line in text.replace("\t", "\n").split("\n"):
        if normal(line):
            yield normal(line)


def inspected(path: Path) -> list[str]:
    """Every string the HTML reader hands to the engine: column names, cells, text
    records, JSON values and keys."""
    found: list[str] = []

    def leaves(value) -> None:
        if isinstance(value, dict):
            found.extend(str(k) for k in value)
            for item in value.values():
                leaves(item)
        elif isinstance(value, list):
            for item in value:
                leaves(item)
        elif value is not None:
            found.append(str(value))

    reader = load_registry().format("html")
    for section in reader.read(Payload(path), ReadOptions()):
        if isinstance(section, Table):
            found.extend(section.columns)
            for row in section.rows:
                found.extend(row)
        else:
            assert isinstance(section, Documents)
            for record in section.records:
                leaves(record)
    return [normal(text) for text in found]


def browser_text(browser, path: Path) -> dict:
    browser.get(path.resolve().as_uri())
    return browser.execute_script(COLLECT, list(TEXT_ATTRIBUTES))


def uncovered(strings: list[str], haystack: list[str]) -> list[str]:
    return [s for s in strings if not any(s in text for text in haystack)]


def test_everything_the_browser_has_is_inspected(browser):
    seen = browser_text(browser, PAGE)
    ours = inspected(PAGE)
    visible = list(pieces(seen["visible"]))
    assert len(visible) >= 25  # the page rendered: headings, cells, list items, form
    hidden = [p for text in seen["hidden"] for p in pieces(text)]
    assert {"Internal: witness Oliver Morgan", "hidden Isla Davies",
            "Decorative Chloe Fletcher", "Invisible Jack Hughes"} <= set(hidden)
    others = [normal(t) for t in [seen["title"], *seen["comments"], *seen["templates"],
                                  *seen["values"], *seen["jsonld"]] if normal(t)]
    attributes = [normal(unquote_plus(v) if name == "href" else v)
                  for name, v in seen["attributes"] if normal(v)]
    assert len(attributes) >= 12
    assert uncovered(visible, ours) == []
    assert uncovered(hidden, ours) == []
    assert uncovered(others, ours) == []
    assert uncovered(attributes, ours) == []


def test_the_table_reads_as_the_browser_lays_it_out(browser):
    browser_text(browser, PAGE)
    cells = browser.execute_script(
        "return [...document.querySelectorAll('#cases tr')].map("
        "r => [...r.cells].map(c => c.innerText))")
    sections = [s for s in load_registry().format("html").read(Payload(PAGE), ReadOptions())
                if isinstance(s, Table)]
    assert len(sections) == 1
    rows = [list(row) for row in sections[0].rows]
    # The browser has one entry per cell element; guardrail one per column slot, with a
    # spanning cell's text in its first slot.
    assert [normal(c) for c in cells[0]] == ["Case ref", "Ward", "Complainant", "Outcome"]
    assert list(sections[0].columns) == ["Case ref", "Ward", "Complainant", "Complainant",
                                         "Outcome"]
    assert [[normal(c) for c in row] for row in cells[1:]] == [
        [normal(row[0]), normal(row[1]), normal(row[2]), normal(row[3]), normal(row[4])]
        if row[3] else [normal(row[0]), normal(row[1]), normal(row[2]), normal(row[4])]
        for row in rows]


@pytest.mark.parametrize("body, position", [
    ('<p>Opening hours: 9am to 5pm.</p><div style="display:none">Witness Sarah Connor</div>',
     "body > div (hidden)"),
    ('<p>Opening hours: 9am to 5pm.</p><img src="x.png" alt="Sarah Connor at home">',
     "body > img[alt]"),
    ('<p>Opening hours: 9am to 5pm.</p><p aria-hidden="true" hidden>Sarah Connor</p>',
     "body > p:nth-of-type(2) (hidden)"),
])
def test_a_page_whose_only_personal_data_the_browser_does_not_show_is_blocked(
        browser, uk, tmp_path, body, position):
    page = tmp_path / "page.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>Hours</title></head><body>{body}"
                    "</body></html>", encoding="utf-8")
    seen = browser_text(browser, page)
    assert "Sarah" not in seen["visible"]  # nothing personal on screen
    decision = uk.check(page)
    assert decision.exit_code == 1
    assert [(f.field, f.rule, f.evidence, f.position) for f in decision.findings] == [
        ("text", "person.name", "S**** C*****", position)]


def test_the_redacted_page_shows_no_personal_data_and_still_renders_the_table(
        browser, tmp_path, write_policy):
    policy = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: browser-redact, version: "1"}
        extends: uk-personal-data
        fields:
          - id: test.field.public
            name: [case_ref, ward, outcome, context, type]
            level: public
        destinations:
          public-web: {max_level: public, actions: {personal: redact, special-category: drop}}
        """)
    out = tmp_path / "redacted.html"
    result = Guardrail.from_policy(policy).redact(PAGE, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    seen = browser_text(browser, out)
    everything = json.dumps(seen, ensure_ascii=False) + browser.page_source
    assert [value for value in PLANTED if value in everything] == []
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#cases tbody tr')].map("
        "r => [...r.cells].map(c => c.innerText.trim()))")
    assert rows == [
        ["ASB/2026/0001", "Boxmoor", "[REDACTED]", "[REDACTED]", "Warning issued"],
        ["ASB/2026/0002", "Grovehill", "[REDACTED]", "[REDACTED]", "Advice given"],
        ["ASB/2026/0003", "Gadebridge", "[REDACTED]", "No further action"],
    ]
    assert "Anti-social behaviour cases" in seen["visible"]
    assert "Fly-tipping behind the garages" in seen["visible"]
