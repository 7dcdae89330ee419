"""The progress bar check, redact and publish show on stderr while they read.

Shown only when stderr is a terminal and --quiet was not given: a pipe, a file or a
CI log gets nothing, and stdout (the report) is never touched. rich is imported only
when a bar is shown, so other runs do not pay for it. What it names is what the
Decision names (the core's screened label), never a path from the payload.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

from guardrail.contract.progress import Progress, ProgressListener

__all__ = ["quiet_option", "progress_bar"]

_REDRAW = 0.1  # seconds between redraws forced by the check (rich redraws on its own too)

quiet_option = click.option(
    "--quiet", "-q", is_flag=True,
    help="No progress on stderr (it is shown only when stderr is a terminal).")


@contextmanager
def progress_bar(quiet: bool, stream: IO[str] | None = None
                 ) -> Iterator[ProgressListener | None]:
    """A listener drawing a bar on *stream* (stderr), or None when none is to be shown.
    The bar is removed when the block ends, before any report is written there."""
    stream = stream if stream is not None else sys.stderr
    if quiet or not stream.isatty():
        yield None
        return
    bar = _Bar(stream)
    try:
        yield bar.show
    finally:
        bar.close()


class _Bar:
    """One line, reused for each file: files done of the total, the file's label, its
    bytes read of its size (a spinner when the size is unknown) and records per second."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console  # lazily: only a terminal pays for rich
        from rich.progress import BarColumn, DownloadColumn, SpinnerColumn, TextColumn
        from rich.progress import Progress as Bars

        self.bars = Bars(
            SpinnerColumn(), TextColumn("{task.fields[files]}"),
            TextColumn("{task.fields[label]}", markup=False), BarColumn(bar_width=24),
            DownloadColumn(binary_units=True), TextColumn("{task.fields[rate]}"),
            console=Console(file=stream, stderr=True), transient=True)
        self.bars.start()
        self.task = self.bars.add_task("", total=None, files="", label="", rate="")
        self.file = 0
        self.started = self.drawn = time.monotonic()

    def show(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.file != self.file:
            self.file, self.started = progress.file, now
            self.bars.reset(self.task, total=progress.total_bytes)
        self.bars.update(self.task, completed=progress.bytes_read,
                         total=progress.total_bytes, label=progress.label,
                         files=_files(progress), rate=_rate(progress, now - self.started))
        if now - self.drawn >= _REDRAW or progress.done:
            self.drawn = now
            self.bars.refresh()

    def close(self) -> None:
        self.bars.refresh()  # the last state is drawn before the bar is taken away
        self.bars.stop()


def _files(progress: Progress) -> str:
    done = progress.file if progress.done else progress.file - 1
    return f"{done}/{progress.files} files" if progress.files > 1 else ""


def _rate(progress: Progress, elapsed: float) -> str:
    records = f"{progress.records:,} records"
    if elapsed <= 0:
        return records
    return f"{records}, {progress.records / elapsed:,.0f} records/s"

