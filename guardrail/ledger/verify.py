"""Walk the chain and name the first entry that is not as it was written.

What a chain proves: every entry from the first to the newest present is as written
and in its place; the file is a sound SQLite database holding only the log's own
tables; and no entry was removed after the newest one the log remembers writing.
What it cannot: a whole chain (and that memory) rewritten by someone who can write the
file; compare with a head kept elsewhere (``--head``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from guardrail.ledger.chain import GENESIS, canonical, chain_hash
from guardrail.ledger.schema import high_water, schema_problems
from guardrail.ledger.store import _COLUMNS, DecisionLog, LogError

__all__ = ["Verification", "verify_log", "parse_head"]

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify_log`: ``problem`` is None when the log is whole.
    ``bad_seq`` names the entry at fault; None when the file itself is."""

    entries: int
    problem: str | None = None
    bad_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def parse_head(text: str) -> tuple[int, str]:
    """``ID:HASH`` as ``guardrail log head`` prints it."""
    seq, _, digest = text.partition(":")
    digest = digest.strip().lower()
    if not seq.strip().isdigit() or len(digest) != 64 or not set(digest) <= _HEX:
        raise ValueError(f"'{text}' is not ID:HASH as 'guardrail log head' prints it "
                         "(a number, a colon and 64 hexadecimal digits)")
    return int(seq), digest


def _file_problem(conn: sqlite3.Connection) -> str | None:
    """Whether the file is a sound database holding exactly the log's schema."""
    damage = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    if damage != ["ok"]:
        return ("the file is corrupt (SQLite's integrity check: "
                f"{'; '.join(damage[:3])}); keep it for inspection and restore a backup")
    problems = schema_problems(conn)
    if problems:
        return f"the file is not as guardrail writes it: {problems[0]}"
    return None


def verify_log(log: DecisionLog, head: tuple[int, str] | None = None) -> Verification:
    """Check the file, then every entry in order; stop at the first that is wrong and
    say how. A log not there yet is whole and empty. Raises LogError when the file
    cannot be opened (permissions, a folder)."""
    if not log.exists():
        return Verification(0)
    try:
        if log.path.stat().st_size == 0:
            return Verification(0, "the file is empty (0 bytes), but a log always holds "
                                "its tables: truncated, or not a decision log")
        conn = log.reader()
    except LogError as exc:
        if not exc.damaged:
            raise
        return Verification(0, "the file is not a SQLite database: damaged, truncated "
                            "or replaced; keep it for inspection and restore a backup")
    try:
        return _verify(conn, head)
    except sqlite3.DatabaseError as exc:  # not a database, truncated, malformed
        return Verification(0, f"the file is corrupt (SQLite: {exc}): damaged, truncated "
                            "or replaced; keep it for inspection and restore a backup")
    finally:
        conn.close()


def _verify(conn: sqlite3.Connection, head: tuple[int, str] | None) -> Verification:
    wrong = _file_problem(conn)
    if wrong:
        return Verification(0, wrong)
    expected, prev, count = 1, GENESIS, 0
    seen_head = False
    for seq, text, prev_hash, digest, time, policy, destination, verdict in conn.execute(
            f"SELECT {_COLUMNS} FROM decisions ORDER BY seq"):
        def bad(problem: str, at: int = seq, whole: int = count) -> Verification:
            return Verification(whole, f"entry {at}: {problem}", at)
        if seq < expected:
            return bad("guardrail never writes this sequence number (they start at 1): "
                       "an entry inserted before the first")
        try:
            content: Any = json.loads(text)
        except (ValueError, TypeError):
            return bad("its content is not the JSON that was written (edited)")
        if not isinstance(content, dict):
            return bad("its content is not a JSON object, as every entry is (edited)")
        if seq > expected:
            gone = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
            return bad(f"entr{'y' if seq == expected + 1 else 'ies'} {gone} before it "
                       "deleted (sequence numbers jump)")
        if content.get("seq") != seq:
            return bad(f"it was written as entry {content.get('seq')} (reordered)")
        if prev_hash != prev:
            return bad("its previous-entry hash does not match entry "
                       f"{seq - 1} (edited chain, or entries before it replaced)"
                       if seq > 1 else "the first entry does not start the chain")
        body = text.encode("utf-8", "backslashreplace")
        if chain_hash(body, prev_hash) != digest:
            return bad("its content does not match its hash (edited)")
        if canonical(content) != body:  # what SQLite and Python read would differ
            return bad("its stored text is not the canonical JSON of its content "
                       "(edited: a duplicate key, reordered keys or spacing)")
        policy_name = content.get("policy")
        if (time, policy, destination, verdict) != (
                content.get("time"),
                (policy_name.get("name") if isinstance(policy_name, dict) else None) or "",
                content.get("destination"), content.get("verdict")):
            return bad("its indexed columns differ from its content (edited)")
        if head is not None and seq == head[0]:
            if digest != head[1]:
                return bad("its hash is not the head you kept (rewritten)")
            seen_head = True
        expected, prev, count = seq + 1, digest, count + 1
    last = expected - 1
    if head is not None and not seen_head:
        return Verification(count, f"entry {head[0]}: the head you kept is missing "
                            f"(log ends at entry {last}; newest entries deleted)",
                            head[0], last or None, prev if count else None)
    written = high_water(conn)
    if written > last:
        lost = written - last
        return Verification(count, f"{lost} entr{'y was' if lost == 1 else 'ies were'} "
                            f"deleted from the end (the log wrote up to entry {written}; "
                            f"it ends at {f'entry {last}' if last else 'nothing'})",
                            None, last or None, prev if count else None)
    return Verification(count, None, None, last or None, prev if count else None)

