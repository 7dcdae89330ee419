"""Where the decision log lives: an explicit path, ``GUARDRAIL_LOG``, the project's
``.guardrail/`` folder, or the user's state folder, in that order."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from guardrail.errors import UsageError

__all__ = ["LOG_ENV", "OFF", "default_log_path", "resolve_log_path"]

LOG_ENV = "GUARDRAIL_LOG"
OFF = frozenset({"off", "none", "0", "false", "no"})
FILE_NAME = "decisions.sqlite"


def default_log_path(cwd: str | os.PathLike[str] | None = None) -> Path:
    """``.guardrail/decisions.sqlite`` in the nearest folder (from *cwd* up) that has a
    ``.guardrail/`` folder owned by the current user and not writable by others, else
    ``$XDG_STATE_HOME/guardrail/decisions.sqlite`` (``~/.local/state/guardrail/...``
    when XDG_STATE_HOME is unset)."""
    here = Path(cwd or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if _trusted(folder / ".guardrail"):
            return folder / ".guardrail" / FILE_NAME
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "guardrail" / FILE_NAME


def _trusted(folder: Path) -> bool:
    """A ``.guardrail/`` folder the current user owns and others cannot write: one in a
    shared parent (``/tmp``) made by someone else would collect, or hide, this user's
    decisions (git's ``safe.directory`` reasoning)."""
    try:  # the link itself and what it leads to: a link planted by another user in a
        # shared folder could send the log anywhere this user may write
        link, found = folder.lstat(), folder.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(found.st_mode):
        return False
    getuid = getattr(os, "getuid", None)  # no owners to compare on Windows
    if getuid is not None and (found.st_uid != getuid() or link.st_uid != getuid()):
        return False
    return not found.st_mode & stat.S_IWOTH


def resolve_log_path(option: str | os.PathLike[str] | None = None, *,
                     disabled: bool = False, default: bool = True) -> Path | None:
    """The log to write, or None when logging is off.

    :param option: a path the caller chose (``--log``); ``off`` turns logging off.
    :param disabled: ``--no-log``.
    :param default: fall back to :func:`default_log_path` (the CLI) rather than to no
        log at all (the Python API, which logs only when asked).
    """
    if disabled:
        return None
    if option is not None and not os.fspath(option).strip():
        raise UsageError("the decision log path is empty: give a path (or 'off' to "
                         "record nothing)")
    chosen = os.fspath(option) if option is not None else os.environ.get(LOG_ENV)
    if chosen is not None and chosen.strip():
        return None if chosen.strip().lower() in OFF else Path(chosen).expanduser()
    return default_log_path() if default else None
