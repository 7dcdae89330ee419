"""The decision log: every decision appended to a hash-chained SQLite file, then
passed to decision listeners (see docs/decision-log.md)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from guardrail.decision import Decision
from guardrail.ledger.chain import GENESIS, LogEntry, canonical, chain_hash
from guardrail.ledger.listeners import notify_listeners
from guardrail.ledger.location import LOG_ENV, default_log_path, resolve_log_path
from guardrail.ledger.query import Filters, select
from guardrail.ledger.store import DecisionLog, LogError, is_log_file, not_a_log_file
from guardrail.ledger.verify import Verification, parse_head, verify_log

__all__ = ["DecisionLog", "LogEntry", "LogError", "Filters", "Verification", "GENESIS",
           "LOG_ENV", "canonical", "chain_hash", "default_log_path", "resolve_log_path",
           "select", "verify_log", "parse_head", "notify_listeners", "log_of",
           "record_decision", "is_log_file", "not_a_log_file"]

_OPEN: dict[Path, DecisionLog] = {}
_OPEN_LOCK = threading.Lock()


def _shared(path: Path) -> DecisionLog:
    """One DecisionLog (one connection) per path and process: a server that logs every
    check does not reopen the file each time."""
    key = path.absolute()
    with _OPEN_LOCK:
        found = _OPEN.get(key)
        if found is None:
            found = _OPEN[key] = DecisionLog(path)
        return found


def log_of(choice: Any) -> DecisionLog | None:
    """The log a caller chose: a DecisionLog, a path, False (none), or None (the
    ``GUARDRAIL_LOG`` environment variable when set, else none)."""
    if choice is False:
        return None
    if isinstance(choice, DecisionLog):
        return choice
    path = resolve_log_path(choice if choice not in (None, True) else None, default=False)
    if path is None and choice is True:
        path = default_log_path()
    return _shared(path) if path is not None else None


def record_decision(decision: Decision, log: DecisionLog, pm: Any) -> LogEntry | None:
    """Append *decision* and tell the listeners.

    A log that cannot be written raises :class:`LogError` (carrying the decision) in
    enforce mode, since a publish nobody recorded cannot be proved; in audit mode,
    which publishes nothing on its say, it is a warning on stderr and None.
    """
    try:
        entry = log.append(decision)
    except LogError as exc:
        if decision.mode != "audit":  # enforce, or the check behind a redacted copy
            raise
        sys.stderr.write(f"guardrail: warning: {exc.message}\n")
        return None
    notify_listeners(pm, entry)
    return entry
