"""A check's time budget, and the user's Ctrl-C told apart from a plugin's KeyboardInterrupt.

Nothing here runs per value: a check is armed once, and a plugin that overruns is
stopped from outside. How:

* **In the main thread** (the CLI, most scripts) a ``SIGALRM`` timer
  (``signal.setitimer``) fires when the time is up; its handler raises
  :class:`OverBudget` in whatever Python code is running, ``time.sleep`` and blocking
  system calls included, and again every second while the check goes on (a plugin
  that catches ``BaseException`` and carries on is hit again).
* **Anywhere else** (a web server's worker thread), or when the program uses
  ``SIGALRM`` itself, no signal can reach the checking thread, and an asynchronous
  exception (``PyThreadState_SetAsyncExc``) is not seen by a thread blocked in C
  (``time.sleep``, a read). So the check runs in a helper thread that the caller waits
  for: when the time is up the caller is answered at once, and the helper is sent
  :class:`OverBudget`, which stops it as soon as it runs Python code again. Helpers
  are kept for the next check (a thread costs more to start than a small check); the
  hand-over costs a thread switch per check. ``max_seconds=None`` runs the check in
  the caller's thread, with no budget.

What cannot be done in-process: a plugin stuck inside one C call that never returns
to Python (a regular expression that backtracks for ever, a read with no timeout) is
never interrupted. In the main thread the alarm's handler waits for the call to
return, so the check overruns; in a helper thread the caller gets its answer on time,
but the helper (and the CPU it burns) lives on until the call returns. Run guardrail
in its own process, with an outer timeout, where that matters.

While a check runs in the main thread, ``SIGINT`` raises :class:`UserInterrupt` (a
``KeyboardInterrupt``), so that a real Ctrl-C is never taken for a plugin's fault
(unless the program installed its own SIGINT handler, which is left alone).
"""

from __future__ import annotations

import _signal
import contextlib
import contextvars
import ctypes
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, TypeVar

from guardrail.engine.frames import Frame, frames_from
from guardrail.engine.worker import SCAN_DEADLINE

__all__ = ["OverBudget", "UserInterrupt", "user_interrupts", "within"]

T = TypeVar("T")

_AGAIN = 1.0  # seconds between alarms once the time is up, until the check stops
# Handlers are swapped with the C module: signal.signal() turns every handler it returns
# into an enum, paying for an exception when it is a Python function, about 15 us a
# swap, four swaps a check (a check of a small payload costs about 250 us in all).
_swap = _signal.signal
_ACTIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("guardrail_budget",
                                                               default=False)


class OverBudget(BaseException):
    """The check's time is up. Not an ``Exception``, so that a plugin's ``except
    Exception`` lets it through.

    :param frames: what was running when the time ran out, innermost first (see
        :mod:`guardrail.engine.frames`); empty when the exception's own traceback says.
    """

    def __init__(self, frames: tuple[Frame, ...] = ()) -> None:
        super().__init__()
        self.frames = frames


class UserInterrupt(KeyboardInterrupt):
    """The user pressed Ctrl-C (SIGINT arrived) during a check: nobody's fault."""


def within(seconds: float | None, body: Callable[[], T]) -> T:
    """``body()``, stopped with :class:`OverBudget` if it runs longer than *seconds*
    (None: no limit).

    Raises OverBudget even when *body* returned, if the time ran out and a plugin
    swallowed the exception: a result that took too long is not trusted. A check
    started inside another one (a plugin calling guardrail) shares the outer budget.
    """
    if _ACTIVE.get():
        return body()
    if threading.current_thread() is threading.main_thread() and _alarm_is_free():
        return _Alarm(seconds).run(body)
    if seconds is None:
        return body()
    return _in_helper(seconds, body)


def _alarm_is_free() -> bool:
    return _signal.getsignal(signal.SIGALRM) == _signal.SIG_DFL and \
        signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


class _Alarm:
    """The main thread's budget: a SIGALRM timer and a SIGINT handler, for one check."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.active = False  # body() is running: the handlers may raise
        self.frames: tuple[Frame, ...] | None = None  # what ran when the time ran out
        self.interrupted = False  # a Ctrl-C came while the handlers could not raise

    def run(self, body: Callable[[], T]) -> T:
        token = _ACTIVE.set(True)
        deadline = SCAN_DEADLINE.set(None if self.seconds is None
                                     else time.monotonic() + self.seconds)
        ours = _signal.getsignal(signal.SIGINT) is signal.default_int_handler
        try:
            if ours:
                _swap(signal.SIGINT, self._on_interrupt)
            if self.seconds is not None:
                _swap(signal.SIGALRM, self._on_alarm)
                signal.setitimer(signal.ITIMER_REAL, self.seconds, _AGAIN)
            self.active = True
            result = body()
        finally:
            # First, with no call before it, so that no handler runs in between: from
            # here on the handlers only take note (and in this frame, see _quiet).
            self.active = False
            if self.seconds is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                _swap(signal.SIGALRM, _signal.SIG_DFL)  # it was free (see _alarm_is_free)
            if ours:
                _swap(signal.SIGINT, signal.default_int_handler)
            SCAN_DEADLINE.reset(deadline)
            _ACTIVE.reset(token)
        if self.interrupted:
            raise UserInterrupt()
        if self.frames is not None:
            raise OverBudget(self.frames)
        return result

    def _on_alarm(self, number: int, frame: FrameType | None) -> None:
        if self.frames is None:  # where the time ran out names the plugin to blame
            self.frames = frames_from(frame, _Alarm.run.__code__)
        if self.active and not _quiet(frame):
            raise OverBudget(self.frames)

    def _on_interrupt(self, number: int, frame: FrameType | None) -> None:
        if _quiet(frame):
            self.interrupted = True
            return
        raise UserInterrupt()


@contextlib.contextmanager
def user_interrupts() -> Iterator[None]:
    """While guardrail calls plugins outside a check (registering them), a Ctrl-C in the
    main thread raises :class:`UserInterrupt`, not a plain KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread() or \
            _signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    _swap(signal.SIGINT, _user_interrupt)
    try:
        yield
    finally:  # if a Ctrl-C comes first, the handler left behind raises the same way
        _swap(signal.SIGINT, signal.default_int_handler)


def _user_interrupt(number: int, frame: FrameType | None) -> None:
    raise UserInterrupt()


def _quiet(frame: FrameType | None) -> bool:
    """Was guardrail arming or disarming when the signal came? Then its handler only
    takes note: raising there could leave a handler installed."""
    return frame is not None and frame.f_code is _Alarm.run.__code__


def _in_helper(seconds: float, body: Callable[[], T]) -> T:
    """Run *body* in a helper thread; give up on it after *seconds* (see module doc)."""
    job = _Job(body, time.monotonic() + seconds)
    thread = _Helper.take()
    thread.jobs.put(job)
    try:
        finished = job.done.wait(seconds)
    except BaseException:  # the caller was interrupted: the helper must not go on
        job.abandon(thread)
        raise
    if not finished:
        raise OverBudget(job.abandon(thread))
    ok, value = job.outcome
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


class _Job:
    """One check for a helper thread, run in the caller's context (contextvars)."""

    def __init__(self, body: Callable[[], Any], deadline: float) -> None:
        self.body = body
        self.deadline = deadline
        self.context = contextvars.copy_context()
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.finished = False  # set under the lock: after it, nothing is sent
        self.abandoned = False  # set under the lock: the caller gave up on it
        self.outcome: tuple[bool, Any] = (False, None)

    def run(self) -> None:
        try:
            _ACTIVE.set(True)
            SCAN_DEADLINE.set(self.deadline)
            try:
                self.outcome = (True, self.body())
            except BaseException as exc:
                self.outcome = (False, exc)
            with self.lock:
                self.finished = True
            self.done.set()
        except OverBudget:  # sent as the body ended: the caller has its answer already
            self.done.set()

    def abandon(self, thread: _Helper) -> tuple[Frame, ...]:
        """Stop the job when its thread next runs Python code; what it is running now."""
        with self.lock:
            if self.finished or thread.ident is None:
                return ()
            self.abandoned = True
            frames = frames_from(sys._current_frames().get(thread.ident), _Job.run.__code__)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                       ctypes.py_object(OverBudget))
            return frames


class _Helper(threading.Thread):
    """A helper thread, kept for the next job: starting a thread costs about as much as
    checking a small payload. One abandoned by its caller ends with its job."""

    _idle: list[_Helper] = []
    _lock = threading.Lock()
    MAX_IDLE = 16

    def __init__(self) -> None:
        super().__init__(name="guardrail-check", daemon=True)
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()

    @classmethod
    def take(cls) -> _Helper:
        with cls._lock:
            if cls._idle:
                return cls._idle.pop()
        helper = cls()
        helper.start()
        return helper

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            job.context.run(job.run)
            with job.lock:
                if job.abandoned:
                    return
            job = None  # type: ignore[assignment]  # keep nothing of it while idle
            with self._lock:
                if len(self._idle) >= self.MAX_IDLE:
                    return
                self._idle.append(self)
