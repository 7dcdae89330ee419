"""The web middleware against what an adversarial run got past it: a server that sends
a HEAD body, a response declaring two media types, an SVG under the image/* default."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from guardrail_web import GuardrailASGI, GuardrailWSGI

import guardrail

LEAKY = b"name,phone\nDaniel Hughes,07700 900123\n"


@pytest.fixture(scope="module")
def policy() -> guardrail.Guardrail:
    return guardrail.Guardrail.from_policy("uk-content-scan")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def wsgiref_serving(app: Any) -> Iterator[int]:
    """*app* under the standard library's wsgiref on 127.0.0.1 (an ephemeral port)."""
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(10)


def _raw(port: int, request: bytes) -> bytes:
    """What the server writes on the wire for *request* (HTTP/1.0: it then closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _app(headers: list[tuple[str, str]]) -> Any:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", headers)
        return [LEAKY]
    return app


def test_a_head_response_carries_no_body_even_when_the_server_would_send_it(policy) -> None:
    app = GuardrailWSGI(_app([("Content-Type", "text/csv")]), policy)
    with wsgiref_serving(app) as port:
        wire = _raw(port, b"HEAD /export.csv HTTP/1.0\r\nHost: x\r\n\r\n")
    assert wire.startswith(b"HTTP/1.0 200") and b"Content-Type: text/csv" in wire
    assert b"Daniel" not in wire and b"07700" not in wire
    assert wire.endswith(b"\r\n\r\n")


def test_a_lower_case_head_is_not_a_head_and_is_checked(policy) -> None:
    app = GuardrailWSGI(_app([("Content-Type", "text/csv")]), policy)
    with wsgiref_serving(app) as port:
        wire = _raw(port, b"head /export.csv HTTP/1.0\r\nHost: x\r\n\r\n")
    assert wire.startswith(b"HTTP/1.0 451") and b"Daniel" not in wire


@pytest.mark.parametrize("headers", [
    [("Content-Type", "image/png"), ("Content-Type", "text/csv")],
    [("Content-Type", "image/png, text/csv")],
], ids=["two headers", "a list in one"])
def test_a_response_declaring_several_media_types_is_checked(policy, headers) -> None:
    app = GuardrailWSGI(_app(headers), policy)
    with wsgiref_serving(app) as port:
        wire = _raw(port, b"GET /export HTTP/1.0\r\nHost: x\r\n\r\n")
    assert wire.startswith(b"HTTP/1.0 451") and b"Daniel" not in wire


def test_an_svg_is_checked_under_the_image_default(policy) -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><text>Daniel Hughes 07700 900123'
           b"</text></svg>")

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "image/svg+xml")])
        return [svg]

    with wsgiref_serving(GuardrailWSGI(app, policy)) as port:
        wire = _raw(port, b"GET /logo.svg HTTP/1.0\r\nHost: x\r\n\r\n")
    assert wire.startswith(b"HTTP/1.0 451") and b"Daniel" not in wire


def test_the_asgi_middleware_sends_no_head_body_either(policy) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/csv")]})
        await send({"type": "http.response.body", "body": LEAKY})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "HEAD", "path": "/export.csv", "headers": []}
    asyncio.run(GuardrailASGI(app, policy)(scope, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["body"] == b""
