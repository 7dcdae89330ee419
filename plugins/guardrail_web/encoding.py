"""A compressed response body, decoded so guardrail reads what the client would read.

gzip and deflate are decoded with the standard library, in bounded memory (a body
that inflates past the cap is refused, so a zip bomb costs nothing). Brotli is decoded
when the ``brotli`` package is installed, and refused otherwise: a body the middleware
cannot read never leaves unchecked.
"""

from __future__ import annotations

import zlib

__all__ = ["EncodingRefused", "decode_body"]


class EncodingRefused(Exception):
    """The body's ``Content-Encoding`` cannot be read, or it inflates past the cap."""


def decode_body(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """*body* with every coding of *content_encoding* undone (the last one applied is
    undone first), no larger than *max_bytes*."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, 16 + zlib.MAX_WBITS, max_bytes)
        elif coding == "deflate":
            body = _deflate(body, max_bytes)
        elif coding == "br":
            body = _brotli(body, max_bytes)
        else:
            raise EncodingRefused("a Content-Encoding the middleware cannot decode")
    return body


def _inflate(body: bytes, wbits: int, max_bytes: int) -> bytes:
    out: list[bytes] = []
    size = 0
    data = body
    while data:  # a gzip body may hold several members
        inflater = zlib.decompressobj(wbits)
        try:
            piece = inflater.decompress(data, max_bytes + 1 - size)
        except zlib.error:
            raise EncodingRefused("a compressed body that does not decode") from None
        size += len(piece)
        out.append(piece)
        if size > max_bytes or inflater.unconsumed_tail:
            raise EncodingRefused("a compressed body larger, decoded, than the cap")
        if not inflater.eof:
            raise EncodingRefused("a compressed body that ends early")
        data = inflater.unused_data
    return b"".join(out)


def _deflate(body: bytes, max_bytes: int) -> bytes:
    try:  # RFC 9110 deflate is zlib-wrapped; some servers send it raw
        return _inflate(body, zlib.MAX_WBITS, max_bytes)
    except EncodingRefused:
        return _inflate(body, -zlib.MAX_WBITS, max_bytes)


def _brotli(body: bytes, max_bytes: int) -> bytes:
    try:
        import brotli  # type: ignore[import-not-found]
    except ImportError:
        raise EncodingRefused("a brotli body, and the brotli package is not installed") \
            from None
    try:
        decoded: bytes = brotli.decompress(body)
    except Exception:  # brotli.error: the body does not decode
        raise EncodingRefused("a compressed body that does not decode") from None
    if len(decoded) > max_bytes:
        raise EncodingRefused("a compressed body larger, decoded, than the cap")
    return decoded
