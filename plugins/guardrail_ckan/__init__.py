"""A CKAN plugin (``ckan.plugins = guardrail``) that checks each resource upload before
CKAN stores it, and refuses a blocked one with a validation error on ``upload``.

CKAN is imported only when CKAN asks for :class:`GuardrailResourcePlugin` (its
``ckan.plugins`` entry point), so this package imports without CKAN installed. See
docs/integrations.md, "CKAN", for what the tests exercise.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GuardrailResourcePlugin"]


def __getattr__(name: str) -> Any:
    if name == "GuardrailResourcePlugin":
        from guardrail_ckan.plugin import GuardrailResourcePlugin
        return GuardrailResourcePlugin
    raise AttributeError(f"module 'guardrail_ckan' has no attribute {name!r}")
