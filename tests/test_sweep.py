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

    with _running(_Server(("127.0.0.1", 0), Handler), served):
        yield served


@contextmanager
def _running(server: _Server, served: Served, scheme: str = "http") -> Iterator[None]:
    """*server* serving in a thread while the block runs; *served* learns its URL."""
    served.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
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
    for page in (b"missing.html", b"about.html", b"asb.csv", b"127.0.0.1"):
        assert page not in _bytes_of(state)  # pages and the target are kept keyed
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


# --- hardening (issue 14's adversarial pass) ---------------------------------------

Route = tuple[int, dict[str, str], "bytes | Callable[[Any], None]"]


@contextmanager
def answering(routes: dict[str, Route], tls: Any = None) -> Iterator[Served]:
    """A loopback server answering each path in *routes* with (status, headers, body);
    a callable body writes to the handler itself (a trickle). Anything else is a 404.
    *tls*: an ``ssl.SSLContext`` to serve https with."""
    served = Served("")

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            served.requests.append(self.path)
            status, headers, body = routes.get(self.path, (404, {}, b"gone"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                body(self) if callable(body) else self.wfile.write(body)
            except OSError:
                pass  # the sweep hung up (its deadline)

        def log_message(self, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    with _running(server, served, "https" if tls is not None else "http"):
        yield served


def _html(body: str) -> Route:
    return 200, {"Content-Type": "text/html"}, f"<html><body>{body}</body></html>".encode()


def _sweep_json(*args: str) -> tuple[Any, dict[str, Any]]:
    result = _run("-p", CONTENT, "--report", "json", "--no-log", *args)
    return result, json.loads(result.stdout) if result.stdout else {}


def test_an_unwritable_report_is_refused_before_anything_is_swept(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    state = tmp_path / "state.sqlite"
    args = ("-p", "asb-public-web", "--state", str(state), "--no-log", "--exclude", "*.png")
    missing = _run(*args, "-o", str(tmp_path / "nowhere" / "x.txt"), str(folder))
    assert missing.exit_code == 2
    assert (f"cannot write the report to {tmp_path}/nowhere/x.txt: folder "
            f"{tmp_path}/nowhere does not exist; create it or give -o another path") \
        in " ".join(missing.stderr.split())
    folder_given = _run(*args, "-o", str(tmp_path), str(folder))
    assert folder_given.exit_code == 2
    assert f"cannot write the report to {tmp_path}: it is a folder" in folder_given.stderr
    assert not state.exists()  # nothing swept, nothing saved: the news is still news
    out = tmp_path / "new.txt"
    result = _run(*args, "-o", str(out), str(folder))
    assert result.exit_code == 1
    assert "1 new finding, 0 still present (first sweep" in result.stderr


def test_a_sweep_is_saved_only_when_committed(tmp_path: Path) -> None:
    from guardrail.api import Guardrail
    from guardrail.sweep import SweepOptions, SweepState, sweep_once
    from guardrail.tree import Selection

    folder = _folder(tmp_path)
    guard = Guardrail.from_policy("asb-public-web")
    state = SweepState(tmp_path / "state.sqlite")
    options = SweepOptions(selection=Selection((), ("*.png",), False), log=False)
    first = sweep_once(guard, str(folder), options, state)
    assert (first.news.first, first.news.new) == (True, 1)
    again = sweep_once(guard, str(folder), options, state)  # the first never committed
    assert (again.news.first, again.news.new) == (True, 1)
    again.commit()
    again.commit()  # once only
    third = sweep_once(guard, str(folder), options, state)
    assert (third.news.first, third.news.new, third.news.still) == (False, 0, 1)


def test_pages_are_known_by_what_they_are_not_by_their_shown_label(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    folder.mkdir()
    header = "month,ward,complainant_name,count\n"
    (folder / "case 07700 900123.csv").write_text(
        header + "2024-01,Abbots,Jane Smith,7\n", encoding="utf-8")
    state = tmp_path / "state.sqlite"
    args = ("-p", "asb-public-web", "--report", "json", "--state", str(state), "--no-log",
            str(folder))
    first = _run(*args)
    assert first.exit_code == 1
    assert _findings(json.loads(first.stdout)) == [
        ("<payload 1>", 0, "complainant_name", "uk.field.person_name", "J*** S****")]
    # a new page (both screened, both <payload 1>) with a new person masked alike
    (folder / "case 07700 900123.csv").unlink()
    (folder / "case 07700 900124.csv").write_text(
        header + "2024-01,Abbots,Joan Smyth,7\n", encoding="utf-8")
    second = _run(*args)
    assert second.exit_code == 1, second.stderr
    assert _findings(json.loads(second.stdout)) == [
        ("<payload 1>", 0, "complainant_name", "uk.field.person_name", "J*** S****")]
    assert "1 new finding, 0 still present" in second.stderr
    # a page that sorts first shifts every <payload N>: nothing old is news again
    (folder / "a 07700 900125.csv").write_text(header + "2024-01,Abbots,,7\n",
                                               encoding="utf-8")
    third = _run(*args)
    assert third.exit_code == 0, third.stdout
    assert [f["file"] for f in json.loads(third.stdout)["files"]] == [
        "<payload 1>", "<payload 2>"]
    assert "0 new findings, 1 still present" in third.stderr
    stored = _bytes_of(state)
    for raw in (b"07700", b"case", str(folder).encode(), b"Smyth"):
        assert raw not in stored  # pages are kept keyed, never in clear


def test_a_table_wrapped_in_a_div_is_the_same_table(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    table = ("<table><tr><th>Name</th><th>Email</th></tr>"
             f"<tr><td>Jane Smith</td><td>{EMAIL}</td></tr></table>")
    (site / "index.html").write_text(f"<html><body>{table}</body></html>", encoding="utf-8")
    state = tmp_path / "state.sqlite"
    with serving(site) as served:
        first, report = _sweep_json("--state", str(state), f"{served.url}/")
        assert first.exit_code == 1
        sections = {f["section"] for f in report["findings"]}
        (site / "index.html").write_text(
            f"<html><body><div class='wrap'>{table}</div></body></html>", encoding="utf-8")
        second, report = _sweep_json("--state", str(state), f"{served.url}/")
    assert second.exit_code == 0, second.stdout
    assert report["findings"] == []
    assert "0 new findings, 2 still present" in second.stderr
    logged = json.loads(first.stdout)["findings"]
    assert len(logged) == 2 and sections  # found in a section that the <div> renamed
    assert b"index.html" not in _bytes_of(state) and served.url.encode() not in \
        _bytes_of(state)


def test_every_link_is_fetched_but_static_assets_and_frames_are_followed(
        tmp_path: Path) -> None:
    index = ('<a href="people/m.okafor">Mo</a> <a href="v1.2/">Docs</a> '
             '<a href="minutes.pdf">Minutes</a> <a href="logo.png">Logo</a> '
             '<link rel="stylesheet" href="site.css"> <a href="font.woff2">Font</a> '
             '<iframe src="embed.html"></iframe>')
    routes: dict[str, Route] = {
        "/": _html(index),
        "/people/m.okafor": _html(f"<p>Contact {EMAIL}</p>"),
        "/v1.2/": (200, {"Content-Type": "text/html"}, (
            b'<html><head><title>Docs</title></head><frameset><frame src="/framed.html">'
            b"</frameset></html>")),
        "/framed.html": (200, {"Content-Type": "text/html"}, (
            b'<html><head><meta http-equiv="refresh" content="0; url=/moved-on.html">'
            b"</head><body>Redirecting</body></html>")),
        "/moved-on.html": _html(f"<p>Press: {NEW_EMAIL}</p>"),
        "/embed.html": _html("<p>Embedded map of wards.</p>"),
        "/minutes.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n%\xe2\xe3"),
    }
    with answering(routes) as served:
        result, report = _sweep_json("--state", str(tmp_path / "s"), f"{served.url}/")
    base = served.url
    assert result.exit_code == 3, result.stderr  # the PDF: a document nothing reads
    assert [(f["file"], f.get("format"), f.get("error")) for f in report["files"]] == [
        (f"{base}/", "html", None),
        (f"{base}/people/m.okafor", "html", None),
        (f"{base}/v1.2/", "html", None),
        (f"{base}/minutes.pdf", None, "the server sent a document of type application/pdf "
                                      "that no installed format reads; a page a sweep "
                                      "cannot read may hold anything"),
        (f"{base}/embed.html", "html", None),
        (f"{base}/framed.html", "html", None),
        (f"{base}/moved-on.html", "html", None),
    ]
    assert _findings(report) == [
        (f"{base}/moved-on.html", 0, "text", "email", "p***@e******.o**"),
        (f"{base}/people/m.okafor", 0, "text", "email", "j***@e******.c**")]
    assert "3 links to images, stylesheets, scripts, fonts or media were not fetched" \
        in report["notices"]
    assert not {"/logo.png", "/site.css", "/font.woff2"} & set(served.requests)


def _trickle(handler: Any) -> None:
    for _ in range(40):  # 40 bytes, one each 0.1s: 4s in all, no read waits over 0.1s
        handler.wfile.write(b" ")
        handler.wfile.flush()
        threading.Event().wait(0.1)


def test_the_timeout_bounds_the_whole_request(tmp_path: Path) -> None:
    routes: dict[str, Route] = {
        "/": _html('<a href="slow.html">slow</a>'),
        "/slow.html": (200, {"Content-Type": "text/html", "Content-Length": "40"}, _trickle),
    }
    with answering(routes) as served:
        result, report = _sweep_json("--state", str(tmp_path / "s"), "--timeout", "1",
                                     f"{served.url}/")
    assert result.exit_code == 3
    assert [(f["file"], f.get("error")) for f in report["files"]] == [
        (f"{served.url}/", None),
        (f"{served.url}/slow.html", "did not finish within 1s; raise --timeout if the "
                                    "site is slow")]


def test_a_charset_and_a_compressed_body_are_honoured_and_a_bomb_is_refused(
        tmp_path: Path) -> None:
    import gzip
    import zlib

    latin = f"<html><body><p>Caf\u00e9 owner: {EMAIL}</p></body></html>".encode("latin-1")
    deflated = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw, as some send
    raw = deflated.compress(f"<p>Press: {NEW_EMAIL}</p>".encode()) + deflated.flush()
    routes: dict[str, Route] = {
        "/": _html('<a href="latin.html">1</a> <a href="gz.csv">2</a> '
                   '<a href="raw.html">3</a> <a href="bomb.html">4</a> '
                   '<a href="meta.html">5</a>'),
        "/latin.html": (200, {"Content-Type": "text/html; charset=iso-8859-1"}, latin),
        # the page's own <meta> agrees: saved as UTF-8, the byte-order mark decides
        "/meta.html": (200, {"Content-Type": "text/html; charset=windows-1252"},
                       latin.replace(b"<body>", b'<head><meta charset="windows-1252">'
                                                b"</head><body>\x93")),
        "/gz.csv": (200, {"Content-Type": "text/csv", "Content-Encoding": "gzip"},
                    gzip.compress(b"name,email\nJane Smith,jane.smith@example.com\n")),
        "/raw.html": (200, {"Content-Type": "text/html", "Content-Encoding": "deflate"}, raw),
        "/bomb.html": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                       gzip.compress(b"<p>" + b"a" * 5_000_000)),
    }
    with answering(routes) as served:
        result, report = _sweep_json("--state", str(tmp_path / "s"), "--max-file-size",
                                     "100000", f"{served.url}/")
    base = served.url
    assert result.exit_code == 3, result.stderr
    assert [(f["file"], f.get("format"), f.get("error")) for f in report["files"]] == [
        (f"{base}/", "html", None),
        (f"{base}/latin.html", "html", None),
        (f"{base}/gz.csv", "csv", None),
        (f"{base}/raw.html", "html", None),
        (f"{base}/bomb.html", None, "larger than 100000 bytes; raise --max-file-size to "
                                    "check it (a page left unchecked may hold anything)"),
        (f"{base}/meta.html", "html", None),
    ]
    assert [(f["file"], f["field"], f["evidence"]) for f in report["findings"]] == [
        (f"{base}/latin.html", "text", "j***@e******.c**"),
        (f"{base}/gz.csv", "name", "J*** S****"),
        (f"{base}/gz.csv", "email", "j***@e******.c**"),
        (f"{base}/raw.html", "text", "p***@e******.o**"),
        (f"{base}/meta.html", "text", "j***@e******.c**"),
    ]


def test_redirect_loops_and_redirects_off_the_web_are_said(tmp_path: Path) -> None:
    routes: dict[str, Route] = {
        "/": _html('<a href="loop">a</a> <a href="file">b</a>'),
        "/loop": (302, {"Location": "/loop2"}, b""),
        "/loop2": (302, {"Location": "/loop"}, b""),
        "/file": (302, {"Location": "file:///etc/passwd"}, b""),
    }
    with answering(routes) as served:
        result, report = _sweep_json("--state", str(tmp_path / "s"), f"{served.url}/")
    assert result.exit_code == 3
    assert [(f["file"], f.get("error")) for f in report["files"]] == [
        (f"{served.url}/", None),
        (f"{served.url}/loop", "redirects in a loop (HTTP 302, more than 10 redirects or "
                               "the same URL 4 times): a page a sweep cannot read may "
                               "hold anything"),
        (f"{served.url}/file", "redirects (HTTP 302) to a non-http(s) URL: not followed; "
                               "a page a sweep cannot read may hold anything"),
    ]


def test_a_damaged_state_is_named_and_its_time_printed_only_when_valid(
        tmp_path: Path) -> None:
    import sqlite3

    folder = _folder(tmp_path)
    state = tmp_path / "state.sqlite"
    args = ("-p", "asb-public-web", "--report", "json", "--state", str(state), "--no-log",
            "--exclude", "*.png", str(folder))
    assert _run(*args).exit_code == 1
    with sqlite3.connect(state) as conn:
        conn.execute("UPDATE sweeps SET swept_at = ?", ("\x1b[2J\x1b[31mJane Smith",))
    again = _run(*args)
    assert again.exit_code == 0
    assert "only what is new since the last sweep: 1 findings seen then are still there" \
        in json.loads(again.stdout)["notices"]
    assert "\x1b" not in again.stdout + again.stderr and "Jane" not in again.stdout
    with sqlite3.connect(state) as conn:
        conn.execute("UPDATE fingerprints SET count = 'abc'")
    damaged = _run(*args)
    assert damaged.exit_code == 4
    assert (f"the sweep state {state} is damaged (fingerprints.count is not a whole "
            "number); delete it (the next sweep then reports everything again) or point "
            "--state (or GUARDRAIL_SWEEP_STATE) at another file") \
        in " ".join(damaged.stderr.split())
    assert "Traceback" not in damaged.stderr


def test_a_target_that_is_not_there_is_screened_and_huge_intervals_are_usage_errors(
        tmp_path: Path) -> None:
    target = str(tmp_path / "Margaret Okafor 07700 900123") + "/"
    result = _run("-p", CONTENT, "--state", str(tmp_path / "s"), "--no-log", target)
    assert result.exit_code == 2
    assert "error: <payload 1> is neither a folder nor an http(s) URL" in result.stderr
    assert "Okafor" not in result.stderr and "07700" not in result.stderr
    for digits in (400, 5000):
        every = "9" * digits + "s"
        result = _run("-p", CONTENT, "--every", every, "--state", str(tmp_path / "s"),
                      "--no-log", str(tmp_path))
        assert result.exit_code == 2, result.stderr
        assert f"--every '{every[:37]}...' is over a year; give an interval of at most " \
               "8784h" in " ".join(result.stderr.split())
    assert _run("-p", CONTENT, "--every", "8785h", "--no-log", str(tmp_path)).exit_code == 2
    for timeout, said in (("nan", "not a number of seconds"),
                          ("1e400", "inf is not in the range 0<x<=86400")):
        result = _run("-p", CONTENT, "--timeout", timeout, "--no-log", str(tmp_path))
        assert result.exit_code == 2 and said in result.stderr


def test_the_deadline_holds_over_tls_too(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate for 127.0.0.1")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the sweep trusts this server only
    sent: list[int] = []

    def trickle(handler: Any) -> None:
        for n in range(50):  # 5s in all, a byte each 0.1s
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                break
            sent.append(n)
            threading.Event().wait(0.1)

    routes: dict[str, Route] = {
        "/": _html(f'<p>{EMAIL}</p><a href="slow.html">slow</a>'),
        "/slow.html": (200, {"Content-Type": "text/html", "Content-Length": "50"}, trickle),
    }
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with answering(routes, tls=context) as served:
        url = served.url
        result, report = _sweep_json("--state", str(tmp_path / "s"), "--timeout", "1",
                                     f"{url}/")
    assert result.exit_code == 3, result.stderr
    assert [(f["file"], f.get("error")) for f in report["files"]] == [
        (f"{url}/", None),
        (f"{url}/slow.html", "did not finish within 1s; raise --timeout if the site is "
                             "slow")]
    assert _findings(report) == [(f"{url}/", 0, "text", "email", "j***@e******.c**")]
    assert len(sent) < 50  # the connection was cut at the deadline, not read to the end


def test_a_folder_it_may_not_list_is_newly_unreadable_and_the_rest_is_swept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A re-test found this a crash (TypeError) once such folders were reported rather
    # than ending the check. Root lists every folder: the refusal is given as the
    # kernel gives it to an ordinary user.
    folder = _folder(tmp_path)
    (folder / "locked").mkdir()
    real_scandir = os.scandir

    def refusing(path: Any = ".") -> Any:
        if isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = _run("-p", "asb-public-web", "--report", "json", "--state",
                  str(tmp_path / "state"), "--no-log", "--exclude", "*.png", str(folder))
    assert result.exit_code == 3, result.stderr
    files = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["export.csv"]["records"] == 1
    assert files["locked"]["error"].startswith("a folder that cannot be listed (Permission "
                                               "denied): it may hold anything")
