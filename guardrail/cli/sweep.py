"""``guardrail sweep``: re-check a published folder or site, once or on a schedule,
reporting only what is new since the last sweep."""

from __future__ import annotations

import io
import os
from typing import Any

import click

from guardrail.api import Guardrail
from guardrail.cli.ledger import chosen_log, log_options
from guardrail.cli.progress_bar import quiet_option
from guardrail.cli.report_output import check_report_target, report_output
from guardrail.cli.shared import limit_options, limits_from, registry_of
from guardrail.errors import UsageError
from guardrail.sweep import (
    DEFAULT_MAX_PAGES,
    STATE_ENV,
    Alert,
    SweepOptions,
    SweepResult,
    SweepState,
    default_state_path,
    parse_interval,
    run_schedule,
    sweep_once,
)
from guardrail.tree import Selection

__all__ = ["sweep"]


class Interval(click.ParamType):
    """``15m``, ``1h30m``, ``90s``: seconds between the starts of two sweeps."""

    name = "interval"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_interval(str(value))
        except UsageError as exc:
            self.fail(exc.message, param, ctx)


@click.command()
@click.option("--policy", "-p", envvar="GUARDRAIL_POLICY", required=True,
              metavar="NAME|PATH",
              help="Shipped policy name (uk-content-scan suits pages with no schema) or "
                   "path to a policy YAML file. Env: GUARDRAIL_POLICY.")
@click.option("--destination", "-d", envvar="GUARDRAIL_DESTINATION", metavar="NAME",
              help="Where the pages are published. Default: the policy's "
                   "default_destination.")
@click.option("--every", type=Interval(), metavar="INTERVAL",
              help="Sweep again this long after each sweep started (15m, 1h30m, 90s) "
                   "until SIGINT or SIGTERM. Default: sweep once (for cron).")
@click.option("--sweeps", type=click.IntRange(min=1), metavar="N",
              help="With --every: stop after N sweeps.")
@click.option("--max-pages", type=click.IntRange(min=1), default=DEFAULT_MAX_PAGES,
              show_default=True, metavar="N",
              help="A site: fetch at most N pages and files per sweep (the report says "
                   "when it stopped there).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=86400),
              default=30.0, show_default=True, metavar="SECONDS",
              help="A site: each request (connecting, the answer and the whole body) "
                   "must finish within this long, or the page is unreadable.")
@click.option("--report", "report", default="text", show_default=True, metavar="NAME",
              help="Report format for what is new: text, json, sarif, junit or html "
                   "(see docs/reports.md).")
@click.option("--max-findings", type=click.IntRange(min=1), metavar="N",
              help="Findings listed per rule, and compared with the last sweep's "
                   "(counts stay exact). Default: 1000.")
@click.option("--output", "-o", metavar="FILE",
              help="Write each sweep's report to FILE (replaced whole) instead of stdout.")
@click.option("--state", "state_path", metavar="FILE",
              help="Where what the last sweep found is kept (masked: fingerprints and "
                   f"counts). Default: {STATE_ENV}, else sweeps.sqlite beside the "
                   "decision log's default place.")
@click.option("--on-new", "on_new", metavar="COMMAND",
              help="Run COMMAND (split as a shell would, run without one) after a sweep "
                   "that found something new, with the new-only report on its stdin and "
                   "GUARDRAIL_SWEEP_NEW, GUARDRAIL_SWEEP_UNREADABLE, GUARDRAIL_SWEEP_NUMBER "
                   "and GUARDRAIL_SWEEP_LOG_ENTRY in its environment (e.g. "
                   "\"mail -s 'guardrail: new leak' dpo@example.org\").")
@click.option("--include", multiple=True, metavar="GLOB",
              help="A folder: sweep only files whose path under it matches (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="A folder: leave out files and folders that match (repeatable).")
@click.option("--hidden", is_flag=True, help="A folder: also sweep hidden files.")
@limit_options
@log_options
@quiet_option
@click.argument("target", metavar="FOLDER | URL")
@click.pass_context
def sweep(ctx: click.Context, policy: str, destination: str | None, every: float | None,
          sweeps: int | None, max_pages: int, timeout: float, report: str,
          max_findings: int | None, output: str | None, state_path: str | None,
          on_new: str | None, include: tuple[str, ...], exclude: tuple[str, ...],
          hidden: bool, target: str,
          log_path: str | None, no_log: bool, quiet: bool, **limits: Any) -> None:
    """Re-check published pages and report only what is new since the last sweep.

    FOLDER is checked file by file as 'check FOLDER' does; a URL's site is crawled
    from it, never leaving its scheme, host and port. Each sweep is one audit check
    (nothing is blocked), logged as one decision; the report holds the findings the
    last sweep of the same target (policy and destination) did not see, and one line
    per sweep on stderr says how many are new.

    Exit codes (of the last sweep): 0 nothing new, 1 new findings, 2 usage error,
    3 a page newly could not be read, 4 internal error or plugin fault.
    """
    if sweeps is not None and every is None and sweeps != 1:
        raise click.UsageError("--sweeps repeats a sweep given --every; add --every "
                               "INTERVAL (e.g. --every 15m)")
    if timeout != timeout:  # NaN passes every range check
        raise click.BadParameter("not a number of seconds", param_hint="'--timeout'")
    registry = registry_of(ctx)
    registry.reporter(report)  # a typo fails before the site is fetched
    log = chosen_log(log_path, no_log)
    # and a report that cannot be written, before news is lost
    check_report_target(output or "-", log)
    guard = Guardrail.from_policy(policy, registry)
    chosen = limits_from(limits)
    options = SweepOptions(destination, max_findings, Selection(include, exclude, hidden),
                           max_pages, timeout, chosen, log)
    state = SweepState(state_path or default_state_path())
    if output is not None and output != "-" and \
            os.path.realpath(output) == os.path.realpath(state.path):
        raise UsageError("--output names the sweep's own state file; writing the report "
                         "there would lose what the last sweep saw: choose another file")
    alert = Alert(on_new) if on_new else None

    def one(number: int) -> int:
        result = sweep_once(guard, target, options, state)
        _report(guard, result, report, output, chosen)
        result.commit()  # only now: a report not delivered leaves its news to the next
        if not quiet:
            click.echo(_summary(number, result), err=True)
        if alert is not None and result.exit_code != 0:
            _alert(guard, alert, number, result, report, chosen)
        return result.exit_code

    ctx.exit(run_schedule(one, every, sweeps))


def _report(guard: Guardrail, result: SweepResult, report: str, output: str | None,
            limits: Any) -> None:
    """The new-only report on stdout, or in *output*: a file is replaced whole each
    sweep (a reader never sees half of one); a device or pipe is written to."""
    with report_output(output or "-") as out:
        guard.render(result.news.decision, out, report, color=out.isatty(), limits=limits)
        out.flush()


def _alert(guard: Guardrail, alert: Alert, number: int, result: SweepResult, report: str,
           limits: Any) -> None:
    """Run --on-new's command with the new-only report; a failure is a warning."""
    text = io.StringIO()
    guard.render(result.news.decision, text, report, limits=limits)
    warning = alert.run(text.getvalue(), {
        "GUARDRAIL_SWEEP_NEW": str(result.news.new),
        "GUARDRAIL_SWEEP_UNREADABLE": str(result.news.newly_unreadable),
        "GUARDRAIL_SWEEP_NUMBER": str(number),
        "GUARDRAIL_SWEEP_LOG_ENTRY": str(result.entry.seq) if result.entry else "",
    })
    if warning is not None:
        click.echo(f"guardrail: warning: {warning}; the sweep itself is logged and saved",
                   err=True)


def _summary(number: int, result: SweepResult) -> str:
    """One line per sweep: when, how much was read, what is new, what is still there."""
    news = result.news
    parts = [f"{result.pages} page{'s' if result.pages != 1 else ''}",
             f"{news.new} new finding{'s' if news.new != 1 else ''}",
             f"{news.still} still present"]
    if news.newly_unreadable:
        parts.append(f"{news.newly_unreadable} newly unreadable")
    if news.still_unreadable:
        parts.append(f"{news.still_unreadable} still unreadable")
    if any(notice.startswith("stopped at --max-pages") for notice in result.decision.notices):
        parts.append("stopped at --max-pages")
    line = (f"guardrail: sweep {number} at {result.decision.checked_at}: "
            + ", ".join(parts))
    if news.first:
        line += " (first sweep of this target: everything found is new)"
    if result.entry is not None:
        line += f"; logged as entry {result.entry.seq}"
    return line
