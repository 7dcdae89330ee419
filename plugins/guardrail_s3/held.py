"""A multipart upload kept on this machine until it is completed.

The header of a CSV lives in part 1 and a name may sit in part 40: the object can only
be judged whole. So no part leaves before CompleteMultipartUpload: each part is appended
to one spool per upload (in memory up to a small threshold, then a temporary file), the
check reads the parts in the order Complete lists them, and only an allowed object is
sent, part by part, from the spool.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from guardrail_s3.errors import S3UploadRefused

__all__ = ["HeldUpload", "CHUNK"]

CHUNK = 1 << 20  # how much of a body is read, or sent from the spool, at a time


@dataclass(frozen=True)
class HeldPart:
    """Where a part sits in the spool, and what its UploadPart call said besides."""

    offset: int
    length: int
    params: dict[str, Any]  # the call's parameters but Body and UploadId


class HeldUpload:
    """The parts of one multipart upload, the call that started it, and its size.

    Thread-safe: s3transfer uploads parts from several threads at once.

    :param create_params: the CreateMultipartUpload call, sent for real on release.
    :param memory_bytes: spool size kept in memory before it moves to a temporary file.
    :param max_bytes: past this many bytes nothing more is stored (the check then
        refuses the object as over the size limit), so a runaway upload cannot fill
        the disk.
    """

    def __init__(self, create_params: dict[str, Any], *, memory_bytes: int,
                 max_bytes: int) -> None:
        self.create_params = create_params
        self._spool = tempfile.SpooledTemporaryFile(max_size=memory_bytes)  # noqa: SIM115
        self._parts: dict[int, HeldPart] = {}
        self._end = 0
        self._max_bytes = max_bytes
        self.truncated = False  # a part was cut short at max_bytes: never to be sent
        self._lock = threading.Lock()

    @property
    def key(self) -> str | None:
        return self.create_params.get("Key")

    def add(self, number: int, body: Any, params: dict[str, Any]) -> str:
        """Store part *number* (bytes or a binary stream, read from where it is); return
        its ETag as S3 would (the MD5 of the part, quoted). A part sent again replaces
        the earlier one, as in S3."""
        digest = hashlib.md5(usedforsecurity=False)
        with self._lock:
            offset = self._end
            self._spool.seek(offset)
            stored = 0
            for chunk in chunks(body):
                digest.update(chunk)
                if offset + stored <= self._max_bytes:  # one chunk past: the check refuses
                    self._spool.write(chunk)
                    stored += len(chunk)
                else:
                    self.truncated = True
            self._end = offset + stored
            self._parts[number] = HeldPart(offset, stored, params)
        return f'"{digest.hexdigest()}"'

    def part(self, number: int) -> HeldPart:
        found = self._parts.get(number)
        if found is None:
            raise S3UploadRefused(
                f"complete_multipart_upload lists part {number}, which was never uploaded "
                "through this guard; nothing was sent. Upload every part before "
                "completing")
        return found

    def reader(self, numbers: list[int], name: str | None) -> io.RawIOBase:
        """The whole object, parts in the order given, as one stream named *name*."""
        return _Concat(self, [self.part(n) for n in numbers], name)

    def part_stream(self, number: int) -> io.RawIOBase:
        """One part as a seekable stream (a retried request rewinds it)."""
        part = self.part(number)
        return _Slice(self, part.offset, part.length)

    def read_at(self, offset: int, size: int) -> bytes:
        with self._lock:
            self._spool.seek(offset)
            return self._spool.read(size)

    def close(self) -> None:
        """Drop the spool (its temporary file, if it had one, is deleted)."""
        with self._lock:
            self._spool.close()


def chunks(body: Any) -> Any:
    if body is None:
        return
    if isinstance(body, (bytes, bytearray, memoryview)):
        view = memoryview(body)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start:start + CHUNK])
        return
    while chunk := body.read(CHUNK):
        if isinstance(chunk, str):
            raise S3UploadRefused("an S3 body must be bytes; this stream gives text: open "
                                  "the file in binary mode ('rb')")
        yield chunk


class _Slice(io.RawIOBase):
    """A seekable window on the spool: one part, sent on release."""

    def __init__(self, held: HeldUpload, offset: int, length: int) -> None:
        self._held, self._offset, self._length, self._at = held, offset, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: self._length}[whence]
        self._at = max(0, min(self._length, base + offset))
        return self._at

    def __len__(self) -> int:
        return self._length

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self._length - self._at, CHUNK)
        if size <= 0:
            return 0
        data = self._held.read_at(self._offset + self._at, size)
        buffer[:len(data)] = data
        self._at += len(data)
        return len(data)


class _Concat(io.RawIOBase):
    """Parts one after another, read by the check as one object."""

    def __init__(self, held: HeldUpload, parts: list[HeldPart], name: str | None) -> None:
        self._held, self._parts, self._index, self._at = held, parts, 0, 0
        self.name = name or "<s3 object>"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._index < len(self._parts):
            part = self._parts[self._index]
            size = min(len(buffer), part.length - self._at, CHUNK)
            if size > 0:
                data = self._held.read_at(part.offset + self._at, size)
                buffer[:len(data)] = data
                self._at += len(data)
                return len(data)
            self._index, self._at = self._index + 1, 0
        return 0
