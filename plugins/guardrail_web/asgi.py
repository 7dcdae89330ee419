"""ASGI middleware: an ``http`` response leaves only once guardrail has read all of it.

The ``http.response.start`` message is held, then every ``http.response.body`` chunk
(``more_body``, as Starlette's ``StreamingResponse`` sends them) up to the cap; the
check runs in a worker thread so the event loop keeps serving. WebSocket and lifespan
scopes pass through untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .judge import ResponseGuard, Verdict, kept_headers, media_type_of

__all__ = ["GuardrailASGI"]

log = logging.getLogger("guardrail_web")

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Message]], Send],
                   Awaitable[None]]

# Ways to send a body that bypass http.response.body; the app falls back without them.
_FILE_SENDS = ("http.response.pathsend", "http.response.zerocopysend")


class GuardrailASGI:
    """Wrap an ASGI application so every HTTP response body is checked before it is sent.

    ``GuardrailASGI(app, policy="asb-public-web", destination="public-web")``; the
    keyword arguments are :class:`~guardrail_web.ResponseGuard`'s, or pass ``guard=``.
    """

    def __init__(self, app: ASGIApp, policy: Any = None, destination: str | None = None,
                 mode: str = "enforce", *, guard: ResponseGuard | None = None,
                 **options: Any) -> None:
        self.app = app
        self.guard = guard or ResponseGuard(policy, destination, mode, **options)

    async def __call__(self, scope: MutableMapping[str, Any],
                       receive: Callable[[], Awaitable[Message]], send: Send) -> None:
        method = str(scope.get("method", "GET"))
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if method == "HEAD":
            await self.app(scope, receive, _without_body(send))
            return
        exchange = _Exchange(self.guard, method, send)
        try:
            await self.app(_without_file_sends(scope), receive, exchange.send)
        except BaseException as error:
            if not _only_finished(error):
                raise
        await exchange.finish()


def _without_body(send: Send) -> Send:
    """*send* for a HEAD response: its status and headers, none of its body. A server
    need not drop a body an application sends for HEAD, so the middleware does."""
    async def headers_only(message: Message) -> None:
        if message.get("type") == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return headers_only


class _Finished(Exception):
    """Raised into the application once its response has been withheld: stop producing."""


class _Exchange:
    """One response: held until its body is complete, then judged and sent once."""

    def __init__(self, guard: ResponseGuard, method: str, send: Send) -> None:
        self.guard = guard
        self.method = method
        self._send = send
        self.start: Message | None = None
        self.passing = False   # sent unchecked (HEAD-like statuses, pass-through types)
        self.done = False      # the response (original or withheld) has been sent
        self.sent_original = False
        self._chunks: list[bytes] = []
        self._size = 0

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if self.passing or (self.done and self.sent_original):
            await self._send(message)
        elif self.done:
            raise _Finished()
        elif kind == "http.response.start":
            self.start = message
            if not self.guard.checks(self.method, int(message["status"]),
                                     self._media_type()):
                self.passing = True
                await self._send(message)
        elif kind == "http.response.body":
            await self._hold(message)
        else:  # an extension message before the body is complete: not ours to judge
            await self._send(message)

    async def _hold(self, message: Message) -> None:
        chunk = bytes(message.get("body", b""))
        self._size += len(chunk)
        if self._size > self.guard.max_bytes:
            self._chunks.clear()
            log.warning("guardrail withheld a response larger than the %d-byte cap",
                        self.guard.max_bytes)
            await self._withhold(Verdict(send=False, status=self.guard.error_status,
                                         reason="too large"))
            raise _Finished()
        if chunk:
            self._chunks.append(chunk)
        if not message.get("more_body", False):
            await self._decide()

    async def finish(self) -> None:
        """The application returned: judge a body it left unfinished, as it stands."""
        if self.start is not None and not self.done and not self.passing:
            await self._decide()

    async def _decide(self) -> None:
        body = b"".join(self._chunks)
        self._chunks = []
        content_type = self._media_type()
        encoding = self._header("content-encoding")
        if self.guard.known_clean(body, content_type, encoding):  # no thread for a hit
            verdict = Verdict(send=True)
        else:
            verdict = await _off_loop(lambda: self.guard.judge(body, content_type,
                                                               encoding))
        if not verdict.send:
            await self._withhold(verdict)
            return
        assert self.start is not None
        self.done = self.sent_original = True
        await self._send(self.start)
        await self._send({"type": "http.response.body", "body": body, "more_body": False})

    async def _withhold(self, verdict: Verdict) -> None:
        assert self.start is not None
        self.done = True
        status, headers, body = self.guard.withheld(verdict)
        kept = kept_headers(self.start.get("headers", []))
        await self._send({"type": "http.response.start", "status": status,
                          "headers": kept + [(k.lower().encode("latin-1"),
                                              v.encode("latin-1")) for k, v in headers]})
        await self._send({"type": "http.response.body", "body": body, "more_body": False})

    def _media_type(self) -> str | None:
        assert self.start is not None
        return media_type_of([bytes(value).decode("latin-1")
                              for key, value in self.start.get("headers", [])
                              if bytes(key).lower() == b"content-type"])

    def _header(self, name: str) -> str | None:
        assert self.start is not None
        wanted = name.encode("latin-1")
        for key, value in self.start.get("headers", []):
            if bytes(key).lower() == wanted:
                return bytes(value).decode("latin-1")
        return None


def _only_finished(error: BaseException) -> bool:
    """Our own stop, alone or inside an exception group (a task group wraps it)."""
    if isinstance(error, _Finished):
        return True
    inner = getattr(error, "exceptions", None)
    if not inner:
        return False
    return all(_only_finished(e) for e in inner)


async def _off_loop(work: Callable[[], Verdict]) -> Verdict:
    """Run the check in a worker thread under asyncio (it is CPU work); inline otherwise."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # another event loop (trio): no asyncio executor to use
        return work()
    return await asyncio.to_thread(work)


def _without_file_sends(scope: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    extensions = scope.get("extensions") or {}
    if not any(name in extensions for name in _FILE_SENDS):
        return scope
    trimmed = dict(scope)
    trimmed["extensions"] = {k: v for k, v in extensions.items() if k not in _FILE_SENDS}
    return trimmed
