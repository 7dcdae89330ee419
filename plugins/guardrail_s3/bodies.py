"""A PutObject body as the check reads it, left as botocore will send it."""

from __future__ import annotations

import io
import tempfile
from typing import Any

from guardrail_s3.held import CHUNK, chunks

__all__ = ["Borrowed", "spooled"]


class Borrowed(io.RawIOBase):
    """The caller's binary stream, read by a check that must not close it, under the
    object's key (reports show the key only once screened)."""

    def __init__(self, stream: Any, name: str | None) -> None:
        self._stream = stream
        self.name = name or "<s3 object>"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(min(len(buffer), CHUNK))
        if isinstance(data, str):
            raise TypeError("text stream")  # botocore cannot send it either
        buffer[:len(data)] = data
        return len(data)


def spooled(body: Any, memory_bytes: int) -> Any:
    """A rewound, seekable copy of a stream that cannot be rewound (in memory up to
    *memory_bytes*, then a temporary file): the check reads it, botocore sends it."""
    copy = tempfile.SpooledTemporaryFile(max_size=memory_bytes)  # noqa: SIM115
    for chunk in chunks(body):
        copy.write(chunk)
    copy.seek(0)
    return copy
