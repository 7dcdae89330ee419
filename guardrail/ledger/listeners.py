"""Telling decision listeners (``guardrail_decision_logged``) about each entry.

Each implementation is called on its own, after the entry is safely in the local log:
one that fails is reported on stderr naming its plugin, and neither changes the
verdict, nor stops the others, nor undoes the local record. Each gets its own copy of
the entry, so one that changes ``entry.content`` changes nothing the next one sees.
Listeners run in the checking process, one after the other: a slow one holds the
check (the shipped ``forward`` listener has its own timeout).
"""

from __future__ import annotations

import copy
import dataclasses
import os
import sys
import traceback
from typing import Any

from guardrail.ledger.chain import LogEntry

__all__ = ["notify_listeners"]


def notify_listeners(pm: Any, entry: LogEntry) -> list[str]:
    """Call every listener with *entry*; returns the names of the plugins that failed."""
    failed: list[str] = []
    for impl in pm.hook.guardrail_decision_logged.get_hookimpls():
        try:
            impl.function(entry=dataclasses.replace(
                entry, content=copy.deepcopy(entry.content)))
        except KeyboardInterrupt:
            raise  # the user's Ctrl-C; the local record is already written
        except BaseException as exc:  # SystemExit too: a listener never ends the run
            failed.append(impl.plugin_name)
            sys.stderr.write(
                f"guardrail: warning: decision listener plugin '{impl.plugin_name}' raised "
                f"{type(exc).__name__} for log entry {entry.seq}; the decision is in the "
                "local log and the verdict stands. Set GUARDRAIL_DEBUG=1 for the "
                "traceback.\n")
            if os.environ.get("GUARDRAIL_DEBUG"):
                traceback.print_exception(type(exc), exc, exc.__traceback__)
    return failed
