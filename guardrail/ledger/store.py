"""The log itself: one SQLite file in WAL mode, one ``BEGIN IMMEDIATE`` transaction per
decision, so any number of processes can append at once and the chain stays linear
(each writer reads the last hash and appends while it holds the write lock).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guardrail.decision import Decision
from guardrail.errors import EXIT_INTERNAL, GuardrailError
from guardrail.ledger.chain import GENESIS, LogEntry, canonical, chain_hash, entry_content
from guardrail.ledger.schema import SCHEMA, high_water, schema_problems

__all__ = ["DecisionLog", "LogError", "BUSY_TIMEOUT_MS", "is_log_file", "not_a_log_file"]

# A writer waits this long for another to finish its append before giving up.
BUSY_TIMEOUT_MS = 30_000

_COLUMNS = "seq, content, prev_hash, hash, time, policy, destination, verdict"


class LogError(GuardrailError):
    """The decision log could not be written or read. A check that was asked to log
    and could not is not provable: the CLI exits 4 for it in enforce mode.

    :param decision: the decision that could not be recorded, when there was one.
    """

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, decision: Decision | None = None, *,
                 damaged: bool = False) -> None:
        super().__init__(message)
        self.decision = decision
        #: the file is there but is not a database (or a damaged one)
        self.damaged = damaged


class DecisionLog:
    """A hash-chained log of decisions in one SQLite file (created on first append).

    Safe to share between threads; each process opens its own connection.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._inode: tuple[int, int] | None = None

    def __repr__(self) -> str:
        return f"DecisionLog({str(self.path)!r})"

    # -- writing ---------------------------------------------------------------------

    def append(self, decision: Decision) -> LogEntry:
        """Record *decision* as the next entry; raises LogError when it cannot."""
        # Built before taking the write lock: other writers wait only for the insert.
        content = entry_content(decision, 0)
        with self._lock:
            try:
                conn = self._writer()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    problems = schema_problems(conn)
                    if problems:
                        raise LogError(self._tampered(problems[0]), decision)
                    row = conn.execute(
                        "SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1").fetchone()
                    # past the highest ever written: entries deleted from the end stay
                    # visible to verify as a gap, never silently reused
                    seq = max(row[0] if row else 0, high_water(conn)) + 1
                    prev = row[1] if row else GENESIS
                    content["seq"] = seq
                    body = canonical(content)
                    digest = chain_hash(body, prev)
                    conn.execute(
                        "INSERT INTO decisions (seq, time, policy, destination, verdict, "
                        "content, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (seq, content["time"], content["policy"]["name"] or "",
                         content["destination"], content["verdict"],
                         body.decode("utf-8"), prev, digest))
                    conn.execute(
                        "INSERT INTO decisions_written (id, seq) VALUES (1, ?) "
                        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq", (seq,))
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError, ValueError, TypeError, OverflowError) as exc:
                # ValueError/TypeError: content SQLite or UTF-8 cannot hold; the API
                # promises LogError (a warning in audit), never a raw exception
                raise LogError(self._cannot("write", exc), decision) from None
        return LogEntry(seq, content, prev, digest)

    def _writer(self) -> sqlite3.Connection:
        if self._conn is not None and (self._pid != os.getpid() or self._moved()):
            if self._pid == os.getpid():
                self._conn.close()
            self._conn = None  # a forked child, or the file was removed or replaced
        if self._conn is None:
            wrong = not_a_log_file(self.path)
            if wrong:
                raise LogError(f"cannot write the decision log {self.path}: {wrong}; "
                               "point --log (or GUARDRAIL_LOG) at a file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            # Every commit reaches the disk: a publish whose record a power cut lost
            # could not be proved.
            conn.execute("PRAGMA synchronous = FULL")
            conn.executescript(SCHEMA)
            self._conn, self._pid, self._inode = conn, os.getpid(), self._identity()
        return self._conn

    def _identity(self) -> tuple[int, int] | None:
        try:
            found = self.path.stat()
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def _moved(self) -> bool:
        """True when the file open is no longer the one at the path: entries written
        through the old connection would go to a file nobody can see."""
        return self._identity() != self._inode

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def _tampered(self, problem: str) -> str:
        return (f"refusing to write to the decision log {self.path}: {problem}; keep it "
                "for inspection ('guardrail log verify'), and point --log (or "
                "GUARDRAIL_LOG) at another file")

    def _cannot(self, doing: str, exc: BaseException) -> str:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if "not a database" in why or "malformed" in why:
            fix = ("it is not a decision log, or is damaged: keep it for inspection and "
                   "point --log (or GUARDRAIL_LOG) at another file")
        elif doing == "read":
            fix = "check the path and its permissions, or name another log with --log"
        else:
            fix = ("make its folder writable, point --log (or GUARDRAIL_LOG) at a file "
                   "you can write, or pass --no-log (GUARDRAIL_LOG=off) to check "
                   "without a record")
        return f"cannot {doing} the decision log {self.path}: {why}; {fix}"

    # -- reading ---------------------------------------------------------------------

    def exists(self) -> bool:
        """True when something is at the path (a file, or what :func:`not_a_log_file`
        names); False when there is no log yet."""
        return self.path.exists() or self.path.is_symlink()

    def reader(self) -> sqlite3.Connection:
        """A read-only connection: reading never writes, never checkpoints the -wal
        away, and works on a log someone may only read. When the folder is read-only
        too (SQLite cannot make its -shm file there), the file is opened as immutable,
        which reads the main file only."""
        wrong = not_a_log_file(self.path)
        if wrong:
            raise LogError(f"cannot read the decision log {self.path}: {wrong}")
        uri = self.path.absolute().as_uri()
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError as exc:
                conn.close()  # most often: no -shm beside it, and none can be made
                if "locked" in str(exc):  # a writer holds it: not a read-only folder
                    raise
                wal = Path(f"{self.path}-wal")
                if wal.exists() and wal.stat().st_size:
                    # immutable reads the main file only: entries in the -wal would
                    # be missed, and a log read in part is not read
                    raise LogError(
                        f"cannot read the decision log {self.path}: its folder is "
                        f"read-only ({exc}) and it has a -wal file ({wal.name}) that "
                        "SQLite can read only with a -shm file beside it; copy the log "
                        "with its -wal to a folder you can write and read it there"
                    ) from None
                conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:
            damaged = not isinstance(exc, sqlite3.OperationalError)
            raise LogError(self._cannot("read", exc), damaged=damaged) from None
        return conn

    def rows(self, where: str = "", params: tuple[Any, ...] = (), order: str = "ASC",
             limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Raw rows (``seq, content, prev_hash, hash, time, policy, destination,
        verdict``) in sequence order; nothing for a log that does not exist yet."""
        if not self.exists():
            return
        conn = self.reader()
        try:
            if conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                            "AND name='decisions'").fetchone() is None:
                return
            sql = f"SELECT {_COLUMNS} FROM decisions {where} ORDER BY seq {order}"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            yield from conn.execute(sql, params)
        except (sqlite3.Error, OverflowError) as exc:
            raise LogError(self._cannot("read", exc)) from None
        finally:
            conn.close()

    def entries(self, where: str = "", params: tuple[Any, ...] = (),
                order: str = "ASC", limit: int | None = None) -> Iterator[LogEntry]:
        for seq, content, prev, digest, *_ in self.rows(where, params, order, limit):
            try:
                parsed = json.loads(content)
            except (ValueError, TypeError):
                parsed = None
            if not isinstance(parsed, dict):
                raise LogError(f"cannot read the decision log {self.path}: entry {seq} is "
                               "not the JSON object guardrail wrote (edited); run "
                               "'guardrail log verify' and keep the file for inspection",
                               damaged=True)
            yield LogEntry(seq, parsed, prev, digest)

    def get(self, seq: int) -> LogEntry | None:
        return next(self.entries("WHERE seq = ?", (seq,)), None)

    def head(self) -> LogEntry | None:
        """The newest entry (None for an empty log)."""
        return next(self.entries(order="DESC", limit=1), None)


def not_a_log_file(path: Path) -> str | None:
    """Why *path* cannot be a decision log (a folder, a device, a dangling symbolic
    link), or None when it is a regular file or nothing is there yet."""
    if path.is_symlink() and not path.exists():
        return f"it is a symbolic link to {os.readlink(path)}, which does not exist"
    if not path.exists():
        return None
    if path.is_dir():
        return "it is a folder, not a decision log file"
    if not path.is_file():
        return "it is not a regular file (a device or pipe), so not a decision log"
    return None


def is_log_file(path: str | os.PathLike[str], log_path: str | os.PathLike[str]) -> bool:
    """True when writing *path* would write the log at *log_path* (the file itself or
    its ``-wal`` / ``-shm``), through symbolic or hard links too: an output must never
    be the log it comes from."""
    target = os.path.realpath(path)
    parts = [base + suffix for base in (os.fspath(log_path), os.path.realpath(log_path))
             for suffix in ("", "-wal", "-shm")]
    for part in parts:
        if target == os.path.realpath(part):
            return True
        try:
            if os.path.samefile(path, part):
                return True
        except OSError:
            pass
    return False
