"""Fetching one URL for a crawl: within a whole-request deadline, on one origin, the
body decompressed and decoded within the size limit.

- ``--timeout`` bounds the whole request (connecting, redirects, headers and every
  read of the body), not each read: a server trickling a byte a second is stopped.
- A redirect elsewhere, to a non-http(s) URL or in a loop is refused, saying which.
- A body sent ``Content-Encoding: gzip`` or ``deflate`` is decompressed piece by piece;
  ``--max-file-size`` applies to what it decompresses to (a zip bomb is unreadable).
- A text body in a charset the server names (``text/html; charset=iso-8859-1``) is
  saved as UTF-8 (with a byte-order mark, which every text format honours first).
"""

from __future__ import annotations

import codecs
import http.client
import socket
import threading
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

__all__ = ["Fetcher", "Refused", "Fetched"]

_CHUNK = 1 << 16
_HTTP_SCHEMES = ("http", "https")
_TEXT_SUBTYPES = ("json", "xml", "yaml", "csv")
_BINARY_SUFFIXES = frozenset({".xlsx", ".xls", ".parquet", ".zip", ".arrow", ".feather"})
_CANNOT_READ = "a page a sweep cannot read may hold anything"


class Refused(Exception):
    """A fetch the crawl will not make or finish; the message is the page's error."""


class _Deadline:
    """A timer that shuts the request's socket when its time is up, so whatever read
    is waiting returns at once."""

    def __init__(self) -> None:
        self.expired = False
        self._socks: list[socket.socket] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def start(self, seconds: float) -> None:
        self.expired, self._socks = False, []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._socks = []

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._socks.append(sock)
            if self.expired:
                _shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:  # the plain socket's shutdown, under TLS too: it wakes a read in another thread
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _HTTPSConnection(http.client.HTTPSConnection):
    """TLS with the handshake made after the TLS socket is watched: wrapping detaches
    the plain socket, and a handshake trickled byte by byte must meet the deadline."""

    deadline: _Deadline

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        host = self._tunnel_host or self.host  # type: ignore[attr-defined]
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            self.sock, server_hostname=host, do_handshake_on_connect=False)
        self.deadline.watch(self.sock)
        self.sock.do_handshake()


def _watched(cls: type[http.client.HTTPConnection], deadline: _Deadline
             ) -> Callable[..., http.client.HTTPConnection]:
    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        conn = cls(host, **kwargs)
        create = conn._create_connection  # type: ignore[attr-defined]
        conn._create_connection = (  # type: ignore[attr-defined]
            lambda *a, **k: deadline.watch(create(*a, **k)))
        if isinstance(conn, _HTTPSConnection):
            conn.deadline = deadline
        return conn
    return make


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: Any) -> Any:
        return self.do_open(_watched(http.client.HTTPConnection, self._deadline), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: Any) -> Any:
        return self.do_open(_watched(_HTTPSConnection, self._deadline), req,
                            context=self._context)  # type: ignore[attr-defined]


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within *same* (a predicate on the new URL)."""

    def __init__(self, same: Callable[[str], bool]) -> None:
        self.same = same

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        location = headers.get("location") or headers.get("uri")
        if location is not None:
            scheme = urlsplit(urljoin(req.full_url, location.strip())).scheme.lower()
            if scheme not in _HTTP_SCHEMES:
                fp.close()
                raise Refused(f"redirects (HTTP {code}) to a non-http(s) URL: not followed; "
                              f"{_CANNOT_READ}")
        try:
            return super().http_error_302(req, fp, code, msg, headers)
        except urllib.error.HTTPError as exc:
            if str(exc.msg).startswith(self.inf_msg):
                raise Refused(f"redirects in a loop (HTTP {code}, more than "
                              f"{self.max_redirections} redirects or the same URL "
                              f"{self.max_repeats} times): {_CANNOT_READ}") from None
            raise

    http_error_301 = http_error_303 = http_error_307 = http_error_302
    http_error_308 = http_error_302

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        if not self.same(newurl):
            raise Refused(f"redirects (HTTP {code}) to another site (another scheme, host "
                          "or port): not followed, as a sweep stays on the start URL's "
                          "site; sweep that site on its own")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetched:
    """A fetched body: where it was saved, the URL it came from in the end (links are
    relative to it) and the type the server gave it."""

    def __init__(self, path: str, final: str, content_type: str) -> None:
        self.path, self.final, self.content_type = path, final, content_type


class Fetcher:
    """Fetches URLs one at a time, each within *timeout* seconds in all."""

    def __init__(self, same: Callable[[str], bool], timeout: float, max_bytes: int) -> None:
        self._deadline = _Deadline()
        self._opener = urllib.request.build_opener(
            _Redirects(same), _HTTP(self._deadline), _HTTPS(self._deadline))
        self.timeout, self.max_bytes = timeout, max_bytes

    def fetch(self, url: str, path: str, suffix_for: Callable[[str, str], str]) -> Fetched:
        """*url*'s body saved as *path* plus the suffix ``suffix_for(final_url,
        content_type)`` gives. Raises Refused, saying why, when it cannot be."""
        request = urllib.request.Request(url, headers={
            "User-Agent": "guardrail-sweep", "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate"})
        self._deadline.start(self.timeout)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise Refused(f"the server answered HTTP {response.status}; "
                                  f"{_CANNOT_READ}")
                final = response.geturl()
                kind = response.headers.get_content_type()
                path += suffix_for(final, kind)
                self._save(response, path, _charset(response.headers, kind, path))
            if self._deadline.expired:
                raise Refused(self._late())
            return Fetched(path, final, kind)
        except Refused:
            raise
        except urllib.error.HTTPError as exc:
            raise Refused(f"the server answered HTTP {exc.code}; {_CANNOT_READ}") from None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None)
            if self._deadline.expired or isinstance(exc, TimeoutError) \
                    or isinstance(reason, TimeoutError):
                raise Refused(self._late()) from None
            why = getattr(reason, "strerror", None) or getattr(exc, "strerror", None) \
                or type(reason or exc).__name__
            raise Refused(f"cannot fetch it ({why})") from None
        finally:
            self._deadline.stop()

    def _late(self) -> str:
        return (f"did not finish within {self.timeout:g}s; raise --timeout if the site is "
                "slow")

    def _save(self, response: Any, path: str, charset: str | None) -> None:
        coding = (response.headers.get("Content-Encoding") or "").strip().lower()
        size = response.headers.get("Content-Length")
        if not coding and size is not None and size.isdigit() \
                and int(size) > self.max_bytes:
            raise Refused(too_big(self.max_bytes))
        pieces = _inflated(response, coding)
        decoder = codecs.getincrementaldecoder(charset)("strict") if charset else None
        written = 0
        with open(path, "wb") as out:
            if decoder is not None:
                out.write(codecs.BOM_UTF8)
            try:
                for piece in pieces:
                    written += len(piece)
                    if written > self.max_bytes:
                        raise Refused(too_big(self.max_bytes))
                    out.write(decoder.decode(piece).encode("utf-8") if decoder else piece)
                if decoder is not None:
                    out.write(decoder.decode(b"", final=True).encode("utf-8"))
            except UnicodeDecodeError:
                raise Refused(f"not valid {charset} text, the charset the server names; "
                              f"{_CANNOT_READ}") from None


def too_big(max_bytes: int) -> str:
    return (f"larger than {max_bytes} bytes; raise --max-file-size to check it "
            "(a page left unchecked may hold anything)")


def _charset(headers: Any, kind: str, path: str) -> str | None:
    """The charset to decode a text body from, when the server names one other than
    UTF-8 (None: save the bytes as they are)."""
    label = headers.get_content_charset()
    textual = kind.startswith("text/") or any(t in kind for t in _TEXT_SUBTYPES)
    if not label or not textual or path.endswith(tuple(_BINARY_SUFFIXES)):
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        raise Refused("the server names a charset Python does not know; "
                      f"{_CANNOT_READ}") from None
    if info.name in ("utf-8", "ascii") or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _inflated(response: Any, coding: str) -> Iterator[bytes]:
    """The body's pieces as sent, or decompressed a piece at a time (never more than
    one chunk held), read with ``read1`` so a trickle cannot hold one read open."""
    if coding in ("", "identity"):
        while chunk := response.read1(_CHUNK):
            yield chunk
        return
    if coding not in ("gzip", "x-gzip", "deflate"):
        raise Refused("sent compressed in a Content-Encoding other than gzip or deflate, "
                      f"which a sweep cannot undo; {_CANNOT_READ}")
    inflater: Any = None
    while chunk := response.read1(_CHUNK):
        if inflater is None:
            inflater = zlib.decompressobj(_wbits(coding, chunk))
        data = chunk
        try:
            while True:
                out = inflater.decompress(data, _CHUNK)
                if out:
                    yield out
                data = inflater.unconsumed_tail
                if not data and len(out) < _CHUNK:
                    break
        except zlib.error:
            raise Refused(f"its {coding} compression is damaged; {_CANNOT_READ}") from None
    if inflater is not None and not inflater.eof:
        raise Refused(f"its {coding} compression is cut short; {_CANNOT_READ}")


def _wbits(coding: str, head: bytes) -> int:
    if coding != "deflate":
        return 16 + zlib.MAX_WBITS
    # "deflate" is meant to be zlib-wrapped; some servers send it raw
    wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
