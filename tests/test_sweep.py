"""``guardrail sweep``: a published site served on loopback (and a folder) swept once,
again, and on a schedule; only what is new is reported, each sweep is logged, and the
crawl never leaves the start URL's origin."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from guardrail.cli import cli
from guardrail.errors import UsageError
from guardrail.ledger import DecisionLog
from guardrail.sweep import parse_interval

CONTENT = "uk-content-scan"
EMAIL = "jane.smith@example.com"
NEW_EMAIL = "priya.ramanathan@example.org"
NEW_NAME = "Priya Ramanathan"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours proxy variables: loopback requests must reach the loopback server."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Served:
    """A server on loopback: its origin and every path it was asked for."""

    url: str
    requests: list[str] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    """Waits for its handlers when closed, and keeps quiet about a client that hung
    up (the timeout test's): nothing reaches another test's captured stderr."""

    daemon_threads = False
    block_on_close = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextmanager
def serving(folder: Path | None, redirects: dict[str, str] | None = None,
            on_request: Callable[[str, int], None] | None = None) -> Iterator[Served]:
    """*folder* served by the stdlib's file server on 127.0.0.1 (an ephemeral port);
    *redirects* maps a path to where it answers 302; *on_request(path, n)* runs before
    the n-th request for a path is answered (None folder: 404 for everything)."""
    served = Served("")
    counts: dict[str, int] = {}

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder or "/nonexistent"), **kwargs)

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            served.requests.append(self.path)
            counts[self.path] = counts.get(self.path, 0) + 1
            if on_request is not None:
                on_request(self.path, counts[self.path])
            if redirects and self.path in redirects:
                self.send_response(302)
                self.send_header("Location", redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _site(root: Path, elsewhere: str) -> Path:
    """Pages linking to each other, a CSV, a 404, a redirect to *elsewhere*, a direct
    link to *elsewhere*, an image and a fragment link."""
    site = root / "site"
    (site / "data").mkdir(parents=True)
    (site / "index.html").write_text(
        "<html><body><h1>Appeals</h1><p>Our appeals and open data.</p>"
        '<a href="about.html">About</a> <a href="about.html#team">Team</a> '
        '<a href="data/asb.csv">Data</a> <a href="missing.html">Old page</a> '
        '<a href="/moved">Moved</a> '
        f'<a href="{elsewhere}/secret.html">Partner</a> '
        '<a href="logo.png">Logo</a></body></html>', encoding="utf-8")
    (site / "about.html").write_text(
        f"<html><body><p>Write to {EMAIL} for the minutes.</p>"
        '<a href="/">Home</a></body></html>', encoding="utf-8")
    (site / "data" / "asb.csv").write_text(
        "month,ward,complainant_name\n2024-01,Abbots,Jane Smith\n", encoding="utf-8")
    (site / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return site


def _leak_more(site: Path) -> None:
    """A new leaky page linked from the home page, and a new row in the CSV."""
    (site / "news.html").write_text(
        f"<html><body><p>Press office: {NEW_EMAIL}</p></body></html>", encoding="utf-8")
    index = site / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</body>", '<p><a href="news.html">Press releases</a></p></body>'), encoding="utf-8")
    with (site / "data" / "asb.csv").open("a", encoding="utf-8") as csv:
        csv.write(f"2024-02,Bennetts End,{NEW_NAME}\n")


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["sweep", *args], catch_exceptions=False)


def _findings(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((f["file"], f["record"], f["field"], f["rule"], f["evidence"])
                  for f in report["findings"])


def _bytes_of(*paths: Path) -> bytes:
    """A SQLite file with its WAL: where a value written lately would be."""
    found = b""
    for path in paths:
        for each in (path, Path(f"{path}-wal")):
            if each.exists():
                found += each.read_bytes()
    return found


@pytest.fixture
def other() -> Iterator[Served]:
    """Another origin (another port on loopback): a sweep must never ask it anything."""
    with serving(None) as served:
        yield served


def test_a_site_is_swept_within_its_origin_and_then_only_news_is_reported(
        tmp_path: Path, other: Served) -> None:
    site = _site(tmp_path, other.url)
    state, log = tmp_path / "state.sqlite", tmp_path / "log.sqlite"
    with serving(site, redirects={"/moved": f"{other.url}/landing.html"}) as served:
        base = served.url
        args = ("-p", CONTENT, "--report", "json", "--state", str(state), "--log", str(log),
                f"{base}/")

        first = _run(*args)
        assert first.exit_code == 3  # a 404 and a redirect elsewhere: unreadable pages
        report = json.loads(first.stdout)
        assert [(f["file"], f.get("format"), f.get("error")) for f in report["files"]] == [
            (f"{base}/", "html", None),
            (f"{base}/about.html", "html", None),
            (f"{base}/data/asb.csv", "csv", None),
            (f"{base}/missing.html", None, "the server answered HTTP 404; a page a sweep "
                                           "cannot read may hold anything"),
            (f"{base}/moved", None, "redirects (HTTP 302) to another site (another scheme, "
                                    "host or port): not followed, as a sweep stays on the "
                                    "start URL's site; sweep that site on its own"),
        ]
        assert _findings(report) == [
            (f"{base}/about.html", 0, "text", "email", "j***@e******.c**"),
            (f"{base}/data/asb.csv", 0, "complainant_name", "uk.field.person_name",
             "J*** S****"),
        ]
        assert "1 links to other sites were not followed (a sweep stays on the start " \
               "URL's scheme, host and port)" in report["notices"]
        assert "1 links to images, stylesheets, scripts, fonts or media were not " \
               "fetched" in report["notices"]
        assert ("first sweep of this target: every finding is reported; the next sweeps "
                "report only what is new") in report["notices"]
        assert "sweep 1 at " in first.stderr
        assert ": 5 pages, 2 new findings, 0 still present, 2 newly unreadable (first " \
               "sweep of this target: everything found is new); logged as entry 1" \
               in first.stderr

        second = _run(*args)
        assert second.exit_code == 0, second.stderr
        report = json.loads(second.stdout)
        assert report["findings"] == [] and report["counts"]["by_rule"] == {}
        assert len(report["files"]) == 5  # every page, even with nothing new on it
        assert [f["error"] for f in report["files"] if "error" in f] == [
            "still unreadable, as in the last sweep: the server answered HTTP 404; a page "
            "a sweep cannot read may hold anything",
            "still unreadable, as in the last sweep: redirects (HTTP 302) to another site "
            "(another scheme, host or port): not followed, as a sweep stays on the start "
            "URL's site; sweep that site on its own"]
        assert ": 5 pages, 0 new findings, 2 still present, 2 still unreadable; logged " \
               "as entry 2" in second.stderr

        _leak_more(site)
        third = _run(*args)
        assert third.exit_code == 1, third.stderr
        report = json.loads(third.stdout)
        assert _findings(report) == [
            (f"{base}/data/asb.csv", 1, "complainant_name", "uk.field.person_name",
             "P**** R*********"),
            (f"{base}/news.html", 0, "text", "email", "p***@e******.o**"),
        ]
        assert report["counts"]["by_rule"] == {"email": 1, "uk.field.person_name": 1}
        assert ": 6 pages, 2 new findings, 2 still present, 2 still unreadable" \
            in third.stderr

    assert other.requests == []  # neither the link nor the redirect went there
    assert served.requests.count("/about.html") == 3  # the fragment link is the same page
    assert "/logo.png" not in served.requests
    for raw in (NEW_NAME, NEW_EMAIL, EMAIL, "Jane Smith", "Ramanathan"):
        for run in (first, second, third):
            assert raw not in run.stdout and raw not in run.stderr
        assert raw.encode() not in _bytes_of(state, log)
    assert [e.content["mode"] for e in DecisionLog(log).entries()] == ["audit"] * 3


def test_a_url_holding_personal_data_is_not_shown(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<a href="case.html?email=jane.smith%40example.com">case</a>', encoding="utf-8")
    (site / "case.html").write_text("<p>Case closed.</p>", encoding="utf-8")
    state = tmp_path / "state.sqlite"
    with serving(site) as served:
        result = _run("-p", CONTENT, "--report", "json", "--state", str(state), "--no-log",
                      f"{served.url}/")
    assert result.exit_code == 1, result.stderr  # the page's own link holds the address
    report = json.loads(result.stdout)
    assert [f["file"] for f in report["files"]] == [f"{served.url}/", "<payload 2>"]
    assert _findings(report) == [(f"{served.url}/", 0, "text", "email", "j***@e******.c**")]
    assert "/case.html?email=jane.smith%40example.com" in served.requests
    for raw in ("jane.smith", "jane.smith%40"):
        assert raw not in result.stdout and raw not in result.stderr
        assert raw.encode() not in _bytes_of(state)


def test_every_sweep_of_a_schedule_is_one_logged_decision(tmp_path: Path,
                                                           other: Served) -> None:
    site = _site(tmp_path, other.url)
    (site / "missing.html").write_text("<p>Back again.</p>", encoding="utf-8")
    state, log = tmp_path / "state.sqlite", tmp_path / "log.sqlite"

    def change_between_sweeps(path: str, n: int) -> None:
        # The home page is the first thing a sweep asks for: its second request starts
        # sweep 2, so the site changes after sweep 1 read everything and before sweep 2.
        if path == "/" and n == 2:
            _leak_more(site)

    with serving(site, on_request=change_between_sweeps) as served:
        result = _run("-p", CONTENT, "--report", "json", "--state", str(state), "--log",
                      str(log), "--every", "1s", "--sweeps", "2", f"{served.url}/")
    assert result.exit_code == 1, result.stderr
    decoder, text, reports = json.JSONDecoder(), result.stdout.strip(), []
    while text:
        report, end = decoder.raw_decode(text)
        reports.append(report)
        text = text[end:].strip()
    assert len(reports) == 2
    assert len(_findings(reports[0])) == 2
    assert _findings(reports[1]) == [
        (f"{served.url}/data/asb.csv", 1, "complainant_name", "uk.field.person_name",
         "P**** R*********"),
        (f"{served.url}/news.html", 0, "text", "email", "p***@e******.o**"),
    ]
    lines = [line for line in result.stderr.splitlines() if "guardrail: sweep" in line]
    assert [line.split(": ", 2)[2] for line in lines] == [
        "5 pages, 2 new findings, 0 still present, 1 newly unreadable (first sweep of "
        "this target: everything found is new); logged as entry 1",
        "6 pages, 2 new findings, 2 still present, 1 still unreadable; logged as entry 2"]
    listed = CliRunner().invoke(cli, ["log", "list", "--log", str(log)])
    assert listed.exit_code == 0
    rows = listed.stdout.splitlines()
    assert len(rows) == 2
    assert all("audit" in row and "uk-content-scan -> public-web" in row for row in rows)
    assert other.requests == []


def _folder(root: Path) -> Path:
    folder = root / "published"
    folder.mkdir()
    (folder / "export.csv").write_text(
        "month,ward,complainant_name,count\n2024-01,Abbots,Jane Smith,7\n",
        encoding="utf-8")
    (folder / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


def test_a_folder_is_swept_like_check_and_only_a_new_row_is_reported(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    state, log = tmp_path / "state.sqlite", tmp_path / "log.sqlite"
    args = ("-p", "asb-public-web", "--report", "json", "--state", str(state), "--log",
            str(log), "--exclude", "*.png", str(folder))
    first = _run(*args)
    assert first.exit_code == 1, first.stderr
    report = json.loads(first.stdout)
    export = str(folder / "export.csv")
    assert [f["file"] for f in report["files"]] == [export]  # the PNG is excluded
    assert _findings(report) == [(export, 0, "complainant_name", "uk.field.person_name",
                                  "J*** S****")]
    assert _run(*args).exit_code == 0
    with (folder / "export.csv").open("a", encoding="utf-8") as csv:
        csv.write(f"2024-02,Bennetts End,{NEW_NAME},3\n")
    third = _run(*args)
    assert third.exit_code == 1
    report = json.loads(third.stdout)
    # the new row: its name, and its count of 3 (asb.small_count)
    assert _findings(report) == [
        (export, 1, "complainant_name", "uk.field.person_name", "P**** R*********"),
        (export, 1, "count", "asb.small_count", "*")]
    assert ": 1 page, 2 new findings, 1 still present" in third.stderr
    assert NEW_NAME.encode() not in _bytes_of(state, log)
    assert NEW_NAME not in third.stdout + third.stderr
    # the PNG, not excluded, is unreadable as in check
    unexcluded = _run("-p", "asb-public-web", "--state", str(state), "--no-log",
                      str(folder))
    assert unexcluded.exit_code == 3


def test_the_page_cap_is_reported_never_silent(tmp_path: Path, other: Served) -> None:
    site = _site(tmp_path, other.url)
    state = tmp_path / "state.sqlite"
    with serving(site) as served:
        result = _run("-p", CONTENT, "--report", "json", "--state", str(state), "--no-log",
                      "--max-pages", "2", f"{served.url}/")
    report = json.loads(result.stdout)
    assert [f["file"] for f in report["files"]] == [f"{served.url}/",
                                                    f"{served.url}/about.html"]
    assert ("stopped at --max-pages 2: 3 more links found were not fetched, nor what "
            "they link to; raise --max-pages to sweep the whole site") in report["notices"]
    assert "2 pages, 1 new finding, 0 still present, stopped at --max-pages" in result.stderr
    assert served.requests == ["/", "/about.html"]


@pytest.mark.parametrize(("text", "seconds"), [
    ("15m", 900), ("1h30m", 5400), ("90s", 90), ("1h", 3600), ("2m5s", 125),
    (" 1H ", 3600)])
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(("every", "message"), [
    ("0s", "--every '0s' is zero; give an interval of at least 1s"),
    ("0h0m", "--every '0h0m' is zero"),
    ("15", "--every '15' is not an interval; write hours, minutes and seconds such as "
           "15m, 1h30m or 90s"),
    ("15x", "is not an interval"),
    ("1m1h", "is not an interval"),
    ("", "is not an interval"),
    ("soon", "is not an interval"),
])
def test_a_bad_interval_is_a_usage_error(tmp_path: Path, every: str, message: str) -> None:
    with pytest.raises(UsageError):
        parse_interval(every)
    result = _run("-p", CONTENT, "--every", every, "--state", str(tmp_path / "s"),
                  "--no-log", str(tmp_path))
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "s").exists()


def test_sweeps_without_every_and_bad_targets_are_usage_errors(tmp_path: Path) -> None:
    result = _run("-p", CONTENT, "--sweeps", "3", "--no-log", str(tmp_path))
    assert result.exit_code == 2
    assert "--sweeps repeats a sweep given --every" in result.stderr
    result = _run("-p", CONTENT, "--state", str(tmp_path / "s"), "--no-log",
                  str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "is neither a folder nor an http(s) URL" in result.stderr
    result = _run("-p", CONTENT, "--state", str(tmp_path / "s"), "--no-log",
                  "--exclude", "*.png", "http://127.0.0.1:9/")
    assert result.exit_code == 2
    assert "a site is swept from its start URL: drop them" in result.stderr


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_ends_the_loop_between_sweeps(tmp_path: Path, number: int) -> None:
    folder = _folder(tmp_path)
    state = tmp_path / "state.sqlite"
    args = [sys.executable, "-m", "guardrail", "sweep", "-p", "asb-public-web", "--state",
            str(state), "--no-log", "--exclude", "*.png", "--report", "json"]
    process = subprocess.Popen([*args, "--every", "1h", str(folder)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "GUARDRAIL_LOG": "off"})
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # the first sweep's line: then it waits an hour
        assert "sweep 1 at" in line and "1 new finding" in line
        process.send_signal(number)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 1  # the last sweep found something new
    assert _findings(json.loads(out))[0][2] == "complainant_name"
    # the state was saved whole: the next sweep sees nothing new
    again = subprocess.run([*args, str(folder)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert "0 new findings, 1 still present" in again.stderr


def test_slow_large_and_redirected_pages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<a href="slow.html">slow</a> <a href="big.html">big</a> '
        '<a href="old.html">old</a> <a href="new.html">new</a>', encoding="utf-8")
    (site / "slow.html").write_text("<p>Eventually.</p>", encoding="utf-8")
    (site / "big.html").write_text("<p>" + "Minutes of the meeting. " * 600 + "</p>",
                                   encoding="utf-8")
    (site / "new.html").write_text("<p>Moved here.</p>", encoding="utf-8")

    released = threading.Event()

    def slowly(path: str, n: int) -> None:
        if path == "/slow.html":
            released.wait(10)  # far past --timeout; let go once the sweep is over

    with serving(site, redirects={"/old.html": "/new.html"}, on_request=slowly) as served:
        result = _run("-p", CONTENT, "--report", "json", "--state", str(tmp_path / "s"),
                      "--no-log", "--timeout", "0.5", "--max-file-size", "10000",
                      f"{served.url}/")
        released.set()
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert [(f["file"], f.get("error")) for f in report["files"]] == [
        (f"{served.url}/", None),
        (f"{served.url}/slow.html", "did not finish within 0.5s; raise --timeout if the "
                                    "site is slow"),
        (f"{served.url}/big.html", "larger than 10000 bytes; raise --max-file-size to "
                                   "check it (a page left unchecked may hold anything)"),
        (f"{served.url}/old.html", None),  # a redirect on the same site is followed
    ]
    assert served.requests.count("/new.html") == 1  # read once, as old.html's target


def test_a_new_value_that_masks_like_an_old_one_is_still_new(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "map.png").unlink()
    state, out = tmp_path / "state.sqlite", tmp_path / "new.json"
    args = ("-p", "asb-public-web", "--report", "json", "-o", str(out), "--state",
            str(state), "--no-log", str(folder))
    assert _run(*args).exit_code == 1
    assert len(json.loads(out.read_text(encoding="utf-8"))["findings"]) == 1
    assert _run(*args).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["findings"] == []  # replaced
    with (folder / "export.csv").open("a", encoding="utf-8") as csv:
        csv.write("2024-02,Abbots,Joan Smyth,9\n")  # masks as J*** S****, as Jane Smith
    result = _run(*args)
    assert result.exit_code == 1
    assert _findings(json.loads(out.read_text(encoding="utf-8"))) == [
        (str(folder / "export.csv"), 1, "complainant_name", "uk.field.person_name",
         "J*** S****")]
    assert result.stdout == ""  # the report went to the file
    assert "1 new finding, 1 still present" in result.stderr


def test_where_the_state_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("GUARDRAIL_SWEEP_STATE", raising=False)
    args = ("-p", "asb-public-web", "--no-log", "--exclude", "*.png", str(folder))
    assert _run(*args).exit_code == 1
    assert (tmp_path / "xdg" / "guardrail" / "sweeps.sqlite").is_file()  # beside the log
    (tmp_path / ".guardrail").mkdir()  # a project folder: the log's place, and the state's
    assert _run(*args).exit_code == 1
    assert (tmp_path / ".guardrail" / "sweeps.sqlite").is_file()
    monkeypatch.setenv("GUARDRAIL_SWEEP_STATE", str(tmp_path / "elsewhere.sqlite"))
    assert _run(*args).exit_code == 1  # a new place knows no earlier sweep
    assert _run(*args).exit_code == 0
    assert (tmp_path / "elsewhere.sqlite").is_file()


def test_the_first_sweep_of_the_incident_site_gives_its_impact_and_logs_it(
        tmp_path: Path) -> None:
    import csv
    from collections import Counter

    examples = Path(__file__).parent.parent / "examples"
    with (examples / "asb-export-leaky.csv").open(encoding="utf-8", newline="") as source:
        wards = Counter(case["ward"] for case in csv.DictReader(source))
    state, log = tmp_path / "state.sqlite", tmp_path / "log.sqlite"
    with serving(examples / "published-site") as served:
        first = _run("-p", CONTENT, "--report", "json", "--state", str(state), "--log",
                     str(log), f"{served.url}/index.html")
        again = _run("-p", CONTENT, "--report", "json", "--state", str(state), "--log",
                     str(log), f"{served.url}/index.html")
    assert (first.exit_code, again.exit_code) == (1, 0)
    impact = json.loads(first.stdout)["impact"]
    assert (impact["pages_checked"], impact["pages_affected"], impact["records_affected"]) \
        == (3, 1, 61)
    assert impact["by_area"] == dict(wards)
    assert impact["pages"][0]["file"] == f"{served.url}/asb-cases-2026.html"
    # nothing new: no impact of its own; the log keeps each sweep's whole-site impact
    assert json.loads(again.stdout)["impact"] is None
    entries = list(DecisionLog(log).entries())
    assert [e.content["impact"]["records_affected"] for e in entries] == [61, 61]


_RECORD_ALERT = ("import json, os, sys; "
                 "report = json.load(sys.stdin); "
                 "open(sys.argv[1], 'a').write(json.dumps([os.environ['GUARDRAIL_SWEEP_NEW'], "
                 "os.environ['GUARDRAIL_SWEEP_NUMBER'], os.environ['GUARDRAIL_SWEEP_LOG_ENTRY'], "
                 "[f['evidence'] for f in report['findings']]]) + '\\n')")


def test_on_new_runs_a_command_with_the_news_only_when_there_is_news(tmp_path: Path) -> None:
    import shlex

    folder = _folder(tmp_path)
    alerts = tmp_path / "alerts.jsonl"
    command = shlex.join([sys.executable, "-c", _RECORD_ALERT, str(alerts)])
    args = ("-p", "asb-public-web", "--report", "json", "--state", str(tmp_path / "s"),
            "--log", str(tmp_path / "log"), "--exclude", "*.png", "--on-new", command,
            str(folder))
    assert _run(*args).exit_code == 1
    assert _run(*args).exit_code == 0  # nothing new: the command is not run
    with (folder / "export.csv").open("a", encoding="utf-8") as csv:
        csv.write(f"2024-02,Bennetts End,{NEW_NAME},3\n")
    assert _run(*args).exit_code == 1
    assert [json.loads(line) for line in alerts.read_text().splitlines()] == [
        ["1", "1", "1", ["J*** S****"]],
        ["2", "1", "3", ["P**** R*********", "*"]],
    ]


@pytest.mark.parametrize(("command", "warning"), [
    ("no-such-command-here --flag", "--on-new: command 'no-such-command-here' not found"),
    (f"{sys.executable} -c 'raise SystemExit(7)'", f"--on-new: '{Path(sys.executable).name}' "
                                                   "exited 7"),
])
def test_a_failing_on_new_command_is_a_warning_and_the_sweep_stands(
        tmp_path: Path, command: str, warning: str) -> None:
    folder = _folder(tmp_path)
    result = _run("-p", "asb-public-web", "--state", str(tmp_path / "s"), "--log",
                  str(tmp_path / "log"), "--exclude", "*.png", "--on-new", command,
                  str(folder))
    assert result.exit_code == 1
    assert f"guardrail: warning: {warning}; the sweep itself is logged and saved\n" \
        in result.stderr
    assert len(list(DecisionLog(tmp_path / "log").entries())) == 1


def test_an_on_new_command_that_cannot_be_split_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("-p", "asb-public-web", "--state", str(tmp_path / "s"), "--no-log",
                  "--on-new", "mail -s 'unclosed", str(_folder(tmp_path)))
    assert result.exit_code == 2
    assert "--on-new: cannot split the command (No closing quotation); quote it as a " \
        "shell would" in result.stderr
