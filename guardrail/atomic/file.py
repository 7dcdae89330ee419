"""A new version of a file that readers see whole or not at all, and that leaves nothing
behind when the run that writes it fails or is killed.

The copy is written beside the target (a rename or link is only atomic within one file
system), flushed to disk and, once the caller has checked it, put in place:

* on Linux it is an unnamed ``O_TMPFILE``: it gets a name only when it is complete,
  by ``linkat`` straight to the target's name, or (when the target exists) to a marked
  name that is at once renamed over the target;
* elsewhere, or where the file system refuses unnamed files, it is a marked, locked,
  named file (see :mod:`guardrail.atomic.names`), which any later write into the same
  folder removes once its writer is gone (:mod:`guardrail.atomic.stale`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from guardrail.atomic import names, stale
from guardrail.atomic.unnamed import open_unnamed, proc_path
from guardrail.errors import UsageError

__all__ = ["AtomicFile", "atomic_output", "SignalExit"]

_STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                  if hasattr(signal, name))


class AtomicFile:
    """A temporary file that becomes *target* on :meth:`commit`; leaving the ``with``
    block without committing discards it and leaves the target as it was.

    :param target: the file to create or replace (a symlink is followed: the file it
        points to is replaced); ``"-"`` writes to stdout, only at commit, so a reader
        of the pipe gets the whole copy or nothing.
    :param inputs: files this write must never replace, such as the command's input.
    :param catch_signals: while open, turn SIGTERM and SIGHUP into SystemExit so a run
        told to stop still discards its copy (only in the main thread).
    """

    def __init__(self, target: str | os.PathLike[str], *,
                 inputs: Iterable[Any] = (), catch_signals: bool = True) -> None:
        self.to_stdout = os.fspath(target) == "-"
        self.target = None if self.to_stdout else Path(target).resolve()
        folder = Path.cwd() if self.target is None else self.target.parent
        self._name = "guardrail-stdout" if self.target is None else self.target.name
        _refuse(target, self.target, folder, inputs)
        self._folder = folder
        self._catch = catch_signals
        self._signals: dict[int, Any] = {}
        self._done = False
        stale.remove_stale(folder, self._name)
        self._dir_fd = _open_folder(folder)
        try:
            fd = None if self._dir_fd is None else open_unnamed(self._dir_fd)
            #: None while the copy has no name (O_TMPFILE), else its marked name
            self.temp_path: Path | None = None
            if fd is None:
                fd, self.temp_path = _open_named(folder, self._name)
            stale.hold_lock(fd)  # also covers an unnamed copy's brief marked name
        except OSError as exc:
            self._close_folder()
            raise UsageError(f"cannot write to {folder}: {exc.strerror}") from None
        self._fd: int | None = fd
        self.stream: BinaryIO = open(fd, "wb", closefd=False)  # noqa: SIM115

    @property
    def unnamed(self) -> bool:
        """True while the copy exists only as an open file (nothing to clean up, ever)."""
        return self.temp_path is None

    def finish(self) -> Path:
        """Flush the copy to disk; a path that reads it back, for checking it."""
        fd = self._open_fd()
        if not self.stream.closed:
            self.stream.flush()
        os.fsync(fd)
        return proc_path(fd) if self.temp_path is None else self.temp_path

    def commit(self) -> None:
        """Put the finished copy in place (or on stdout); the target is whole at every
        moment, old or new."""
        self.finish()
        if self.target is None:
            self._write_stdout()
        else:
            fd = self._open_fd()
            _set_mode(fd, self.temp_path, _mode_for(self.target))
            os.fsync(fd)
            try:
                self._put_in_place(fd, self.target)
            except OSError as exc:
                raise UsageError(f"cannot write {self.target}: {exc.strerror}") from None
            _fsync_folder(self._dir_fd)
        self._release()

    def discard(self) -> None:
        """Drop the copy; the target is left as it was."""
        temp = self.temp_path
        self._release()
        if temp is not None:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

    def _put_in_place(self, fd: int, target: Path) -> None:
        if self.temp_path is not None:
            if os.name == "nt":  # Windows renames only closed files
                self._close_fd()
            os.replace(self.temp_path, target)
            self.temp_path = None
            return
        assert self._dir_fd is not None
        source = os.fspath(proc_path(fd))
        with _signals_held():
            try:  # no name exists at any moment but the target's
                os.link(source, target.name, dst_dir_fd=self._dir_fd, follow_symlinks=True)
                return
            except FileExistsError:
                pass
            marked = names.temp_name(target.name)
            try:  # the marked name lives for two system calls
                os.link(source, marked, dst_dir_fd=self._dir_fd, follow_symlinks=True)
                os.replace(marked, target.name, src_dir_fd=self._dir_fd,
                           dst_dir_fd=self._dir_fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(marked, dir_fd=self._dir_fd)
                raise

    def _write_stdout(self) -> None:
        with self.finish().open("rb") as copy:
            shutil.copyfileobj(copy, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        self.discard()

    def _open_fd(self) -> int:
        if self._fd is None:
            raise ValueError("the atomic file was already committed or discarded")
        return self._fd

    def _close_fd(self) -> None:
        if not self.stream.closed:
            self.stream.close()
        if self._fd is not None:
            os.close(self._fd)  # frees an unnamed copy; releases a named one's lock
            self._fd = None

    def _close_folder(self) -> None:
        if self._dir_fd is not None:
            os.close(self._dir_fd)
            self._dir_fd = None

    def _release(self) -> None:
        self._close_fd()
        self._close_folder()
        self.temp_path = None
        self._done = True

    def __enter__(self) -> AtomicFile:
        if self._catch and threading.current_thread() is threading.main_thread():
            for number in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
                if number is not None:
                    self._signals[number] = signal.signal(number, _exit_on_signal)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self._done:
                self.discard()
        finally:
            for number, handler in self._signals.items():
                signal.signal(number, handler)
            self._signals.clear()


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], **options: Any) -> Iterator[BinaryIO]:
    """A binary stream that replaces *path* when the block ends normally; on an
    exception nothing is written. *options* are :class:`AtomicFile`'s."""
    with AtomicFile(path, **options) as output:
        yield output.stream
        output.commit()


def _refuse(given: Any, target: Path | None, folder: Path, inputs: Iterable[Any]) -> None:
    if not folder.is_dir():
        raise UsageError(f"cannot write {given}: folder {folder} does not exist")
    if target is None or not target.exists():
        return
    if not target.is_file():
        raise UsageError(f"cannot write {given}: it exists and is not a regular file")
    for source in inputs:
        if isinstance(source, (str, os.PathLike)) and os.fspath(source) != "-":
            with contextlib.suppress(OSError):
                if target.samefile(source):
                    raise UsageError(f"cannot write {given}: it is the input being read; "
                                     "write the copy to another file")


def _open_folder(folder: Path) -> int | None:
    """The folder, held open for *at() calls; None where folders cannot be opened."""
    if os.name != "posix":
        return None
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None


def _open_named(folder: Path, target_name: str) -> tuple[int, Path]:
    flags = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    while True:
        path = folder / names.temp_name(target_name)
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        return fd, path


def _mode_for(target: Path) -> int:
    """An existing target's permissions; for a new file, what ``open()`` would give."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _set_mode(fd: int, path: Path | None, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    elif path is not None:  # Windows before Python 3.13
        os.chmod(path, mode)


def _umask() -> int:
    """The process's umask: read from /proc on Linux, since setting it to read it (the
    only portable way) briefly changes it for every thread."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _fsync_folder(dir_fd: int | None) -> None:
    """Make the link or rename itself durable (POSIX)."""
    if dir_fd is not None:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM, SIGHUP and SIGINT back (this thread) while a marked name exists."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class SignalExit(SystemExit):
    """SIGTERM or SIGHUP while a copy was open: the copy is discarded on the way out."""

    def __init__(self, number: int) -> None:
        super().__init__(128 + number)
        self.signal = number


def _exit_on_signal(number: int, frame: Any) -> None:
    raise SignalExit(number)
