"""The one name a guardrail temporary file may have, so any later run can recognise it.

``.<target>.guardrail-tmp.<pid>-<host>.<random>``: the target it was for (shortened to
keep the name under the 255-byte limit), the process that made it and a tag for the
machine and PID namespace that process lives in (a PID means nothing elsewhere, and
folders are shared over NFS and between containers).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
from dataclasses import dataclass
from functools import cache

__all__ = ["MARK", "TempName", "temp_name", "parse", "legacy_pattern", "host_tag"]

MARK = ".guardrail-tmp."
_STEM_BYTES = 120  # leaves room for the mark, a PID, the tag and the random part
_PATTERN = re.compile(r"\.(?P<stem>.*)\.guardrail-tmp\.(?P<pid>[0-9]{1,10})-"
                      r"(?P<host>[0-9a-f]{8})\.[0-9a-f]{8}", re.DOTALL)


@dataclass(frozen=True)
class TempName:
    """What a temporary file's name says about the run that made it."""

    pid: int
    host: str


@cache
def host_tag() -> str:
    """8 hex digits naming this machine and PID namespace (stable for the process)."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = ""
    seed = f"{socket.gethostname()}/{namespace}".encode("utf-8", "surrogateescape")
    return hashlib.blake2b(seed, digest_size=4).hexdigest()


def temp_name(target_name: str) -> str:
    """A fresh temporary name for a file that will become *target_name*."""
    stem = target_name.encode("utf-8", "surrogateescape")[:_STEM_BYTES]
    short = stem.decode("utf-8", "ignore")
    return f".{short}{MARK}{os.getpid()}-{host_tag()}.{secrets.token_hex(4)}"


def parse(name: str) -> TempName | None:
    """The run a temporary file's *name* belongs to; None if guardrail did not make it."""
    if MARK not in name:  # cheap screen: folders can be large
        return None
    found = _PATTERN.fullmatch(name)
    return TempName(int(found["pid"]), found["host"]) if found else None


def legacy_pattern(target_name: str) -> re.Pattern[str]:
    """Names of the ``tempfile.mkstemp`` copies guardrail 0.1 left beside *target_name*."""
    return re.compile(rf"\.{re.escape(target_name)}\.[a-z0-9_]{{8}}\.tmp")
