"""The tables the log is made of, and how to tell a file that has anything else.

A trigger, a view or an altered index in the log file can change what is written or
what a query returns without touching a hashed entry, so both the writer and
``verify`` accept exactly the objects below and nothing more.
"""

from __future__ import annotations

import re
import sqlite3

__all__ = ["SCHEMA", "schema_problems", "high_water"]

_DECISIONS = """CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    policy TEXT NOT NULL,
    destination TEXT NOT NULL,
    verdict TEXT NOT NULL,
    content TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)"""
_TIME_INDEX = "CREATE INDEX decisions_time ON decisions (time)"
# The highest sequence number ever written: entries deleted from the end of the chain
# leave a chain that is whole, but fewer entries than this.
_HIGH_WATER = """CREATE TABLE decisions_written (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
)"""

_EXPECTED = {
    ("table", "decisions"): _DECISIONS,
    ("index", "decisions_time"): _TIME_INDEX,
    ("table", "decisions_written"): _HIGH_WATER,
}
# SQLite's own statistics tables (ANALYZE, PRAGMA optimize) change no result.
_HARMLESS = frozenset({"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"})

SCHEMA = ";\n".join(sql.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1)
                    .replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                    for sql in _EXPECTED.values()) + ";\n"


def _same(a: str | None, b: str) -> bool:
    return a is not None and re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b)


def schema_problems(conn: sqlite3.Connection) -> list[str]:
    """What is wrong with the file's schema, first problem first; empty when it is
    exactly the log's. Raises sqlite3.Error when the schema cannot be read."""
    found = {(kind, name): sql for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master ORDER BY rowid")}
    problems: list[str] = []
    for (kind, name), sql in found.items():
        if (kind, name) in _EXPECTED:
            if not _same(sql, _EXPECTED[(kind, name)]):
                problems.append(f"the {kind} '{name}' is not as guardrail creates it "
                                "(altered)")
        elif not (kind == "table" and name in _HARMLESS):
            problems.append(f"it holds a {kind} '{name}' that guardrail does not create "
                            "(it can change what is written or read)")
    for kind, name in _EXPECTED:
        if (kind, name) not in found:
            problems.append(f"its {kind} '{name}' is missing (dropped)")
    return problems


def high_water(conn: sqlite3.Connection) -> int:
    """The highest sequence number the log has written (0 when none)."""
    row = conn.execute("SELECT seq FROM decisions_written WHERE id = 1").fetchone()
    return int(row[0]) if row else 0
