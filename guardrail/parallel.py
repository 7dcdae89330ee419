"""Scan values in a worker process while the main process reads and counts.

Content detection is pure Python and takes most of the time of a large check;
reading, batching and counting take most of the rest. With ``jobs=2`` a forked
worker scans the distinct values of batch *n* while the main process reads and
counts batch *n-1*. The main process keeps a share of the new values to scan
itself, and adjusts that share batch by batch so that neither side waits for the
other: if the worker's answer is already there when asked for, it gets more. The worker inherits the compiled detectors through ``fork``
(only values and hits cross the pipe), it talks over one plain pipe (no helper
threads competing for the GIL), and any failure in it surfaces as an exception
in the main process, which blocks the payload.
"""

from __future__ import annotations

import multiprocessing
from typing import TYPE_CHECKING, Any

from .scanning import signature_of

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .scanning import ContentScanner

__all__ = ["ScanPool", "WorkerFailed", "can_fork"]

Work = list[tuple[str, list[str]]]

_KEEP_STEP = 0.02  # how fast the main process's share of the scanning adapts
_KEEP_MAX = 0.8


class WorkerFailed(RuntimeError):
    """The scanning worker raised or died; the check must fail closed."""


def can_fork() -> bool:
    """Worker processes need ``fork`` (Linux, macOS): compiled detectors are not picklable."""
    return "fork" in multiprocessing.get_all_start_methods()


def _serve(connection: Connection, scanner: ContentScanner) -> None:
    """Worker loop: receive [(field, values)], answer [[signature per value]] until told
    to stop. Signatures, not hits: repeated ones pickle once, and counting needs no more."""
    while True:
        work = connection.recv()
        if work is None:
            return
        try:
            results = []
            for field, values in work:
                field_scanner = scanner.for_field(field)
                assert field_scanner is not None, f"no scanner for field {field!r}"
                results.append(list(map(signature_of, field_scanner.scan_many(values))))
            connection.send(("ok", results))
        except Exception as exc:  # reported to the main process, which blocks
            connection.send(("error", type(exc).__name__))


class ScanPool:
    """A forked worker running a :class:`ContentScanner`; one request in flight at a time."""

    def __init__(self, scanner: ContentScanner) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, scanner), daemon=True)
        self._process.start()
        child.close()
        self._waiting = False
        self.keep = 0.25  # share of new values the main process scans itself

    def submit(self, work: Work) -> Work:
        """Send the worker its share of one batch of values to scan; returns what was sent
        (the rest is the caller's to scan). Collect the answer with :meth:`result`."""
        assert not self._waiting, "collect the previous result first"
        sent = []
        for field, values in work:
            take = len(values) - int(len(values) * self.keep)
            if take:
                sent.append((field, values[:take]))
        if sent:
            self._connection.send(sent)
            self._waiting = True
        return sent

    def result(self) -> list[list[Any]]:
        """The signature of each value of the batch last submitted."""
        # Already answered: the worker sat idle, so it can take more; else less.
        idle = self._connection.poll()
        self.keep = max(0.0, self.keep - _KEEP_STEP) if idle else \
            min(_KEEP_MAX, self.keep + _KEEP_STEP)
        try:
            status, payload = self._connection.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed("the scanning worker stopped unexpectedly") from exc
        finally:
            self._waiting = False
        if status != "ok":
            raise WorkerFailed(f"the scanning worker failed ({payload})")
        return payload  # type: ignore[no-any-return]

    def close(self) -> None:
        try:
            if self._waiting:
                self._connection.recv()
            self._connection.send(None)
        except (EOFError, OSError, BrokenPipeError):
            pass
        self._connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
