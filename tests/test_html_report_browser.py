"""The HTML report in a real headless browser (Debian chromium + chromedriver): it
renders, its charts are drawn, its filters work, it requests nothing but itself, raises
no JavaScript error or CSP violation, and shows no raw sensitive value.

With ``GUARDRAIL_UPDATE_SCREENSHOT=1`` the test of the leaky export also writes the
README's screenshot, docs/images/html-report.png; otherwise the screenshot goes to a
temporary folder and only its being a PNG of the window's size is checked (pixels
differ between fonts and chromium versions, so nothing is compared pixel by pixel).
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest
from test_html_report import (
    HOSTILE_FIELD,
    HOSTILE_FILE,
    finding,
    render,
    sensitive_values,
    synthetic,
)

from guardrail import Guardrail
from guardrail.plugin import FindingKind

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).parent.parent
SCREENSHOT = ROOT / "docs" / "images" / "html-report.png"
WINDOW = (1280, 1100)
ARGUMENTS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1")

VISIBLE_ROWS = """
return Array.from(document.querySelectorAll('#findings tbody tr.finding'))
  .filter(row => row.offsetParent !== null).length;
"""
# Per chart: every bar's name, count and drawn width (CSS pixels), top down.
DRAWN_BARS = """
const out = {};
for (const chart of ['by-rule', 'by-field', 'by-level']) {
  out[chart] = Array.from(document.querySelectorAll('#' + chart + ' g.bar')).map(g => [
    g.dataset.name, Number(g.dataset.count),
    g.querySelector('rect').getBoundingClientRect().width]);
}
return out;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian chromium and chromium-driver are not installed at /usr/bin "
                    "(CI installs them: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    # the performance log carries the DevTools Network events: every request made
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_report(driver, path: Path, page: str) -> str:
    path.write_text(page, encoding="utf-8")
    url = path.resolve().as_uri()
    driver.get_log("performance")  # drop what earlier pages logged
    driver.get_log("browser")
    driver.get(url)
    return url


def requested(driver, url: str) -> list[str]:
    """The URL of every request the browser made since the logs were last read: those
    of the page at *url* (its own load included), after checking that nothing else
    went out but chromium's own pages (a new tab's ``chrome://`` icons and ``data:``
    images, loaded whenever chromium pleases, are not the page's and never leave the
    machine)."""
    mine, others = [], []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.webSocketCreated":
            others.append(message["params"]["url"])
        elif message["method"] == "Network.requestWillBeSent":
            params = message["params"]
            target = mine if params.get("documentURL") == url else others
            target.append(params["request"]["url"])
    local = ("chrome:", "chrome-untrusted:", "data:", "about:")  # never leave the machine
    assert [u for u in others if not u.startswith(local)] == []
    return mine


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def row_text(f) -> str:
    """What the text filter searches in a finding's row, as the page shows it."""
    return " ".join([f.file, str(f.record), f.position or "", f.field, f.rule,
                     f"also {', '.join(f.also)}" if f.also else "", f.level, f.action,
                     f.evidence, f.waived_by or "no"]).lower()


@pytest.fixture(scope="module")
def leaky(browser, tmp_path_factory):
    """The report of examples/asb-export-leaky.csv against asb-public-web, open in the
    browser, named as a user in the project's folder would name it."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        decision = Guardrail.from_policy("asb-public-web").check("examples/asb-export-leaky.csv")
    finally:
        os.chdir(cwd)
    url = open_report(browser, tmp_path_factory.mktemp("report") / "report.html",
                      render(decision))
    return decision, url, requested(browser, url), browser.get_log("browser")


def test_it_renders_with_its_verdict_visible(browser, leaky):
    from selenium.webdriver.common.by import By

    banner = browser.find_element(By.ID, "verdict")
    assert banner.is_displayed()
    assert banner.find_element(By.CLASS_NAME, "verdict").text == "BLOCKED"
    assert browser.title == "guardrail: BLOCKED for public-web (asb-public-web)"
    assert browser.find_element(By.ID, "shown-count").text == "250 of 250 shown"


def test_the_screenshot(browser, leaky, tmp_path):
    browser.execute_script("window.scrollTo(0, 0);")
    update = os.environ.get("GUARDRAIL_UPDATE_SCREENSHOT") == "1"
    target = SCREENSHOT if update else tmp_path / "html-report.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = browser.get_screenshot_as_png()
    target.write_bytes(data)
    assert png_size(data) == tuple(browser.execute_script(
        "return [window.innerWidth, window.innerHeight];"))
    assert png_size(data)[0] == WINDOW[0]


def test_it_requests_nothing_but_itself_and_logs_no_error(leaky):
    _, url, urls, console = leaky
    assert urls == [url]
    # a CSP violation (a blocked inline script or style) or a script error would be here
    assert console == []


def test_charts_are_drawn_in_proportion_to_the_counts(browser, leaky):
    decision, _, _, _ = leaky
    drawn = browser.execute_script(DRAWN_BARS)
    by_rule = decision.to_dict()["counts"]["by_rule"]
    assert [(name, count) for name, count, _ in drawn["by-rule"]] == sorted(
        by_rule.items(), key=lambda item: (-item[1], item[0]))
    assert len(drawn["by-field"]) == 5
    assert [(name, count) for name, count, _ in drawn["by-level"]] == [("personal", 244),
                                                                     ("internal", 61)]
    for bars in drawn.values():
        widths = [width for _, _, width in bars]
        assert all(width > 0 for width in widths)
        assert widths == sorted(widths, reverse=True)  # ordered like the counts
        top_count, top_width = bars[0][1], bars[0][2]
        for _, count, width in bars:
            assert width == pytest.approx(top_width * count / top_count, abs=0.6)


def test_the_filters_hide_rows_and_count_them(browser, leaky):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    decision, _, _, _ = leaky
    findings = decision.findings
    query = browser.find_element(By.ID, "q")
    shown = browser.find_element(By.ID, "shown-count")

    query.send_keys("uk.field.address")
    assert sum(f.rule == "uk.field.address" for f in findings) == 50
    assert browser.execute_script(VISIBLE_ROWS) == 50
    assert shown.text == "50 of 250 shown"

    browser.find_element(By.ID, "clear").click()
    assert browser.execute_script(VISIBLE_ROWS) == 250
    Select(browser.find_element(By.ID, "f-level")).select_by_value("internal")
    assert browser.execute_script(VISIBLE_ROWS) == 50 == sum(f.level == "internal"
                                                             for f in findings)
    Select(browser.find_element(By.ID, "f-level")).select_by_value("personal")
    query.send_keys("HP3")
    expected = sum(f.level == "personal" and "hp3" in row_text(f) for f in findings)
    assert 0 < expected < 200
    assert browser.execute_script(VISIBLE_ROWS) == expected
    assert shown.text == f"{expected} of 250 shown"

    Select(browser.find_element(By.ID, "f-field")).select_by_value("case_ref")
    assert browser.execute_script(VISIBLE_ROWS) == 0
    assert browser.find_element(By.ID, "no-match").is_displayed()
    browser.find_element(By.ID, "clear").click()
    assert browser.execute_script(VISIBLE_ROWS) == 250
    assert not browser.find_element(By.ID, "no-match").is_displayed()


def test_no_raw_sensitive_value_is_shown(browser, leaky):
    shown = browser.execute_script("return document.body.innerText;")
    assert "A**/****/******" in shown  # masked evidence is what is shown
    assert [value for value in sensitive_values() if value in shown] == []


def test_hostile_names_run_nothing_in_the_browser(browser, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    hostile = finding(HOSTILE_FILE, 0, HOSTILE_FIELD, "field.unclassified",
                      evidence="</script><script>alert(2)</script>")
    kinds = {FindingKind(HOSTILE_FILE, "field.unclassified", HOSTILE_FIELD, "personal",
                         "block"): 1}
    url = open_report(browser, tmp_path / "hostile.html", render(synthetic([hostile], kinds)))
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert requested(browser, url) == [url]
    assert browser.get_log("browser") == []
    assert browser.execute_script("return document.images.length;") == 0
    assert browser.execute_script("return document.scripts.length;") == 1
    cell = browser.find_element(By.CSS_SELECTOR, "#findings tr.finding td.field")
    assert cell.text == HOSTILE_FIELD


IMPACT_BARS = """
return Array.from(document.querySelectorAll('#by-area g.bar')).map(g => [
  g.dataset.name, Number(g.dataset.count),
  g.querySelector('rect').getBoundingClientRect().width]);
"""


def test_the_impact_of_an_audited_site_is_shown_with_its_areas_drawn(browser, tmp_path):
    from selenium.webdriver.common.by import By

    site = ROOT / "examples" / "published-site"
    decision = Guardrail.from_policy("uk-content-scan").check(site, mode="audit", impact=True)
    open_report(browser, tmp_path / "impact.html", render(decision))
    section = browser.find_element(By.ID, "impact")
    assert section.is_displayed()
    stats = [item.text.split("\n") for item in
             section.find_elements(By.CSS_SELECTOR, ".stats .stat")]
    assert stats[0] == ["PAGES HOLDING PERSONAL DATA", "1 of 3"]
    assert stats[1][1].startswith("61 of ")
    impact = decision.impact
    assert impact is not None
    drawn = browser.execute_script(IMPACT_BARS)
    assert [(name, count) for name, count, _ in drawn] == list(impact.by_area)
    top_count, top_width = drawn[0][1], drawn[0][2]
    for _, count, width in drawn:
        assert width == pytest.approx(top_width * count / top_count, abs=0.6)
    shown = browser.execute_script("return document.body.innerText;")
    # a surname may be a word of a ward's name (Green, Leverstock Green): wards are public
    assert [value for value in sensitive_values() if value in shown
            and not any(value in ward for ward, _ in impact.by_area)] == []
