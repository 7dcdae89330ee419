"""What the integration tests share: real servers on loopback, and a plugin that records
every decision the after-check hook sees."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import guardrail


class Recorder:
    """An after-check plugin: every decision a check reaches, in order."""

    def __init__(self) -> None:
        self.decisions: list[guardrail.Decision] = []

    @guardrail.hookimpl
    def guardrail_after_check(self, context: Any, decision: guardrail.Decision) -> None:
        self.decisions.append(decision)

    @property
    def seen(self) -> list[tuple[str, str]]:
        """(mode, verdict) of each decision: what most tests assert."""
        return [(decision.mode, decision.verdict) for decision in self.decisions]


@contextmanager
def uvicorn_client(app: Any, **config: Any) -> Iterator[Any]:
    """*app* (ASGI) under a real uvicorn on 127.0.0.1, an ephemeral port, and an httpx
    client for it; *config* goes to ``uvicorn.Config``."""
    import httpx
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                           **{"log_level": "warning", **config}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(30)


@contextmanager
def recording(guard: guardrail.Guardrail) -> Iterator[Recorder]:
    """A :class:`Recorder` registered on *guard*'s plugins for the ``with`` block."""
    plugin = Recorder()
    guard.registry.pm.register(plugin, name=f"recorder-{id(plugin)}")
    try:
        yield plugin
    finally:
        guard.registry.pm.unregister(plugin)
