"""WSGI middleware: a response leaves only once guardrail has read all of it.

The application's iterable (a list, a generator, Flask's ``stream_with_context``,
Django's ``StreamingHttpResponse``) is read to the end, up to the cap, before
``start_response`` reaches the server; its ``close()`` is always called.
"""

from __future__ import annotations

import http
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .judge import ResponseGuard, Verdict, kept_headers, media_type_of

__all__ = ["GuardrailWSGI"]

log = logging.getLogger("guardrail_web")

StartResponse = Callable[..., Callable[[bytes], Any]]


class GuardrailWSGI:
    """Wrap a WSGI application so every response body is checked before it is sent.

    ``GuardrailWSGI(app, policy="asb-public-web", destination="public-web")``; the
    keyword arguments are :class:`~guardrail_web.ResponseGuard`'s (``mode``,
    ``status``, ``error_status``, ``max_bytes``, ``pass_through``, ``cache_size``), or
    pass a ready ``guard=`` to share one between applications.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], policy: Any = None,
                 destination: str | None = None, mode: str = "enforce", *,
                 guard: ResponseGuard | None = None, **options: Any) -> None:
        self.app = app
        self.guard = guard or ResponseGuard(policy, destination, mode, **options)

    def __call__(self, environ: dict[str, Any],
                 start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        if method == "HEAD":
            return _head(self.app, environ, start_response)
        held = _Held(self.guard.max_bytes)
        result = self.app(environ, held.start_response)
        handed_on = False
        try:
            chunks = iter(result)
            while held.status is None:  # start_response may wait for the first chunk
                chunk = next(chunks, None)
                if chunk is None:
                    raise RuntimeError("the WSGI application never called start_response")
                held.add(chunk)
            if not self.guard.checks(method, held.code, held.media_type()):
                held.forward = start_response(held.status, held.headers, held.exc_info)
                handed_on = True
                return _Forwarded(held.take(), chunks, result)
            for chunk in chunks:
                if not held.add(chunk):
                    break
        finally:
            if not handed_on and hasattr(result, "close"):
                result.close()
        return self._respond(held, start_response)

    def _respond(self, held: _Held, start_response: StartResponse) -> list[bytes]:
        assert held.status is not None
        if held.over:
            log.warning("guardrail withheld a response larger than the %d-byte cap",
                        self.guard.max_bytes)
            verdict = Verdict(send=False, status=self.guard.error_status, reason="too large")
        else:
            verdict = self.guard.judge(held.body(), held.media_type(),
                                       held.header("content-encoding"))
        if verdict.send:
            start_response(held.status, held.headers, held.exc_info)
            return [held.body()]
        status, headers, body = self.guard.withheld(verdict)
        start_response(_status_line(status), kept_headers(held.headers) + headers,
                       held.exc_info)
        return [body]


def _head(app: Callable[..., Iterable[bytes]], environ: dict[str, Any],
          start_response: StartResponse) -> list[bytes]:
    """A HEAD response: the application's status and headers, none of its body. Not
    every server drops a body an application writes for HEAD (wsgiref sends it), so
    the middleware does: nothing unchecked reaches the wire."""
    started: list[bool] = []

    def noted(status: str, headers: list[tuple[str, str]],
              exc_info: Any = None) -> Callable[[bytes], Any]:
        start_response(status, headers, exc_info)
        started.append(True)
        return lambda data: None  # the legacy write(): a HEAD body goes nowhere

    result = app(environ, noted)
    try:
        chunks = iter(result)
        while not started and next(chunks, None) is not None:
            pass  # start_response may wait for the first chunk, which is dropped
        if not started:
            raise RuntimeError("the WSGI application never called start_response")
    finally:
        if hasattr(result, "close"):
            result.close()
    return []


class _Held:
    """The application's status, headers and body, held back from the server."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.exc_info: Any = None
        self.forward: Callable[[bytes], Any] | None = None
        self.over = False
        self._chunks: list[bytes] = []
        self._size = 0

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], Any]:
        self.status, self.headers, self.exc_info = status, list(headers), exc_info
        return self.write

    def write(self, data: bytes) -> None:
        """The legacy ``write()`` callable: held like the iterable's chunks."""
        if self.forward is not None:
            self.forward(data)
        else:
            self.add(data)

    def add(self, chunk: bytes) -> bool:
        """Hold *chunk*; False once the body has passed the cap (and nothing more is held)."""
        self._size += len(chunk)
        if self._size > self.max_bytes:
            self.over = True
            self._chunks.clear()
            return False
        if chunk:
            self._chunks.append(chunk)
        return True

    def take(self) -> list[bytes]:
        chunks, self._chunks = self._chunks, []
        return chunks

    def body(self) -> bytes:
        if len(self._chunks) != 1:
            self._chunks = [b"".join(self._chunks)]
        return self._chunks[0]

    @property
    def code(self) -> int:
        assert self.status is not None
        return int(self.status.split(" ", 1)[0])

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def media_type(self) -> str | None:
        return media_type_of([value for key, value in self.headers
                              if key.lower() == "content-type"])


class _Forwarded:
    """A passed-through response: the chunks already read, then the rest, then close()."""

    def __init__(self, first: list[bytes], rest: Iterator[bytes], result: Any) -> None:
        self._first = first
        self._rest = rest
        self._result = result

    def __iter__(self) -> Iterator[bytes]:
        yield from self._first
        yield from self._rest

    def close(self) -> None:
        if hasattr(self._result, "close"):
            self._result.close()


def _status_line(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Withheld"
