"""The policies guardrail ships, registered like any third-party policy pack."""

from __future__ import annotations

from pathlib import Path

from guardrail.plugin import hookimpl

__all__ = ["POLICY_DIR", "guardrail_register_policies"]

POLICY_DIR = Path(__file__).parent


@hookimpl
def guardrail_register_policies(register) -> None:
    for path in sorted(POLICY_DIR.glob("*.yaml")):
        register(path)
