"""What the last sweep of each target found, so the next reports only what is new.

One SQLite file (WAL mode); a sweep's snapshot replaces the last in one transaction,
so a sweep stopped half-way (a signal, a crash) leaves the previous snapshot whole.
Only masked data is kept: fingerprints (SHA-256) of a finding's screened page label,
section, field pattern, rule and masked evidence; exact counts per kind of finding
(the kinds hold screened labels, rule ids and field patterns, as reports do); and the
screened labels of unreadable pages. No value from a page, nor a hash of one, is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from guardrail.decision import Decision, Finding, FindingKind
from guardrail.errors import EXIT_INTERNAL, GuardrailError
from guardrail.ledger import default_log_path

__all__ = ["STATE_ENV", "Snapshot", "SweepState", "StateError", "default_state_path",
           "fingerprint", "kind_key", "snapshot_of", "target_key"]

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
"""


class StateError(GuardrailError):
    """The sweep state file could not be read or written."""

    exit_code = EXIT_INTERNAL


def default_state_path() -> Path:
    """``GUARDRAIL_SWEEP_STATE``, else ``sweeps.sqlite`` beside the decision log's
    default place (the project's ``.guardrail/`` or the user's state folder)."""
    chosen = os.environ.get(STATE_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else default_log_path().parent / _FILE_NAME


def target_key(target: str, policy: str, destination: str) -> str:
    """The key one series of sweeps is kept under: the same target checked against
    the same policy for the same destination."""
    return hashlib.sha256(json.dumps([target, policy, destination]).encode()).hexdigest()


def fingerprint(finding: Finding) -> str:
    """A finding as seen from outside: where (screened page label, section, field
    pattern), which rule, and what (masked evidence); not which record, so a row that
    moves is not new."""
    parts = [finding.file, finding.section, finding.field_pattern, finding.rule,
             finding.evidence]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def kind_key(kind: FindingKind) -> str:
    return json.dumps([kind.file, kind.rule, kind.field, kind.level, kind.action,
                       kind.waived_by, kind.section], ensure_ascii=False)


@dataclass
class Snapshot:
    """What one sweep found: finding fingerprints (with how many listed findings share
    each: two values can mask alike), counts per kind, unreadable pages."""

    fingerprints: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    swept_at: str = ""
    sweeps: int = 0


def snapshot_of(decision: Decision) -> Snapshot:
    """The snapshot a sweep's whole decision leaves for the next."""
    counts: dict[str, int] = {}
    for kind, n in decision.counts.items():
        key = kind_key(kind)
        counts[key] = counts.get(key, 0) + n
    return Snapshot(dict(Counter(fingerprint(f) for f in decision.findings)), counts,
                    {f.file for f in decision.errors}, decision.checked_at)


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

    def last(self, target: str) -> Snapshot | None:
        """The last sweep's snapshot of *target* (a :func:`target_key`), or None."""
        try:
            conn = self._connect()
            try:
                row = conn.execute("SELECT swept_at, sweeps FROM sweeps WHERE target = ?",
                                   (target,)).fetchone()
                if row is None:
                    return None
                return Snapshot(
                    dict(conn.execute("SELECT fingerprint, count FROM fingerprints "
                                      "WHERE target = ?", (target,)).fetchall()),
                    dict(conn.execute("SELECT kind, count FROM counts WHERE target = ?",
                                      (target,)).fetchall()),
                    {r[0] for r in conn.execute(
                        "SELECT page FROM unreadable WHERE target = ?", (target,))},
                    row[0], row[1])
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            raise self._cannot("read", exc) from None

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
