"""``guardrail log ...``: read, verify and export the decision log; and the ``--log`` /
``--no-log`` options the judging commands share."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from guardrail.errors import EXIT_BLOCKED, EXIT_INTERNAL, EXIT_USAGE
from guardrail.ledger import (
    DecisionLog,
    Filters,
    LogError,
    parse_head,
    resolve_log_path,
    select,
    verify_log,
)
from guardrail.ledger.query import one_line, write_csv, write_jsonl

__all__ = ["log"]


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--log PATH and --no-log, for the commands that decide."""
    command = click.option(
        "--no-log", is_flag=True,
        help="Do not record this decision in the decision log.")(command)
    return click.option(
        "--log", "log_path", metavar="PATH",
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
    return DecisionLog(chosen)


_log_option = click.option("--log", "log_path", metavar="PATH",
                           help="The decision log (default: as 'guardrail log path' says).")


def _filters(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--since", metavar="DATE", help="From this UTC date or date-time on."),
        click.option("--until", metavar="DATE",
                     help="Up to this UTC date (the whole day) or date-time."),
        click.option("--verdict", type=click.Choice(["allow", "block"])),
        click.option("--policy", metavar="NAME", help="Only this policy's decisions."),
        click.option("--destination", metavar="NAME", help="Only this destination's."),
        click.option("--limit", type=click.IntRange(min=1), metavar="N",
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
    """Check the hash chain; name the first entry edited, deleted or reordered.

    Exit codes: 0 whole (or empty), 1 broken, 2 usage.
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
@click.argument("entry_id", metavar="ID", type=int)
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
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to this file instead of stdout.")
@_filters
def export(log_path: str | None, fmt: str, output: Any, **filters: Any) -> None:
    """Export decisions as JSON lines (every field) or CSV (one row each)."""
    entries = select(_log_of(log_path), Filters(**filters))
    count = (write_jsonl if fmt == "jsonl" else write_csv)(entries, output)
    if output is not sys.stdout and getattr(output, "name", "-") != "<stdout>":
        click.echo(f"exported {count} decision{'s' if count != 1 else ''}", err=True)
