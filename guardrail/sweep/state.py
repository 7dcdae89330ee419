"""What the last sweep of each target found, so the next reports only what is new.

One SQLite file (WAL mode); a sweep's snapshot replaces the last in one transaction,
so a sweep stopped half-way (a signal, a crash) leaves the previous snapshot whole.
Only masked data is kept: fingerprints of a finding's page, field pattern, rule and
masked evidence; exact counts per kind of finding (page, rule, field pattern, level,
action, waiver); and which pages were unreadable. Pages and targets are kept only as
HMAC-SHA256 digests under a random key the file holds (see identity.py): no URL or
path in clear. No value from a page, nor a hash of one, is kept.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from guardrail.decision import Decision
from guardrail.errors import EXIT_INTERNAL, GuardrailError
from guardrail.ledger import default_log_path
from guardrail.sweep.identity import KEY_BYTES, Keyed, PageIds, fingerprint, kind_key

__all__ = ["STATE_ENV", "Snapshot", "SweepState", "StateError", "default_state_path",
           "snapshot_of", "target_key"]

STATE_ENV = "GUARDRAIL_SWEEP_STATE"
_FILE_NAME = "sweeps.sqlite"
_BUSY_MS = 30_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    target TEXT PRIMARY KEY, swept_at TEXT NOT NULL, sweeps INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS fingerprints (
    target TEXT NOT NULL, fingerprint TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (target, fingerprint));
CREATE TABLE IF NOT EXISTS counts (
    target TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (target, kind));
CREATE TABLE IF NOT EXISTS unreadable (
    target TEXT NOT NULL, page TEXT NOT NULL, PRIMARY KEY (target, page));
CREATE TABLE IF NOT EXISTS secret (
    id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL);
"""


class StateError(GuardrailError):
    """The sweep state file could not be read or written."""

    exit_code = EXIT_INTERNAL


def default_state_path() -> Path:
    """``GUARDRAIL_SWEEP_STATE``, else ``sweeps.sqlite`` beside the decision log's
    default place (the project's ``.guardrail/`` or the user's state folder)."""
    chosen = os.environ.get(STATE_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else default_log_path().parent / _FILE_NAME


def target_key(keyed: Keyed, target: str, policy: str, destination: str) -> str:
    """The key one series of sweeps is kept under: the same target checked against
    the same policy for the same destination."""
    return keyed.digest("target", target, policy, destination)


@dataclass
class Snapshot:
    """What one sweep found: finding fingerprints (with how many listed findings share
    each: two values can mask alike), counts per kind, unreadable pages."""

    fingerprints: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    swept_at: str = ""
    sweeps: int = 0


def snapshot_of(decision: Decision, pages: PageIds) -> Snapshot:
    """The snapshot a sweep's whole decision leaves for the next."""
    counts: dict[str, int] = {}
    for kind, n in decision.counts.items():
        key = kind_key(kind, pages)
        counts[key] = counts.get(key, 0) + n
    return Snapshot(dict(Counter(fingerprint(f, pages) for f in decision.findings)), counts,
                    {pages.of(f.file) for f in decision.errors}, decision.checked_at)


class SweepState:
    """The state file; opened for each read or save (a sweep every few minutes)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=_BUSY_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(_SCHEMA)
        return conn

    def _cannot(self, doing: str, exc: BaseException) -> StateError:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return StateError(f"cannot {doing} the sweep state {self.path}: {why}; point "
                          f"--state (or {STATE_ENV}) at a file you can write")

    def keyed(self) -> Keyed:
        """The file's HMAC key (made at random on first use, kept in the file)."""
        try:
            conn = self._connect()
            try:
                conn.execute("INSERT OR IGNORE INTO secret VALUES (1, ?)",
                             (secrets.token_bytes(KEY_BYTES),))
                row = conn.execute("SELECT key FROM secret WHERE id = 1").fetchone()
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            raise self._cannot("read", exc) from None
        if row is None or not isinstance(row[0], bytes) or len(row[0]) != KEY_BYTES:
            raise self._damaged("secret.key is not a key of 32 bytes")
        return Keyed(row[0])

    def _damaged(self, what: str) -> StateError:
        return StateError(f"the sweep state {self.path} is damaged ({what}); delete it "
                          "(the next sweep then reports everything again) or point --state "
                          f"(or {STATE_ENV}) at another file")

    def last(self, target: str) -> Snapshot | None:
        """The last sweep's snapshot of *target* (a :func:`target_key`), or None.

        Raises StateError, naming the file, when it cannot be read or holds what no
        sweep wrote (a count that is not a whole number)."""
        try:
            conn = self._connect()
            try:
                row = conn.execute("SELECT swept_at, sweeps FROM sweeps WHERE target = ?",
                                   (target,)).fetchone()
                if row is None:
                    return None
                fingerprints = conn.execute("SELECT fingerprint, count FROM fingerprints "
                                            "WHERE target = ?", (target,)).fetchall()
                counts = conn.execute("SELECT kind, count FROM counts WHERE target = ?",
                                      (target,)).fetchall()
                unreadable = conn.execute("SELECT page FROM unreadable WHERE target = ?",
                                          (target,)).fetchall()
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            raise self._cannot("read", exc) from None
        return Snapshot(self._tally("fingerprints", fingerprints),
                        self._tally("counts", counts),
                        {self._text("unreadable.page", page) for (page,) in unreadable},
                        self._text("sweeps.swept_at", row[0]),
                        self._whole("sweeps.sweeps", row[1]))

    def _tally(self, table: str, rows: list[tuple[object, object]]) -> dict[str, int]:
        return {self._text(f"{table} key", key): self._whole(f"{table}.count", n)
                for key, n in rows}

    def _text(self, what: str, value: object) -> str:
        if not isinstance(value, str):
            raise self._damaged(f"{what} is not text")
        return value

    def _whole(self, what: str, value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self._damaged(f"{what} is not a whole number")
        return value

    def save(self, target: str, snapshot: Snapshot) -> None:
        """Replace *target*'s snapshot with *snapshot*, all or nothing."""
        try:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for table in ("fingerprints", "counts", "unreadable"):
                        conn.execute(f"DELETE FROM {table} WHERE target = ?", (target,))
                    conn.executemany("INSERT INTO fingerprints VALUES (?, ?, ?)",
                                     [(target, fp, n) for fp, n
                                      in sorted(snapshot.fingerprints.items())])
                    conn.executemany("INSERT INTO counts VALUES (?, ?, ?)",
                                     [(target, k, n) for k, n in snapshot.counts.items()])
                    conn.executemany("INSERT INTO unreadable VALUES (?, ?)",
                                     _rows(target, snapshot.unreadable))
                    conn.execute(
                        "INSERT INTO sweeps VALUES (?, ?, 1) ON CONFLICT (target) DO UPDATE "
                        "SET swept_at = excluded.swept_at, sweeps = sweeps + 1",
                        (target, snapshot.swept_at))
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            raise self._cannot("write", exc) from None


def _rows(target: str, values: Iterable[str]) -> list[tuple[str, str]]:
    return [(target, value) for value in sorted(values)]
