"""Count batches of a table in a worker process while the main process reads.

Content detection is pure Python and takes most of the time of a large check;
reading and counting take most of the rest. With ``jobs=2`` a forked worker
counts whole batches (every scanned column: look up, scan new values, count by
signature, see ``column_memory.py``) while the main process reads the next ones
and counts a batch itself whenever the worker already has four: the work shares
itself out, and the results are applied in batch order, so the decision is the
one a single process makes.

The worker inherits the compiled detectors through ``fork``; columns of text
cross the pipe as one joined string each (a C join and split instead of pickling
every cell) and the answers are small (counts per signature). It receives and answers
from helper threads, so neither side can block the other on a full pipe. Any
failure in it surfaces as an exception in the main process, which blocks the
payload.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from guardrail.engine.column_memory import ColumnCount, ColumnCounter

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from guardrail.engine.scanning import ContentScanner

__all__ = ["ScanPool", "WorkerFailed", "can_fork", "pack"]

_SEPARATOR = "\0"
_STOP = b"stop"  # no pickle looks like this: pickles start with b"\x80"
MAX_IN_FLIGHT = 4  # batches sent and not yet answered: the worker never waits for work


class WorkerFailed(RuntimeError):
    """The scanning worker raised or died; the check must fail closed."""


def can_fork() -> bool:
    """Worker processes need ``fork`` (Linux, macOS): compiled detectors are not picklable."""
    return "fork" in multiprocessing.get_all_start_methods()


def pack(cells: Sequence[Any]) -> str | Sequence[Any]:
    """A column as one string when every cell is text without the separator, else as is."""
    try:
        joined = _SEPARATOR.join(cells)
    except TypeError:  # not all text
        return cells
    return joined if joined.count(_SEPARATOR) == len(cells) - 1 else cells


def _serve(connection: Connection, scanner: ContentScanner) -> None:
    """Worker loop: receive (fields, plain, packed columns, listing), answer a
    ColumnCount (or None) per column, until told to stop.

    Threads receive and send, so that the main process never blocks on a full pipe
    while this one counts; they wait in system calls, without the GIL.
    """
    gc.freeze()  # what the worker inherited lives as long as it does: never walk it
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    threads = [threading.Thread(target=_receive_all, args=(connection, inbox), daemon=True),
               threading.Thread(target=_send_all, args=(connection, outbox), daemon=True)]
    for thread in threads:
        thread.start()
    counters: dict[tuple[str, bool], ColumnCounter] = {}
    try:
        while (data := inbox.get()) is not None:
            try:
                fields, plain, columns, listing = pickle.loads(data)
                results = []
                for field, packed in zip(fields, columns, strict=True):
                    counter = counters.get((field, plain))
                    if counter is None:
                        field_scanner = scanner.for_field(field)
                        assert field_scanner is not None, f"no scanner for field {field!r}"
                        counter = counters[(field, plain)] = ColumnCounter(field_scanner, plain)
                    results.append(counter.count_joined(packed, _SEPARATOR, listing)
                                   if isinstance(packed, str) else counter.count(packed, listing))
                answer: tuple[str, Any] = ("ok", results)
            except Exception as exc:  # reported to the main process, which blocks
                answer = ("error", type(exc).__name__)
            outbox.put(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        outbox.put(None)
        threads[1].join()


def _receive_all(connection: Connection, inbox: queue.SimpleQueue[bytes | None]) -> None:
    try:
        while (data := connection.recv_bytes()) != _STOP:
            inbox.put(data)
    except (EOFError, OSError):
        pass
    inbox.put(None)


def _send_all(connection: Connection, outbox: queue.SimpleQueue[bytes | None]) -> None:
    while (data := outbox.get()) is not None:
        try:
            connection.send_bytes(data)
        except OSError:
            return


class ScanPool:
    """A forked worker counting batches; answers come back in the order sent."""

    def __init__(self, scanner: ContentScanner) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, scanner), daemon=True)
        self._process.start()
        child.close()
        self.in_flight = 0

    def can_take(self) -> bool:
        return self.in_flight < MAX_IN_FLIGHT

    def submit(self, fields: list[str], plain: bool, columns: list[Sequence[Any]],
               listing: frozenset[str]) -> None:
        """Send one batch's scanned columns; *listing*: rules whose cells must be listed."""
        assert self.can_take(), "collect a result first"
        message = (fields, plain, [pack(c) for c in columns], listing)
        self._connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        self.in_flight += 1

    def ready(self) -> bool:
        """True when the oldest batch still out has been answered."""
        return self.in_flight > 0 and self._connection.poll()

    def result(self) -> list[ColumnCount | None]:
        """The answer for the oldest batch still out (waits for it)."""
        assert self.in_flight > 0, "nothing was submitted"
        try:
            status, payload = self._connection.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed("the scanning worker stopped unexpectedly") from exc
        finally:
            self.in_flight -= 1
        if status != "ok":
            raise WorkerFailed(f"the scanning worker failed ({payload})")
        return payload  # type: ignore[no-any-return]

    def close(self) -> None:
        try:
            while self.in_flight:
                self.in_flight -= 1
                self._connection.recv()
            self._connection.send_bytes(_STOP)
        except (EOFError, OSError, BrokenPipeError):
            pass
        self._connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
