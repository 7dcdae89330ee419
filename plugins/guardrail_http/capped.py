"""Reading a streamed body into memory, never more than a cap.

A stream cannot be checked and then sent: checking reads it. So a streamed body is read
whole (up to the cap) and the request sends the bytes that were checked; past the cap
reading stops and the request is refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import Any

__all__ = ["read_chunks", "aread_chunks", "read_file"]


def read_chunks(chunks: Iterable[bytes], cap: int) -> bytes | None:
    """The bytes of *chunks*, or None once they pass *cap* (reading stops there)."""
    buffer, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > cap:
            return None
        buffer.append(bytes(chunk))
    return b"".join(buffer)


async def aread_chunks(chunks: AsyncIterable[bytes], cap: int) -> bytes | None:
    """:func:`read_chunks` for an async stream."""
    buffer, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > cap:
            return None
        buffer.append(bytes(chunk))
    return b"".join(buffer)


def read_file(stream: Any, cap: int, block: int = 1 << 16) -> bytes | None:
    """The rest of a file-like *stream* as bytes (text is encoded as UTF-8), or None
    once it passes *cap*."""
    def blocks() -> Iterable[bytes]:
        while data := stream.read(block):
            yield data.encode("utf-8") if isinstance(data, str) else data
    return read_chunks(blocks(), cap)
