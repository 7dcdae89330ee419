"""A payload to check: a file, stdin, bytes or a stream, opened the same way for every reader.

Readers never see where the bytes come from. They ask for a binary or text
stream; ``head()`` gives the first bytes for sniffing without consuming them,
even on stdin.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import sys
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

from guardrail.contract.limits import Limits
from guardrail.errors import PayloadError
from guardrail.masking import mask_value

__all__ = ["Payload", "StreamGuard", "HEAD_BYTES"]

HEAD_BYTES = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class _TextToBytes(io.RawIOBase):
    """Presents a text stream as UTF-8 bytes, lazily.

    :param owns: close the text stream on close (a stream guardrail opened itself).
    """

    def __init__(self, text: TextIO, owns: bool = False) -> None:
        self._text = text
        self._owns = owns
        self._pending = b""

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self._owns and not self.closed:
            self._text.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(max(16384, len(buffer)))
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8", "surrogatepass")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class _Borrowed(io.RawIOBase):
    """A caller's binary stream, read but never closed: the caller opened it, and may
    go on to upload or rewind it once the check is done."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._readinto = getattr(stream, "readinto", None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._readinto is not None:
            return self._readinto(buffer) or 0
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class StreamGuard(io.RawIOBase):
    """A binary stream passed through unchanged while :meth:`inspect` sees each chunk.

    Readers wrap a payload's stream in one to block hostile input (raise PayloadError)
    before a parser holds it: the checks cost a few C-level calls per chunk, nothing
    per line or value.
    """

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        size: int = self._raw.readinto(buffer) or 0
        if size:
            self.inspect(buffer, size)
        return size

    def inspect(self, buffer: Any, size: int) -> None:
        """Look at ``buffer[:size]``, the bytes just read; raise PayloadError to block."""


class _Digest(StreamGuard):
    """Hashes every byte a reader takes from a stream, so a decision can name the exact
    bytes it judged without holding them."""

    def __init__(self, raw: Any) -> None:
        super().__init__(raw)
        self.sha = hashlib.sha256()
        self.eof = False

    def readinto(self, buffer: Any) -> int:
        size = super().readinto(buffer)
        if not size:
            self.eof = True
        return size

    def inspect(self, buffer: Any, size: int) -> None:
        self.sha.update(memoryview(buffer)[:size])


class _Counted(StreamGuard):
    """Tells a progress meter how far a stream was read: the one place every binary read
    of a payload passes (``meter.reached(position)``, throttled by the meter)."""

    def __init__(self, raw: Any, meter: Any) -> None:
        super().__init__(raw)
        self._meter = meter
        self._position = 0

    def inspect(self, buffer: Any, size: int) -> None:
        self._position += size
        self._meter.reached(self._position)


class _Bounded(StreamGuard):
    """Blocks once more than *limit* bytes came through."""

    def __init__(self, raw: Any, limit: int, payload: Payload) -> None:
        super().__init__(raw)
        self._left = limit
        self._limit = limit
        self._payload = payload

    def inspect(self, buffer: Any, size: int) -> None:
        self._left -= size
        if self._left < 0:
            raise _too_big(self._payload.name, self._limit)


class _LineGuard(StreamGuard):
    """Blocks a line longer than *limit* bytes before any reader holds it: one ``rfind``
    per chunk, so it costs nothing per line."""

    def __init__(self, raw: Any, limit: int, payload: Payload) -> None:
        super().__init__(raw)
        self._limit = limit
        self._payload = payload
        self._run = 0  # bytes since the last newline
        self._lines = 0

    def inspect(self, buffer: Any, size: int) -> None:
        chunk = memoryview(buffer)[:size].tobytes()
        last = chunk.rfind(b"\n")
        if last < 0:
            self._run += size
        else:
            self._lines += chunk.count(b"\n")
            self._run = size - last - 1
        if self._run > self._limit:
            raise Limits(max_record_bytes=self._limit).exceeded(
                "max_record_bytes", file=self._payload.name,
                position=f"line {self._lines + 1}", what="one line")


def _too_big(name: str, limit: int) -> PayloadError:
    return Limits(max_file_bytes=limit).exceeded("max_file_bytes", file=name)


class Payload:
    """One payload and its display name.

    :param source: a path (``"-"`` for stdin), bytes, a binary or a text stream (read
        from where it stands, and left open: it is the caller's).
    :param name: display name used in findings; defaults to the path or ``<stdin>``.
    :param max_bytes: the largest payload accepted (a larger one raises PayloadError
        at once for files and bytes, as soon as the limit is passed for streams).
    :param digest: make :meth:`sha256` available (a stream is hashed as it is read).
    :param meter: a :class:`~guardrail.contract.progress.Meter` told how far each
        binary read has come (None, the default, costs nothing).
    """

    def __init__(self, source: str | os.PathLike[str] | bytes | IO[Any], name: str | None = None,
                 *, encoding: str | None = None, max_bytes: int | None = None,
                 digest: bool = False, meter: Any = None) -> None:
        self.path: Path | None = None
        self.encoding = encoding
        self._stream: io.BufferedReader | None = None
        self._bom_encoding: str | None = None  # the encoding a BOM names, once looked at
        self._used = False
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._stream = io.BufferedReader(io.BytesIO(bytes(source)), HEAD_BYTES)  # type: ignore[arg-type]
            default = "<bytes>"
        elif isinstance(source, (str, os.PathLike)):
            if str(source) == "-":
                self._stream = _buffered(_Borrowed(sys.stdin.buffer))
                default = "<stdin>"
            else:
                self.path = Path(source)
                default = str(source)
                try:
                    regular = self.path.is_file()
                except PermissionError:  # a folder on its path may not be entered
                    raise PayloadError("permission denied: this process may not reach the "
                                       "file; fix the permissions of its folders, or leave "
                                       "it out", file=default) from None
                if not regular:
                    raise PayloadError("no such file" if not self.path.exists()
                                       else "not a regular file", file=default)
        elif isinstance(source, io.TextIOBase) or hasattr(source, "encoding"):
            self._stream = io.BufferedReader(_TextToBytes(source),  # type: ignore[arg-type]
                                              HEAD_BYTES)
            default = getattr(source, "name", None) or "<text stream>"
        elif hasattr(source, "read"):
            self._stream = _buffered(_Borrowed(source))
            default = getattr(source, "name", None) or "<stream>"
        else:
            raise TypeError(f"cannot read a payload from {type(source).__name__}")
        self.name = name or str(default)
        self._digest: _Digest | str | None = None
        if digest and isinstance(source, (bytes, bytearray, memoryview)):
            self._digest = hashlib.sha256(source).hexdigest()
        elif digest and self._stream is not None:
            self._digest = _Digest(self._stream)
            self._stream = io.BufferedReader(self._digest, HEAD_BYTES)  # type: ignore[arg-type]
        if max_bytes is not None:
            self._bound(source, max_bytes)
        self._meter = meter
        if meter is not None and self._stream is not None:
            self._stream = io.BufferedReader(_Counted(self._stream, meter), HEAD_BYTES)

    def sha256(self) -> str | None:
        """The SHA-256 of the payload's bytes (for a text stream, of its UTF-8 encoding),
        or None when it cannot be known: not asked for, or a stream a reader closed
        before its end. A file is hashed as it is now; a stream, as it was read (the
        rest is read through once a reader stops early)."""
        if self.path is not None:
            sha = hashlib.sha256()
            with self.path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
            return sha.hexdigest()
        if not isinstance(self._digest, _Digest):
            return self._digest
        if not self._digest.eof and self._stream is not None:
            try:
                while self._stream.read(1 << 20):
                    pass
            except (ValueError, OSError, PayloadError):
                return None  # closed by its reader, or over the size limit
        return self._digest.sha.hexdigest() if self._digest.eof else None

    def _bound(self, source: Any, limit: int) -> None:
        if self.path is not None:
            if self.path.stat().st_size > limit:
                raise _too_big(self.name, limit)
        elif isinstance(source, (bytes, bytearray, memoryview)):
            if len(source) > limit:
                raise _too_big(self.name, limit)
        elif self._stream is not None:
            self._stream = io.BufferedReader(_Bounded(self._stream, limit, self), HEAD_BYTES)

    @property
    def suffixes(self) -> list[str]:
        """File extensions (``.csv``), for format detection: of the file itself when
        there is one (its display name may be ``<payload 2>``), else of the name."""
        if self.path is not None:
            return self.path.suffixes
        return Path(self.name).suffixes if not self.name.startswith("<") else []

    def head(self, size: int = HEAD_BYTES) -> bytes:
        """The first *size* bytes, without consuming them."""
        if self.path is not None:
            with self.path.open("rb") as handle:
                return handle.read(size)
        assert self._stream is not None
        return self._stream.peek(size)[:size]

    def open_binary(self) -> BinaryIO:
        """A binary stream from the first byte. Streams other than files can be opened once."""
        if self.path is not None:
            handle = self.path.open("rb")
            if self._meter is None:
                return handle
            return io.BufferedReader(_Counted(handle, self._meter))  # type: ignore[return-value]
        if self._used:
            raise PayloadError("the payload stream was already read", file=self.name)
        self._used = True
        assert self._stream is not None
        return self._stream  # type: ignore[return-value]

    def text_encoding(self) -> str:
        """The encoding to decode with: the caller's, else the one a BOM names, else UTF-8."""
        if self.encoding:
            try:
                codec = codecs.lookup(self.encoding).name
            except LookupError:
                raise PayloadError(_unknown_encoding(self.encoding), file=self.name) from None
            if codec in ("utf-16", "utf-32") and not any(
                    self.head(4).startswith(bom) for bom, named in _BOMS if named == codec):
                # the codec itself would raise a bare UnicodeError on the first read
                raise PayloadError(
                    f"the content is not {codec} text as named: it has no byte-order mark; "
                    f"name its byte order ({codec}-le or {codec}-be) or the encoding it is "
                    "really in", file=self.name)
            return self.encoding
        if self._bom_encoding is None:  # remembered: a stream cannot be peeked once closed
            head = self.head(4)
            self._bom_encoding = next(
                (encoding for bom, encoding in _BOMS if head.startswith(bom)), "utf-8")
        return self._bom_encoding

    def open_text(self, max_line_bytes: int | None = None) -> TextIO:
        """A text stream with universal newlines disabled (csv needs ``newline=''``).

        :param max_line_bytes: block (PayloadError) a line longer than this, before it
            is decoded or held whole: a 100 MB line then costs no more than the limit.
        """
        encoding = self.text_encoding()
        binary: Any = self.open_binary()
        if max_line_bytes is not None:
            binary = io.BufferedReader(_LineGuard(binary, max_line_bytes, self))
        try:
            return io.TextIOWrapper(binary, encoding=encoding, newline="")
        except LookupError:
            raise PayloadError(_unknown_encoding(encoding), file=self.name) from None

    def open_utf8(self) -> BinaryIO:
        """A binary stream of UTF-8 without a BOM, for parsers that read bytes (ijson).

        Plain UTF-8 is passed through untouched; text with a BOM or in an encoding
        the caller named is decoded and re-encoded as it is read.
        """
        if codecs.lookup(self.text_encoding()).name == "utf-8":
            return self.open_binary()
        return io.BufferedReader(  # type: ignore[return-value]
            _TextToBytes(self.open_text(), owns=True))

    def decode_error(self, exc: UnicodeDecodeError, where: str | None = None) -> PayloadError:
        """A PayloadError naming the byte offset of the first undecodable byte, when findable."""
        encoding = self.text_encoding()
        offset = self.first_bad_byte(encoding)
        position = f"byte {offset}" if offset is not None else where
        return PayloadError(
            f"content is not valid {encoding} text; pass --encoding with the right "
            "encoding or fix the export", file=self.name, position=position,
        )

    def first_bad_byte(self, encoding: str) -> int | None:
        """Offset of the first byte *encoding* cannot decode, for error messages; None for
        payloads that cannot be read twice (streams) or an unknown encoding."""
        if self.path is None:
            return None
        try:
            return _first_bad_byte(self.path, encoding)
        except LookupError:
            return None


def _buffered(stream: Any) -> io.BufferedReader:
    # A buffer as large as the head, so head() sees HEAD_BYTES (peek never reads more
    # than the buffer holds).
    return io.BufferedReader(stream, HEAD_BYTES)


def _first_bad_byte(path: Path, encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


# What a charset name looks like (utf-9, cp1252, iso-8859-15): a caller's name of
# another shape (a header's charset=Daniel Hughes) is masked, never echoed.
_CHARSET_NAME = re.compile(r"(?=[^\d]*\d)[A-Za-z0-9]{1,12}(?:[-_.:][A-Za-z0-9]{1,12}){0,3}")


def _unknown_encoding(name: str) -> str:
    shown = name if _CHARSET_NAME.fullmatch(name) else f"{mask_value(name)} (masked)"
    return (f"unknown text encoding '{shown}'; name one Python knows, such as utf-8, "
            "cp1252 or latin-1")
