"""Sweeping on a schedule: once (for cron), or every interval until told to stop.

SIGINT and SIGTERM end the loop between sweeps: a sweep under way finishes, logs its
decision and saves its state, then the loop ends. A second signal is not caught (the
state is saved in one transaction, so even then it is the last sweep's or the one
before's, never half of each).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Stop", "run_schedule"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_TICK = 0.2  # how often a wait looks at the stop flag


class Stop:
    """Set by SIGINT or SIGTERM while the loop runs."""

    def __init__(self) -> None:
        self.requested = False

    def wait(self, seconds: float) -> None:
        """Sleep *seconds*, or until a stop is requested."""
        deadline = time.monotonic() + seconds
        while not self.requested:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(_TICK, left))


@contextmanager
def _catching(stop: Stop) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; an embedding caller stops it itself
        return
    before = {number: signal.getsignal(number) for number in _SIGNALS}

    def handler(number: int, frame: Any) -> None:
        stop.requested = True
        for each, previous in before.items():  # a second signal acts at once
            signal.signal(each, previous)

    for number in _SIGNALS:
        signal.signal(number, handler)
    try:
        yield
    finally:
        for number, previous in before.items():
            signal.signal(number, previous)


def run_schedule(sweep: Callable[[int], int], every: float | None = None,
                 sweeps: int | None = None, stop: Stop | None = None) -> int:
    """Run ``sweep(n)`` (n from 1) once, or every *every* seconds (from the start of
    one sweep to the start of the next) until *sweeps* have run or a signal asks to
    stop; the exit code is the last sweep's."""
    if every is None:
        return sweep(1)
    stop = stop or Stop()
    with _catching(stop):
        number = 0
        while True:
            number += 1
            started = time.monotonic()
            code = sweep(number)
            if stop.requested or (sweeps is not None and number >= sweeps):
                return code
            stop.wait(started + every - time.monotonic())
            if stop.requested:
                return code
