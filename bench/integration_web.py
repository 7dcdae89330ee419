"""The web middleware's overhead on a 1 MB clean JSON response (issue 12: at most +10%).

Each configuration is its own server process on loopback (uvicorn + Starlette, waitress
+ Flask), bare or wrapped in guardrail_web; this process is the client (httpx, one
keep-alive connection) and times whole requests, configurations taking turns so drift
hits each alike. The body is rows of examples/asb-export-clean.csv (fields
asb-public-web lets out to public-web), serialised once, so the app itself costs little
and the ratio is a harsh one.

Two guarded figures: the default middleware, which remembers clean bodies and does
not check the same bytes again (a page served again is compared byte for byte, not
re-read), and
``cache_size=0``, where every response is checked afresh (the first time any response
is served).

    python bench/integration_web.py [--requests 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ("bare", "guarded", "uncached")


def body() -> bytes:
    """About 1 MB of clean JSON records."""
    with open(ROOT / "examples" / "asb-export-clean.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    records: list[dict[str, str]] = []
    size = 2
    while size < 1_000_000:
        row = rows[len(records) % len(rows)]
        records.append(row)
        size += len(json.dumps(row)) + 2
    return json.dumps(records).encode()


def fresh(payload: bytes) -> bytes:
    """A new bytes object with the same content, as an app rendering the page again
    makes (the middleware must compare the bytes, not recognise the object)."""
    return bytes(memoryview(payload))


def app(framework: str, config: str):  # noqa: ANN201 - an app of either protocol
    payload = body()
    options = {"policy": "asb-public-web", "destination": "public-web"}
    if config == "uncached":
        options["cache_size"] = 0
    if framework == "starlette":
        from guardrail_web import GuardrailASGI
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route

        async def cases(request):  # noqa: ANN001, ANN202
            return Response(fresh(payload), media_type="application/json")
        asgi = Starlette(routes=[Route("/cases.json", cases)])
        return asgi if config == "bare" else GuardrailASGI(asgi, **options)
    from flask import Flask
    from flask import Response as FlaskResponse
    from guardrail_web import GuardrailWSGI
    flask = Flask(__name__)
    flask.add_url_rule("/cases.json", "cases",
                       lambda: FlaskResponse(fresh(payload), mimetype="application/json"))
    if config != "bare":
        flask.wsgi_app = GuardrailWSGI(flask.wsgi_app, **options)
    return flask


def serve(framework: str, config: str) -> None:
    served = app(framework, config)
    if framework == "starlette":
        import asyncio

        import uvicorn
        server = uvicorn.Server(uvicorn.Config(served, host="127.0.0.1", port=0,
                                               log_level="warning", access_log=False))

        async def run() -> None:
            serving = asyncio.ensure_future(server.serve())
            while not server.started:
                await asyncio.sleep(0.01)
            print(server.servers[0].sockets[0].getsockname()[1], flush=True)
            await serving
        asyncio.run(run())
    else:
        import waitress
        wsgi = waitress.create_server(served, host="127.0.0.1", port=0, threads=4)
        print(wsgi.effective_port, flush=True)
        wsgi.run()


def time_requests(client, url: str, count: int) -> list[float]:  # noqa: ANN001
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and len(response.content) > 999_000, response
        times.append(elapsed)
    return times


def measure(framework: str, requests: int, rounds: int) -> dict[str, float]:
    import httpx
    servers = {c: subprocess.Popen([sys.executable, __file__, "--serve", framework, c],
                                   stdout=subprocess.PIPE, text=True) for c in CONFIGS}
    try:
        urls = {c: f"http://127.0.0.1:{int(p.stdout.readline())}/cases.json"
                for c, p in servers.items()}
        medians: dict[str, list[float]] = {c: [] for c in CONFIGS}
        with httpx.Client(timeout=120) as client:
            for config in CONFIGS:
                time_requests(client, urls[config], 3)  # warm-up: imports, first check
            for turn in range(rounds):
                for config in CONFIGS[turn % 3:] + CONFIGS[:turn % 3]:  # each goes first
                    count = requests if config != "uncached" else max(3, requests // 10)
                    medians[config].append(statistics.median(
                        time_requests(client, urls[config], count)))
        return {c: statistics.median(m) for c, m in medians.items()}
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(30)


def in_process(framework: str, count: int) -> dict[str, float]:
    """Median seconds per response with no server or network: the middleware's own
    time, steadier than whole requests on a shared machine."""
    import asyncio
    apps = {c: app(framework, c) for c in ("bare", "guarded")}
    times: dict[str, list[float]] = {c: [] for c in apps}

    if framework == "starlette":
        async def one(served) -> None:  # noqa: ANN001
            scope = {"type": "http", "method": "GET", "path": "/cases.json", "headers": [],
                     "query_string": b"", "root_path": "", "scheme": "http",
                     "server": ("127.0.0.1", 80), "http_version": "1.1"}

            async def receive() -> dict[str, object]:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: object) -> None:
                pass
            await served(scope, receive, send)

        async def run() -> None:
            for config in apps:
                await one(apps[config])  # first check, off the clock
            for _ in range(count):
                for config, served in apps.items():
                    start = time.perf_counter()
                    await one(served)
                    times[config].append(time.perf_counter() - start)
        asyncio.run(run())
    else:
        from werkzeug.test import create_environ
        for served in apps.values():
            b"".join(served(create_environ("/cases.json"), lambda *a: None))
        for _ in range(count):
            for config, served in apps.items():
                start = time.perf_counter()
                result = served(create_environ("/cases.json"), lambda *a: None)
                b"".join(result)
                getattr(result, "close", lambda: None)()
                times[config].append(time.perf_counter() - start)
    return {c: statistics.median(t) for c, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", nargs=2, metavar=("FRAMEWORK", "CONFIG"))
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--frameworks", default="starlette,flask")
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    print(f"body: {len(body()):,} bytes of clean JSON; median per request, median of "
          f"{args.rounds} rounds")
    print("| server | bare | guarded (repeat body) | ratio | guarded, every body checked "
          "| ratio |")
    print("|---|---|---|---|---|---|")
    names = {"starlette": "uvicorn + Starlette", "flask": "waitress + Flask"}
    added: dict[str, tuple[float, float]] = {}
    for framework in args.frameworks.split(","):
        got = measure(framework, args.requests, args.rounds)
        own = in_process(framework, args.requests * args.rounds)
        added[framework] = (own["guarded"] - own["bare"], got["bare"])
        print(f"| {names[framework]} | {got['bare'] * 1000:.2f} ms "
              f"| {got['guarded'] * 1000:.2f} ms | {got['guarded'] / got['bare']:.2f}x "
              f"| {got['uncached'] * 1000:.1f} ms | {got['uncached'] / got['bare']:.1f}x |",
              flush=True)
    print("\nThe middleware's own time per repeated 1 MB response, in process (no server, "
          "no network), against the served bare request above:")
    for framework, (extra, bare) in added.items():
        print(f"- {names[framework]}: +{extra * 1000:.3f} ms = {extra / bare:.1%} of "
              f"{bare * 1000:.2f} ms")


if __name__ == "__main__":
    main()
