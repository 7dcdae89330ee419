"""HTML form bodies, read into what a :class:`~guardrail.Gate` checks.

A URL-encoded form is one record of its fields. A multipart form is that record (its
text fields) plus each uploaded file as a payload of its own, read as its
``Content-Type`` or file name says. Multipart is parsed by python-multipart (streaming,
tens of times faster than the stdlib ``email`` parser on a large upload); each part's
headers by the stdlib ``email`` module, which knows RFC 2231 file names
(``filename*=UTF-8''...``).
"""

from __future__ import annotations

import io
import json
import urllib.parse
from dataclasses import dataclass
from email.message import Message
from typing import Any

from guardrail import Gate

__all__ = ["FormError", "Part", "fields_document", "form_record",
           "multipart_parts"]


class FormError(ValueError):
    """A form body that cannot be read; the message names no field and no value."""


@dataclass(frozen=True)
class Part:
    """One part of a multipart form: a text field (``filename`` None) or a file."""

    position: int  # 1-based, for messages that must not name the field
    name: str
    filename: str | None
    media_type: str | None  # the part's Content-Type, parameters kept; None when absent
    data: bytes

    @property
    def is_file(self) -> bool:
        # A text field is a part with no file name and no type other than text/plain.
        return self.filename is not None or (
            self.media_type is not None
            and self.media_type.split(";", 1)[0].strip().lower() != "text/plain")


def form_record(body: bytes, charset: str | None) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` body as one record: a key given once
    maps to its value, a key given twice to the list of its values."""
    try:
        text = body.decode("ascii")  # a form body is percent-encoded ASCII
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True,
                                       encoding=charset or "utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError, LookupError):
        # the charset is the sender's: named only by where it came from, never echoed
        raise FormError("the form body is not URL-encoded text in "
                        f"{'the charset its Content-Type names' if charset else 'UTF-8'}; "
                        "send it encoded as its Content-Type says") from None
    return _record(pairs)


def _record(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key not in record:
            record[key] = value
        elif isinstance(record[key], list):
            record[key].append(value)
        else:
            record[key] = [record[key], value]
    return record


def fields_document(parts: list[Part]) -> bytes:
    """The fields of a multipart form as one JSON record, what the form's URL-encoded
    twin would send: each text field's value, and each file field's file name (it is
    sent too, judged without its extension, which a detector would take for part of
    the last word). FormError for a text field that is not in its charset."""
    pairs = []
    for part in parts:
        if part.is_file:
            if part.filename:
                pairs.append((part.name, _stem(part.filename)))
            continue
        charset = Gate.charset(part.media_type) or "utf-8"
        try:
            pairs.append((part.name, part.data.decode(charset)))
        except (UnicodeDecodeError, LookupError):
            raise FormError(f"form part {part.position} is not text in the charset its "
                            "Content-Type names (UTF-8 if none); send it encoded as its "
                            "Content-Type says") from None
    return json.dumps(_record(pairs), ensure_ascii=False).encode("utf-8")


def _stem(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return stem if dot and stem and extension.isalnum() and len(extension) <= 10 \
        else filename


def multipart_parts(body: bytes, content_type: str) -> list[Part]:
    """The parts of a ``multipart/form-data`` body, in order; FormError when it is
    malformed (no boundary, a part without a name, no closing boundary)."""
    boundary = _boundary(content_type)
    try:
        from python_multipart import MultipartParser
        from python_multipart.exceptions import FormParserError
    except ImportError:  # pragma: no cover - installed with guardrail[http]
        raise FormError("reading a multipart body needs python-multipart: pip install "
                        "'guardrail[http]'") from None
    collected = _Collector()
    try:
        parser = MultipartParser(boundary, collected.callbacks())  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except FormParserError:
        raise FormError("the multipart body is malformed; send it as multipart/form-data "
                        "with the boundary its Content-Type names") from None
    if not collected.ended:
        raise FormError("the multipart body ends before its closing boundary")
    return [_part(n, headers, data) for n, (headers, data)
            in enumerate(collected.parts, 1)]


def _boundary(content_type: str) -> bytes:
    message = Message()
    message["Content-Type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary or len(boundary) > 200:
        raise FormError("the multipart Content-Type names no boundary")
    try:
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        raise FormError("the multipart boundary is not ASCII") from None


def _part(position: int, raw_headers: list[tuple[bytes, bytes]], data: bytes) -> Part:
    headers = Message()
    for field, value in raw_headers:
        headers[field.decode("latin-1")] = value.decode("utf-8", "replace")
    if headers.get_content_disposition() != "form-data":
        raise FormError(f"form part {position} is not form-data")
    name = headers.get_param("name", header="content-disposition")
    if not isinstance(name, str):
        raise FormError(f"form part {position} has no field name")
    filename = headers.get_filename()
    if headers.get_content_maintype() == "multipart":
        raise FormError(f"form part {position} is itself multipart, which is not read; "
                        "send each file as a part of its own")
    return Part(position, name, filename, headers.get("Content-Type"), data)


class _Collector:
    """python-multipart's callbacks, gathering each part's headers and bytes."""

    def __init__(self) -> None:
        self.parts: list[tuple[list[tuple[bytes, bytes]], bytes]] = []
        self.ended = False
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = b""
        self._value = b""
        self._data = io.BytesIO()

    def callbacks(self) -> dict[str, Any]:
        return {"on_part_begin": self._begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_part_data": self._part_data, "on_part_end": self._part_end,
                "on_end": self._end}

    def _begin(self) -> None:
        self._headers, self._data = [], io.BytesIO()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers.append((self._field, self._value))
        self._field = self._value = b""

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._data.write(data[start:end])

    def _part_end(self) -> None:
        self.parts.append((self._headers, self._data.getvalue()))

    def _end(self) -> None:
        self.ended = True
