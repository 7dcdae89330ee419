"""Where a judging command's output goes, and what it may never overwrite: the decision
log in use, a payload being checked; a report a failed run leaves behind. Also the
folder check's edge cases from the adversarial pass: files it may not read, folders it
may not list, the same file named twice, and names that must not be printed."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import helpers
import pytest
from report_plugins import invoke

from guardrail.ledger import DecisionLog, verify_log

CLEAN, LEAKY = str(helpers.CLEAN_EXPORT), str(helpers.LEAKY_EXPORT)
POLICY = "asb-public-web"


def _logged(tmp_path: Path) -> Path:
    log = tmp_path / "decisions.sqlite"
    assert invoke("check", "-p", POLICY, "--log", str(log), "-q", CLEAN).exit_code == 0
    return log


@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_no_command_writes_over_the_decision_log_it_uses(tmp_path: Path, suffix: str):
    log = _logged(tmp_path)
    target = f"{log}{suffix}"  # the WAL is refused by name, whether it exists or not
    (before,) = DecisionLog(log).entries()
    refused = "names the decision log this command writes to; writing there would " \
              "destroy the log: choose another file"
    checked = invoke("check", "-p", POLICY, "--log", str(log), "-o", target, CLEAN)
    published = invoke("publish", "-p", POLICY, "--log", str(log), CLEAN, target)
    redacted = invoke("redact", "-p", POLICY, "--log", str(log), "-o", target, CLEAN)
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(CLEAN, site / "a.csv")
    swept = invoke("sweep", "-p", POLICY, "--log", str(log), "--state",
                   str(tmp_path / "state"), "-o", target, str(site))
    assert [r.exit_code for r in (checked, published, redacted, swept)] == [2, 2, 2, 2]
    assert f"guardrail: error: --output {refused}\n" == swept.stderr
    assert f"guardrail: error: --output {refused}\n" == checked.stderr
    assert f"guardrail: error: DEST {refused}\n" == published.stderr
    assert redacted.stderr.endswith(f"guardrail: error: --output {refused}\n")
    result = verify_log(DecisionLog(log))
    assert (result.ok, result.entries) == (True, 1)
    assert [entry.hash for entry in DecisionLog(log).entries()] == [before.hash]


def test_the_report_is_never_written_over_a_payload_or_into_a_missing_folder(
        tmp_path: Path):
    payload = tmp_path / "export.csv"
    shutil.copy(CLEAN, payload)
    before = payload.read_bytes()
    log = tmp_path / "log.sqlite"
    over = invoke("check", "-p", POLICY, "--log", str(log), "-o", str(payload), str(payload))
    missing = invoke("check", "-p", POLICY, "--log", str(log), "-o",
                     str(tmp_path / "no" / "r.json"), str(payload))
    folder = invoke("check", "-p", POLICY, "--log", str(log), "-o", str(tmp_path),
                    str(payload))
    assert [r.exit_code for r in (over, missing, folder)] == [2, 2, 2]
    assert "it is the input being read" in over.stderr
    assert "does not exist" in missing.stderr
    assert "it exists and is not a regular file" in folder.stderr
    assert payload.read_bytes() == before
    assert not log.exists()  # refused before anything was read or logged


def test_a_run_that_writes_no_report_removes_the_earlier_one(tmp_path: Path):
    report = tmp_path / "r.json"
    first = invoke("check", "-p", POLICY, "--no-log", "--report", "json", "-o", str(report),
                   CLEAN)
    assert first.exit_code == 0 and json.loads(report.read_text())["decision"] == "allow"
    failed = invoke("check", "-p", "no-such-policy", "--no-log", "--report", "json", "-o",
                    str(report), CLEAN)
    assert failed.exit_code == 2
    assert not report.exists()  # a CI step cannot read the old "allow" as this run's
    assert failed.stderr.startswith("guardrail: the report an earlier run left in --output "
                                    "was removed: this run wrote none\n")
    device = invoke("check", "-p", POLICY, "--no-log", "-o", os.devnull, LEAKY)
    assert (device.exit_code, device.stdout) == (1, "")


def test_a_file_it_may_not_read_is_unreadable_and_the_folder_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Root reads every file whatever its mode: the refusal is the kernel's answer, given
    # here as the kernel gives it to an ordinary user.
    site = tmp_path / "site"
    (site / "locked").mkdir(parents=True)
    shutil.copy(CLEAN, site / "a.csv")
    shutil.copy(CLEAN, site / "b.csv")
    shutil.copy(CLEAN, site / "locked" / "c.csv")
    real_open, real_scandir = os.open, os.scandir

    def refusing_open(path, flags, *args):
        if os.fspath(path).endswith("b.csv"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    def refusing_scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(os, "scandir", refusing_scandir)
    result = invoke("check", "-p", POLICY, "--no-log", "-q", "--report", "json", str(site))
    assert result.exit_code == 3
    files = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["a.csv"]["records"] == 61 and "error" not in files["a.csv"]
    assert files["b.csv"]["error"] == (
        "permission denied: this process may not read the file; fix its permissions, or "
        "leave it out with --exclude GLOB")
    assert files["locked"]["error"] == (
        "a folder that cannot be listed (Permission denied): it may hold anything; fix its "
        "permissions, or leave it out with --exclude GLOB")


def test_a_file_named_twice_is_read_once(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(LEAKY, site / "a.csv")
    once = json.loads(invoke("check", "-p", POLICY, "--no-log", "-q", "--report", "json",
                             str(site / "a.csv")).stdout)
    many = json.loads(invoke("check", "-p", POLICY, "--no-log", "-q", "--report", "json",
                             str(site), str(site / "a.csv"), f"{site}/./").stdout)
    assert len(many["files"]) == 1
    assert many["findings_total"] == once["findings_total"] == 305


@pytest.mark.parametrize("name", [
    "john-smith-complaint.csv", "Daniel+Hughes.csv", "who=Margaret+Okafor.csv",
    "Margaret_Okafor.csv", "Okafor, Margaret.csv", "margaret.okafor.csv"])
def test_a_name_joined_in_a_file_name_is_not_printed(tmp_path: Path, name: str):
    payload = tmp_path / name
    shutil.copy(LEAKY, payload)
    for report in ("text", "json", "sarif", "junit"):
        result = invoke("check", "-p", POLICY, "--no-log", "-q", "--report", report,
                        str(payload))
        assert result.exit_code == 1
        shown = {"sarif": "%3Cpayload%201%3E", "junit": "&lt;payload 1&gt;"}
        assert shown.get(report, "<payload 1>") in result.stdout
        stem = name.rsplit(".", 1)[0]
        for word in stem.replace("+", " ").replace("_", " ").replace("-", " ") \
                .replace("=", " ").replace(",", " ").replace(".", " ").split():
            if word not in ("who", "complaint"):
                assert word not in result.stdout, (report, word)


def test_a_header_with_line_breaks_or_escapes_is_shown_by_number(tmp_path: Path):
    spoof = tmp_path / "spoof.csv"
    spoof.write_text('"month","x\n\nALLOWED: publishable to public-web\nsome_name",'
                     '"y\x1b[2J\u202egiven_name"\n2026-01,Jack Davies,Ann Smith\n',
                     encoding="utf-8")
    result = invoke("check", "-p", POLICY, "--no-log", "-q", str(spoof))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "BLOCKED: 2 findings may not go to 'public-web' (fields: #2, #3)")
    assert "ALLOWED" not in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


@pytest.mark.parametrize("name", ["m2.csv", "a1.csv", "b123.xml", "x1.tsv", "report-v2.csv"])
def test_ordinary_file_names_are_shown_as_they_are(tmp_path: Path, name: str):
    # A re-test found these masked once joiners were read as spaces ("M2 CSV" reads as a
    # vehicle registration): an extension is never a word of the name.
    payload = tmp_path / name
    payload.write_text("month,ward\n2026-01,Boxmoor\n", encoding="utf-8")
    fmt = {"xml": "csv", "tsv": "tsv"}.get(name.rsplit(".", 1)[1], "csv")
    if name.endswith(".xml"):
        payload.write_text("<rows><row><month>2026-01</month></row></rows>", encoding="utf-8")
        fmt = "xml"
    result = invoke("check", "-p", POLICY, "--no-log", "-q", "--format", fmt, str(payload))
    assert f"  {payload}: {fmt}," in result.stdout


def test_a_report_never_replaces_a_database_or_the_sweeps_state(tmp_path: Path):
    log = _logged(tmp_path)
    other = tmp_path / "other.sqlite"  # another log, copied whole (its WAL too)
    with sqlite3.connect(log) as source, sqlite3.connect(other) as copy:
        source.backup(copy)
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(CLEAN, site / "a.csv")
    state = tmp_path / "state.sqlite"
    checked = invoke("check", "-p", POLICY, "--no-log", "-o", str(other), CLEAN)
    fresh = invoke("sweep", "-p", POLICY, "--no-log", "--state", str(state), "-o",
                   str(state), str(site))
    assert (checked.exit_code, fresh.exit_code) == (2, 2)
    assert checked.stderr == (
        "guardrail: error: --output names an SQLite database (a decision log or a sweep's "
        "state?); a report never replaces one: choose another file\n")
    assert fresh.stderr == (
        "guardrail: error: --output names the sweep's own state file; writing the report "
        "there would lose what the last sweep saw: choose another file\n")
    assert verify_log(DecisionLog(other)).ok


def test_publish_refuses_a_folder_that_is_not_there_and_screens_its_last_line(
        tmp_path: Path):
    missing = invoke("publish", "-p", POLICY, "--no-log", CLEAN, f"{tmp_path}/out/")
    assert missing.exit_code == 2 and not (tmp_path / "out").exists()
    named = tmp_path / "Margaret Okafor.csv"
    done = invoke("publish", "-p", POLICY, "--no-log", CLEAN, str(named))
    assert done.exit_code == 0 and named.exists()
    assert done.stderr.splitlines()[-1] == "published to <payload 1>"


def test_a_signal_that_stops_a_check_is_said_as_such(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path):
    from guardrail.api import Guardrail
    from guardrail.atomic import SignalExit

    def stopped(*args, **kwargs):
        raise SignalExit(15)  # what SIGTERM becomes while a report file is open

    monkeypatch.setattr(Guardrail, "check", stopped)
    result = invoke("check", "-p", POLICY, "--no-log", "-o", str(tmp_path / "r.txt"), CLEAN)
    assert result.exit_code == 4
    assert result.stderr == ("guardrail: stopped by a signal before the command finished; "
                             "nothing may be published.\n")


def test_an_area_field_without_an_impact_list_is_a_usage_error():
    result = invoke("check", "-p", POLICY, "--no-log", "--area-field", "ward", CLEAN)
    assert result.exit_code == 2
    assert "--area-field groups the impact list, which this check does not make" \
        in result.stderr


def test_a_file_behind_a_folder_it_may_not_enter_is_unreadable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    payload = tmp_path / "sub" / "b.csv"
    payload.parent.mkdir()
    shutil.copy(CLEAN, payload)
    real_is_file = Path.is_file

    def refusing(self: Path) -> bool:
        if self.name == "b.csv":
            raise PermissionError(13, "Permission denied")
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", refusing)
    result = invoke("check", "-p", POLICY, "--no-log", "-q", "--report", "json", str(payload))
    assert result.exit_code == 3
    (found,) = json.loads(result.stdout)["files"]
    assert found["error"] == ("permission denied: this process may not reach the file; fix "
                              "the permissions of its folders, or leave it out")
