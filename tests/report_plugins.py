"""A registry holding the sarif and junit reporters, for tests run before the package is
reinstalled (the installed entry points may not list them yet). Importable like
``helpers`` (pytest puts this folder on ``sys.path``)."""

from __future__ import annotations

from typing import Any

import guardrail_junit_report
import guardrail_sarif_report
from click.testing import CliRunner, Result

from guardrail.cli import cli
from guardrail.host.registry import Registry, load_registry, make_plugin_manager

REPORTERS = (("sarif-report", guardrail_sarif_report), ("junit-report", guardrail_junit_report))


def report_registry() -> Registry:
    """A fresh registry of the installed plugins plus the two reporters (once each)."""
    pm = make_plugin_manager()
    for name, module in REPORTERS:
        if not pm.is_registered(module) and pm.get_plugin(name) is None:
            pm.register(module, name=name)
    return load_registry(pm)


def invoke(*args: str, **kwargs: Any) -> Result:
    """``guardrail ARGS`` in-process with :func:`report_registry`'s plugins."""
    return CliRunner().invoke(cli, list(args), obj={"registry": report_registry()},
                              catch_exceptions=False, prog_name="guardrail", **kwargs)
