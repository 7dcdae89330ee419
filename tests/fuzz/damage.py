"""Destructive mutations: bytes a reader can no longer trust.

A payload damaged this way may still parse (a CSV cut after a row) or not (a JSON
cut mid-string, an XLSX with a flipped byte in its zip directory). Nothing is
promised about its verdict except that it is the same however the payload is
passed, that an unreadable one blocks with exit 3 (never 4, never a traceback), and
that nothing planted in it leaks into a report.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["DAMAGE", "damage"]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(0, max(1, len(data)))]


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if out:
            at = rng.randrange(len(out))
            out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def _insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def _delete(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + data[at + rng.randint(1, 64):]


def _duplicate(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    chunk = data[at:at + rng.randint(1, 256)]
    return data[:at] + chunk * rng.randint(2, 8) + data[at:]


def _junk(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(0, 4096))


def _reencode(data: bytes, rng: random.Random) -> bytes:
    """UTF-8 text read as Latin-1 and written in another encoding without saying so."""
    text = data.decode("latin-1")
    return text.encode(rng.choice(("utf-16-le", "utf-16-be", "utf-32-le", "cp500")),
                       errors="replace")


def _nul_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out.insert(rng.randrange(len(out) + 1), 0)
    return bytes(out)


DAMAGE: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate, "byte_flip": _flip, "insert_garbage": _insert,
    "delete_span": _delete, "duplicate_span": _duplicate, "junk": _junk,
    "wrong_encoding": _reencode, "nul_bytes": _nul_bytes,
}


def damage(name: str, data: bytes, rng: random.Random) -> bytes:
    return DAMAGE[name](data, rng)
