"""Opening an XLSX payload safely: a ZIP archive checked before anything decompresses it.

An XLSX is a ZIP of XML parts, so a hostile one can be a zip bomb: a few kilobytes
that expand to gigabytes, or a central directory of millions of members. The
archive is refused from its directory alone (member count, declared sizes and
compression ratios), then every member is decompressed once, in bounded chunks,
with Python's zipfile, which stops at the declared size and checks each CRC. Only
then does calamine open it, so the sizes it trusts are the ones checked here.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from guardrail.plugin import Limits, Payload, PayloadError

__all__ = ["Archive", "open_archive", "MAX_MEMBERS", "MAX_RATIO"]

MAX_MEMBERS = 10_000  # real workbooks hold tens of parts, hundreds with many images
MAX_RATIO = 200  # deflate reaches ~1000:1 on zeros; real sheets rarely pass 100:1
RATIO_FROM_BYTES = 16 * 1024**2  # a small part cannot hurt, whatever its ratio
_CHUNK = 1 << 20
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EOCD = b"PK\x05\x06"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
# A formula with text ends "</f>" (or "</x:f>"); conditional formats and validations
# use <formula>. This loose pattern runs at memory speed (one anchored on "<" costs
# more than decompressing the sheet); a stray match only costs a parse finding nothing.
_FORMULA = re.compile(rb"f>|formula")


class Archive:
    """A checked workbook archive.

    :param path: the archive on disk (a stream is first copied to a temporary file).
    :param zip: the open zipfile, for reading parts.
    :param with_formulas: member names whose XML holds at least one formula element.
    """

    def __init__(self, path: Path, zip: zipfile.ZipFile, with_formulas: frozenset[str]) -> None:
        self.path = path
        self.zip = zip
        self.with_formulas = with_formulas

    def has(self, member: str) -> bool:
        try:
            self.zip.getinfo(member)
        except KeyError:
            return False
        return True


@contextmanager
def open_archive(payload: Payload, limits: Limits) -> Iterator[Archive]:
    """The payload as a checked :class:`Archive`; PayloadError if it is not one or is hostile."""
    with _on_disk(payload, limits) as path:
        _check_signature(path, payload.name)
        _check_directory_size(path, payload.name)
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            raise _corrupt(payload.name) from None
        with archive:
            try:
                _check_members(archive, payload.name, limits)
                found = _verify(archive, payload.name)
            except NotImplementedError:  # a ZIP feature or version no reader supports
                raise _corrupt(payload.name) from None
            yield Archive(path, archive, found)


@contextmanager
def _on_disk(payload: Payload, limits: Limits) -> Iterator[Path]:
    """The payload's path; a stream is copied to a temporary file (bounded by the limit),
    so neither zipfile nor calamine holds the whole payload in memory."""
    if payload.path is not None:
        if payload.path.stat().st_size > limits.max_file_bytes:
            raise limits.exceeded("max_file_bytes", file=payload.name, what="file size")
        yield payload.path
        return
    handle = tempfile.NamedTemporaryFile(prefix="guardrail-xlsx-", suffix=".xlsx", delete=False)
    try:
        with handle, payload.open_binary() as source:
            copied = 0
            while chunk := source.read(_CHUNK):
                copied += len(chunk)
                if copied > limits.max_file_bytes:
                    raise limits.exceeded("max_file_bytes", file=payload.name, what="file size")
                handle.write(chunk)
        yield Path(handle.name)
    finally:
        os.unlink(handle.name)


def _check_signature(path: Path, name: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(_OLE):
        if _ENCRYPTED in head:
            raise PayloadError("encrypted workbook: cannot be inspected; blocked. Remove the "
                               "password (File > Info > Protect Workbook) and check it again",
                               file=name)
        raise PayloadError("not an XLSX workbook: an OLE compound file (a legacy .xls or an "
                           "encrypted workbook); save it as .xlsx without a password", file=name)
    if not head.startswith((b"PK\x03\x04", _EOCD)):
        raise PayloadError("not an XLSX workbook: the content is not a ZIP archive", file=name)


def _check_directory_size(path: Path, name: str) -> None:
    """Refuse a directory of too many members before zipfile builds an object per member."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - (1 << 16) - 22))
        tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise _corrupt(name)
    entries, directory_bytes = struct.unpack("<10xHI6x", tail[at: at + 22])
    if entries > MAX_MEMBERS or directory_bytes > MAX_MEMBERS * 1024:
        raise _too_many(name)


def _check_members(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _too_many(name)
    names = {info.filename for info in members}
    if len(names) != len(members):
        raise PayloadError("not a valid XLSX workbook: two parts of the archive have the "
                           "same name, so readers may disagree on which one is read", file=name)
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise PayloadError("encrypted workbook: cannot be inspected; blocked (the ZIP "
                               "members are encrypted)", file=name)
        total += info.file_size
        if total > limits.max_file_bytes:
            raise limits.exceeded("max_file_bytes", file=name,
                                  what="total uncompressed size of the workbook's parts")
        if info.file_size > RATIO_FROM_BYTES and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise PayloadError(
                f"a part of the workbook expands {ratio:,} times its compressed size (more "
                f"than {MAX_RATIO}:1 on a part over {RATIO_FROM_BYTES // 1024**2} MB), as zip "
                "bombs do; the payload is blocked", file=name)


def _verify(archive: zipfile.ZipFile, name: str) -> frozenset[str]:
    """Decompress every member once (bounded, CRC-checked); note the XML with formulas."""
    found = set()
    for info in archive.infolist():
        scan = info.filename.endswith(".xml")
        try:
            with archive.open(info) as member:
                tail = b""  # a tag may straddle two chunks
                while chunk := member.read(_CHUNK):
                    if scan and _FORMULA.search(tail + chunk):
                        found.add(info.filename)
                        scan = False
                    tail = chunk[-64:]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
            raise _corrupt(name) from None
    return frozenset(found)


def _corrupt(name: str) -> PayloadError:
    return PayloadError("not a valid XLSX workbook: the ZIP archive is corrupt or truncated; "
                        "export it again", file=name)


def _too_many(name: str) -> PayloadError:
    return PayloadError(f"not a valid XLSX workbook: the archive has more than {MAX_MEMBERS:,} "
                        "members, as zip bombs do; the payload is blocked", file=name)
