"""httpx request event hooks that check a request's body before it is sent.

::

    hook = GuardrailHook("asb-public-web", destination="public-web")
    client = httpx.Client(event_hooks={"request": [hook]})
    client.post(url, json=rows)   # raises RequestBlocked; nothing is sent

httpx calls request hooks before every send (a redirect too), and an exception a hook
raises stops the request before a connection is made. A streamed body (a generator, a
file upload) is read into memory up to ``max_body_bytes`` and the request then sends
those very bytes; a larger one is refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

import httpx

from guardrail import Decision
from guardrail_http.body import BodyCheck
from guardrail_http.capped import aread_chunks, read_chunks

__all__ = ["GuardrailHook", "AsyncGuardrailHook"]


class GuardrailHook(BodyCheck):
    """A request hook for ``httpx.Client(event_hooks={"request": [hook]})``.

    Takes the arguments of :class:`~guardrail_http.body.BodyCheck`: a Gate, a
    Guardrail or a policy, then ``destination``, ``mode``, ``max_body_bytes``,
    ``pass_through`` and check options. Raises
    :class:`~guardrail_http.RequestBlocked` for a body that must not be sent.
    """

    def __call__(self, request: httpx.Request) -> None:
        if self.passes_unchecked(request.headers.get("content-type")):
            return
        body: bytes | None
        if isinstance(request.stream, httpx.ByteStream):
            body = request.read()  # already in memory
        else:
            body = _replace_stream(request, read_chunks(request.stream,  # type: ignore[arg-type]
                                                        self.max_body_bytes))
        _judge(self, request, body)


class AsyncGuardrailHook(BodyCheck):
    """A request hook for ``httpx.AsyncClient(event_hooks={"request": [hook]})``.

    The check runs in the event loop's thread: a 1-record JSON body costs about 0.2 ms,
    but a large upload holds the loop for as long as its check takes.
    """

    async def __call__(self, request: httpx.Request) -> None:
        if self.passes_unchecked(request.headers.get("content-type")):
            return
        body: bytes | None
        if isinstance(request.stream, httpx.ByteStream):
            body = request.read()
        elif isinstance(request.stream, AsyncIterable):
            body = _replace_stream(request, await aread_chunks(request.stream,
                                                               self.max_body_bytes))
        else:
            body = _replace_stream(request, read_chunks(request.stream, self.max_body_bytes))
        _judge(self, request, body)


def _replace_stream(request: httpx.Request, body: bytes | None) -> bytes | None:
    """Send the bytes that were read (the stream is spent), as ``Request.read`` does."""
    if body is not None:
        request.stream = httpx.ByteStream(body)
        request.read()
    return body


def _judge(check: BodyCheck, request: httpx.Request, body: bytes | None) -> Decision | None:
    return check.enforce(check.too_large() if body is None else body,
                         request.headers.get("content-type"),
                         request.headers.get("content-encoding"))
