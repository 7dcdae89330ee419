"""Commands that list what is installed: policies and plugins."""

from __future__ import annotations

import click

from guardrail.cli.shared import registry_of
from guardrail.errors import GuardrailError
from guardrail.policy.load import load_policy

__all__ = ["policies", "plugins"]


@click.command()
@click.pass_context
def policies(ctx: click.Context) -> None:
    """List the policies that installed plugins ship."""
    registry = registry_of(ctx)
    for name, path in sorted(registry.policies.items()):
        try:
            loaded = load_policy(str(path), registry.policy_path,
                                 extra_rule_ids=frozenset(registry.detectors))
            info = f"{loaded.version or '-':8} {loaded.description.strip().splitlines()[0]}" \
                if loaded.description else loaded.version
        except GuardrailError:
            info = "(invalid: run 'guardrail validate' on it)"
        click.echo(f"{name:24} {info}")


@click.command()
@click.pass_context
def plugins(ctx: click.Context) -> None:
    """List installed formats, detectors, reporters, policies and decision listeners, and
    who provides them."""
    registry = registry_of(ctx)
    for kind in ("formats", "detectors", "reporters", "policies"):
        click.echo(f"{kind}:")
        owners = registry.owners.get(kind, {})
        for name in sorted(getattr(registry, kind)):
            click.echo(f"  {name:22} {owners.get(name, '')}")
    listeners = registry.listeners()
    if listeners:  # told of each logged decision (docs/decision-log.md)
        click.echo("decision listeners:")
        for name, owner in listeners:
            click.echo(f"  {name:22} {owner}")
