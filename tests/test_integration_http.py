"""guardrail_http end to end: real httpx and requests clients posting to a real HTTP
server on loopback that records every body it receives."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from guardrail_http import (
    DEFAULT_MAX_BODY_BYTES,
    AsyncGuardrailHook,
    GuardrailAdapter,
    GuardrailHook,
    RequestBlocked,
)

from guardrail import Gate, Guardrail, PublishBlocked, hookimpl

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "integrations" / "http_clients.py"

LEAKY_JSON = [{"ward": "Adeyfield East", "note": "Reported by daniel.hughes@example.com"}]
CLEAN_JSON = [{"ward": "Adeyfield East", "note": "Reported by the housing team"}]
LEAKY_CSV = b"ward,name\r\nAdeyfield East,Daniel Hughes\r\n"
CLEAN_CSV = b"ward,count\r\nAdeyfield East,3\r\n"
RAW = ("daniel", "hughes", "Daniel", "Hughes", "07700", "900123", "HP3 9QT")


# -- a real server that records what it received --------------------------------------

class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, str, bytes]] = []  # (method, content type, body)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/upload"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def _record(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while size := int(self.rfile.readline().split(b";")[0], 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((self.command, self.headers.get("Content-Type", ""),
                                     body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = do_PUT = _record

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    yield recorder
    recorder.shutdown()
    recorder.server_close()


@pytest.fixture(autouse=True)
def _fresh(server: Recorder) -> None:
    server.received.clear()


class Listener:
    """An after-check hook plugin: what a decision log would see."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    @hookimpl
    def guardrail_after_check(self, context: Any, decision: Any) -> None:
        self.seen.append((context.mode, decision.verdict, decision.exit_code))


@pytest.fixture
def content() -> Iterator[tuple[Guardrail, Listener]]:
    guard = Guardrail.from_policy("uk-content-scan")
    listener = Listener()
    guard.registry.pm.register(listener, name="http-listener")
    yield guard, listener
    guard.registry.pm.unregister(name="http-listener")


# -- the three clients, posting the same way ------------------------------------------

def _httpx(gate: Gate, url: str, cap: int = DEFAULT_MAX_BODY_BYTES,
          **request: Any) -> httpx.Response:
    with httpx.Client(event_hooks={"request": [GuardrailHook(gate, max_body_bytes=cap)]}) \
            as client:
        return client.post(url, **request)


def _httpx_async(gate: Gate, url: str, cap: int = DEFAULT_MAX_BODY_BYTES,
                 **request: Any) -> httpx.Response:
    async def post() -> httpx.Response:
        hook = AsyncGuardrailHook(gate, max_body_bytes=cap)
        async with httpx.AsyncClient(event_hooks={"request": [hook]}) as client:
            return await client.post(url, **request)
    return asyncio.run(post())


def _requests(gate: Gate, url: str, cap: int = DEFAULT_MAX_BODY_BYTES,
              **request: Any) -> requests.Response:
    with requests.Session() as session:
        session.mount("http://", GuardrailAdapter(gate, max_body_bytes=cap))
        return session.post(url, **request)


CLIENTS = {"httpx": _httpx, "httpx-async": _httpx_async, "requests": _requests}


def _sent(response: Any) -> bytes:
    """The body the client sent, as the client holds it."""
    request = response.request
    if isinstance(request, httpx.Request):
        return request.content
    body = request.body  # requests keeps a URL-encoded form as text
    return body.encode("iso-8859-1") if isinstance(body, str) else body


def _refused(post: Any, gate: Gate, server: Recorder, **request: Any) -> RequestBlocked:
    with pytest.raises(RequestBlocked) as caught:
        post(gate, server.url, **request)
    assert server.received == []
    assert isinstance(caught.value, PublishBlocked)
    assert str(caught.value).endswith("; the request was not sent")
    assert not any(raw in str(caught.value) for raw in RAW)
    return caught.value


def _findings(blocked: RequestBlocked) -> list[tuple[str, int | None, str, str, str]]:
    return [(f.rule, f.record, f.field, f.evidence, f.file)
            for f in blocked.decision.findings]


def _streamed(post: Any, data: bytes) -> Any:
    """*data* as the client's kind of stream: a file object, an iterator, an async one."""
    async def chunks() -> Any:
        yield data
    return io.BytesIO(data) if post is _requests else \
        chunks() if post is _httpx_async else iter([data])


@pytest.fixture(params=sorted(CLIENTS))
def post(request: pytest.FixtureRequest) -> Any:
    return CLIENTS[request.param]


# -- leaky bodies are refused and nothing is sent ----------------------------------------

def test_leaky_json_is_never_sent(post: Any, content: Any, server: Recorder) -> None:
    guard, listener = content
    blocked = _refused(post, Gate(guard, "public-web"), server, json=LEAKY_JSON)
    assert _findings(blocked) == [("email", 0, "note", "d***@e******.c**", "<bytes>")]
    assert str(blocked) == ("BLOCKED: 1 finding may not go to 'public-web' (fields: note); "
                            "the request was not sent")
    assert listener.seen == [("enforce", "block", 1)]


def test_leaky_form_is_never_sent(post: Any, content: Any, server: Recorder) -> None:
    guard, _ = content
    blocked = _refused(post, Gate(guard, "public-web"), server,
                       data={"ward": "Adeyfield East", "contact": "07700 900123"})
    assert _findings(blocked) == [("uk.phone", 0, "contact", "***** ******", "<records>")]


def test_a_repeated_form_key_keeps_every_value(content: Any, server: Recorder) -> None:
    guard, _ = content
    blocked = _refused(_httpx, Gate(guard), server,
                       content=b"tag=ok&tag=daniel.hughes%40example.com",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert _findings(blocked) == [("email", 0, "tag[1]", "d***@e******.c**", "<records>")]


def test_leaky_file_upload_is_never_sent(post: Any, content: Any, server: Recorder) -> None:
    guard, _ = content
    blocked = _refused(post, Gate(guard), server, data={"ward": "Adeyfield East"},
                       files={"upload": ("cases.csv", LEAKY_CSV, "text/csv")})
    assert _findings(blocked) == [("person.name", 0, "name", "D***** H*****", "cases.csv")]


def test_a_file_part_is_read_as_its_content_type_says(content: Any, server: Recorder) -> None:
    guard, _ = content  # no extension: text/csv names the format
    blocked = _refused(_httpx, Gate(guard), server,
                       files={"upload": ("cases", LEAKY_CSV, "text/csv")})
    assert _findings(blocked) == [("person.name", 0, "name", "D***** H*****", "cases.csv")]


def test_leaky_form_field_beside_a_clean_file(post: Any, content: Any,
                                              server: Recorder) -> None:
    guard, listener = content
    blocked = _refused(post, Gate(guard), server, data={"note": "ring Daniel Hughes"},
                       files={"upload": ("cases.csv", CLEAN_CSV, "text/csv")})
    assert _findings(blocked) == [("person.name", 0, "note", "D***** H*****",
                                   "form-fields.json")]
    assert listener.seen == [("enforce", "block", 1)]  # one request, one decision


def test_a_personal_file_name_is_never_shown(content: Any, server: Recorder) -> None:
    guard, _ = content
    blocked = _refused(_requests, Gate(guard), server,
                       files={"upload": ("Daniel Hughes.csv", CLEAN_CSV, "text/csv")})
    assert _findings(blocked) == [("person.name", 0, "upload", "D***** H*****",
                                   "form-fields.json")]  # the name is sent too
    assert "Daniel" not in repr(blocked.decision.to_dict())
    assert [f.file for f in blocked.decision.files] == ["form-fields.json", "<payload 2>"]


def test_an_empty_file_input_is_nothing_to_check(content: Any, server: Recorder) -> None:
    guard, _ = content  # what a browser sends for a file input left empty
    body = (b'--xyz\r\nContent-Disposition: form-data; name="ward"\r\n\r\nAdeyfield East'
            b'\r\n--xyz\r\nContent-Disposition: form-data; name="upload"; filename=""\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n\r\n--xyz--\r\n")
    response = _httpx(Gate(guard), server.url, content=body,
                      headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert response.status_code == 200 and server.received[0][2] == body


# -- clean bodies arrive byte-identical ---------------------------------------------------

@pytest.mark.parametrize("request_body", [
    {"json": CLEAN_JSON},
    {"data": {"ward": "Adeyfield East", "count": "3"}},
    {"data": {"ward": "Adeyfield East"},
     "files": {"upload": ("cases.csv", CLEAN_CSV, "text/csv")}},
    {"content": b'<cases><case ward="Adeyfield East"/></cases>',
     "headers": {"Content-Type": "application/xml"}},
], ids=["json", "form", "multipart", "xml"])
def test_clean_bodies_arrive_byte_identical(post: Any, content: Any, server: Recorder,
                                            request_body: dict[str, Any]) -> None:
    guard, listener = content
    request_body = dict(request_body)
    if post is _requests and "content" in request_body:
        request_body["data"] = request_body.pop("content")
    response = post(Gate(guard), server.url, **request_body)
    assert response.status_code == 200
    [(method, content_type, body)] = server.received
    assert method == "POST" and body == _sent(response) and body
    assert content_type == response.request.headers["Content-Type"]
    if "json" in request_body:
        assert json.loads(body) == CLEAN_JSON
    if "files" in request_body:
        assert CLEAN_CSV in body
    assert listener.seen == [("enforce", "allow", 0)]


def test_a_request_without_a_body_is_not_checked(post: Any, content: Any,
                                                 server: Recorder) -> None:
    guard, listener = content
    response = post(Gate(guard), server.url + "?contact=07700+900123")
    assert response.status_code == 200 and len(server.received) == 1
    assert listener.seen == []  # the query string is not a body: not checked


@pytest.mark.parametrize("streamed", [False, True], ids=["in-memory", "streamed"])
def test_a_type_passed_through_is_not_checked(post: Any, content: Any, server: Recorder,
                                              streamed: bool) -> None:
    guard, listener = content
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # over the cap, never read
    sent = _streamed(post, image) if streamed else image
    response = post(Gate(guard, pass_through=["image/*"]), server.url, cap=64,
                    headers={"Content-Type": "image/png"},
                    **{("data" if post is _requests else "content"): sent})
    assert response.status_code == 200 and server.received[0][2] == image
    assert listener.seen == []


# -- streamed bodies: read up to the cap, then sent as the bytes checked -----------------

def test_a_streamed_clean_body_arrives_byte_identical(content: Any, server: Recorder) -> None:
    guard, _ = content
    chunks = [b'[{"ward": "Adeyfield East",', b' "count": 3}]']
    response = _httpx(Gate(guard), server.url, content=iter(chunks),
                      headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and server.received[0][2] == b"".join(chunks)


def test_a_streamed_leaky_body_is_never_sent(content: Any, server: Recorder) -> None:
    guard, _ = content
    blocked = _refused(_httpx, Gate(guard), server,
                       content=iter([b'{"where": ', b'"HP3 9QT"}']),
                       headers={"Content-Type": "application/json"})
    assert _findings(blocked) == [("uk.postcode", 0, "where", "HP3 ***", "<bytes>")]


def test_an_async_stream_is_read_too(content: Any, server: Recorder) -> None:
    guard, _ = content

    async def chunks() -> Any:
        yield b'{"where": '
        yield b'"HP3 9QT"}'
    blocked = _refused(_httpx_async, Gate(guard), server, content=chunks(),
                       headers={"Content-Type": "application/json"})
    assert _findings(blocked) == [("uk.postcode", 0, "where", "HP3 ***", "<bytes>")]


def test_a_file_object_body_is_read_by_the_adapter(content: Any, server: Recorder) -> None:
    guard, _ = content
    body = b'[{"ward": "Adeyfield East", "count": 3}]'
    response = _requests(Gate(guard), server.url, data=io.BytesIO(body),
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and server.received[0][2] == body
    server.received.clear()
    _refused(_requests, Gate(guard), server, data=io.BytesIO(b'{"where": "HP3 9QT"}'),
             headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("streamed", [False, True], ids=["in-memory", "streamed"])
@pytest.mark.parametrize("mode", ["enforce", "audit"])
def test_a_body_over_the_cap_is_refused_in_both_modes(post: Any, content: Any,
                                                      server: Recorder, mode: str,
                                                      streamed: bool) -> None:
    guard, listener = content
    body = json.dumps(CLEAN_JSON * 4).encode()
    sent = _streamed(post, body) if streamed else body
    with pytest.raises(RequestBlocked) as caught:
        post(Gate(guard, mode=mode), server.url, cap=64,
             headers={"Content-Type": "application/json"},
             **{("data" if post is _requests else "content"): sent})
    assert server.received == []
    assert str(caught.value) == (
        "BLOCKED: <payload 1> could not be checked: the request body is over the 64-byte "
        "cap; it is refused unchecked. Raise max_body_bytes if it is genuine; the request "
        "was not sent")
    assert listener.seen == [(mode, "block", 3)]


# -- audit: everything is sent, the hook sees what enforce would have done --------------

AUDITED = {
    "json": ({"json": LEAKY_JSON}, {"json": CLEAN_JSON}),
    "form": ({"data": {"contact": "07700 900123"}}, {"data": {"ward": "Adeyfield East"}}),
    "multipart": ({"files": {"upload": ("cases.csv", LEAKY_CSV, "text/csv")}},
                  {"files": {"upload": ("cases.csv", CLEAN_CSV, "text/csv")}}),
}


@pytest.mark.parametrize("kind", sorted(AUDITED))
def test_audit_sends_both_and_the_hook_sees_the_would_be_block(post: Any, content: Any,
                                                                 server: Recorder,
                                                                 kind: str) -> None:
    guard, listener = content
    gate = Gate(guard, "public-web", "audit")
    sent = [_sent(post(gate, server.url, **request)) for request in AUDITED[kind]]
    assert [body for _, _, body in server.received] == sent
    assert listener.seen == [("audit", "block", 0), ("audit", "allow", 0)]


# -- what cannot be read is refused in both modes -----------------------------------------

UNREADABLE = {
    "malformed JSON": ({"Content-Type": "application/json"}, b'{"note": "Daniel Hughes"',
                       "BLOCKED: <bytes> could not be checked: not valid JSON: the document "
                       "ends too early"),
    "unknown binary type": ({"Content-Type": "application/octet-stream"},
                            b"\x00\x01\x02\x03Daniel Hughes\xff\xfe",
                            "BLOCKED: <bytes> could not be checked: cannot tell the format"),
    "truncated multipart": ({"Content-Type": "multipart/form-data; boundary=xyz"},
                            b'--xyz\r\nContent-Disposition: form-data; name="note"\r\n\r\n'
                            b"Daniel Hughes",
                            "BLOCKED: <payload 1> could not be checked: the multipart body "
                            "ends before its closing boundary"),
    "compressed": ({"Content-Type": "application/json", "Content-Encoding": "gzip"},
                   b"\x1f\x8b\x08\x00", "BLOCKED: <payload 1> could not be checked: the "
                   "request body is compressed (Content-Encoding)"),
    "form not in its charset": ({"Content-Type": "application/x-www-form-urlencoded"},
                                b"note=Daniel%FFHughes", "BLOCKED: <payload 1> could not be "
                                "checked: the form body is not URL-encoded text in UTF-8"),
    "form in an unknown charset": (
        {"Content-Type": "application/x-www-form-urlencoded; charset=Daniel-Hughes"},
        b"note=Daniel%20Hughes", "BLOCKED: <payload 1> could not be checked: the form body "
        "is not URL-encoded text in the charset its Content-Type names; send it"),
}


@pytest.mark.parametrize("mode", ["enforce", "audit"])
@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_what_cannot_be_read_is_refused_in_both_modes(post: Any, content: Any,
                                                      server: Recorder, mode: str,
                                                      case: str) -> None:
    guard, listener = content
    headers, body, message = UNREADABLE[case]
    request = {"headers": headers, ("data" if post is _requests else "content"): body}
    blocked = _refused(post, Gate(guard, mode=mode), server, **request)
    assert str(blocked).startswith(message)
    assert listener.seen == [(mode, "block", 3)]


def test_too_many_files_are_refused(content: Any, server: Recorder) -> None:
    guard, _ = content
    files = [("upload", (f"{n}.csv", CLEAN_CSV, "text/csv")) for n in range(1001)]
    blocked = _refused(_httpx, Gate(guard), server, files=files)
    assert str(blocked).startswith("BLOCKED: <payload 1> could not be checked: the multipart "
                                   "body holds more than 1,000 files")


def test_an_upload_of_unknown_type_is_refused(content: Any, server: Recorder) -> None:
    guard, _ = content
    blocked = _refused(_requests, Gate(guard, mode="audit"), server,
                       files={"upload": ("scan.bin", b"\x00\x01Daniel Hughes\xff")})
    assert str(blocked).startswith("BLOCKED: scan.bin could not be checked: cannot tell")


# -- settings -------------------------------------------------------------------------------

def test_a_hook_builds_its_own_gate(server: Recorder) -> None:
    hook = GuardrailHook("asb-public-web", destination="public-web", mode="audit")
    assert (hook.gate.destination, hook.gate.mode) == ("public-web", "audit")
    with pytest.raises(Exception, match="set the destination, mode"):
        GuardrailHook(hook.gate, destination="internal")


def test_the_package_imports_neither_client_until_asked() -> None:
    code = ("import sys, guardrail_http; assert 'httpx' not in sys.modules; "
            "assert 'requests' not in sys.modules; guardrail_http.GuardrailAdapter; "
            "assert 'requests' in sys.modules and 'httpx' not in sys.modules")
    run = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr


# -- the documented example, run as a user would ---------------------------------------

def _env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, **extra}


@pytest.mark.parametrize("client", ["httpx", "requests"])
def test_the_example_sends_clean_rows_and_holds_back_a_name(client: str,
                                                            server: Recorder) -> None:
    env = _env(PORTAL_URL=server.url)
    run = subprocess.run([sys.executable, str(EXAMPLE), client, "leaky"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert run.stdout == ("BLOCKED: 1 finding may not go to 'public-web' (fields: "
                          "complainant_name); the request was not sent\n")
    assert "Daniel" not in run.stdout + run.stderr and server.received == []
    run = subprocess.run([sys.executable, str(EXAMPLE), client, "clean"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "sent, status 200\n"
    [(_, content_type, body)] = server.received
    assert content_type == "application/json"
    assert json.loads(body) == [{"month": "2026-08", "ward": "Adeyfield East",
                                 "category": "Nuisance"}]
