"""The ``guardrail`` command line.

Exit codes: 0 publishable, 1 blocked by policy, 2 usage or policy error,
3 payload could not be read (blocked), 4 internal error, plugin fault or
interrupted (blocked).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from guardrail import __version__
from guardrail.cli import authoring, canary, ledger, listing, publishing, sweep
from guardrail.cli.shared import Group, debug

__all__ = ["main", "cli"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrail")
def cli() -> None:
    """Check exports against a data-publishing policy before they are published."""


# Every command, from the module for its responsibility (help lists them by name).
for _module in (publishing, listing, authoring, ledger, canary, sweep):
    for _name in _module.__all__:
        cli.add_command(getattr(_module, _name))


def main() -> None:
    """Console-script entry point."""
    sys.unraisablehook = _unraisable
    cli.main(prog_name="guardrail")


def _unraisable(unraisable: Any) -> None:
    """An error nobody could catch (a plugin's generator failing as it is closed, once
    the check it read for has stopped): its text may quote the payload, so only its
    type is shown."""
    if debug():
        sys.__unraisablehook__(unraisable)
        return
    click.echo(f"guardrail: warning: {unraisable.exc_type.__name__} ignored while "
               "cleaning up. Set GUARDRAIL_DEBUG=1 for the traceback.", err=True)
