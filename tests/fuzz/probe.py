"""Run one check or redaction through the Python API and keep everything a user could see.

A probe never lets an exception out: what the API raised, what it decided, the text
and JSON reports of the decision and anything logged are kept on an :class:`Outcome`,
for the invariants to judge.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guardrail import Decision, Guardrail, GuardrailError, ReportOptions

__all__ = ["Outcome", "check", "redact", "Trickle", "small_batches", "reports"]


@dataclass
class Outcome:
    """What one call did.

    :param verdict: ``allow``, ``block``, ``unreadable`` (payload error, exit 3),
        ``internal`` (fail-closed internal error, exit 4), ``refused`` (the API raised a
        GuardrailError) or ``crash`` (it raised anything else).
    :param shown: every text a user could see: reports, summary, messages, logs.
    """

    verdict: str
    decision: Decision | None = None
    error: str = ""
    shown: list[str] = field(default_factory=list)

    @property
    def rules(self) -> Counter[str]:
        """Blocking findings per rule: what two equivalent checks must agree on."""
        counts: Counter[str] = Counter()
        if self.decision is not None:
            for kind, n in self.decision.counts.items():
                if kind.blocking:
                    counts[kind.rule] += n
        return counts


def verdict_of(decision: Decision) -> str:
    kinds = {f.error_kind for f in decision.files if f.error}
    if "internal" in kinds:
        return "internal"
    if kinds:
        return "unreadable"
    return "allow" if decision.allowed else "block"


def reports(guard: Guardrail, decision: Decision) -> list[str]:
    """The decision as the text and JSON reporters render it, and its summary."""
    shown = [decision.summary()]
    for name in ("text", "json"):
        out = io.StringIO()
        guard.registry.reporter(name).render(decision, out, ReportOptions())
        shown.append(out.getvalue())
    return shown


class _Logs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextlib.contextmanager
def _captured() -> Iterator[list[str]]:
    """Logs, warnings and anything printed to sys.stdout/sys.stderr during the call."""
    handler, root = _Logs(), logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    out, err = io.StringIO(), io.StringIO()
    seen: list[str] = []
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                _warnings(seen):
            yield seen
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        seen += handler.lines + [out.getvalue(), err.getvalue()]


@contextlib.contextmanager
def _warnings(seen: list[str]) -> Iterator[None]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    seen += [str(w.message) for w in caught]


def check(guard: Guardrail, source: Any, **options: Any) -> Outcome:
    """``guard.check(source, **options)``, judged and rendered."""
    with _captured() as seen:
        try:
            decision = guard.check(source, **options)
        except GuardrailError as exc:
            outcome = Outcome("refused", error=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # the invariant under test: nothing else may escape
            outcome = Outcome("crash", error=f"{type(exc).__name__}")
        else:
            outcome = Outcome(verdict_of(decision), decision,
                              error="; ".join(f.error or "" for f in decision.errors))
            outcome.shown += reports(guard, decision)
    outcome.shown += [outcome.error, *seen]
    return outcome


@dataclass
class Redaction:
    """What ``guard.redact`` did, and the check of the copy it wrote."""

    outcome: Outcome
    written: bool = False
    reason: str = ""
    copy: bytes = b""
    recheck: Outcome | None = None


def redact(guard: Guardrail, source: bytes, format_name: str, folder: Path,
           **options: Any) -> Redaction:
    """Redact *source* into *folder*, then check the copy on its own."""
    output = folder / f"copy-{random.getrandbits(48):x}.out"
    with _captured() as seen:
        try:
            result = guard.redact(source, output, format=format_name, **options)
        except GuardrailError as exc:
            done = Redaction(Outcome("refused", error=f"{type(exc).__name__}: {exc}"))
        except Exception as exc:
            done = Redaction(Outcome("crash", error=type(exc).__name__))
        else:
            outcome = Outcome(verdict_of(result.decision), result.decision)
            outcome.shown += reports(guard, result.decision) + [result.summary()]
            done = Redaction(outcome, result.written, result.reason)
    done.outcome.shown += [done.outcome.error, *seen]
    if done.written:
        done.copy = output.read_bytes()
        output.unlink()
        done.recheck = check(guard, done.copy, format=format_name)
    return done


class Trickle(io.RawIOBase):
    """A binary stream that hands out 1 to *most* bytes per read, as a slow pipe does."""

    def __init__(self, data: bytes, rng: random.Random, most: int = 7) -> None:
        self._data = memoryview(data)
        self._at = 0
        self._rng = rng
        self._most = most

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self._rng.randint(1, self._most), len(self._data) - self._at)
        buffer[:size] = self._data[self._at:self._at + size]
        self._at += size
        return size


@contextlib.contextmanager
def small_batches(rows: int = 4) -> Iterator[None]:
    """Make ``jobs=2`` fork its scanning worker after a few rows instead of 20,480, so
    small generated tables take the parallel path. Fails loudly if the engine's knobs
    were renamed, rather than silently testing nothing."""
    from guardrail.engine import table_walk

    names = ("_BATCH", "_POOL_AFTER_ROWS")
    missing = [n for n in names if not isinstance(getattr(table_walk, n, None), int)]
    if missing:
        raise RuntimeError(f"guardrail.engine.table_walk has no {', '.join(missing)}: "
                           "update fuzz.probe.small_batches")
    saved = {n: getattr(table_walk, n) for n in names}
    table_walk._BATCH, table_walk._POOL_AFTER_ROWS = rows, rows
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(table_walk, name, value)
