"""Scan values in a worker process while the main process reads and counts.

Content detection is pure Python and takes most of the time of a large check;
reading, batching and counting take most of the rest. With ``jobs=2`` a forked
worker scans the distinct values of batch *n* while the main process reads and
counts batch *n-1*. The worker inherits the compiled detectors through ``fork``
(only values and hits cross the pipe), it talks over one plain pipe (no helper
threads competing for the GIL), and any failure in it surfaces as an exception
in the main process, which blocks the payload.
"""

from __future__ import annotations

import multiprocessing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .scanning import ContentScanner

__all__ = ["ScanPool", "WorkerFailed", "can_fork"]

Work = list[tuple[str, list[str]]]


class WorkerFailed(RuntimeError):
    """The scanning worker raised or died; the check must fail closed."""


def can_fork() -> bool:
    """Worker processes need ``fork`` (Linux, macOS): compiled detectors are not picklable."""
    return "fork" in multiprocessing.get_all_start_methods()


def _serve(connection: Connection, scanner: ContentScanner) -> None:
    """Worker loop: receive [(field, values)], answer [[hits per value]] until told to stop."""
    while True:
        work = connection.recv()
        if work is None:
            return
        try:
            results = []
            for field, values in work:
                field_scanner = scanner.for_field(field)
                assert field_scanner is not None, f"no scanner for field {field!r}"
                results.append(field_scanner.scan_many(values))
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

    def submit(self, work: Work) -> None:
        """Send one batch of values to scan; collect the answer with :meth:`result`."""
        assert not self._waiting, "collect the previous result first"
        self._connection.send(work)
        self._waiting = True

    def result(self) -> list[list[Any]]:
        """Hits per value of the batch last submitted."""
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
