"""``guardrail log ...``: read, verify and export the decision log; and the ``--log`` /
``--no-log`` options the judging commands share."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO, cast

import click

from guardrail.errors import EXIT_BLOCKED, EXIT_INTERNAL, EXIT_USAGE
from guardrail.ledger import (
    DecisionLog,
    Filters,
    LogError,
    is_log_file,
    not_a_log_file,
    parse_head,
    resolve_log_path,
    select,
    verify_log,
)
from guardrail.ledger.query import one_line, write_csv, write_jsonl

__all__ = ["log"]


_MAX_SEQ = 2**63 - 1  # SQLite's largest integer


def _a_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--log "" is a mistake (an unset variable), never "the default log"."""
    if value is not None and not value.strip():
        raise click.BadParameter("give a path (or 'off' to record nothing)")
    return value


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--log PATH and --no-log, for the commands that decide."""
    command = click.option(
        "--no-log", is_flag=True,
        help="Do not record this decision in the decision log.")(command)
    return click.option(
        "--log", "log_path", metavar="PATH", callback=_a_path,
        help="Decision log to append to. Default: GUARDRAIL_LOG, else "
             ".guardrail/decisions.sqlite in this folder or the nearest parent that has "
             "a .guardrail folder, else ~/.local/state/guardrail/decisions.sqlite. "
             "'off' records nothing.")(command)


def chosen_log(log_path: str | None, no_log: bool) -> DecisionLog | bool:
    """The log a judging command writes to, or False for none."""
    path = resolve_log_path(log_path, disabled=no_log, default=True)
    return DecisionLog(path) if path is not None else False


def not_logged(exc: LogError, what: str) -> int:
    """Say that the decision is not on record; the exit code for it (4 in enforce mode:
    an unrecorded decision cannot be proved; audit keeps its own)."""
    click.echo(f"guardrail: error: {exc.message}", err=True)
    click.echo(f"guardrail: the verdict above stands, but it is not on record; {what}.",
               err=True)
    return EXIT_INTERNAL


def _log_of(path: str | None) -> DecisionLog:
    chosen = resolve_log_path(path, default=True)
    if chosen is None:
        raise click.UsageError("the decision log is off (GUARDRAIL_LOG=off); name one "
                               "with --log PATH")
    wrong = not_a_log_file(chosen)
    if wrong:
        raise click.UsageError(f"{chosen}: {wrong}; give the log file's path with --log "
                               "(or GUARDRAIL_LOG)")
    return DecisionLog(chosen)


_log_option = click.option("--log", "log_path", metavar="PATH", callback=_a_path,
                           help="The decision log (default: as 'guardrail log path' says).")


def _filters(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--since", metavar="DATE", help="From this UTC date or date-time on."),
        click.option("--until", metavar="DATE",
                     help="Up to this UTC date (the whole day) or date-time."),
        click.option("--verdict", type=click.Choice(["allow", "block"])),
        click.option("--policy", metavar="NAME", help="Only this policy's decisions."),
        click.option("--destination", metavar="NAME", help="Only this destination's."),
        click.option("--limit", type=click.IntRange(min=1, max=_MAX_SEQ), metavar="N",
                     help="Only the newest N matching decisions."),
        click.option("--canary", is_flag=True,
                     help="Only decisions that saw a canary (a planted test identity)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group()
def log() -> None:
    """The decision log: every check, redact and publish, hash-chained.

    See docs/decision-log.md for what an entry holds and what verify proves.
    """


@log.command()
@_log_option
def path(log_path: str | None) -> None:
    """Print where the decision log is (it may not exist yet)."""
    click.echo(str(_log_of(log_path).path))


@log.command()
@_log_option
@click.option("--head", "head", metavar="ID:HASH",
              help="A head printed earlier by 'guardrail log head': also prove that entry "
                   "is still there, unchanged (the chain alone cannot see the newest "
                   "entries deleted).")
@click.pass_context
def verify(ctx: click.Context, log_path: str | None, head: str | None) -> None:
    """Check the file and the hash chain; name the first entry edited, deleted or
    reordered, or what is wrong with the file (corrupt, foreign triggers or tables).

    Exit codes: 0 whole (or empty), 1 broken, 2 usage, 4 unreadable.
    """
    ledger = _log_of(log_path)
    try:
        kept = parse_head(head) if head else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--head") from None
    if not ledger.exists():
        click.echo(f"{ledger.path}: no decision log yet (nothing to verify)")
        if kept is not None:
            click.echo(f"but the head you kept names entry {kept[0]}: the log was deleted",
                       err=True)
            ctx.exit(EXIT_BLOCKED)
        return
    result = verify_log(ledger, kept)
    if result.ok:
        if result.entries == 0:
            click.echo(f"{ledger.path}: the log is empty (nothing to verify)")
        else:
            click.echo(f"{ledger.path}: {result.entries} entries, chain intact; head "
                       f"{result.last_seq}:{result.last_hash}")
        return
    if result.bad_seq is None:  # the file itself, or entries gone from the end
        click.echo(f"{ledger.path}: BROKEN: {result.problem}", err=True)
        if result.entries:
            click.echo(f"the {result.entries} entries left verify", err=True)
    else:
        click.echo(f"{ledger.path}: BROKEN at {result.problem}", err=True)
        click.echo(f"the {result.entries} entries before it verify", err=True)
    ctx.exit(EXIT_BLOCKED)


@log.command()
@_log_option
@click.pass_context
def head(ctx: click.Context, log_path: str | None) -> None:
    """Print the newest entry as ID:HASH, to keep somewhere the log's writers cannot
    change; 'guardrail log verify --head ID:HASH' later proves nothing up to it went."""
    entry = _log_of(log_path).head()
    if entry is None:
        click.echo("the log is empty", err=True)
        ctx.exit(EXIT_BLOCKED)
    else:
        click.echo(f"{entry.seq}:{entry.hash}")


@log.command(name="list")
@_log_option
@_filters
def list_(log_path: str | None, **filters: Any) -> None:
    """One line per decision, newest last."""
    for entry in select(_log_of(log_path), Filters(**filters)):
        click.echo(one_line(entry))


@log.command()
@_log_option
@click.argument("entry_id", metavar="ID", type=click.IntRange(-_MAX_SEQ - 1, _MAX_SEQ))
@click.pass_context
def show(ctx: click.Context, log_path: str | None, entry_id: int) -> None:
    """Print one entry in full (JSON), with its chain hashes."""
    entry = _log_of(log_path).get(entry_id)
    if entry is None:
        click.echo(f"guardrail: error: no entry {entry_id} in the log; see "
                   "'guardrail log list'", err=True)
        ctx.exit(EXIT_USAGE)
    else:
        click.echo(json.dumps(entry.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))


@log.command()
@_log_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--output", "-o", metavar="FILE", default="-",
              help="Write to this file instead of stdout (never the log itself).")
@_filters
def export(log_path: str | None, fmt: str, output: str, **filters: Any) -> None:
    """Export decisions as JSON lines (every field) or CSV (one row each)."""
    ledger = _log_of(log_path)
    if output != "-" and is_log_file(output, ledger.path):
        raise click.BadParameter(f"{output} is the decision log itself (or its -wal/-shm "
                                 "file): writing it would destroy the log; choose "
                                 "another file", param_hint="--output")
    entries = select(ledger, Filters(**filters))
    write = write_jsonl if fmt == "jsonl" else write_csv
    try:
        out = click.open_file(output, "w", encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(f"cannot write {output}: {exc.strerror or exc}",
                                 param_hint="--output") from None
    with out:
        count = write(entries, cast(TextIO, out))
    if output != "-":
        click.echo(f"exported {count} decision{'s' if count != 1 else ''}", err=True)
