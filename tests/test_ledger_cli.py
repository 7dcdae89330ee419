"""``guardrail log ...`` and the judging commands' --log / --no-log."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CLEAN_EXPORT, LEAKY_EXPORT

from guardrail.cli import cli
from guardrail.ledger import DecisionLog
from guardrail.ledger.schema import SCHEMA


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "decisions.sqlite"


@pytest.fixture
def logged(path: Path) -> Path:
    assert _run("check", "-p", "asb-public-web", "--log", str(path),
                str(LEAKY_EXPORT)).exit_code == 1
    assert _run("check", "-p", "asb-public-web", "--log", str(path),
                str(CLEAN_EXPORT)).exit_code == 0
    assert _run("check", "-p", "asb-public-web", "--mode", "audit", "--log", str(path),
                str(LEAKY_EXPORT)).exit_code == 0
    return path


def test_check_logs_by_default_to_guardrail_log(path: Path) -> None:
    # the suite's conftest points GUARDRAIL_LOG at a session file; here at our own
    assert _run("check", "-p", "asb-public-web", str(CLEAN_EXPORT),
                env={"GUARDRAIL_LOG": str(path)}).exit_code == 0
    assert [e.verdict for e in DecisionLog(path).entries()] == ["allow"]
    assert _run("check", "-p", "asb-public-web", "--no-log", str(CLEAN_EXPORT),
                env={"GUARDRAIL_LOG": str(path)}).exit_code == 0
    assert _run("check", "-p", "asb-public-web", str(CLEAN_EXPORT),
                env={"GUARDRAIL_LOG": "off"}).exit_code == 0
    assert len(list(DecisionLog(path).entries())) == 1


def test_project_folder_is_the_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GUARDRAIL_LOG")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "proj" / ".guardrail").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "proj")
    assert _run("log", "path").output == f"{tmp_path / 'proj' / '.guardrail'}/decisions.sqlite\n"
    assert _run("check", "-p", "asb-public-web", str(CLEAN_EXPORT)).exit_code == 0
    assert (tmp_path / "proj" / ".guardrail" / "decisions.sqlite").is_file()
    monkeypatch.chdir(tmp_path)
    assert _run("log", "path").output == f"{tmp_path}/state/guardrail/decisions.sqlite\n"


def test_list_show_export(logged: Path) -> None:
    lines = _run("log", "list", "--log", str(logged)).output.splitlines()
    assert len(lines) == 3
    assert lines[0].split()[0] == "1" and "BLOCK  enforce  asb-public-web -> public-web" in lines[0]
    assert lines[0].endswith(f"{LEAKY_EXPORT}  305 blocking")
    assert "ALLOW  enforce" in lines[1] and "BLOCK  audit" in lines[2]
    blocked = _run("log", "list", "--log", str(logged), "--verdict", "block").output
    assert [line.split()[0] for line in blocked.splitlines()] == ["1", "3"]
    assert _run("log", "list", "--log", str(logged), "--limit", "1").output.split()[0] == "3"
    assert _run("log", "list", "--log", str(logged), "--since", "2999-01-01").output == ""
    bad = CliRunner().invoke(cli, ["log", "list", "--log", str(logged), "--since", "soon"])
    assert bad.exit_code == 2 and "'soon' is not a date" in bad.output

    shown = json.loads(_run("log", "show", "--log", str(logged), "2").output)
    assert (shown["seq"], shown["verdict"], shown["payloads"][0]["name"]) == \
        (2, "allow", str(CLEAN_EXPORT))
    assert len(shown["hash"]) == 64 and len(shown["prev_hash"]) == 64
    missing = _run("log", "show", "--log", str(logged), "9")
    assert missing.exit_code == 2
    assert "no entry 9 in the log" in missing.output

    lines = _run("log", "export", "--log", str(logged), "--verdict", "block").output
    assert [json.loads(line)["seq"] for line in lines.splitlines()] == [1, 3]
    table = _run("log", "export", "--log", str(logged), "--format", "csv").output
    assert [r["verdict"] for r in csv.DictReader(io.StringIO(table))] == \
        ["block", "allow", "block"]


def test_export_to_a_file(logged: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = _run("log", "export", "--log", str(logged), "-o", str(out))
    assert result.exit_code == 0
    assert len(out.read_text().splitlines()) == 3


def test_verify_and_head(logged: Path) -> None:
    head = _run("log", "head", "--log", str(logged)).output.strip()
    assert head.startswith("3:") and len(head) == 66
    ok = _run("log", "verify", "--log", str(logged), "--head", head)
    assert ok.exit_code == 0
    assert ok.output == f"{logged}: 3 entries, chain intact; head {head}\n"
    conn = sqlite3.connect(logged)
    with conn:
        conn.execute("DELETE FROM decisions WHERE seq = 3")
    conn.close()
    gone = CliRunner().invoke(cli, ["log", "verify", "--log", str(logged)])
    assert (gone.exit_code, gone.stderr) == (1, (
        f"{logged}: BROKEN: 1 entry was deleted from the end (the log wrote up to entry "
        "3; it ends at entry 2)\nthe 2 entries left verify\n"))
    kept = CliRunner().invoke(cli, ["log", "verify", "--log", str(logged), "--head", head])
    assert kept.exit_code == 1
    assert ("BROKEN at entry 3: the head you kept is missing (log ends at entry 2; newest "
            "entries deleted)") in kept.output
    conn = sqlite3.connect(logged)
    with conn:
        conn.execute("DELETE FROM decisions WHERE seq = 1")
    conn.close()
    broken = CliRunner().invoke(cli, ["log", "verify", "--log", str(logged)])
    assert broken.exit_code == 1
    assert "BROKEN at entry 2: entry 1 before it deleted (sequence numbers jump)" in \
        broken.output
    bad = CliRunner().invoke(cli, ["log", "verify", "--log", str(logged), "--head", "x"])
    assert bad.exit_code == 2


def test_verify_missing_and_empty(tmp_path: Path) -> None:
    missing = _run("log", "verify", "--log", str(tmp_path / "none.sqlite"))
    assert (missing.exit_code, missing.output) == \
        (0, f"{tmp_path / 'none.sqlite'}: no decision log yet (nothing to verify)\n")
    empty = tmp_path / "empty.sqlite"
    conn = sqlite3.connect(empty)
    conn.executescript(SCHEMA)  # what the first append creates
    conn.close()
    result = _run("log", "verify", "--log", str(empty))
    assert (result.exit_code, result.output) == \
        (0, f"{empty}: the log is empty (nothing to verify)\n")
    assert _run("log", "head", "--log", str(empty)).exit_code == 1


def _unwritable(tmp_path: Path) -> Path:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    return blocker / "decisions.sqlite"


def test_unwritable_log_enforce_exits_4_audit_keeps_its_code(tmp_path: Path) -> None:
    bad = _unwritable(tmp_path)
    result = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--log", str(bad),
                                      str(CLEAN_EXPORT)])
    assert result.exit_code == 4
    assert "ALLOWED" in result.stdout  # the report is still printed
    assert f"guardrail: error: cannot write the decision log {bad}:" in result.stderr
    assert "the verdict above stands, but it is not on record" in result.stderr
    audit = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--mode", "audit",
                                     "--log", str(bad), str(LEAKY_EXPORT)])
    assert audit.exit_code == 0
    assert "guardrail: warning: cannot write the decision log" in audit.stderr


def test_publish_is_not_made_when_it_cannot_be_logged(tmp_path: Path) -> None:
    target = tmp_path / "site" / "asb.csv"
    target.parent.mkdir()
    result = CliRunner().invoke(cli, ["publish", "-p", "asb-public-web", "--log",
                                      str(_unwritable(tmp_path)), str(CLEAN_EXPORT),
                                      str(target)])
    assert result.exit_code == 4
    assert "nothing published" in result.stderr
    assert not target.exists()
    good = tmp_path / "decisions.sqlite"
    assert _run("publish", "-p", "asb-public-web", "--log", str(good), str(CLEAN_EXPORT),
                str(target)).exit_code == 0
    [entry] = DecisionLog(good).entries()
    assert entry.content["payloads"][0]["name"] == str(target)
    assert entry.content["payloads"][0]["sha256"] == \
        hashlib.sha256(target.read_bytes()).hexdigest()


def test_redact_is_logged(tmp_path: Path) -> None:
    log = tmp_path / "decisions.sqlite"
    out = tmp_path / "redacted.csv"
    result = _run("redact", "-p", "asb-public-web", "--log", str(log), "-o", str(out),
                  str(LEAKY_EXPORT))
    [entry] = DecisionLog(log).entries()
    assert entry.content["payloads"][0]["sha256"] == \
        hashlib.sha256(LEAKY_EXPORT.read_bytes()).hexdigest()
    # the shipped policy blocks rather than redacts some findings: nothing is written
    assert result.exit_code == 1 and not out.exists()
    assert (entry.content["verdict"], entry.content["exit_code"]) == ("block", 1)


def test_a_file_that_is_not_a_log(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database, only text " * 10)
    result = CliRunner().invoke(cli, ["log", "verify", "--log", str(junk)])
    assert (result.exit_code, result.stderr) == (1, (
        f"{junk}: BROKEN: the file is not a SQLite database: damaged, truncated or "
        "replaced; keep it for inspection and restore a backup\n"))
    result = CliRunner().invoke(cli, ["log", "list", "--log", str(junk)])
    assert result.exit_code == 4
    assert result.stderr == (f"guardrail: error: cannot read the decision log {junk}: file "
                             "is not a database; it is not a decision log, or is damaged: "
                             "keep it for inspection and point --log (or GUARDRAIL_LOG) at "
                             "another file\n")


def test_publish_in_audit_is_logged_with_enforces_verdict(tmp_path: Path) -> None:
    log = tmp_path / "decisions.sqlite"
    target = tmp_path / "asb.csv"
    result = _run("publish", "-p", "asb-public-web", "--mode", "audit", "--log", str(log),
                  str(LEAKY_EXPORT), str(target))
    assert result.exit_code == 0 and target.read_bytes() == LEAKY_EXPORT.read_bytes()
    [entry] = DecisionLog(log).entries()
    assert (entry.content["mode"], entry.verdict, entry.content["exit_code"]) == \
        ("audit", "block", 0)
    assert entry.content["counts"]["blocking"] == 305
    assert entry.content["payloads"][0]["sha256"] == \
        hashlib.sha256(target.read_bytes()).hexdigest()


def test_a_canary_hit_is_logged_and_found_by_list_canary(path: Path, tmp_path: Path) -> None:
    policy = str(Path(__file__).parent / "data" / "canaries" / "policy.yaml")
    rows = _run("canary", "-p", policy, "--no-header", "--columns",
                CLEAN_EXPORT.read_text(encoding="utf-8").splitlines()[0])
    assert rows.exit_code == 0
    planted = tmp_path / "planted.csv"
    planted.write_text(CLEAN_EXPORT.read_text(encoding="utf-8") + rows.output,
                       encoding="utf-8")
    assert _run("check", "-p", policy, "--log", str(path), str(CLEAN_EXPORT)).exit_code == 0
    assert _run("check", "-p", policy, "--log", str(path), str(planted)).exit_code == 1
    entries = list(DecisionLog(path).entries())
    assert [e.content["canary_hits"] for e in entries][0] == {}
    hits = entries[1].content["canary_hits"]
    assert set(hits) and all(n > 0 for n in hits.values())
    listed = _run("log", "list", "--canary", "--log", str(path)).output.splitlines()
    assert len(listed) == 1 and listed[0].startswith("    2  ")
    assert listed[0].endswith("  CANARY " + ", ".join(sorted(hits)))
    assert _run("log", "verify", "--log", str(path)).exit_code == 0
