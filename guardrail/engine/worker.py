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
failure in it (``SystemExit`` from a detector too) surfaces as a :class:`WorkerFailed`
in the main process, which blocks the payload; it carries the failure's frames, so the
main process can name the plugin that raised. The worker leaves the user's Ctrl-C to
the main process, and stops itself when the check's time is up (:data:`SCAN_DEADLINE`).
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import signal
import threading
import time
from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from guardrail.engine.column_memory import ColumnCount, ColumnCounter
from guardrail.engine.frames import Frame, frames_of

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from guardrail.engine.scanning import ContentScanner

__all__ = ["SCAN_DEADLINE", "ScanPool", "TIME_UP", "WorkerFailed", "can_fork", "pack"]

_SEPARATOR = "\0"
_STOP = b"stop"  # no pickle looks like this: pickles start with b"\x80"
MAX_IN_FLIGHT = 4  # batches sent and not yet answered: the worker never waits for work
TIME_UP = "time limit"  # WorkerFailed.fault when the worker stopped itself on time

# When the running check must end (time.monotonic()), or None: set by the host for the
# duration of a check, read when a worker starts. The worker stops itself a little
# earlier, so that its answer, naming the detector it stopped, reaches the main process
# before the main process's own deadline does.
SCAN_DEADLINE: ContextVar[float | None] = ContextVar("guardrail_scan_deadline", default=None)


class WorkerFailed(RuntimeError):
    """The scanning worker raised or died; the check must fail closed.

    :param fault: the type name of what the worker raised, or :data:`TIME_UP`.
    :param frames: where it was raised in the worker (see :mod:`guardrail.engine.frames`).
    """

    def __init__(self, message: str, fault: str = "", frames: tuple[Frame, ...] = ()) -> None:
        super().__init__(message)
        self.fault = fault
        self.frames = frames


class _TimeUp(BaseException):
    """Raised in the worker when the check's time is up; not an Exception, so that a
    detector's ``except Exception`` cannot swallow it."""


_counting = False  # in the worker: a batch is being counted (else it waits for one)


def _time_up(number: int, frame: Any) -> None:
    if _counting:  # waiting for work is not overrunning: the main process is late
        raise _TimeUp()


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


def _serve(connection: Connection, scanner: ContentScanner, deadline: float | None) -> None:
    """Worker loop: receive (fields, plain, packed columns), answer a
    ColumnCount (or None) per column, until told to stop.

    Threads receive and send, so that the main process never blocks on a full pipe
    while this one counts; they wait in system calls, without the GIL.
    """
    # A Ctrl-C in the terminal reaches the whole process group: the main process
    # handles it (and kills this one), so it cannot surface here as a detector's fault.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if deadline is not None:
        left = deadline - time.monotonic()
        signal.signal(signal.SIGALRM, _time_up)
        signal.setitimer(signal.ITIMER_REAL, max(left - min(0.2, left / 10), 0.001), 0.1)
    gc.freeze()  # what the worker inherited lives as long as it does: never walk it
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    threads = [threading.Thread(target=_receive_all, args=(connection, inbox), daemon=True),
               threading.Thread(target=_send_all, args=(connection, outbox), daemon=True)]
    for thread in threads:
        thread.start()
    counters: dict[tuple[str, bool], ColumnCounter] = {}
    global _counting
    try:
        while (data := inbox.get()) is not None:
            try:
                _counting = True
                fields, plain, columns = pickle.loads(data)
                results = []
                for field, packed in zip(fields, columns, strict=True):
                    counter = counters.get((field, plain))
                    if counter is None:
                        field_scanner = scanner.for_field(field)
                        assert field_scanner is not None, f"no scanner for field {field!r}"
                        counter = counters[(field, plain)] = ColumnCounter(field_scanner, plain)
                    results.append(counter.count_joined(packed, _SEPARATOR)
                                   if isinstance(packed, str) else counter.count(packed))
                answer: tuple[str, Any] = ("ok", results)
            except BaseException as exc:  # reported to the main process, which blocks
                _counting = False
                fault = TIME_UP if isinstance(exc, _TimeUp) else type(exc).__name__
                answer = ("error", (fault, frames_of(exc.__traceback__)))
            finally:
                _counting = False
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
        self._process = context.Process(target=_serve, daemon=True,
                                        args=(child, scanner, SCAN_DEADLINE.get()))
        self._process.start()
        child.close()
        self.in_flight = 0

    def can_take(self) -> bool:
        return self.in_flight < MAX_IN_FLIGHT

    def submit(self, fields: list[str], plain: bool, columns: list[Sequence[Any]]) -> None:
        """Send one batch's scanned columns."""
        assert self.can_take(), "collect a result first"
        message = (fields, plain, [pack(c) for c in columns])
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
            fault, frames = payload
            raise WorkerFailed(f"the scanning worker failed ({fault})", fault, frames)
        return payload  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the worker: told to when every answer is in, killed when some are still
        out (the walk stopped on a fault, and the worker may be stuck in a plugin)."""
        try:
            if not self.in_flight:
                self._connection.send_bytes(_STOP)
                self._process.join(timeout=5)
        except OSError:
            pass
        finally:
            self._connection.close()
            if self._process.is_alive():
                self._process.kill()
                self._process.join(timeout=5)
