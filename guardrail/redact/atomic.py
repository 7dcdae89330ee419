"""Write a file so that readers see either the old one or the whole new one, never a part.

The copy is written to a temporary file in the target's own directory (a rename is
only atomic within one file system), flushed to disk, checked by the caller, and
only then renamed over the target. Any failure before :meth:`AtomicOutput.commit`
removes the temporary file.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from guardrail.errors import UsageError

__all__ = ["AtomicOutput"]


class AtomicOutput:
    """A temporary file that becomes *target* on :meth:`commit`.

    :param target: the file to create or replace; ``"-"`` writes to stdout, which is
        only done at commit, after the copy is complete and checked.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.to_stdout = str(target) == "-"
        self.target = None if self.to_stdout else Path(target)
        folder = Path.cwd() if self.target is None else self.target.resolve().parent
        if not folder.is_dir():
            raise UsageError(f"cannot write {target}: folder {folder} does not exist")
        if self.target is not None and self.target.exists() and not self.target.is_file():
            raise UsageError(f"cannot write {target}: it exists and is not a regular file")
        prefix = f".{self.target.name}." if self.target is not None else ".guardrail-stdout."
        try:
            handle, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        except OSError as exc:
            raise UsageError(f"cannot write to {folder}: {exc.strerror}") from None
        self.temp_path = Path(name)
        self.stream: BinaryIO = os.fdopen(handle, "wb")
        self._done = False
        self._signals: dict[int, Any] = {}

    def finish_writing(self) -> Path:
        """Flush the copy to disk and close it, so it can be read back and checked."""
        if not self.stream.closed:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
        return self.temp_path

    def commit(self) -> None:
        """Put the finished copy in place (or on stdout)."""
        self.finish_writing()
        if self.target is None:
            with self.temp_path.open("rb") as copy:
                shutil.copyfileobj(copy, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            self.temp_path.unlink()
        else:
            if self.target.exists():
                shutil.copymode(self.target, self.temp_path)
            else:  # mkstemp makes 0600; a published file gets the usual umask mode
                os.chmod(self.temp_path, 0o666 & ~_umask())
            try:
                os.replace(self.temp_path, self.target)
            except OSError as exc:
                raise UsageError(f"cannot write {self.target}: {exc.strerror}") from None
            _fsync_folder(self.target.resolve().parent)
        self._done = True

    def discard(self) -> None:
        """Remove the temporary file; the target is left as it was."""
        if not self.stream.closed:
            self.stream.close()
        self.temp_path.unlink(missing_ok=True)
        self._done = True

    def __enter__(self) -> AtomicOutput:
        # A TERM or HUP while writing must still remove the unchecked copy: turn them
        # into SystemExit, so __exit__ runs (only the main thread may set handlers).
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGHUP):
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


def _exit_on_signal(number: int, frame: Any) -> None:
    raise SystemExit(128 + number)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
