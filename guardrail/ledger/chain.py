"""What one log entry holds and how it is chained to the one before it.

An entry's hash is the SHA-256 of its canonical JSON (sorted keys, no spaces, UTF-8)
followed by a newline and the previous entry's hash; the first entry follows
:data:`GENESIS`. Its sequence number is part of the hashed content, so moving an
entry breaks the chain as surely as editing it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from typing import Any

from guardrail.decision import Decision

__all__ = ["GENESIS", "LogEntry", "canonical", "chain_hash", "entry_content"]

GENESIS = "0" * 64


def canonical(content: dict[str, Any]) -> bytes:
    """The one byte form of *content* that is hashed.

    A lone surrogate (a name Python read from bytes that are not UTF-8) has no UTF-8
    form; it is written as JSON's own ``\\udXXX`` escape, which reads back as the same
    string, so the entry round-trips and verifies."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8", "backslashreplace")


def chain_hash(content: dict[str, Any] | bytes, prev_hash: str) -> str:
    """The entry's hash, from its content or its canonical bytes."""
    body = content if isinstance(content, bytes) else canonical(content)
    return hashlib.sha256(body + b"\n" + prev_hash.encode("ascii")).hexdigest()


def _version() -> str:
    try:
        return importlib.metadata.version("guardrail")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def entry_content(decision: Decision, seq: int, now: _dt.datetime | None = None
                  ) -> dict[str, Any]:
    """The record of *decision* as entry *seq*: only what the decision already holds,
    screened and masked by the core (names, masked evidence, counts)."""
    by_rule: dict[str, int] = {}
    for kind, n in decision.counts.items():
        by_rule[kind.rule] = by_rule.get(kind.rule, 0) + n
    when = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    body: dict[str, Any] = {
        "seq": seq,
        "time": when.isoformat(timespec="microseconds"),
        "checked_at": decision.checked_at,
        "guardrail": _version(),
        "policy": {k: decision.policy.get(k) for k in ("name", "version", "sha256")},
        "destination": decision.destination,
        "mode": decision.mode,
        "verdict": decision.verdict,
        "exit_code": decision.exit_code,
        "payloads": [
            {k: v for k, v in (("name", f.file), ("format", f.format),
                               ("records", f.records), ("sha256", f.sha256),
                               ("error", f.error), ("error_kind", f.error_kind))
             if v is not None}
            for f in decision.files
        ],
        "counts": {"blocking": decision.blocking_count,
                   "total": sum(decision.counts.values()),
                   "by_rule": dict(sorted(by_rule.items()))},
        "findings": [f.to_dict() for f in decision.findings],
        "waivers_used": [{"label": w.label(), "origin": w.origin}
                         for w in decision.waivers_used],
        "waivers_ignored": decision.waivers_ignored,
        # a planted test identity seen (docs/canaries.md): the gate proved wired, or a
        # real export carrying test rows; 'guardrail log list --canary' finds them
        "canary_hits": decision.canary_hits,
    }
    if decision.impact is not None:  # an audit's impact list: what an incident reached
        body["impact"] = decision.impact.to_dict()
    return body


@dataclass(frozen=True)
class LogEntry:
    """One decision as logged: its content, and its place in the chain."""

    seq: int
    content: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def time(self) -> str:
        return str(self.content.get("time", ""))

    @property
    def verdict(self) -> str:
        return str(self.content.get("verdict", ""))

    def to_dict(self) -> dict[str, Any]:
        """The entry as exported: its content plus ``prev_hash`` and ``hash``."""
        return {**self.content, "prev_hash": self.prev_hash, "hash": self.hash}
