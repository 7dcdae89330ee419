"""Commands that judge payloads: check, redact and publish."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from guardrail.api import Guardrail
from guardrail.cli.ledger import chosen_log, log_options, not_logged
from guardrail.cli.progress_bar import progress_bar, quiet_option
from guardrail.cli.report_output import refuse_log_target, report_output
from guardrail.cli.shared import limit_options, limits_from, policy_options, registry_of
from guardrail.decision import Decision, PublishBlocked
from guardrail.errors import UsageError
from guardrail.ledger import LogError
from guardrail.publish import publish_copy
from guardrail.redact.redactor import HASH_KEY_ENV
from guardrail.tree import Selection, expand_folders, holds_folder

__all__ = ["check", "redact", "publish"]


@click.command()
@policy_options(
    destination="Where the payload is going (e.g. public-web).",
    format="Payload format (csv, tsv, json, ndjson, ...). Default: detect from the "
           "extension, then the content.",
    mode="audit runs the same checks as a dry run: same report, exit 0 unless an error "
         "stops the check.",
    report="Report format: text (for people), json (for machines), sarif (code scanning) "
           "or junit (CI test views); see docs/reports.md.",
    findings="Findings listed per rule (counts stay exact). Default: 50 or the policy's "
             "defaults.max_findings.",
    encoding="Text encoding of the payload when it is not UTF-8 (a BOM is honoured).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), envvar="GUARDRAIL_JOBS",
              default=lambda: min(2, os.cpu_count() or 1), show_default="2 if 2+ cores",
              help="Processes for content scanning of large tables (a forked worker "
                   "scans while the main process reads). Env: GUARDRAIL_JOBS.")
@click.option("--output", "-o", default="-", metavar="FILE",
              help="Write the report to this file instead of stdout (replaced whole once "
                   "written; checked before anything is read).")
@click.option("--no-waivers", is_flag=True,
              help="Ignore every exception in the policy: findings a waiver would "
                   "suppress block (see what the waivers are hiding).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge waiver expiry and enforce_from dates as on this day (see what "
                   "will block once a rule in audit enforces). Default: today.")
@click.option("--include", multiple=True, metavar="GLOB",
              help="In a folder, check only files whose path under it matches (repeatable; "
                   "'**' spans folders, a glob without '/' matches names). Default: all.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="In a folder, leave out files and folders that match (repeatable; wins "
                   "over --include).")
@click.option("--hidden", is_flag=True,
              help="In a folder, also check hidden files and folders (.git never).")
@click.option("--impact/--no-impact", default=None,
              help="Add the impact list: pages and records that held personal data, "
                   "distinct values, records by area (every finding is read record by "
                   "record: slower). Default: on in audit mode, off in enforce.")
@click.option("--area-field", "area_fields", multiple=True, metavar="FIELD",
              help="Group affected records by this field in the impact list "
                   "(repeatable: the first present is used). Default: a field named like "
                   "an area (ward, area, district, beat, neighbourhood, ...).")
@limit_options
@log_options
@quiet_option
@click.argument("paths", nargs=-1, required=True, metavar="PATH... | -")
@click.pass_context
def check(ctx: click.Context, policy: str, destination: str | None, fmt: str | None,
        mode: str, report: str, max_findings: int | None, encoding: str | None,
        jobs: int, output: Any, no_waivers: bool, today: Any, include: tuple[str, ...],
        exclude: tuple[str, ...], hidden: bool, impact: bool | None,
        area_fields: tuple[str, ...], paths: tuple[str, ...],
        log_path: str | None, no_log: bool, quiet: bool, **limits: Any) -> None:
    """Check payload files, folders (every file in the tree) or '-' for stdin against a
    policy and exit with the decision.

    Exit codes: 0 publishable, 1 blocked by policy, 2 usage or policy error,
    3 payload could not be read or too slow to check (blocked), 4 internal error,
    plugin fault or interrupted (blocked).
    """
    chosen = limits_from(limits)
    log = chosen_log(log_path, no_log)
    if area_fields and not (impact or (impact is None and mode == "audit")):
        raise UsageError("--area-field groups the impact list, which this check does not "
                         "make: add --impact (or --mode audit)")
    with report_output(output, inputs=paths, log=log) as out:
        guard = _guard(ctx, policy, report)
        decision, unlogged = _checked(guard, paths, Selection(include, exclude, hidden),
                                      quiet, log, format=fmt, destination=destination,
                                      mode=mode, max_findings=max_findings,
                                      encoding=encoding, jobs=jobs, limits=chosen,
                                      tune_gc=True, waivers=not no_waivers,
                                      today=today.date() if today else None,
                                      impact=mode == "audit" if impact is None else impact,
                                      area_fields=area_fields)
        try:
            guard.render(decision, out, report, color=out.isatty(), limits=chosen)
            out.flush()
        except BrokenPipeError:  # piped into `head`: the decision still sets the exit code
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if unlogged is not None:
        ctx.exit(not_logged(unlogged, "publish nothing on its strength"))
    ctx.exit(decision.exit_code)


def _checked(guard: Guardrail, paths: tuple[str, ...], selection: Selection, quiet: bool,
             log: Any, **options: Any) -> tuple[Decision, LogError | None]:
    """The decision on *paths* (folders expanded), and the LogError when it could not
    be logged (the decision stands; the caller says it is not on record)."""
    scan = expand_folders(list(paths), selection)
    if holds_folder(list(paths)) and not quiet:  # on stderr: stdout stays the report alone
        click.echo(f"guardrail: checking {len(scan.sources)} files ({scan.left_out} left "
                   "out: hidden, or by --include/--exclude)", err=True)
    try:
        with progress_bar(quiet) as progress:
            return guard.check(scan.sources, log=log, progress=progress, **options), None
    except LogError as exc:
        if exc.decision is None:
            raise
        return exc.decision, exc


@click.command()
@policy_options(
    destination="Where the copy is going.",
    format="Payload format. Default: detect from the extension, then the content.",
    report="Report format (written to stderr): text or json.",
    findings="Findings listed per rule in the report (counts stay exact).",
    encoding="Text encoding of the payload when it is not UTF-8. The copy is UTF-8.")
@click.option("--output", "-o", required=True, metavar="PATH | -",
              help="Where to write the redacted copy ('-' for stdout). Replaced atomically, "
                   "and only when the whole copy passes the policy.")
@click.option("--hash-key-env", default=HASH_KEY_ENV, show_default=True, metavar="VAR",
              help="Environment variable holding the secret key for the 'hash' action.")
@limit_options
@log_options
@quiet_option
@click.argument("path", metavar="PATH | -")
@click.pass_context
def redact(ctx: click.Context, policy: str, destination: str | None, fmt: str | None,
           output: str, report: str, max_findings: int | None, encoding: str | None,
           hash_key_env: str, path: str, log_path: str | None, no_log: bool,
           quiet: bool, **limits: Any) -> None:
    """Write a copy of PATH that the destination may receive, in the same format.

    Each value the policy does not allow is replaced by the action the policy sets
    for its level: redact ([REDACTED]), mask (J*** S****), hash (keyed HMAC-SHA256,
    key from --hash-key-env) or drop (field or column removed). A 'block' action, an
    unreadable payload, or a copy that would still fail the policy writes nothing.

    Exit codes: 0 copy written, 1 blocked by policy (nothing written), 2 usage or
    policy error, 3 payload could not be read, 4 internal error, plugin fault or
    interrupted.
    """
    guard = _guard(ctx, policy, report)
    chosen = limits_from(limits)
    log = chosen_log(log_path, no_log)
    refuse_log_target(output, log, "--output")
    try:
        with progress_bar(quiet) as progress:
            result = guard.redact(path, output, format=fmt, destination=destination,
                                  hash_key=os.environ.get(hash_key_env) or b"",
                                  encoding=encoding, max_findings=max_findings,
                                  limits=chosen, tune_gc=True, log=log, progress=progress)
    except LogError as exc:
        if exc.decision is None:
            raise
        guard.render(exc.decision, sys.stderr, report, color=sys.stderr.isatty(),
                     limits=chosen)
        ctx.exit(not_logged(exc, "the copy may have been written: do not publish it"))
    err = sys.stderr
    guard.render(result.decision, err, report, color=err.isatty(), limits=chosen)
    if result.verification is not None and not result.verification.allowed:
        guard.render(result.verification, err, report, color=err.isatty(), limits=chosen)
    click.echo(result.summary(), err=True)
    ctx.exit(result.exit_code)


@click.command()
@policy_options(
    destination="Where DEST is published.",
    format="Payload format. Default: detect from DEST's extension, then the content.",
    mode="audit publishes whatever the verdict and reports what enforce would do.",
    report="Report format (written to stderr): text or json.",
    findings="Findings listed per rule in the report (counts stay exact).",
    encoding="Text encoding of the payload when it is not UTF-8 (copied as it is).")
@limit_options
@log_options
@quiet_option
@click.argument("source", metavar="SRC")
@click.argument("target", metavar="DEST")
@click.pass_context
def publish(ctx: click.Context, policy: str, destination: str | None, fmt: str | None,
            mode: str, report: str, max_findings: int | None, encoding: str | None,
            source: str, target: str, log_path: str | None, no_log: bool,
            quiet: bool, **limits: Any) -> None:
    """Copy SRC to DEST only if the policy allows DEST's destination to receive it.

    The copy is written beside DEST and checked there, so what is checked is what is
    published; DEST appears whole or not at all, and is left as it was when the copy
    is blocked. One command for a cron job.

    Exit codes: 0 published, 1 blocked by policy (nothing written), 2 usage or policy
    error, 3 payload could not be read (nothing written), 4 internal error, plugin
    fault or interrupted.
    """
    guard = _guard(ctx, policy, report)
    chosen = limits_from(limits)
    log = chosen_log(log_path, no_log)
    refuse_log_target(target, log, "DEST")
    if target.endswith(("/", os.sep)) and not os.path.isdir(target):
        raise UsageError("DEST ends with '/' but is no folder: give the file to publish "
                         "to (a folder that exists is published into under SRC's name)")
    unlogged: LogError | None = None
    try:
        with progress_bar(quiet) as progress:
            decision = publish_copy(source, target, policy=guard, destination=destination,
                                    check_mode=mode, format=fmt, encoding=encoding,
                                    max_findings=max_findings, limits=chosen, tune_gc=True,
                                    log=log, progress=progress)
        written = True
    except PublishBlocked as blocked:
        decision, written = blocked.decision, False
    except LogError as exc:  # enforce: an unrecorded publish is not made
        if exc.decision is None:
            raise
        decision, written, unlogged = exc.decision, False, exc
    err = sys.stderr
    guard.render(decision, err, report, color=err.isatty(), limits=chosen)
    # DEST as the report names it: screened like every payload name
    shown = decision.files[0].file if decision.files else "DEST"
    click.echo(f"published to {shown}" if written else "nothing published", err=True)
    if unlogged is not None:
        ctx.exit(not_logged(unlogged, "nothing was published"))
    ctx.exit(decision.exit_code)


def _guard(ctx: click.Context, policy: str, report: str) -> Guardrail:
    """The policy's guard, once the report is known to exist: a typo in --report fails
    before anything is read or written."""
    registry = registry_of(ctx)
    registry.reporter(report)
    return Guardrail.from_policy(policy, registry)
