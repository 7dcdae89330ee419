"""The CKAN plugin class; importing this module imports CKAN."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from guardrail import Gate
from guardrail_ckan.uploads import UNREADABLE, gate_from_config, judge, uploaded

__all__ = ["GuardrailResourcePlugin"]


class GuardrailResourcePlugin(plugins.SingletonPlugin):  # type: ignore[misc]
    """Checks each resource upload before CKAN stores it; a blocked file is refused with
    a validation error on the ``upload`` field saying what was found, never a value."""

    plugins.implements(plugins.IConfigurable)
    plugins.implements(plugins.IResourceController, inherit=True)
    if hasattr(plugins, "IConfigDeclaration"):  # CKAN 2.10+: `ckan config` knows the keys
        plugins.implements(plugins.IConfigDeclaration)

    _gate: Gate | None = None

    def configure(self, config: Any) -> None:
        # Built when CKAN starts, so a wrong policy or destination stops it there.
        self._gate = gate_from_config(config)

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        declaration.annotate("guardrail: resource uploads checked before CKAN stores them")
        group = key.ckan.guardrail
        declaration.declare(group.policy).required().set_description(
            "A shipped policy's name (uk-content-scan) or a policy file.")
        declaration.declare(group.destination).set_description(
            "Where the uploads go; the policy's default destination when empty.")
        declaration.declare(group.mode, "enforce").set_description(
            "enforce (refuse a blocked upload) or audit (store it; the after-check "
            "hook records what enforce would have refused).")

    @property
    def gate(self) -> Gate:
        """The gate built from the ``ckan.guardrail.*`` keys (``configure`` builds it;
        first use does when CKAN did not call ``configure``)."""
        if self._gate is None:
            self._gate = gate_from_config(toolkit.config)
        return self._gate

    def before_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        self._check(resource)

    def before_resource_update(self, context: Any, current: dict[str, Any],
                               resource: dict[str, Any]) -> None:
        self._check(resource)

    # CKAN 2.9's names for the same two hooks.
    before_create = before_resource_create
    before_update = before_resource_update

    def _check(self, resource: dict[str, Any]) -> None:
        try:
            upload = uploaded(resource)
        except ValueError:
            raise toolkit.ValidationError({"upload": [UNREADABLE]}) from None
        if upload is None:
            return  # a link: CKAN publishes the URL, not a file it holds
        decision = judge(self.gate, upload)
        if Gate.blocks(decision):
            # summary() names rules and fields, screened; never a value.
            raise toolkit.ValidationError({"upload": [decision.summary()]})
