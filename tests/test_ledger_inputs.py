"""The decision log against hostile or odd inputs (issue 14): spreadsheet formulas in
CSV cells, an export aimed at the log, read-only logs, listeners that change what they
are given, out-of-range options, a shared .guardrail/ folder, and names that are not
valid Unicode (real SQLite files)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CLEAN_EXPORT, LEAKY_EXPORT

from guardrail import Guardrail
from guardrail.cli import cli
from guardrail.errors import UsageError
from guardrail.host.hookspecs import hookimpl
from guardrail.host.registry import load_registry, make_plugin_manager
from guardrail.ledger import DecisionLog, LogError, is_log_file, verify_log
from guardrail.ledger.location import default_log_path

NOBODY = 65534


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    path = tmp_path / "decisions.sqlite"
    for payload in (LEAKY_EXPORT, CLEAN_EXPORT):
        _run("check", "-p", "asb-public-web", "--log", str(path), str(payload))
    return path


# -- 3. CSV export: a cell a spreadsheet would run ------------------------------------

@pytest.mark.parametrize("name", ["=1+2.csv", "@SUM(A1).csv", "+1.csv", "-1.csv"])
def test_csv_cells_that_start_like_a_formula_are_neutralised(
        tmp_path: Path, monkeypatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(CLEAN_EXPORT, tmp_path / name)
    assert _run("check", "-p", "asb-public-web", "--log", "log.sqlite", "--",
                name).exit_code == 0
    table = _run("log", "export", "--format", "csv", "--log", "log.sqlite").output
    [row] = csv.DictReader(io.StringIO(table))
    assert row["payloads"] == "'" + name
    assert (row["verdict"], row["policy"]) == ("allow", "asb-public-web")


def test_tab_and_carriage_return_cells_are_neutralised() -> None:
    from guardrail.ledger.query import _cell
    assert [_cell(v) for v in ("\tx", "\rx", "x=1", 5, None)] == \
        ["'\tx", "'\rx", "x=1", 5, None]


# -- 4. an export must never overwrite the log ----------------------------------------

def test_export_refuses_to_write_the_log_itself(logged: Path, tmp_path: Path) -> None:
    before = [e.hash for e in DecisionLog(logged).entries()]
    link = tmp_path / "link.jsonl"
    link.symlink_to(logged)
    hard = tmp_path / "hard.jsonl"
    os.link(logged, hard)
    for target in (logged, link, hard, Path(f"{logged}-wal"), Path(f"{logged}-shm")):
        result = _run("log", "export", "--log", str(logged), "-o", str(target))
        assert result.exit_code == 2, target
        assert (f"Invalid value for --output: {target} is the decision log itself (or "
                "its -wal/-shm file): writing it would destroy the log; choose another "
                "file") in result.stderr
    # (bytes are not compared: a writer connection closing may fold its -wal in)
    assert [e.hash for e in DecisionLog(logged).entries()] == before
    assert verify_log(DecisionLog(logged)).entries == 2


def test_is_log_file(logged: Path, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    assert is_log_file(tmp_path / "sub" / ".." / "decisions.sqlite", logged)
    assert is_log_file(f"{logged}-wal", logged)
    assert not is_log_file(tmp_path / "out.jsonl", logged)
    assert not is_log_file(f"{logged}-journal", logged)


# -- 5. reading never writes ----------------------------------------------------------

def test_verify_leaves_a_backup_with_its_wal_as_it_was(tmp_path: Path) -> None:
    live = DecisionLog(tmp_path / "live" / "decisions.sqlite")
    guard = Guardrail.from_policy("asb-public-web")
    guard.check(CLEAN_EXPORT, log=live)
    guard.check(LEAKY_EXPORT, log=live)  # the writer is open: entries sit in the -wal
    backup = tmp_path / "backup"
    backup.mkdir()
    for part in ("decisions.sqlite", "decisions.sqlite-wal"):
        shutil.copy(live.path.parent / part, backup / part)
    live.close()
    before = {p.name: p.read_bytes() for p in backup.iterdir()}
    assert before["decisions.sqlite-wal"]
    result = _run("log", "verify", "--log", str(backup / "decisions.sqlite"))
    assert result.exit_code == 0 and "2 entries, chain intact" in result.output
    assert _run("log", "list", "--log", str(backup / "decisions.sqlite")).output.count(
        "\n") == 2
    after = {p.name: p.read_bytes() for p in backup.iterdir() if p.suffix != ".sqlite-shm"}
    assert after == before  # not checkpointed: the -wal is still there, unchanged


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder read-only even for root (which ignores permission bits):
    the immutable attribute for root, else the permission bits."""
    made: list[Path] = []

    def make(path: Path) -> None:
        if os.getuid() != 0:
            path.chmod(0o555 if path.is_dir() else 0o444)
            made.append(path)
            return
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode:
            pytest.skip(f"chattr +i is not available here: {done.stderr!r}")
        made.append(path)

    yield make
    for path in reversed(made):
        if os.getuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize("folder_writable", [False, True])
def test_read_commands_work_on_a_read_only_log(
        tmp_path: Path, read_only: Callable[[Path], None], folder_writable: bool) -> None:
    log = DecisionLog(tmp_path / "logs" / "decisions.sqlite")
    guard = Guardrail.from_policy("asb-public-web")
    guard.check(CLEAN_EXPORT, log=log)
    guard.check(LEAKY_EXPORT, log=log)
    log.close()  # the last connection: the -wal is folded in and removed
    read_only(log.path)
    if not folder_writable:
        read_only(log.path.parent)
    before = log.path.read_bytes()
    verified = _run("log", "verify", "--log", str(log.path))
    assert (verified.exit_code, verified.stderr) == (0, "")
    assert verified.stdout.startswith(f"{log.path}: 2 entries, chain intact; head 2:")
    listed = _run("log", "list", "--log", str(log.path))
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 2
    shown = _run("log", "show", "2", "--log", str(log.path))
    assert shown.exit_code == 0 and '"verdict": "block"' in shown.stdout
    exported = _run("log", "export", "--log", str(log.path))
    assert exported.exit_code == 0 and len(exported.stdout.splitlines()) == 2
    assert log.path.read_bytes() == before
    # and a decision cannot be written there: enforce says so
    check = _run("check", "-p", "asb-public-web", "--log", str(log.path), str(CLEAN_EXPORT))
    assert check.exit_code == 4


def test_a_read_only_folder_with_a_wal_is_refused_not_half_read(
        tmp_path: Path, read_only: Callable[[Path], None]) -> None:
    live = DecisionLog(tmp_path / "live" / "decisions.sqlite")
    Guardrail.from_policy("asb-public-web").check(CLEAN_EXPORT, log=live)
    folder = tmp_path / "copy"
    folder.mkdir()
    for part in ("decisions.sqlite", "decisions.sqlite-wal"):
        shutil.copy(live.path.parent / part, folder / part)
    live.close()
    read_only(folder)
    result = _run("log", "verify", "--log", str(folder / "decisions.sqlite"))
    assert result.exit_code == 4
    assert result.stderr.startswith(
        f"guardrail: error: cannot read the decision log {folder / 'decisions.sqlite'}: "
        "its folder is read-only (")
    assert result.stderr.endswith(
        ") and it has a -wal file (decisions.sqlite-wal) that SQLite can read only with a "
        "-shm file beside it; copy the log with its -wal to a folder you can write and "
        "read it there\n")


# -- 6. listeners each get their own copy ---------------------------------------------

class _Vandal:
    @hookimpl
    def guardrail_decision_logged(self, entry):  # noqa: ANN001, ANN201 - a plugin's hook
        entry.content["verdict"] = "allow"
        entry.content["findings"].clear()


class _Witness:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    @hookimpl
    def guardrail_decision_logged(self, entry):  # noqa: ANN001, ANN201
        self.seen.append((entry.content["verdict"], len(entry.content["findings"])))


def test_a_listener_cannot_change_what_the_next_one_sees(tmp_path: Path) -> None:
    witness = _Witness()
    # pluggy calls the last registered first: the vandal runs before the witness
    pm = make_plugin_manager(plugins=[("witness", witness), ("vandal", _Vandal())])
    guard = Guardrail.from_policy("asb-public-web", load_registry(pm))
    log = DecisionLog(tmp_path / "decisions.sqlite")
    decision = guard.check(LEAKY_EXPORT, log=log)
    assert witness.seen == [("block", len(decision.findings))]
    assert len(decision.findings) > 0
    [entry] = log.entries()
    assert entry.verdict == "block" and verify_log(log).ok


# -- 7. odd option values are usage errors --------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["list", "--until", "9999-12-31"], "'9999-12-31' is outside the dates guardrail can "
     "compare; give a date between 0001-01-02 and 9999-12-30"),
    (["list", "--since", "0001-01-01T00:00+01:00"], "'0001-01-01T00:00+01:00' is outside "
     "the dates guardrail can compare"),
    (["export", "--since", "0001-01-01T00:00+01:00"], "is outside the dates"),
    (["show", "99999999999999999999"], "Invalid value for 'ID': 99999999999999999999 is "
     "not in the range"),
    (["list", "--limit", "99999999999999999999"], "Invalid value for '--limit': "
     "99999999999999999999 is not in the range 1<=x<=9223372036854775807"),
    (["verify", "--head", "11:" + "z" * 64], "is not ID:HASH as 'guardrail log head' "
     "prints it (a number, a colon and 64 hexadecimal digits)"),
    (["verify", "--log", ""], "Invalid value for '--log': give a path (or 'off' to "
     "record nothing)"),
])
def test_odd_inputs_are_usage_errors(logged: Path, args: list[str], message: str) -> None:
    full = [args[0], *(["--log", str(logged)] if "--log" not in args else []), *args[1:]]
    result = _run("log", *full)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_an_empty_log_option_never_means_the_default(tmp_path: Path) -> None:
    env_log = tmp_path / "env.sqlite"
    result = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--log", "",
                                      str(CLEAN_EXPORT)], env={"GUARDRAIL_LOG": str(env_log)})
    assert result.exit_code == 2
    assert "Invalid value for '--log': give a path (or 'off' to record nothing)" in \
        result.stderr
    assert not env_log.exists()
    with pytest.raises(UsageError, match="the decision log path is empty"):
        Guardrail.from_policy("asb-public-web").check(CLEAN_EXPORT, log="")


# -- 8. a .guardrail/ folder someone else controls is not trusted ---------------------

def test_an_untrusted_project_folder_is_ignored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    own = tmp_path / "state" / "guardrail" / "decisions.sqlite"
    project = tmp_path / "shared" / "project"
    project.mkdir(parents=True)
    dot = tmp_path / "shared" / ".guardrail"
    dot.mkdir()
    assert default_log_path(project) == dot / "decisions.sqlite"
    dot.chmod(0o777)  # anyone may write it (as a folder in /tmp)
    assert default_log_path(project) == own
    dot.chmod(0o755)
    if os.getuid() == 0:  # only root can give a folder away
        os.chown(dot, NOBODY, -1)
        assert default_log_path(project) == own
        os.chown(dot, 0, -1)
    assert default_log_path(project) == dot / "decisions.sqlite"


# -- 9. names that are not valid Unicode ----------------------------------------------

def test_a_field_name_with_a_lone_surrogate_is_logged(tmp_path: Path, capsys) -> None:
    guard = Guardrail.from_policy("asb-public-web")
    log = DecisionLog(tmp_path / "decisions.sqlite")
    records = [{"a\ud800_name": "x", "complainant_name": "Daniel Hughes"}]
    decision = guard.check(records, log=log)
    guard.check(records, mode="audit", log=log)
    assert capsys.readouterr().err == ""
    first, second = log.entries()
    assert first.content["findings"] == [f.to_dict() for f in decision.findings]
    assert second.content["mode"] == "audit"
    assert verify_log(log).entries == 2 and verify_log(log).ok
    stored = sqlite3.connect(log.path).execute(
        "SELECT content FROM decisions WHERE seq = 1").fetchone()[0]
    # a name that cannot be printed is shown (and logged) by its number
    assert "\\ud800" not in stored
    assert [f["field"] for f in json.loads(stored)["findings"]][0] == '"#1"'
    # and text that holds one anyway is stored as JSON's escape, reading back the same
    from guardrail.ledger.chain import canonical
    written = canonical({"name": "a\ud800_name"})
    assert "\\ud800" in written.decode("utf-8") if isinstance(written, bytes) \
        else "\\ud800" in written
    assert json.loads(written)["name"] == "a\ud800_name"


def test_content_sqlite_cannot_hold_is_a_log_error(tmp_path: Path) -> None:
    from guardrail.ledger.chain import canonical
    assert canonical({"k\udcff": 1}) == b'{"k\\udcff":1}'
    log = DecisionLog(tmp_path / "decisions.sqlite")
    decision = Guardrail.from_policy("asb-public-web").check(CLEAN_EXPORT)
    object.__setattr__(decision, "destination", 2**70)  # more than SQLite's integers
    with pytest.raises(LogError) as caught:
        log.append(decision)
    assert caught.value.decision is decision
    assert "cannot write the decision log" in caught.value.message


def test_a_project_folder_linked_by_another_user_is_ignored(tmp_path: Path) -> None:
    # A re-test planted `.guardrail -> a folder of this user's` owned by someone else in
    # a shared parent: the log went where the link led.
    if os.getuid() != 0:
        pytest.skip("only root can give a link away")
    project = tmp_path / "shared" / "project"
    project.mkdir(parents=True)
    mine = tmp_path / "mine"
    mine.mkdir()
    link = tmp_path / "shared" / ".guardrail"
    link.symlink_to(mine)
    assert default_log_path(project) == link / "decisions.sqlite"
    os.lchown(link, NOBODY, -1)
    assert default_log_path(project) != link / "decisions.sqlite"
