"""Reading a streamed body into memory, never more than a cap.

A stream cannot be checked and then sent: checking reads it. So a streamed body is read
whole (up to the cap) and the request sends the bytes that were checked; past the cap
reading stops and the request is refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import Any

__all__ = ["aread_chunks", "read_chunks", "read_file", "text_bytes"]


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
    """The rest of a file-like *stream* as bytes (text as :func:`text_bytes` encodes
    it), or None once it passes *cap*."""
    def blocks() -> Iterable[bytes]:
        while data := stream.read(block):
            yield text_bytes(data) if isinstance(data, str) else data
    return read_chunks(blocks(), cap)


def text_bytes(text: str) -> bytes:
    """*text* as http.client sends it (ISO-8859-1); text it cannot send that way (it
    would fail to send) as UTF-8, to be checked all the same."""
    try:
        return text.encode("iso-8859-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")
