"""Publishing steps a policy guards: a file that reaches its place only if allowed, a
copy made only if allowed, an export function whose result is checked.

An export job writes through :func:`open_for_publish` as it would through ``open``. The
bytes go to an unnamed copy beside the target (see :mod:`guardrail.atomic`); closing
checks the copy as the target's format and puts it in place only when the destination
may receive it. When it is blocked, cannot be read, or the job fails before closing,
nothing new is left behind and an existing target is untouched.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import os
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import IO, Any, TypeVar

from guardrail.api import Guardrail
from guardrail.atomic import AtomicFile
from guardrail.decision import Decision, PublishBlocked
from guardrail.errors import UsageError
from guardrail.gate import require_mode

__all__ = ["PublishFile", "guard", "open_for_publish", "publish_copy"]

_F = TypeVar("_F", bound=Callable[..., Any])


class PublishFile:
    """A file-like writer whose contents are checked on :meth:`close`.

    ``decision`` is the check's :class:`~guardrail.Decision` once closed (None before).
    Leaving a ``with`` block by an exception discards the copy without checking it.
    """

    def __init__(self, path: str | os.PathLike[str], guard: Guardrail, *,
                 destination: str | None, mode: str, format: str | None,
                 text: bool, encoding: str | None, newline: str | None,
                 check_options: dict[str, Any] | None = None) -> None:
        self.path = os.fspath(path)
        self._options = check_options or {}
        if self.path == "-":
            raise UsageError("open_for_publish writes a file: give a path, not '-'")
        self._guard, self._destination, self._mode, self._format = \
            guard, destination, mode, format
        self._copy = AtomicFile(self.path, catch_signals=False)
        self._text: io.TextIOWrapper | None = None
        if text:
            self._text = io.TextIOWrapper(self._copy.stream, encoding=encoding or "utf-8",
                                          newline=newline, write_through=True)
        self.decision: Decision | None = None
        self._open = True

    # -- what a file has -------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return not self._open

    def writable(self) -> bool:
        return self._open

    def write(self, data: Any) -> int:
        return self._stream().write(data)

    def writelines(self, lines: Any) -> None:
        self._stream().writelines(lines)

    def flush(self) -> None:
        if self._open:
            self._stream().flush()

    def _stream(self) -> IO[Any]:
        if not self._open:
            raise ValueError("I/O operation on a closed publication")
        return self._text if self._text is not None else self._copy.stream

    # -- the check -------------------------------------------------------------------

    def close(self) -> None:
        """Check the copy; put it in place if allowed (or in audit mode), else discard
        it and raise :class:`~guardrail.PublishBlocked`."""
        if not self._open:
            return
        self._open = False
        try:
            if self._text is not None:
                self._text.flush()
                self._text.detach()
            readable = self._copy.finish()
            with open(readable, "rb") as copy:
                # read as the target is: its format by its extension, its name in reports
                copy.raw.name = self.path  # type: ignore[attr-defined]
                decision = self._guard.check(copy, format=self._format,
                                             destination=self._destination, mode=self._mode,
                                             **self._options)
        except BaseException:
            self._copy.discard()
            raise
        self.decision = decision
        if decision.exit_code != 0:
            self._copy.discard()
            raise PublishBlocked(decision)
        self._copy.commit()

    def abort(self) -> None:
        """Drop what was written; the target is left as it was."""
        if self._open:
            self._open = False
            if self._text is not None:
                self._text.detach()
            self._copy.discard()

    def __enter__(self) -> PublishFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:  # never left half-written by a job that forgot close()
        if getattr(self, "_open", False):
            with contextlib.suppress(Exception):
                self.abort()


def open_for_publish(path: str | os.PathLike[str], mode: str = "w", *,
                     policy: str | os.PathLike[str] | Guardrail,
                     destination: str | None = None, check_mode: str = "enforce",
                     format: str | None = None, encoding: str | None = None,
                     newline: str | None = None, **check_options: Any) -> PublishFile:
    """Open *path* for writing a publication, as ``open(path, mode)`` would.

    :param mode: ``"w"`` (text) or ``"wb"`` (bytes).
    :param policy: a :class:`~guardrail.Guardrail`, or a shipped policy's name or a
        policy file.
    :param destination: where the file is published; the policy's default when None.
    :param check_mode: ``enforce`` (a blocked file is not written: closing raises
        :class:`~guardrail.PublishBlocked`) or ``audit`` (written whatever the verdict;
        the decision says what enforce would have done).
    :param format: the format to read it as; by default the target's extension, then
        its content decide, as for ``guardrail check``.
    :param check_options: passed on to :meth:`~guardrail.Guardrail.check`
        (``max_findings``, ``jobs``, ``limits``, ``tune_gc``); the copy is read as
        UTF-8 unless ``encoding`` says otherwise.

    A file that cannot be read as its format is never written, in either mode.
    """
    if mode not in ("w", "wb"):
        raise UsageError(f"open_for_publish mode must be 'w' or 'wb', not {mode!r}")
    require_mode("check_mode", check_mode)
    guard = policy if isinstance(policy, Guardrail) else Guardrail.from_policy(policy)
    guard.compiled(destination)  # an unknown destination fails now, before any writing
    if encoding is not None:
        check_options.setdefault("encoding", encoding)  # the copy is in it: read it so
    return PublishFile(path, guard, destination=destination, mode=check_mode, format=format,
                       text=mode == "w", encoding=encoding, newline=newline,
                       check_options=check_options)


def publish_copy(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
                 policy: str | os.PathLike[str] | Guardrail, chunk: int = 1 << 20,
                 **options: Any) -> Decision:
    """Copy *source* to *target* through :func:`open_for_publish`: the bytes checked are
    the bytes published (no window between a check and a copy). Returns the decision;
    raises :class:`~guardrail.PublishBlocked` when nothing was written."""
    if os.path.realpath(source) == os.path.realpath(target):
        raise UsageError("publish needs a target other than its source")
    try:
        reader = open(source, "rb")  # noqa: SIM115 - closed below, before the check
    except OSError as exc:
        raise UsageError(f"cannot read {os.fspath(source)}: {exc.strerror}") from None
    out = open_for_publish(target, "wb", policy=policy, **options)
    with reader:
        try:
            while block := reader.read(chunk):
                out.write(block)
        except BaseException:
            out.abort()
            raise
    out.close()
    assert out.decision is not None
    return out.decision


def guard(*, policy: str | os.PathLike[str] | Guardrail, destination: str | None = None,
          mode: str = "enforce", format: str | None = None,
          **check_options: Any) -> Callable[[_F], _F]:
    """Decorate an export function so what it returns is checked before anyone uses it.

    The function may return a path to the file it wrote, or the payload itself: bytes,
    text, dict records (a generator is read into a list, which is returned), or a
    seekable stream (rewound after the check). When the policy blocks it, the call
    raises :class:`~guardrail.PublishBlocked` instead of returning (a file it wrote is
    left where it is: to write a file only if allowed, use :func:`open_for_publish`).
    In ``audit`` mode it always returns; the after-check hook sees the decision.
    Works on ``async def`` functions too.
    """
    require_mode("mode", mode)
    checker = policy if isinstance(policy, Guardrail) else Guardrail.from_policy(policy)
    checker.compiled(destination)  # an unknown destination fails at decoration time

    def judged(result: Any) -> Any:
        source, returned = (result, result) if checker.registry.adapter_for(result) \
            else _payload_of(result)
        start = source.tell() if hasattr(source, "read") else None
        decision = checker.check(source, format=format, destination=destination, mode=mode,
                                 **check_options)
        if start is not None:
            source.seek(start)  # the caller reads it from where it was
        if decision.exit_code != 0:
            raise PublishBlocked(decision)
        return returned

    def decorate(function: _F) -> _F:
        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def checked_async(*args: Any, **kwargs: Any) -> Any:
                return judged(await function(*args, **kwargs))
            return checked_async  # type: ignore[return-value]

        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            return judged(function(*args, **kwargs))
        return checked  # type: ignore[return-value]

    return decorate


def _payload_of(result: Any) -> tuple[Any, Any]:
    """(what to check, what to return) for an export function's result."""
    if isinstance(result, (str, os.PathLike)) and os.path.isfile(result):
        return result, result
    if isinstance(result, str):
        return result.encode("utf-8"), result  # the payload's text, not a path
    if isinstance(result, (bytes, bytearray, memoryview, list, tuple)):
        return result, result
    if hasattr(result, "read"):
        if not (hasattr(result, "seekable") and result.seekable()):
            raise UsageError("the export returned a stream that cannot be rewound: checking "
                             "it would consume it; return bytes, a path or a seekable stream")
        return result, result
    if isinstance(result, Iterable) and not isinstance(result, Mapping):
        records = list(result)
        return records, records
    return result, result  # check() refuses it, naming only its type
