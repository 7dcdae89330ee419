"""Reading a payload line by line with bounded memory.

A line is read in pieces of at most :data:`PIECE` characters, so a 100 MB line
with no line break blocks on the record-size limit after reading at most the limit,
never the whole line. Line breaks (``\\n``, ``\\r\\n``, ``\\r``) are kept as read so
a redacted copy can write them back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrail.plugin import Limits, Payload, PayloadError

__all__ = ["LineReader", "split_ending", "PIECE"]

PIECE = 1 << 20  # characters read at a time from a long line


def split_ending(raw: str) -> tuple[str, str]:
    """``"abc\\r\\n"`` -> ``("abc", "\\r\\n")``: a line as read ends in one line break or none."""
    if raw[-1:] == "\n":
        return (raw[:-2], "\r\n") if raw[-2:-1] == "\r" else (raw[:-1], "\n")
    return (raw[:-1], "\r") if raw[-1:] == "\r" else (raw, "")


class LineReader:
    """Iterates once over a payload's lines, line break included.

    Raises :class:`~guardrail.PayloadError` for undecodable text (naming the byte
    offset, else the line) and for a line longer than ``limits.max_record_bytes``.
    """

    def __init__(self, payload: Payload, limits: Limits) -> None:
        self.payload = payload
        self.limits = limits
        self._stream = payload.open_text()  # the file size is bounded by the Payload
        limit = limits.max_record_bytes
        self._piece = min(PIECE, limit + 1)
        # A line shorter than this is complete and within the limit even at 4 bytes a
        # character: one comparison per line on the common path.
        self._careful = min(self._piece, limit // 4 + 1)

    def __iter__(self) -> Iterator[str]:
        readline, size, careful = self._stream.readline, self._piece, self._careful
        number = 0
        pending = ""  # the start of the next line, read while looking for a "\\n"
        try:
            while True:
                if pending:
                    piece, pending = pending, ""
                else:
                    piece = readline(size)
                    if not piece:
                        return
                number += 1
                if len(piece) >= careful:
                    piece, pending = self._long_line(piece, number)
                yield piece
        except UnicodeDecodeError as exc:
            raise self.payload.decode_error(exc, f"line {number + 1}") from None

    def close(self) -> None:
        self._stream.close()

    def _long_line(self, piece: str, number: int) -> tuple[str, str]:
        """Gather a line read in pieces, blocking as soon as it is too long; returns
        the line and any start of the next line read with it."""
        readline, size = self._stream.readline, self._piece
        limit = self.limits.max_record_bytes
        parts = [piece]
        total = len(piece)
        pending = ""
        while True:
            if total > limit:  # a character is at least one byte
                raise self._too_long(number)
            if piece[-1] == "\n" or len(piece) < size:
                break
            if piece[-1] == "\r":  # the piece may have split a "\\r\\n"
                pending = readline(size)
                if pending.startswith("\n"):
                    parts.append("\n")
                    pending = pending[1:]
                break
            piece = readline(size)
            if not piece:
                break
            parts.append(piece)
            total += len(piece)
        line = "".join(parts)
        if len(line) * 4 > limit and len(line.encode("utf-8", "surrogatepass")) > limit:
            raise self._too_long(number)
        return line, pending

    def _too_long(self, number: int) -> PayloadError:
        return self.limits.exceeded("max_record_bytes", file=self.payload.name,
                                    position=f"line {number}", what="one line")
