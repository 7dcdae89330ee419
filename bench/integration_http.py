"""What the httpx hook and the requests adapter cost per request (issue 12: "a 1-record
JSON body checked by the httpx hook costs under 2 ms").

    python bench/integration_http.py            # per-call figures, median and p95
    python bench/integration_http.py --requests N --client httpx|requests [--bare]
                                                # N posts in one process, for timing
                                                # whole processes against each other

Per call: the hook alone on a built ``httpx.Request``, the adapter's check alone on a
``PreparedRequest``, and whole posts over one keep-alive connection to a server on
127.0.0.1 with and without the hook (the difference of medians is the overhead a
caller sees). The body is one JSON record, as an API publishing a row sends it.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import requests
from guardrail_http import GuardrailAdapter, GuardrailHook
from guardrail_http.requests_adapter import request_body

ROW = [{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance",
        "outcome": "Advice given"}]
POLICIES = [("asb-public-web", "public-web"), ("uk-content-scan", "public-web")]


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the connection is not what is timed

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _server() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _times(call: Callable[[], Any], n: int, warmup: int = 50) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return sorted(times)


def _line(what: str, times: list[float]) -> str:
    median, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    return f"| {what} | {median * 1e3:.3f} ms | {p95 * 1e3:.3f} ms |"


def _hook_alone(policy: str, destination: str, url: str) -> Callable[[], Any]:
    hook = GuardrailHook(policy, destination=destination)
    request = httpx.Request("POST", url, json=ROW)
    return lambda: hook(request)


def _adapter_alone(policy: str, destination: str, url: str) -> Callable[[], Any]:
    check = GuardrailAdapter(policy, destination=destination).body_check
    prepared = requests.Request("POST", url, json=ROW).prepare()
    return lambda: check.enforce(request_body(prepared, check.max_body_bytes),
                                 prepared.headers.get("Content-Type"))


def per_call(n: int) -> None:
    server = _server()
    url = f"http://127.0.0.1:{server.server_address[1]}/rows"
    print(f"{n} calls each after 50 warm-up calls; one JSON record of {len(ROW[0])} fields\n")
    print("| what | median | p95 |\n|---|---|---|")
    for policy, destination in POLICIES:
        print(_line(f"httpx hook alone ({policy})",
                    _times(_hook_alone(policy, destination, url), n)))
        print(_line(f"requests adapter check alone ({policy})",
                    _times(_adapter_alone(policy, destination, url), n)))
    # off the main thread the core's time limit runs the check in a helper thread
    timed: list[list[float]] = []
    worker = threading.Thread(target=lambda: timed.append(
        _times(_hook_alone("asb-public-web", "public-web", url), n)))
    worker.start()
    worker.join()
    print(_line("httpx hook alone, from a worker thread (asb-public-web)", timed[0]))
    hook = GuardrailHook("asb-public-web", destination="public-web")
    with httpx.Client() as bare, httpx.Client(event_hooks={"request": [hook]}) as hooked:
        # interleaved, so a busy moment on the shared machine hits both alike
        plain, checked = [], []
        for _ in range(50):
            bare.post(url, json=ROW)
            hooked.post(url, json=ROW)
        for _ in range(n):
            start = time.perf_counter()
            bare.post(url, json=ROW)
            middle = time.perf_counter()
            hooked.post(url, json=ROW)
            plain.append(middle - start)
            checked.append(time.perf_counter() - middle)
    print(_line("httpx post, no hook (asb-public-web)", sorted(plain)))
    print(_line("httpx post, with the hook (asb-public-web)", sorted(checked)))
    print(f"\noverhead of the hook on a whole post (difference of medians): "
          f"{(statistics.median(checked) - statistics.median(plain)) * 1e3:.3f} ms")
    server.shutdown()


def many_posts(n: int, client: str, bare: bool) -> None:
    """*n* posts in this process: time it whole, bare against hooked."""
    server = _server()
    url = f"http://127.0.0.1:{server.server_address[1]}/rows"
    if client == "httpx":
        hooks = [] if bare else [GuardrailHook("asb-public-web", destination="public-web")]
        with httpx.Client(event_hooks={"request": hooks}) as session:
            for _ in range(n):
                session.post(url, json=ROW)
    else:
        with requests.Session() as session:
            if not bare:
                session.mount("http://", GuardrailAdapter("asb-public-web",
                                                          destination="public-web"))
            for _ in range(n):
                session.post(url, json=ROW)
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="calls per figure")
    parser.add_argument("--requests", type=int, help="post this many times, print nothing")
    parser.add_argument("--client", choices=["httpx", "requests"], default="httpx")
    parser.add_argument("--bare", action="store_true", help="without guardrail")
    args = parser.parse_args()
    if args.requests:
        many_posts(args.requests, args.client, args.bare)
    else:
        per_call(args.n)


if __name__ == "__main__":
    main()
