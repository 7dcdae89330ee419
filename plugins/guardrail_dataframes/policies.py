"""Loaded policies, kept by name, so ``df.guardrail.check(policy="asb-public-web")`` in a
loop loads and compiles the policy once, not once a call."""

from __future__ import annotations

import os
import threading

from guardrail import Guardrail

__all__ = ["guardrail_for"]

Policy = str | os.PathLike[str] | Guardrail

_LOADED: dict[tuple[str, int], Guardrail] = {}
_LOCK = threading.Lock()
_KEEP = 32  # policies kept at once; a program uses a handful


def guardrail_for(policy: Policy) -> Guardrail:
    """*policy* itself when it is a :class:`~guardrail.Guardrail`, else the policy of
    that name or file, loaded once (a file again when it changes)."""
    if isinstance(policy, Guardrail):
        return policy
    name = os.fspath(policy)
    try:
        stamp = os.stat(name).st_mtime_ns  # a file edited since is loaded again
    except OSError:
        stamp = 0  # a shipped policy's name
    key = (name, stamp)
    with _LOCK:
        found = _LOADED.get(key)
    if found is None:
        found = Guardrail.from_policy(name)  # outside the lock: it may take a while
        with _LOCK:
            if len(_LOADED) >= _KEEP:
                _LOADED.clear()
            found = _LOADED.setdefault(key, found)
    return found
