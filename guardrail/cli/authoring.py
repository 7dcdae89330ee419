"""Commands for policy authors: validate, explain, test, lint, init, waivers, schema."""

from __future__ import annotations

from typing import Any

import click
import yaml

from guardrail import __version__
from guardrail.api import Guardrail
from guardrail.authoring.schema_file import schema_text, write_schema
from guardrail.cli.shared import registry_of
from guardrail.host.registry import Registry
from guardrail.policy.load import load_policy

__all__ = ["validate", "explain", "test", "lint", "init", "waivers", "schema"]


@click.command()
@click.argument("policy", metavar="NAME|PATH")
@click.option("--resolved", is_flag=True,
              help="Print the effective policy after 'extends' is applied.")
@click.pass_context
def validate(ctx: click.Context, policy: str, resolved: bool) -> None:
    """Validate a policy and report every problem as file:line:col."""
    registry = registry_of(ctx)
    loaded = load_policy(policy, registry.policy_path,
                         extra_rule_ids=frozenset(registry.detectors))
    if resolved:
        click.echo(yaml.safe_dump(loaded.resolved, sort_keys=False, allow_unicode=True))
        return
    click.echo(f"{loaded.file}: ok (policy {loaded.name} {loaded.version}, "
               f"sha256 {loaded.sha256[:12]}, {len(loaded.field_rules)} field rules, "
               f"{len(loaded.record_rules)} record rules, destinations: "
               f"{', '.join(loaded.destinations)})")


@click.command()
@click.option("--policy", "-p", envvar="GUARDRAIL_POLICY", required=True, metavar="NAME|PATH",
              help="Shipped policy name or path to a policy YAML file.")
@click.option("--destination", "-d", metavar="NAME",
              help="Destination to judge against. Default: the policy's default_destination.")
@click.option("--record", "-r", type=click.IntRange(min=0), metavar="N",
              help="Explain record N (from 0, as reports number them) of the payload FILE "
                   "given instead of field names.")
@click.option("--field", "only", metavar="F", multiple=True,
              help="With --record: explain only this field (as reports name it); repeatable.")
@click.option("--section", metavar="NAME",
              help="With --record: the sheet or table the record is in. Default: the first.")
@click.option("--format", "-f", "fmt", metavar="FORMAT",
              help="With --record: the payload's format. Default: detected.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge waiver expiry and enforce_from dates as on this day. "
                   "Default: today.")
@click.argument("fields", nargs=-1, required=True, metavar="FIELD... | FILE")
@click.pass_context
def explain(ctx: click.Context, policy: str, destination: str | None, record: int | None,
            only: tuple[str, ...], section: str | None, fmt: str | None, today: Any,
            fields: tuple[str, ...]) -> None:
    """Explain how the policy classifies field paths (e.g. 'postcode', 'person.name').

    Shows the level, the rule that set it and where that rule is written, whether
    the destination may receive the field on the day (--today; a rule in staged
    rollout, a waiver), and the record rules that read it. Exit 0 every field may go
    by its name, 1 one is refused.

    With --record N, explain one record of the payload FILE instead, as 'check'
    judges it: each field's level and rule, what each content detector found
    (masked), the record rules, the waivers that applied or expired, and why the
    destination refuses it. Exit 0 the record may go, 1 it is blocked, 2 no such
    record, field or section, 3 the payload cannot be read (as 'check').

    \b
    Example: guardrail explain -p asb-public-web export.csv --record 3 --field notes
    """
    from guardrail.authoring.explain_field import explain_fields
    from guardrail.runner import resolve_destination

    registry = registry_of(ctx)
    if record is not None or only or section or fmt:
        ctx.exit(_explain_record(registry, policy, destination, record, only, section, fmt,
                                 today.date() if today else None, fields))
    loaded = load_policy(policy, registry.policy_path,
                         extra_rule_ids=frozenset(registry.detectors))
    lines, code = explain_fields(loaded, resolve_destination(loaded, destination), fields,
                                 today.date() if today else None)
    click.echo("\n".join(lines))
    ctx.exit(code)


def _explain_record(registry: Registry, policy: str, destination: str | None,
                    record: int | None, only: tuple[str, ...], section: str | None,
                    fmt: str | None, today: Any, files: tuple[str, ...]) -> int:
    """``explain --record N FILE``: see guardrail.authoring.explain_record."""
    from guardrail.authoring.explain_record import RecordRequest, explain_record

    if record is None:
        raise click.UsageError("--field, --section and --format explain a record: "
                               "give --record N too")
    if len(files) != 1:
        raise click.UsageError("with --record, give exactly one payload FILE")
    lines, code = explain_record(Guardrail.from_policy(policy, registry),
                                 RecordRequest(files[0], record, destination, only, section,
                                               fmt, today=today))
    click.echo("\n".join(lines))
    return code


@click.command("test")
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@click.option("--verbose", "-v", is_flag=True,
              help="List passing, skipped (SKIP) and expected-failure (XFAIL) cases too.")
@click.option("--coverage", is_flag=True,
              help="Report the field rules, detectors, record rules, destinations and "
                   "waivers of each policy that no case exercised, and a percentage.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), metavar="N",
              help="Fail (exit 1) when a policy's coverage is below N percent. "
                   "Implies --coverage.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="json: one document on stdout with each case's name, file, line, "
                   "status (passed, failed, skipped, xfailed, xpassed), reason and diff, "
                   "the case file errors, coverage and a summary.")
@click.pass_context
def test(ctx: click.Context, paths: tuple[str, ...], verbose: bool, coverage: bool,
         min_coverage: float | None, fmt: str) -> None:
    """Run policy test suites: YAML case files of payloads and the decision and findings
    the policy must give each (default: every case file under policies/tests/).

    A failing case prints what differs (evidence masked), each finding written as the
    case file takes it, and a hint when two differ only in 'waived' or in the
    letter case of 'field'. Coverage counts the destinations a policy declares or
    defaults to, or that a case names; others inherited through 'extends' are
    listed apart. Exit codes: 0 every case passed (skipped and expected failures
    count as passed), 1 a case failed, an 'xfail' case passed, or coverage is below
    --min-coverage, 2 a case file or its policy cannot be read.

    \b
    A case file (e.g. policies/tests/my-policy.yaml):
      policy: ../my-policy.yaml     # a shipped name, or a path from this file
      today: 2026-06-01             # optional: the day waivers are judged on
      cases:
        - name: a name blocks
          destination: public-web   # optional: the policy's default
          records: [{month: 2024-01, name: Jane Doe}]  # or text: + format:, or file:
          decision: block
          findings:                 # every finding ([] for none); records from 0
            - {record: 0, field: name, rule: uk.field.person_name, evidence: "J*** D**"}
        - name: a nickname blocks
          xfail: no rule for nicknames yet   # or skip: REASON (not run)
          records: [{month: 2024-01, nick: Bez}]
          decision: block
          findings: [{record: 0, field: nick, rule: uk.field.person_name}]

    \b
    A case with 'skip: REASON' is not run. One with 'xfail: REASON' runs and is
    expected to fail; if it passes the run fails (remove the mark once fixed).
    """
    from guardrail.authoring.suites import DEFAULT_SUITE_DIR
    from guardrail.authoring.test_command import run_tests

    if not paths and not DEFAULT_SUITE_DIR.is_dir():
        raise click.UsageError(f"no {DEFAULT_SUITE_DIR}/ here; name case files or folders "
                               "to run, e.g. 'guardrail test policies/tests'")
    code = run_tests(paths or (str(DEFAULT_SUITE_DIR),), registry_of(ctx), click.echo,
                     lambda line: click.echo(line, err=True), verbose=verbose,
                     coverage=coverage or min_coverage is not None, min_coverage=min_coverage,
                     fmt=fmt)
    ctx.exit(code)


@click.command()
@click.argument("policies", nargs=-1, metavar="POLICY...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="text for people; json or sarif (2.1.0) for CI.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              metavar="FILE", help="Write the findings to FILE instead of stdout.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge waiver expiry and enforce_from dates as on this day. Default: today.")
@click.option("--list-codes", is_flag=True, help="List every finding code and exit.")
@click.pass_context
def lint(ctx: click.Context, policies: tuple[str, ...], fmt: str, output: Any,
         today: Any, list_codes: bool) -> None:
    """Report every problem in policies as file:line:col: severity: message [code].

    Besides what 'validate' reports, lint finds field patterns that an earlier one
    always beats, waivers that have expired, expire within 30 days or can never
    suppress anything, enforce_from dates that have come, and destinations above
    the lowest level with no description of why. A misspelt key is read as the key
    it most likely means, so what is wrong inside its block shows in the same run;
    a policy that does not load gets a 'note' saying more may follow. Run
    'guardrail lint --list-codes' for every code.

    Exit codes: 0 no findings, 1 findings (warnings too), 2 a file could not be read.
    """
    from guardrail.authoring.lint import (
        describe_codes,
        exit_code,
        lint_policies,
        render_json,
        render_text,
    )
    from guardrail.authoring.sarif import render_sarif

    if list_codes:
        click.echo(describe_codes(), nl=False)
        return
    if not policies:
        raise click.UsageError("give at least one POLICY (a shipped name or a .yaml path)")
    registry = registry_of(ctx)
    findings = lint_policies(policies, registry.policy_path,
                             extra_rule_ids=frozenset(registry.detectors),
                             today=today.date() if today else None)
    text = (render_json(findings) if fmt == "json" else render_sarif(findings, __version__)
            if fmt == "sarif" else render_text(findings, len(policies)))
    output.write(text)
    ctx.exit(exit_code(findings))


@click.command()
@click.argument("sample", metavar="SAMPLE")
@click.option("--extends", "extends", default="uk-personal-data", show_default=True,
              metavar="NAME|PATH",
              help="The policy the new one extends: its name rules and detectors judge "
                   "the fields, and the new policy inherits its levels and destinations.")
@click.option("--policy-name", metavar="NAME",
              help="metadata.name of the new policy. Default: from the sample's file name.")
@click.option("--output", "-o", metavar="FILE",
              help="Write the policy to FILE (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--update", "update", metavar="FILE",
              help="Add the fields of SAMPLE that the policy FILE does not know yet, "
                   "keeping every edit and comment in it.")
@click.option("--format", "-f", "fmt", metavar="FORMAT",
              help="Sample format. Default: detect from the extension, then the content.")
@click.option("--encoding", metavar="NAME", help="Text encoding of the sample if not UTF-8.")
@click.option("--max-records", type=click.IntRange(min=0), default=10_000, show_default=True,
              metavar="N", help="Read at most N records of the sample (0: all).")
@click.pass_context
def init(ctx: click.Context, sample: str, extends: str, policy_name: str | None,
         output: str | None, force: bool, update: str | None, fmt: str | None,
         encoding: str | None, max_records: int) -> None:
    """Start a policy from a sample export (any supported format).

    Lists every field of SAMPLE with the level the extended policy's name rules give
    it and what the content detectors find in its values (masked), marks the fields
    it is unsure of, and writes a commented policy to edit. Nothing is made public:
    a comment suggests public only for counts, yes/no flags, periods and recent
    dates under a name that gives no reason for caution (repeated words may be
    names or handles: the comment asks), the level above
    public for an identifier (case_ref, incident_id). A field whose name is
    itself personal data is never written nor shown, only its label (#3, [email]).
    The policy's first line names the schema for editors (yaml-language-server).
    --update reports apart the fields new to the policy, those its parent
    classifies, those it lists but leaves unclassified, and those whose name holds
    personal data (on every run). A field is known (and gets no entry) when a rule
    of the file names it (an entry, a commented entry, a record rule's when) or a
    comment line starts with it ('# ward: ...'); a word in a sentence does not
    count. Running --update again with the same
    sample changes nothing; a field deleted with its every mention comes back (to
    keep one out for good, write '# FIELD: ...'). Every rule written gets an id
    from the policy's name and the field (flytipping.reporter_name).

    \b
      guardrail init export.csv -o policies/export.yaml
      guardrail init --update policies/export.yaml next-export.csv

    Exit codes: 0 written, 2 usage error, unreadable sample or invalid policy.
    """
    from guardrail.authoring.init import (
        check_target,
        init_policy,
        summary_lines,
        update_message,
        update_policy,
        write_policy,
    )

    registry = registry_of(ctx)
    if update is not None:
        if output is not None or policy_name is not None or \
                ctx.get_parameter_source("extends") is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError("--update FILE writes FILE itself: it takes no -o, "
                                   "--policy-name or --extends")
        result = update_policy(update, sample, fmt=fmt, encoding=encoding,
                               max_records=max_records, registry=registry)
    else:
        if output is not None and output != "-":
            check_target(output, force)
        result = init_policy(sample, extends=extends, name=policy_name, output=output,
                             fmt=fmt, encoding=encoding, max_records=max_records,
                             registry=registry)
    for line in summary_lines(result):
        click.echo(line, err=True)
    if update is not None:
        if result.added:
            write_policy(result.text, update, force=True, inputs=(sample,))
        click.echo(update_message(update, result), err=True)
    elif output is not None and output != "-":
        write_policy(result.text, output, force=force, inputs=(sample,))
        click.echo(f"wrote {output}; review it (search for TODO), then run 'guardrail "
                   f"validate {output}'", err=True)
    else:
        click.echo(result.text, nl=False)


@click.command()
@click.argument("policies", nargs=-1, metavar="[POLICY...]")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge expiry as on this day. Default: today.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people; json for machines.")
@click.pass_context
def waivers(ctx: click.Context, policies: tuple[str, ...], today: Any, fmt: str) -> None:
    """List every exception (waiver) of policies: scope, approver, expiry and reason.

    POLICY is a shipped name or a .yaml path; with none, every shipped policy.
    Exceptions a policy inherits through 'extends' are listed with the file and
    line that wrote them. Each shows the days it has left, or how long ago it
    expired (an expired exception waives nothing).

    Exit codes: 0 none expired, 1 an exception has expired, 2 a policy could not
    be read.
    """
    import datetime as dt

    from guardrail.authoring.waivers_table import collect, exit_code, render_json, render_text

    registry = registry_of(ctx)
    day = today.date() if today else dt.date.today()
    found = collect(policies or sorted(registry.policies), registry.policy_path,
                    extra_rule_ids=frozenset(registry.detectors), today=day)
    click.echo(render_json(found, day) if fmt == "json" else render_text(found, day),
               nl=False)
    ctx.exit(exit_code(found))


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the schema to FILE instead of printing it.")
@click.option("--force", is_flag=True,
              help="Replace FILE even when it holds something other than this schema.")
def schema(output: str | None, force: bool) -> None:
    """Print the JSON Schema that policies are validated against.

    \b
    Editors that use yaml-language-server (VS Code's YAML extension, Neovim,
    Helix) complete, describe and check a policy's keys from it:
      guardrail schema -o .guardrail/policy.schema.json
    then make this the first line of each policy in policies/ (the path is
    relative to the policy file):
      # yaml-language-server: $schema=../.guardrail/policy.schema.json

    An unchanged FILE is left as it is; a different one is refused unless
    --force. Exit 0 written or unchanged, 2 refused or cannot write.
    """
    if output is None:
        click.echo(schema_text(), nl=False)
        return
    written = write_schema(output, force=force)
    click.echo(f"{output}: {'written' if written else 'unchanged'}", err=True)
