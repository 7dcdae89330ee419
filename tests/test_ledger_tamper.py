"""What ``guardrail log verify`` finds beyond an edited entry: a file that is not what
guardrail writes (duplicate keys, a damaged page, a forged index, a trigger), odd
content, a log emptied or truncated, and a forged first entry (issue 14, real SQLite)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CLEAN_EXPORT, LEAKY_EXPORT

from guardrail.cli import cli
from guardrail.ledger import GENESIS, DecisionLog, canonical, chain_hash


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    """Three decisions: block, allow, block (audit)."""
    path = tmp_path / "decisions.sqlite"
    for mode, payload in (("enforce", LEAKY_EXPORT), ("enforce", CLEAN_EXPORT),
                          ("audit", LEAKY_EXPORT)):
        assert _run("check", "-p", "asb-public-web", "--mode", mode, "--log", str(path),
                    str(payload)).exit_code in (0, 1)
    return path


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    conn.close()


def _verify(path: Path) -> tuple[int, str]:
    result = _run("log", "verify", "--log", str(path))
    return result.exit_code, result.stderr or result.stdout


def test_a_duplicate_key_is_broken_and_fools_no_filter(logged: Path) -> None:
    # SQLite's json_extract reads the first of two keys, Python the last
    _sql(logged, """UPDATE decisions SET content = '{"canary_hits":{"c1":3},' ||
                    substr(content, 2) WHERE seq = 2""")
    assert _run("log", "list", "--canary", "--log", str(logged)).output == ""
    assert _verify(logged) == (1, f"{logged}: BROKEN at entry 2: its content does not "
                               "match its hash (edited)\nthe 1 entries before it verify\n")


def test_stored_text_must_be_the_canonical_bytes(logged: Path) -> None:
    conn = sqlite3.connect(logged)
    text, = conn.execute("SELECT content FROM decisions WHERE seq = 1").fetchone()
    conn.close()
    spaced = json.dumps(json.loads(text), sort_keys=True)  # same JSON, other bytes
    digest = chain_hash(spaced.encode("utf-8"), GENESIS)  # re-hashed by the forger
    conn = sqlite3.connect(logged)
    with conn:
        conn.execute("UPDATE decisions SET content = ?, hash = ? WHERE seq = 1",
                     (spaced, digest))
    conn.close()
    assert _verify(logged) == (1, (
        f"{logged}: BROKEN at entry 1: its stored text is not the canonical JSON of its "
        "content (edited: a duplicate key, reordered keys or spacing)\n"
        "the 0 entries before it verify\n"))


def test_a_damaged_index_page_is_corrupt(logged: Path) -> None:
    _sql(logged)
    conn = sqlite3.connect(logged)
    root, = conn.execute("SELECT rootpage FROM sqlite_master "
                         "WHERE name = 'decisions_time'").fetchone()
    size, = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with logged.open("r+b") as handle:  # the index's cells sit at the end of its page
        handle.seek(root * size - 64)
        handle.write(b"\xff" * 64)
    code, said = _verify(logged)
    assert code == 1
    assert said.startswith(f"{logged}: BROKEN: the file is corrupt (SQLite")
    assert said.endswith("; keep it for inspection and restore a backup\n")


def test_a_forged_index_hiding_blocks_is_corrupt(logged: Path) -> None:
    # the index rebuilt from the allowed rows only: --since/--until would skip blocks
    _sql(logged, "CREATE TABLE allowed AS SELECT * FROM decisions WHERE verdict='allow'",
         "CREATE INDEX allowed_time ON allowed (time)")
    conn = sqlite3.connect(logged, isolation_level=None)
    real, fake = (conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                               (name,)).fetchone()[0]
                  for name in ("decisions_time", "allowed_time"))
    conn.execute("PRAGMA writable_schema = ON")  # the two indexes swap their pages:
    conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'decisions_time'",
                 (fake,))  # every page still used once, so quick_check sees nothing
    conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'allowed_time'",
                 (real,))
    conn.execute("PRAGMA writable_schema = OFF")
    conn.close()
    code, said = _verify(logged)
    assert code == 1 and said.startswith(f"{logged}: BROKEN: the file is corrupt "
                                         "(SQLite's integrity check: ")
    assert "missing from index decisions_time" in said


@pytest.mark.parametrize(("statement", "problem"), [
    ("CREATE TRIGGER hide AFTER INSERT ON decisions WHEN new.verdict = 'block' "
     "BEGIN DELETE FROM decisions WHERE seq = new.seq; END",
     "it holds a trigger 'hide' that guardrail does not create (it can change what is "
     "written or read)"),
    ("CREATE VIEW allowed AS SELECT * FROM decisions WHERE verdict = 'allow'",
     "it holds a view 'allowed' that guardrail does not create (it can change what is "
     "written or read)"),
    ("CREATE TABLE notes (x)",
     "it holds a table 'notes' that guardrail does not create (it can change what is "
     "written or read)"),
])
def test_a_foreign_schema_object_is_named(logged: Path, statement: str,
                                          problem: str) -> None:
    _sql(logged, statement)
    assert _verify(logged) == (1, f"{logged}: BROKEN: the file is not as guardrail "
                               f"writes it: {problem}\n")


def test_an_altered_index_is_named(logged: Path) -> None:
    _sql(logged, "DROP INDEX decisions_time",
         "CREATE INDEX decisions_time ON decisions (time) WHERE verdict = 'allow'")
    assert _verify(logged) == (1, f"{logged}: BROKEN: the file is not as guardrail "
                               "writes it: the index 'decisions_time' is not as guardrail "
                               "creates it (altered)\n")


def test_append_refuses_a_log_with_a_trigger(logged: Path) -> None:
    _sql(logged, "CREATE TRIGGER hide AFTER INSERT ON decisions WHEN new.verdict = "
         "'block' BEGIN DELETE FROM decisions WHERE seq = new.seq; END")
    enforce = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--log",
                                       str(logged), str(LEAKY_EXPORT)])
    assert enforce.exit_code == 4
    assert (f"guardrail: error: refusing to write to the decision log {logged}: it holds "
            "a trigger 'hide' that guardrail does not create") in enforce.stderr
    audit = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--mode", "audit",
                                     "--log", str(logged), str(LEAKY_EXPORT)])
    assert audit.exit_code == 0
    assert "guardrail: warning: refusing to write to the decision log" in audit.stderr
    assert len(list(DecisionLog(logged).entries())) == 3  # nothing went in


@pytest.mark.parametrize("content", ["[1,2]", '"x"', "7"])
def test_content_that_is_not_an_object_is_broken(logged: Path, content: str) -> None:
    _sql(logged, f"UPDATE decisions SET content = '{content}' WHERE seq = 2")
    assert _verify(logged) == (1, f"{logged}: BROKEN at entry 2: its content is not a "
                               "JSON object, as every entry is (edited)\n"
                               "the 1 entries before it verify\n")
    listed = _run("log", "list", "--log", str(logged))
    assert (listed.exit_code, listed.stderr) == (4, (
        f"guardrail: error: cannot read the decision log {logged}: entry 2 is not the "
        "JSON object guardrail wrote (edited); run 'guardrail log verify' and keep the "
        "file for inspection\n"))


def test_a_truncated_file_is_broken(logged: Path) -> None:
    _sql(logged)
    os.truncate(logged, logged.stat().st_size // 2)
    code, said = _verify(logged)
    assert code == 1 and said.startswith(f"{logged}: BROKEN: the file is corrupt (SQLite")


def test_a_file_truncated_to_nothing_is_broken(logged: Path) -> None:
    _sql(logged)
    os.truncate(logged, 0)
    assert _verify(logged) == (1, f"{logged}: BROKEN: the file is empty (0 bytes), but a "
                               "log always holds its tables: truncated, or not a decision "
                               "log\n")


def test_a_dropped_table_is_broken(logged: Path) -> None:
    _sql(logged, "DROP TABLE decisions")
    assert _verify(logged) == (1, f"{logged}: BROKEN: the file is not as guardrail writes "
                               "it: its table 'decisions' is missing (dropped)\n")


def test_an_emptied_log_says_how_many_went(logged: Path) -> None:
    _sql(logged, "DELETE FROM decisions")
    assert _verify(logged) == (1, f"{logged}: BROKEN: 3 entries were deleted from the end "
                               "(the log wrote up to entry 3; it ends at nothing)\n")
    # the next decision does not reuse the numbers: the gap stays visible
    assert _run("check", "-p", "asb-public-web", "--log", str(logged),
                str(CLEAN_EXPORT)).exit_code == 0
    assert [e.seq for e in DecisionLog(logged).entries()] == [4]
    assert _verify(logged)[1].startswith(
        f"{logged}: BROKEN at entry 4: entries 1 to 3 before it deleted")


def test_a_forged_entry_before_the_first_is_named(logged: Path) -> None:
    content = {"seq": 0, "time": "2026-01-01T00:00:00.000000+00:00", "verdict": "allow",
               "policy": {"name": "p"}, "destination": "d"}
    _sql(logged)
    conn = sqlite3.connect(logged)
    with conn:
        conn.execute("INSERT INTO decisions VALUES (0, ?, 'p', 'd', 'allow', ?, ?, ?)",
                     (content["time"], canonical(content).decode(), GENESIS,
                      chain_hash(content, GENESIS)))
    conn.close()
    assert _verify(logged) == (1, (
        f"{logged}: BROKEN at entry 0: guardrail never writes this sequence number "
        "(they start at 1): an entry inserted before the first\n"
        "the 0 entries before it verify\n"))


@pytest.mark.parametrize("kind", ["folder", "dangling", "device"])
def test_a_log_path_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    if kind == "folder":
        where, what = tmp_path, "it is a folder, not a decision log file"
    elif kind == "dangling":
        where = tmp_path / "link.sqlite"
        where.symlink_to(tmp_path / "gone.sqlite")
        what = f"it is a symbolic link to {tmp_path / 'gone.sqlite'}, which does not exist"
    else:
        where = Path("/dev/null")
        what = "it is not a regular file (a device or pipe), so not a decision log"
    for command in (["verify"], ["list"], ["show", "1"], ["export"], ["head"]):
        result = _run("log", *command, "--log", str(where))
        assert result.exit_code == 2, command
        assert f"Error: {where}: {what}; give the log file's path with --log (or " \
            "GUARDRAIL_LOG)" in result.stderr
    check = _run("check", "-p", "asb-public-web", "--log", str(where), str(CLEAN_EXPORT))
    assert check.exit_code == 4
    assert f"guardrail: error: cannot write the decision log {where}: {what}; point " \
        "--log (or GUARDRAIL_LOG) at a file" in check.stderr
    assert not (tmp_path / "gone.sqlite").exists()
