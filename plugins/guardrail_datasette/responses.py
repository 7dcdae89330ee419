"""An ASGI wrapper that holds each HTTP response until guardrail has judged its body.

Nothing of a response (status, headers, a byte of body) is sent before its last chunk
has arrived and been checked, so a streamed CSV is judged whole like a page. A response
longer than the cap is cut at the cap and refused, in both modes: memory per request
stays under ``max_bytes`` plus one chunk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from guardrail import Decision

__all__ = ["GuardedResponses", "Judge"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
# (body, Content-Type, request path, Content-Encoding unless identity) -> the decision
# and whether to hold the body back; None when the body goes out unchecked.
Judge = Callable[[bytes, "str | None", str, "str | None"], "tuple[Decision, bool] | None"]


class _Full(Exception):
    """Raised into the app when its response passes the cap: there is no point in
    producing the rest of a response that will be refused."""


class GuardedResponses:
    """Wrap an ASGI *app* so every HTTP response whose path *unchecked* does not claim
    is judged before it is sent; a held-back one becomes *status* with a masked reason."""

    def __init__(self, app: App, judge: Judge, *, status: int, max_bytes: int,
                 unchecked: Callable[[str], bool]) -> None:
        self.app = app
        self.judge = judge
        self.status = status
        self.max_bytes = max_bytes
        self.unchecked = unchecked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.unchecked(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        held = _Held(self.max_bytes)
        try:
            await self.app(scope, receive, held.send)
        except _Full:
            pass  # held.full says so; the app's own errors propagate (nothing was sent)
        if held.start is None:
            return  # the app answered nothing: nothing to check or send
        # A cut or compressed body goes to guardrail as it is, which refuses it (too
        # long, unreadable) and tells the after-check hook, as for any other body.
        body = b"".join(held.chunks)
        encoding = _header(held.start, b"content-encoding")
        judged = await asyncio.to_thread(
            self.judge, body, _header(held.start, b"content-type"), scope.get("path", ""),
            None if encoding in (None, "identity") else encoding)
        if judged is not None and judged[1]:
            await _refuse(send, self.status, judged[0])
            return
        await send(held.start)
        await send({"type": "http.response.body", "body": body, "more_body": False})


class _Held:
    """The response as the app sends it, kept back."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.full = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            chunk = bytes(message.get("body", b""))
            room = self.max_bytes + 1 - self.size  # one byte over tells guardrail it is over
            self.chunks.append(chunk[:room])
            self.size += min(len(chunk), room)
            if self.size > self.max_bytes:
                self.full = True
                raise _Full


def _header(start: Message, name: bytes) -> str | None:
    for key, value in start.get("headers", ()):
        if bytes(key).lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(send: Send, status: int, decision: Decision) -> None:
    # decision.summary() names fields and rules, already screened; never a value.
    text = (f"This response was held back by guardrail. {decision.summary()}\n"
            "Ask the site's owner to remove or redact the data, or to change the policy.\n")
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body, "more_body": False})
