"""Remove the temporary files that runs killed mid-write left behind, and only those.

A file is removed when nothing can still be writing it:

* its writer holds no lock on it (a live writer holds ``flock`` until it commits or
  discards; the kernel drops the lock when the process dies, even by SIGKILL), and
* its writer is gone: on this machine and PID namespace, the PID is dead or now belongs
  to a process started after the file was last written (a reused PID); elsewhere, or
  when that cannot be told, the file has not been written for :data:`STALE_AFTER`.

Another user's files are never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import time
from functools import cache
from pathlib import Path

from guardrail.atomic.names import TempName, host_tag, legacy_pattern, parse

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the PID and age rules still hold
    fcntl = None  # type: ignore[assignment]

__all__ = ["STALE_AFTER", "remove_stale", "hold_lock"]

STALE_AFTER = 24 * 3600.0
_START_SLACK = 2.0  # /proc/stat's boot time is in whole seconds


def hold_lock(fd: int) -> None:
    """Mark the temporary file open on *fd* as in use, for as long as fd stays open."""
    if fcntl is not None:
        with contextlib.suppress(OSError):  # e.g. ENOLCK on some NFS mounts
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale(folder: Path, target_name: str | None = None,
                 stale_after: float = STALE_AFTER) -> list[str]:
    """Remove stale guardrail temporary files from *folder*; the names removed.

    :param target_name: also remove 0.1's unmarked copies for this target, by age alone.
    """
    legacy = legacy_pattern(target_name) if target_name else None
    removed: list[str] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        made_by = parse(entry.name)
        if made_by is None and not (legacy and legacy.fullmatch(entry.name)):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or not _ours(info):
            continue
        if _stale(made_by, info.st_mtime, now, stale_after) and _remove_unlocked(entry.path,
                                                                                 info):
            removed.append(entry.name)
    return removed


def _ours(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _stale(made_by: TempName | None, written: float, now: float, stale_after: float) -> bool:
    if made_by is not None and made_by.host == host_tag():
        alive = _writer_alive(made_by.pid, written)
        if alive is not None:
            return not alive
    return now - written > stale_after


def _writer_alive(pid: int, written: float) -> bool | None:
    """Is the process that wrote a file last at *written* still running? None: unknown."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return None  # os.kill on Windows terminates the process, whatever the signal
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    except OSError:
        return None
    state, started = _process(pid)
    if state == "Z":
        return False  # exited, not yet reaped: its files and locks are closed
    if started is not None and started > written + _START_SLACK:
        return False  # the PID was reused by a process younger than the file
    return True


def _process(pid: int) -> tuple[str, float | None]:
    """*pid*'s state letter and start time (seconds since the epoch), read from Linux's
    /proc; ("", None) elsewhere."""
    boot = _boot_time()
    if boot is None:
        return "", None
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read()
        # fields 3 (state) and 22 (starttime), after the parenthesised command name
        fields = raw[raw.rindex(b")") + 2:].split()
        return fields[0].decode("ascii"), boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return "", None


@cache
def _boot_time() -> int | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/stat", "rb") as handle:
            found = re.search(rb"^btime (\d+)", handle.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found[1]) if found else None


def _remove_unlocked(path: str, info: os.stat_result) -> bool:
    """Unlink *path* unless a live writer holds its lock; True when removed."""
    if fcntl is None:
        try:
            os.unlink(path)
        except OSError:
            return False
        return True
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its writer is alive
        except OSError:
            pass  # no locks on this file system: the PID and age rules decide
        if not os.path.samestat(os.fstat(fd), info):
            return False  # replaced since it was looked at
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
