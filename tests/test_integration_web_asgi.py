"""guardrail_web's ASGI middleware in front of Starlette and FastAPI, served by uvicorn
on loopback and asked by a real HTTP client."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from guardrail_web import GuardrailASGI, ResponseGuard
from loopback import Recorder, recording, uvicorn_client
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

import guardrail

CLEAN = [{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance"}]
LEAKY = [{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance",
          "complainant_name": "Daniel Hughes", "email": "daniel.hughes@example.com"}]
SECRETS = ("Daniel", "Hughes", "daniel.hughes")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WITHHELD = (b"Withheld by guardrail: this response may not be published to 'public-web'. "
            b"The site's operator has the details in its log.\n")
UNCHECKED = (b"Withheld by guardrail: this response could not be checked, so it was not "
             b"sent. The site's operator has the details in its log.\n")


class Faulty:
    """A plugin that fails while a body is checked, quoting what it read."""

    @guardrail.hookimpl
    def guardrail_detect_format(self, payload: Any, formats: Any) -> str | None:
        raise RuntimeError("Daniel Hughes")


@pytest.fixture(scope="module")
def policy() -> guardrail.Guardrail:
    return guardrail.Guardrail.from_policy("asb-public-web")


@pytest.fixture
def recorder(policy: guardrail.Guardrail) -> Iterator[Recorder]:
    with recording(policy) as plugin:
        yield plugin


streams_closed: list[str] = []


async def _rows(rows: list[dict[str, str]]) -> Any:
    yield ",".join(rows[0]) + "\r\n"
    for row in rows:
        yield ",".join(row.values()) + "\r\n"


async def _endless() -> Any:
    try:
        while True:
            yield b"month,ward\r\n" * 1024
    finally:
        streams_closed.append("endless")


async def _broken(request: Any) -> Response:
    raise RuntimeError("the view failed")


def starlette_app() -> Starlette:
    return Starlette(routes=[
        Route("/clean.json", lambda r: JSONResponse(CLEAN, headers={"ETag": '"v1"'})),
        Route("/leaky.json", lambda r: JSONResponse(
            LEAKY, headers={"ETag": '"v2"', "Content-Disposition": "attachment; filename=x.json",
                            "X-Request-Id": "7"})),
        Route("/leaky.html", lambda r: Response(
            "<html><body><p>Complaint from Daniel Hughes, daniel.hughes@example.com</p>"
            "</body></html>", media_type="text/html")),
        Route("/clean.csv", lambda r: StreamingResponse(_rows(CLEAN), media_type="text/csv")),
        Route("/leaky.csv", lambda r: StreamingResponse(_rows(LEAKY), media_type="text/csv")),
        Route("/endless.csv", lambda r: StreamingResponse(_endless(), media_type="text/csv")),
        Route("/broken.json", lambda r: Response(b'{"month": "2026-',
                                                 media_type="application/json")),
        Route("/logo.png", lambda r: Response(PNG, media_type="image/png")),
        Route("/empty", lambda r: Response(status_code=204)),
        Route("/error", _broken),
    ])


def serving(app: Any) -> Any:
    """*app* under a real uvicorn on 127.0.0.1, an ephemeral port; a client for it."""
    return uvicorn_client(app, log_level="critical", lifespan="on", ws="wsproto")


def guarded(policy: guardrail.Guardrail, app: Any = None, **options: Any) -> GuardrailASGI:
    return GuardrailASGI(app or starlette_app(), policy=policy, destination="public-web",
                         **options)


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "date"}


def _assert_nothing_leaks(response: httpx.Response) -> None:
    seen = response.content.decode("latin-1") + str(response.headers.raw)
    for secret in SECRETS:
        assert secret not in seen


def test_a_leaky_json_response_becomes_a_451_with_no_payload(
        policy: guardrail.Guardrail, recorder: Recorder,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="guardrail_web")
    with serving(guarded(policy)) as client:
        response = client.get("/leaky.json")
    assert response.status_code == 451
    assert response.content == WITHHELD
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-guardrail"] == "withheld"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-request-id"] == "7"  # not about the body: kept
    for gone in ("etag", "content-disposition"):
        assert gone not in response.headers
    _assert_nothing_leaks(response)
    [decision] = recorder.decisions
    assert decision.mode == "enforce" and decision.destination == "public-web"
    assert [(f.rule, f.record, f.field, f.evidence) for f in decision.findings] == [
        ("uk.field.person_name", 0, "complainant_name", "D***** H*****"),
        ("uk.field.contact", 0, "email", "d***@e******.c**")]
    assert "complainant_name" in caplog.text
    assert not any(secret in caplog.text for secret in SECRETS)


def test_a_leaky_html_page_is_withheld(policy: guardrail.Guardrail) -> None:
    with serving(guarded(policy)) as client:
        response = client.get("/leaky.html")
    assert response.status_code == 451
    assert response.content == WITHHELD
    _assert_nothing_leaks(response)


def test_a_clean_response_is_sent_byte_identical_with_its_headers(
        policy: guardrail.Guardrail, recorder: Recorder) -> None:
    with serving(starlette_app()) as client:
        plain = client.get("/clean.json")
    with serving(guarded(policy)) as client:
        checked = client.get("/clean.json")
    assert checked.status_code == plain.status_code == 200
    assert checked.content == plain.content
    assert _headers(checked) == _headers(plain)
    assert checked.headers["etag"] == '"v1"'
    assert [d.allowed for d in recorder.decisions] == [True]


def test_streamed_responses_are_checked_whole(policy: guardrail.Guardrail,
                                              recorder: Recorder) -> None:
    with serving(guarded(policy)) as client:
        clean = client.get("/clean.csv")
        leaky = client.get("/leaky.csv")
    assert clean.status_code == 200
    assert clean.content == b"month,ward,category\r\n2026-08,Adeyfield East,Nuisance\r\n"
    assert clean.headers["content-type"] == "text/csv; charset=utf-8"
    assert leaky.status_code == 451 and leaky.content == WITHHELD
    _assert_nothing_leaks(leaky)
    assert [d.allowed for d in recorder.decisions] == [True, False]
    assert {f.field for f in recorder.decisions[1].findings} >= {"complainant_name", "email"}


def test_an_endless_stream_fails_closed_at_the_cap_and_is_stopped(
        policy: guardrail.Guardrail) -> None:
    streams_closed.clear()
    with serving(guarded(policy, max_bytes=256 * 1024)) as client:
        response = client.get("/endless.csv")
        assert response.status_code == 500
        assert response.content == UNCHECKED
        assert b"month" not in response.content
        for _ in range(100):
            if streams_closed:
                break
            time.sleep(0.05)
    assert streams_closed == ["endless"]


def test_audit_mode_sends_everything_and_the_hook_sees_the_would_be_block(
        policy: guardrail.Guardrail, recorder: Recorder) -> None:
    with serving(starlette_app()) as client:
        plain = client.get("/leaky.json")
    with serving(guarded(policy, mode="audit")) as client:
        audited = client.get("/leaky.json")
    assert audited.status_code == 200
    assert audited.content == plain.content and _headers(audited) == _headers(plain)
    [decision] = recorder.decisions
    assert decision.mode == "audit" and not decision.allowed and decision.exit_code == 0
    assert "complainant_name" in {f.field for f in decision.findings}


@pytest.mark.parametrize("mode", ["enforce", "audit"])
def test_an_unreadable_body_is_refused_in_both_modes(policy: guardrail.Guardrail,
                                                     recorder: Recorder, mode: str) -> None:
    with serving(guarded(policy, mode=mode)) as client:
        response = client.get("/broken.json")
    assert response.status_code == 500
    assert response.content == UNCHECKED
    assert b"2026-" not in response.content
    [decision] = recorder.decisions
    assert decision.exit_code == 3


def test_gzip_responses_are_decoded_to_check_and_sent_compressed(
        policy: guardrail.Guardrail) -> None:
    app = guarded(policy, GZipMiddleware(starlette_app(), minimum_size=10))
    with serving(GZipMiddleware(starlette_app(), minimum_size=10)) as client:
        with client.stream("GET", "/clean.json", headers={"Accept-Encoding": "gzip"}) as plain:
            plain_raw = b"".join(plain.iter_raw())
    with serving(app) as client:
        with client.stream("GET", "/clean.json", headers={"Accept-Encoding": "gzip"}) as clean:
            clean_raw = b"".join(clean.iter_raw())
        leaky = client.get("/leaky.json", headers={"Accept-Encoding": "gzip"})
    assert clean.status_code == 200 and clean.headers["content-encoding"] == "gzip"
    assert clean_raw == plain_raw
    assert gzip.decompress(clean_raw) == b'[{"month":"2026-08","ward":"Adeyfield East",' \
                                         b'"category":"Nuisance"}]'
    assert leaky.status_code == 451 and leaky.content == WITHHELD
    assert "content-encoding" not in leaky.headers
    _assert_nothing_leaks(leaky)


def test_an_encoding_it_cannot_read_is_refused(policy: guardrail.Guardrail) -> None:
    def compressed(request: Any) -> Response:
        return Response(b"\x0b\x02\x80hello\x03", media_type="application/json",
                        headers={"Content-Encoding": "compress"})
    app = Starlette(routes=[Route("/x.json", compressed)])
    with serving(guarded(policy, app)) as client:
        response = client.get("/x.json")
    assert response.status_code == 500 and response.content == UNCHECKED


def test_head_204_and_pass_through_images_are_not_held(policy: guardrail.Guardrail,
                                                       recorder: Recorder) -> None:
    with serving(guarded(policy)) as client:
        head = client.head("/leaky.json")
        empty = client.get("/empty")
        image = client.get("/logo.png")
    assert head.status_code == 200 and head.content == b""
    assert empty.status_code == 204
    assert image.status_code == 200 and image.content == PNG
    assert recorder.decisions == []


def test_with_no_pass_through_an_image_fails_closed(policy: guardrail.Guardrail) -> None:
    with serving(guarded(policy, pass_through=())) as client:
        image = client.get("/logo.png")
    assert image.status_code == 500 and image.content == UNCHECKED


def test_a_fault_inside_guardrail_fails_closed(policy: guardrail.Guardrail,
                                               caplog: pytest.LogCaptureFixture) -> None:
    faulty = Faulty()
    policy.registry.pm.register(faulty, name="faulty-detect")
    caplog.set_level(logging.ERROR, logger="guardrail_web")
    app = Starlette(routes=[Route("/blob", lambda r: Response(
        b"Daniel Hughes", media_type="application/octet-stream"))])
    try:
        with serving(guarded(policy, app)) as client:
            response = client.get("/blob")
    finally:
        policy.registry.pm.unregister(faulty)
    assert response.status_code == 500 and response.content == UNCHECKED
    assert "PluginFault" in caplog.text
    assert "Daniel" not in caplog.text and "Traceback" not in caplog.text


def test_an_error_in_the_app_is_still_the_apps_own(policy: guardrail.Guardrail) -> None:
    with serving(guarded(policy)) as client:
        response = client.get("/error")
    assert response.status_code == 500
    assert response.content == b"Internal Server Error"


def test_an_exception_in_a_bare_app_propagates(policy: guardrail.Guardrail) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise KeyError("boom")

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    with pytest.raises(KeyError):
        asyncio.run(guarded(policy, app)({"type": "http", "method": "GET"}, None, send))
    assert sent == []  # nothing of a half-made response left


def test_fastapi_routes_and_lifespan_pass_through_the_middleware(
        policy: guardrail.Guardrail) -> None:
    started: list[bool] = []
    api = FastAPI(on_startup=[lambda: started.append(True)])

    @api.get("/cases")
    def cases() -> list[dict[str, str]]:
        return CLEAN

    @api.get("/people")
    def people() -> list[dict[str, str]]:
        return LEAKY

    @api.get("/missing")
    def missing() -> None:
        raise HTTPException(status_code=404)

    @api.get("/failing")
    def failing() -> None:
        raise RuntimeError("the view failed")

    api.add_middleware(GuardrailASGI, guard=ResponseGuard(policy, "public-web"))
    with serving(api) as client:
        clean = client.get("/cases")
        leaky = client.get("/people")
        gone = client.get("/missing")
        failed = client.get("/failing")
    assert started == [True]
    assert clean.status_code == 200
    assert clean.content == b'[{"month":"2026-08","ward":"Adeyfield East","category":"Nuisance"}]'
    assert leaky.status_code == 451 and leaky.content == WITHHELD
    _assert_nothing_leaks(leaky)
    # An error's JSON body is checked like any other: "detail" is not a field the
    # public-web allowlist names. An exception is still the app's own 500.
    assert gone.status_code == 451
    assert failed.status_code == 500 and failed.content == b"Internal Server Error"


def test_a_configured_status_is_used(policy: guardrail.Guardrail) -> None:
    with serving(guarded(policy, status=403)) as client:
        response = client.get("/leaky.json")
    assert response.status_code == 403 and response.content == WITHHELD


def test_plain_text_errors_from_the_app_are_checked_too(policy: guardrail.Guardrail) -> None:
    app = Starlette(routes=[Route("/oops", lambda r: PlainTextResponse(
        "Lookup failed for daniel.hughes@example.com", status_code=404))])
    with serving(guarded(policy, app)) as client:
        response = client.get("/oops")
    assert response.status_code == 451
    _assert_nothing_leaks(response)


def test_a_clean_body_served_again_is_not_checked_again(policy: guardrail.Guardrail,
                                                        recorder: Recorder) -> None:
    with serving(guarded(policy)) as client:
        first = client.get("/clean.json")
        again = client.get("/clean.json")
        leaky = [client.get("/leaky.json").status_code for _ in range(2)]
    assert first.content == again.content and again.status_code == 200
    assert leaky == [451, 451]
    # The clean body once; a withheld body is never remembered, so checked each time.
    assert [d.allowed for d in recorder.decisions] == [True, False, False]
    recorder.decisions.clear()
    with serving(guarded(policy, cache_size=0)) as client:
        for _ in range(2):
            client.get("/clean.json")
    assert [d.allowed for d in recorder.decisions] == [True, True]


def test_the_clean_cache_is_bounded_and_exact(policy: guardrail.Guardrail,
                                              recorder: Recorder) -> None:
    guard = ResponseGuard(policy, "public-web", cache_size=2, cache_bytes=1024)
    bodies = [json.dumps([dict(CLEAN[0], ward=w)] * 5).encode() for w in ("A", "B", "C")]
    assert all(250 < len(body) < 400 for body in bodies)
    for body in bodies:
        assert guard.judge(body, "application/json", None).send
    assert not guard.known_clean(bodies[0], "application/json", None)  # pushed out
    assert guard.known_clean(bodies[2], "application/json", None)
    assert not guard.known_clean(bodies[2], "text/csv", None)
    twin = bytearray(bodies[2])
    twin[100] ^= 1  # one byte differs, outside the head, middle and tail sampled
    assert not guard.known_clean(bytes(twin), "application/json", None)
    assert not guard.known_clean(b"x" * 2048, "application/json", None)


def test_websockets_pass_through_untouched(policy: guardrail.Guardrail) -> None:
    async def greet(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("month,ward")
        await websocket.close()

    app = Starlette(routes=[WebSocketRoute("/ws", greet)])
    with serving(guarded(policy, app)) as client:
        port = int(str(client.base_url).rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            key = base64.b64encode(b"guardrail-web-ws").decode()
            conn.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                         .encode())
            received = b""
            while b"month,ward" not in received:
                chunk = conn.recv(4096)
                assert chunk, received
                received += chunk
    assert received.startswith(b"HTTP/1.1 101 ")
    # An unmasked text frame from the server: FIN + text opcode, then its length.
    assert b"\x81\x0amonth,ward" in received


def test_a_long_clean_json_list_is_sent_whole(policy: guardrail.Guardrail,
                                              recorder: Recorder) -> None:
    # Hundreds of records per 64 KiB: not to be mistaken for deep nesting.
    body = json.dumps([dict(CLEAN[0], count=str(i + 10)) for i in range(3_000)]).encode()
    assert len(body) > 256 * 1024
    app = Starlette(routes=[Route("/all.json", lambda r: Response(
        body, media_type="application/json"))])
    with serving(guarded(policy, app)) as client:
        response = client.get("/all.json")
    assert response.status_code == 200 and response.content == body
    [decision] = recorder.decisions
    assert decision.allowed and decision.files[0].records == 3_000
