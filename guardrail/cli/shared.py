"""What every command shares: how errors end a command, option groups, byte sizes,
and the plugin registry loaded once per invocation."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from guardrail.atomic import SignalExit
from guardrail.contract.limits import Limits
from guardrail.errors import EXIT_INTERNAL, GuardrailError
from guardrail.host.registry import Registry, load_registry

__all__ = ["Group", "Size", "limit_options", "policy_options", "limits_from", "debug",
           "registry_of", "EXIT_BROKEN_PIPE"]


class Group(click.Group):
    """Turns guardrail errors into their exit code and one clear message on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GuardrailError as exc:
            click.echo(f"guardrail: error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader went away (`guardrail test | head`): not an internal error, and
            # not a success either; exit as a process killed by SIGPIPE would.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_BROKEN_PIPE)
        except KeyboardInterrupt:
            # The user's Ctrl-C (a plugin's own KeyboardInterrupt is a PluginFault): exit
            # 4, not click's "Aborted!" and 1, which would read as a policy's verdict.
            click.echo("guardrail: interrupted before the check finished; nothing may be "
                       "published.", err=True)
            ctx.exit(EXIT_INTERNAL)
        except BaseException as exc:  # fail closed, without echoing anything from the payload
            # SystemExit too: nothing but the decision may end a command, least of all 0.
            if isinstance(exc, SignalExit):  # SIGTERM or SIGHUP, turned into SystemExit
                # so that copies being written are discarded (atomic/file.py)
                click.echo("guardrail: stopped by a signal before the command finished; "
                           "nothing may be published.", err=True)
                ctx.exit(EXIT_INTERNAL)
            click.echo(f"guardrail: internal error ({type(exc).__name__}); nothing was "
                       "published. Set GUARDRAIL_DEBUG=1 for a traceback.", err=True)
            if debug():
                raise
            ctx.exit(EXIT_INTERNAL)


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report a reader that stopped reading

_UNITS = {"": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
          "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}


class Size(click.ParamType):
    """A byte size: ``500000``, ``64M``, ``2GiB``."""

    name = "size"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", str(value))
        unit = match.group(2).lower() if match else None
        if not match or unit not in _UNITS:
            self.fail(f"'{value}' is not a size; write e.g. 500000, 64M or 2G", param, ctx)
        return int(match.group(1)) * _UNITS[unit]  # type: ignore[index]


def limit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--max-file-size, --max-record-size, --max-depth, --max-entities, --time-limit."""
    defaults = Limits()
    options = [
        click.option("--max-file-size", "max_file_bytes", type=Size(), metavar="SIZE",
                     default=defaults.max_file_bytes, show_default="4G",
                     help="Block payloads larger than this (and zipped formats whose content "
                          "unpacks larger)."),
        click.option("--max-record-size", "max_record_bytes", type=Size(), metavar="SIZE",
                     default=defaults.max_record_bytes, show_default="16M",
                     help="Block a record, line, cell or text node larger than this."),
        click.option("--max-depth", "max_depth", type=click.IntRange(min=1), metavar="N",
                     default=defaults.max_depth, show_default=True,
                     help="Block nesting deeper than this (objects, arrays, elements)."),
        click.option("--max-entities", "max_entities", type=click.IntRange(min=0),
                     metavar="N", default=defaults.max_entities, show_default=True,
                     help="Block XML entity expansions or YAML aliases beyond this count."),
        click.option("--time-limit", "max_seconds", type=click.FloatRange(min=0),
                     metavar="SECONDS", default=defaults.max_seconds, show_default=True,
                     help="Block when the whole run takes longer, naming the plugin still "
                          "running (0: no limit)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def policy_options(*, destination: str, format: str, report: str, findings: str,
                    encoding: str, mode: str | None = None) -> Callable[[Any], Any]:
    """--policy, --destination, --format, [--mode], --report, --max-findings and
    --encoding, with help that says what each means for this command."""
    options = [
        click.option("--policy", "-p", envvar="GUARDRAIL_POLICY", required=True,
                     metavar="NAME|PATH",
                     help="Shipped policy name (see 'guardrail policies') or path to a "
                          "policy YAML file. Env: GUARDRAIL_POLICY."),
        click.option("--destination", "-d", envvar="GUARDRAIL_DESTINATION", metavar="NAME",
                     help=f"{destination} Default: the policy's default_destination."),
        click.option("--format", "-f", "fmt", metavar="FORMAT", help=format),
    ]
    if mode is not None:
        options.append(click.option("--mode", type=click.Choice(["enforce", "audit"]),
                                    default="enforce", show_default=True,
                                    envvar="GUARDRAIL_MODE", help=mode))
    options += [
        click.option("--report", "report", default="text", show_default=True, metavar="NAME",
                     help=report),
        click.option("--max-findings", type=click.IntRange(min=1), metavar="N", help=findings),
        click.option("--encoding", metavar="NAME", help=encoding),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def limits_from(values: dict[str, Any]) -> Limits:
    chosen = {name: values.pop(name) for name in Limits.OPTIONS}
    chosen["max_seconds"] = chosen["max_seconds"] or None  # 0: no limit
    return Limits(**chosen)


def debug() -> bool:
    return bool(os.environ.get("GUARDRAIL_DEBUG"))


def registry_of(ctx: click.Context) -> Registry:
    obj = ctx.ensure_object(dict)
    if "registry" not in obj:
        obj["registry"] = load_registry()
    registry: Registry = obj["registry"]
    return registry
