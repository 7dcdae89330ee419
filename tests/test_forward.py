"""The first-party decision listener (plugins/guardrail_forward): each logged decision
forwarded to a real syslog socket and a real webhook on loopback, and a failing or
hanging delivery never changing the verdict or losing the local record."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import helpers
import pytest

from guardrail.ledger import DecisionLog

LEAKY = str(helpers.LEAKY_EXPORT)
CLEAN = str(helpers.CLEAN_EXPORT)


class _Hook(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up waiting (the timeout test)


@contextmanager
def webhook(status: int = 204, delay: float = 0.0) -> Iterator[tuple[str, list[Any]]]:
    """A webhook on 127.0.0.1 answering *status* after *delay*: its URL and the JSON
    bodies it was sent."""
    bodies: list[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("Content-Length", "0"))
            bodies.append((self.headers.get("Content-Type"),
                           json.loads(self.rfile.read(length))))
            time.sleep(delay)
            try:
                self.send_response(status)
                self.end_headers()
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = _Hook(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/guardrail", bodies
    finally:
        server.shutdown()
        server.server_close()


def _check(tmp_path: Path, *args: str, **env: str) -> Any:
    full = {**os.environ, "GUARDRAIL_LOG": str(tmp_path / "log.sqlite3"), **env}
    for name in ("GUARDRAIL_FORWARD_SYSLOG", "GUARDRAIL_FORWARD_WEBHOOK",
                 "GUARDRAIL_FORWARD_VERDICTS", "GUARDRAIL_FORWARD_TIMEOUT"):
        if name not in env:
            full.pop(name, None)
    return helpers.run_guardrail("check", "-p", "asb-public-web", "-q", "-o", os.devnull,
                                 *args, env=full, text=True, timeout=120)


def _entries(tmp_path: Path) -> list[Any]:
    return list(DecisionLog(tmp_path / "log.sqlite3").entries())


def test_each_logged_decision_is_posted_to_the_webhook_as_exported(tmp_path: Path):
    with webhook() as (url, bodies):
        blocked = _check(tmp_path, LEAKY, GUARDRAIL_FORWARD_WEBHOOK=url)
        allowed = _check(tmp_path, CLEAN, GUARDRAIL_FORWARD_WEBHOOK=url)
    assert (blocked.returncode, allowed.returncode) == (1, 0)
    assert blocked.stderr == allowed.stderr == ""
    entries = _entries(tmp_path)
    assert [(kind, body) for kind, body in bodies] == \
        [("application/json", entry.to_dict()) for entry in entries]
    assert [body["verdict"] for _, body in bodies] == ["block", "allow"]
    sent = json.dumps(bodies)
    assert "D***** H*****" in sent  # masked evidence travels, raw values never
    assert "Daniel Hughes" not in sent and "82 Galley Hill" not in sent


def test_only_the_verdicts_asked_for_are_forwarded(tmp_path: Path):
    with webhook() as (url, bodies):
        _check(tmp_path, CLEAN, GUARDRAIL_FORWARD_WEBHOOK=url,
               GUARDRAIL_FORWARD_VERDICTS="block")
        _check(tmp_path, LEAKY, GUARDRAIL_FORWARD_WEBHOOK=url,
               GUARDRAIL_FORWARD_VERDICTS="block")
    assert [body["seq"] for _, body in bodies] == [2]
    assert len(_entries(tmp_path)) == 2  # both are in the local log


def test_syslog_gets_one_parsable_line_per_decision(tmp_path: Path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        sink.settimeout(10)
        port = sink.getsockname()[1]
        result = _check(tmp_path, LEAKY,
                        GUARDRAIL_FORWARD_SYSLOG=f"udp://127.0.0.1:{port}")
        datagram = sink.recv(65536).decode("utf-8")
    assert result.returncode == 1
    (entry,) = _entries(tmp_path)
    # <12>: facility user (1) * 8 + severity warning (4), for a blocked decision
    assert datagram == (
        f"<12>guardrail: decision seq=1 verdict=block mode=enforce "
        f'policy="asb-public-web@{entry.content["policy"]["version"]}" '
        f'destination="public-web" payloads=1 '
        f'first_payload={json.dumps(entry.content["payloads"][0]["name"])} '
        f"blocking={entry.content['counts']['blocking']} "
        f"findings={entry.content['counts']['total']} canary_hits=0 "
        f"hash={entry.hash}\x00")


@pytest.mark.parametrize(("env", "warning"), [
    ({"GUARDRAIL_FORWARD_SYSLOG": "ftp://logs"},
     "GUARDRAIL_FORWARD_SYSLOG is udp://HOST[:PORT], tcp://HOST[:PORT] or unix:///PATH "
     "(e.g. unix:///dev/log) (log entry 1)"),
    ({"GUARDRAIL_FORWARD_SYSLOG": "tcp://127.0.0.1:9"},
     "cannot reach syslog (Connection refused) (log entry 1)"),
    ({"GUARDRAIL_FORWARD_WEBHOOK": "http://127.0.0.1:9/x"},
     "cannot reach the webhook (Connection refused) (log entry 1)"),
    ({"GUARDRAIL_FORWARD_WEBHOOK": "http://127.0.0.1:9/x",
      "GUARDRAIL_FORWARD_VERDICTS": "blocked"},
     "GUARDRAIL_FORWARD_VERDICTS takes allow and/or block, comma-separated; not 'blocked'"),
])
def test_a_delivery_that_fails_is_a_warning_and_the_verdict_and_record_stand(
        tmp_path: Path, env: dict[str, str], warning: str):
    result = _check(tmp_path, LEAKY, **env)
    assert result.returncode == 1
    assert result.stderr == (
        f"guardrail: warning: forward: {warning}\n"
        "guardrail: warning: decision listener plugin 'forward' raised ForwardError for log "
        "entry 1; the decision is in the local log and the verdict stands. Set "
        "GUARDRAIL_DEBUG=1 for the traceback.\n")
    assert [entry.verdict for entry in _entries(tmp_path)] == ["block"]


def test_a_webhook_that_answers_an_error_or_hangs_is_a_warning_in_bounded_time(
        tmp_path: Path):
    with webhook(status=500) as (url, bodies):
        failed = _check(tmp_path, CLEAN, GUARDRAIL_FORWARD_WEBHOOK=url)
    assert failed.returncode == 0 and len(bodies) == 1
    assert "guardrail: warning: forward: the webhook answered HTTP 500 (log entry 1)\n" \
        in failed.stderr
    with webhook(delay=5) as (url, _):
        started = time.monotonic()
        slow = _check(tmp_path, CLEAN, GUARDRAIL_FORWARD_WEBHOOK=url,
                      GUARDRAIL_FORWARD_TIMEOUT="0.5")
        took = time.monotonic() - started
    assert slow.returncode == 0
    assert "guardrail: warning: forward: the webhook did not answer within 0.5s " \
        "(log entry 2)\n" in slow.stderr
    assert took < 5  # the publish step was not held for the webhook
    assert len(_entries(tmp_path)) == 2


def test_the_listener_is_installed_through_the_entry_point_group():
    listed = helpers.run_guardrail("plugins", text=True)
    assert listed.returncode == 0
    assert listed.stdout.endswith(
        f"decision listeners:\n  {'forward':22} guardrail {_version()}\n")


def _version() -> str:
    import importlib.metadata

    return importlib.metadata.version("guardrail")


def test_nothing_is_done_while_no_variable_is_set(tmp_path: Path):
    result = _check(tmp_path, LEAKY)
    assert (result.returncode, result.stderr) == (1, "")
    assert len(_entries(tmp_path)) == 1
