"""Walk the chain and name the first entry that is not as it was written.

What a chain proves: every entry from the first to the newest present is as written
and in its place. What it cannot: that newest entries were not removed (the chain of
what is left is still whole); compare with a head kept elsewhere (``--head``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from guardrail.ledger.chain import GENESIS, chain_hash
from guardrail.ledger.store import DecisionLog

__all__ = ["Verification", "verify_log", "parse_head"]


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify_log`: ``problem`` is None when the log is whole."""

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
    if not seq.strip().isdigit() or len(digest.strip()) != 64:
        raise ValueError(f"'{text}' is not ID:HASH as 'guardrail log head' prints it")
    return int(seq), digest.strip().lower()


def verify_log(log: DecisionLog, head: tuple[int, str] | None = None) -> Verification:
    """Check every entry in order; stop at the first that is wrong and say how."""
    expected, prev, count = 1, GENESIS, 0
    seen_head = False
    for seq, text, prev_hash, digest, time, policy, destination, verdict in log.rows():
        def bad(problem: str, at: int = seq, whole: int = count) -> Verification:
            return Verification(whole, f"entry {at}: {problem}", at)
        try:
            content = json.loads(text)
        except ValueError:
            return bad("its content is not the JSON that was written (edited)")
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
        if chain_hash(content, prev_hash) != digest:
            return bad("its content does not match its hash (edited)")
        if (time, policy, destination, verdict) != (
                content.get("time"), content.get("policy", {}).get("name") or "",
                content.get("destination"), content.get("verdict")):
            return bad("its indexed columns differ from its content (edited)")
        if head is not None and seq == head[0]:
            if digest != head[1]:
                return bad("its hash is not the head you kept (rewritten)")
            seen_head = True
        expected, prev, count = seq + 1, digest, count + 1
    if head is not None and not seen_head:
        return Verification(count, f"entry {head[0]}: the head you kept is missing "
                            f"(log ends at entry {expected - 1}; newest entries deleted)",
                            head[0], expected - 1 or None, prev if count else None)
    return Verification(count, None, None, expected - 1 or None, prev if count else None)
