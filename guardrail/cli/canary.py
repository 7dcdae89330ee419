"""``guardrail canary``: print a policy's planted test identities for an export job."""

from __future__ import annotations

from pathlib import Path

import click

from guardrail.authoring.canary_rows import FORMATS, canary_records, render_canaries
from guardrail.cli.shared import registry_of
from guardrail.errors import UsageError
from guardrail.policy.load import load_policy

__all__ = ["canary"]

_HOW_TO_ADD = """\
the policy {name} declares no canaries; add some to it, e.g.

canaries:
  - id: nightly-test
    description: Invented person planted by the nightly test export.
    record:
      complainant_name: Zebedee Quillfeather
      phone: 07700 900999
      email: zebedee.quillfeather@example.org

(see docs/canaries.md)"""


@click.command()
@click.option("--policy", "-p", envvar="GUARDRAIL_POLICY", required=True, metavar="NAME|PATH",
              help="Shipped policy name or path to a policy YAML file.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv (a header of the canaries' fields, then one row each), a JSON "
                   "array, or JSON lines.")
@click.option("--columns", metavar="A,B,...",
              help="The export's columns, in its order (e.g. its CSV header line): rows "
                   "follow them, with the fields a canary lacks left empty.")
@click.option("--no-header", is_flag=True,
              help="CSV without its header line, to append to an export that has one.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write to FILE instead of standard output.")
@click.pass_context
def canary(ctx: click.Context, policy: str, fmt: str, columns: str | None, no_header: bool,
           output: Path | None) -> None:
    """Print the policy's canaries as records for an export job to plant.

    A canary is a clearly fake identity declared in the policy; any check that
    sees one of its values blocks and reports a canary hit (rule canary.<id>).
    A scheduled test export with the canaries appended must therefore be blocked:
    proof that the gate is wired into the pipeline and still working.

    \b
    Example (a nightly job; the check must exit 1, naming the canary):
      cp export.csv canary-test.csv
      guardrail canary -p my-policy.yaml --no-header \\
          --columns "$(head -1 export.csv)" >> canary-test.csv
      guardrail check -p my-policy.yaml canary-test.csv
    """
    registry = registry_of(ctx)
    loaded = load_policy(policy, registry.policy_path,
                         extra_rule_ids=frozenset(registry.detectors))
    if not loaded.canaries:
        raise UsageError(_HOW_TO_ADD.format(name=loaded.name))
    wanted = [c.strip() for c in columns.split(",")] if columns else []
    text = render_canaries(canary_records(loaded), fmt, columns=wanted,
                           header=not no_header)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        count = len(loaded.canaries)
        click.echo(f"wrote {count} canar{'ies' if count != 1 else 'y'} to {output}", err=True)
