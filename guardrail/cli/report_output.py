"""Where a judging command writes its report: stdout, a device or pipe, or a file
replaced whole once the report is written.

A report file is a verdict someone will read (a CI step uploads it, a script greps
it), so it is checked before anything is read: its folder must exist, and it may not
be a payload being checked or the decision log being written (``-o decisions.sqlite``
would destroy the log). A check that stops without a report removes the report an
earlier run left there, which would otherwise be read as this run's.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import click

from guardrail.atomic import AtomicFile
from guardrail.errors import UsageError
from guardrail.ledger import DecisionLog, is_log_file

__all__ = ["report_output", "check_report_target", "refuse_log_target", "refuse_database"]


def refuse_log_target(target: str | os.PathLike[str], log: DecisionLog | bool | None,
                      option: str) -> None:
    """Raise UsageError when *target* is the decision log in use (or its -wal/-shm)."""
    if not isinstance(log, DecisionLog) or os.fspath(target) == "-":
        return
    if is_log_file(target, log.path):
        raise UsageError(f"{option} names the decision log this command writes to; "
                         "writing there would destroy the log: choose another file")


_SQLITE = b"SQLite format 3\x00"


def refuse_database(target: str | os.PathLike[str], option: str) -> None:
    """Raise UsageError when *target* is an SQLite database (another decision log, a
    sweep's state): a report is text, and replacing one would destroy it."""
    with contextlib.suppress(OSError):
        if os.path.isfile(target):
            with open(target, "rb") as existing:
                if existing.read(len(_SQLITE)) == _SQLITE:
                    raise UsageError(f"{option} names an SQLite database (a decision log or "
                                     "a sweep's state?); a report never replaces one: "
                                     "choose another file")


def check_report_target(output: str, log: DecisionLog | bool | None) -> None:
    """Refuse, before anything is read, an ``-o`` the report could not be written to (a
    folder, a file in a folder that is missing or not writable) or must never replace
    (the decision log, an SQLite database): for commands that write many reports, such
    as a sweep on a schedule, where the first one comes late."""
    if output == "-":
        return
    refuse_log_target(output, log, "--output")
    refuse_database(output, "--output")
    if os.path.isdir(output):
        raise UsageError(f"cannot write the report to {output}: it is a folder; give a "
                         "file name in it (-o FOLDER/new.txt)")
    if os.path.exists(output) and not os.path.isfile(output):
        return  # /dev/null, a FIFO: written to as it is
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write the report to {output}: folder {folder} does not "
                         "exist; create it or give -o another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write the report to {output}: folder {folder} is not "
                         "writable; give -o a path you can write")


@contextlib.contextmanager
def report_output(output: str, *, inputs: Sequence[Any] = (),
                  log: DecisionLog | bool | None = None) -> Iterator[TextIO]:
    """A text stream for the report. A file is written only when the block ends
    normally; when it raises, the file is left alone, or removed when it holds an
    earlier run's report."""
    if output == "-":
        yield sys.stdout
        return
    refuse_log_target(output, log, "--output")
    refuse_database(output, "--output")
    if os.path.exists(output) and not os.path.isfile(output) and not os.path.isdir(output):
        with open(output, "w", encoding="utf-8") as stream:  # /dev/null, a FIFO
            yield stream
        return
    with AtomicFile(output, inputs=inputs) as atomic:
        text = io.TextIOWrapper(atomic.stream, encoding="utf-8", newline="")
        try:
            yield text
        except BaseException:
            text.detach()
            _remove_earlier(atomic.target)
            raise
        text.flush()
        text.detach()
        atomic.commit()


def _remove_earlier(target: Path | None) -> None:
    if target is not None and target.is_file():
        with contextlib.suppress(OSError):
            target.unlink()
            click.echo("guardrail: the report an earlier run left in --output was removed: "
                       "this run wrote none", err=True)
