"""Linux's unnamed temporary files (``O_TMPFILE``): a copy with no name until it is done.

Such a file is in the target's folder (so it can be linked there) but in no folder
listing; if the process dies, even by SIGKILL, the kernel frees it and nothing is
left behind. Linking it needs ``/proc/self/fd``: Linux has no ``linkat`` that
replaces an existing name (an ``AT_REPLACE`` flag was proposed, never merged), so a
target that exists is replaced by linking to a fresh marked name and renaming that
over the target, two system calls apart.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["open_unnamed", "proc_path"]

# What file systems (and kernels older than 3.11, which read O_TMPFILE as O_DIRECTORY)
# answer when they cannot make one: fall back to a named temporary file.
_UNSUPPORTED = {errno.EOPNOTSUPP, errno.ENOTSUP, errno.EISDIR, errno.ENOTDIR, errno.EINVAL,
                errno.ENOSYS}


def open_unnamed(folder_fd: int) -> int | None:
    """An unnamed file in the folder open on *folder_fd*, mode 0600; None where the
    platform or file system cannot make one. Other errors (EACCES, ENOSPC) are raised."""
    flag = getattr(os, "O_TMPFILE", None)  # looked up at each call so tests can remove it
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(".", flag | os.O_WRONLY | os.O_CLOEXEC, 0o600, dir_fd=folder_fd)
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return None
        raise


def proc_path(fd: int) -> Path:
    """A path that opens the file on *fd* afresh (its own offset), for reading back and
    for ``linkat(..., AT_SYMLINK_FOLLOW)``."""
    return Path(f"/proc/self/fd/{fd}")
