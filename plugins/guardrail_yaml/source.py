"""Opening a payload for the YAML parser: size limits, the comment tee, readable errors."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import yaml
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.scanner import Scanner, ScannerError

from guardrail.plugin import Limits, Payload, PayloadError

from .comments import CommentFinder

__all__ = ["Tee", "open_tee", "new_parser", "yaml_errors"]

_HEADROOM = 1 << 17  # the parser reads ahead; allow for it before calling a record too big
# a character or tag handle from the payload that a parser message quotes ('x', not ',')
_QUOTED = re.compile(r"""\s*(?:'[^'\s]*\w[^'\s]*'|"[^"\s]*\w[^"\s]*")""")


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser alone: events only, no constructor to build objects.

    A directive other than ``%YAML`` and ``%TAG`` (``%FOO Jane Smith``) is refused, as
    libyaml refuses it: PyYAML would skip its text, and nothing would check it.
    """

    def __init__(self, stream: Any) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)

    def scan_directive_name(self, start_mark: Any) -> str:
        name: str = super().scan_directive_name(start_mark)
        if name not in ("YAML", "TAG"):
            raise ScannerError("while scanning a directive", start_mark,
                               "found unknown directive name", self.get_mark())
        return name


# The C parser (libyaml) when PyYAML was built with it: several times faster. Both are
# parsers only: neither has a constructor, so no tag can build an object.
_Parser: Any
try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined,no-redef]
except ImportError:  # PyYAML built without libyaml
    _Parser = _PyParser
_OFFSET = "character" if _Parser is _PyParser else "byte"  # what a reader error counts


class Tee:
    """The payload's bytes on their way to the parser, watched and copied as text.

    Counts bytes against ``max_file_bytes``, blocks a line longer than
    ``max_record_bytes`` (a 100 MB single line) and the bytes of one record beyond it
    (see :meth:`checkpoint`) before the parser buffers them, and feeds the decoded
    text to the comment finder.
    """

    def __init__(self, raw: BinaryIO, finder: CommentFinder, limits: Limits, file: str) -> None:
        self._raw = raw
        self._finder = finder
        self._limits = limits
        self._file = file
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.total = 0
        self._since = 0
        self._where: str | None = None
        self._line = 0  # length of the line being read

    def close(self) -> None:
        self._raw.close()

    def checkpoint(self, where: str | None) -> None:
        """A record starts here (``line 14``): bytes after it count towards its size."""
        self._since = 0
        self._where = where

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size and size > 0 else 1 << 16)
        count = len(data)
        limits = self._limits
        self.total += count
        if self.total > limits.max_file_bytes:
            raise limits.exceeded("max_file_bytes", file=self._file, what="the payload")
        self._since += count
        if self._since > limits.max_record_bytes + _HEADROOM:
            raise limits.exceeded("max_record_bytes", file=self._file, position=self._where,
                                  what="one record")
        text = self._decoder.decode(data, final=not data)
        last = max(text.rfind("\n"), text.rfind("\r"))
        self._line = self._line + len(text) if last < 0 else len(text) - last - 1
        if self._line > limits.max_record_bytes:
            raise limits.exceeded("max_record_bytes", file=self._file, position=self._where,
                                  what="one line")
        self._finder.feed(text)
        return data


def open_tee(payload: Payload, limits: Limits, finder: CommentFinder) -> Tee:
    """The payload as UTF-8 (BOM removed) through a :class:`Tee`; close it when done."""
    if payload.path is not None and payload.path.stat().st_size > limits.max_file_bytes:
        raise limits.exceeded("max_file_bytes", file=payload.name, what="the payload")
    return Tee(payload.open_utf8(), finder, limits, payload.name)


def new_parser(tee: Tee) -> Any:
    """A parser reading *tee*. The pure-Python one reads its first bytes at once, so call
    this inside :func:`yaml_errors`."""
    return _Parser(tee)


@contextmanager
def yaml_errors(payload: Payload) -> Iterator[None]:
    """Parser errors as PayloadErrors with ``line L, column C``; never quoting content."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        raise _marked(payload, exc) from None
    except ReaderError as exc:
        reason = _QUOTED.sub("", str(exc.reason or "unreadable character"))
        raise PayloadError(f"not valid YAML: {reason}; fix or remove that character",
                           file=payload.name, position=f"{_OFFSET} {exc.position}") from None
    except UnicodeDecodeError as exc:
        raise payload.decode_error(exc) from None


def _marked(payload: Payload, exc: yaml.MarkedYAMLError) -> PayloadError:
    problem = _QUOTED.sub("", exc.problem or "malformed YAML").strip()
    context = _QUOTED.sub("", exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    position = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None
    detail = f" ({context})" if context else ""
    return PayloadError(f"not valid YAML: {problem}{detail}; check the indentation and "
                        "quoting there", file=payload.name, position=position)
