"""Every hook is documented with its signature and exercised by at least one test."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from guardrail.host import hookspecs
from guardrail.host.registry import load_registry, make_plugin_manager

ROOT = Path(__file__).parent.parent
DOCS = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
TESTS = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.rglob("*.py")
                  if p.name != Path(__file__).name)


@pytest.mark.parametrize("name", hookspecs.all_hook_names())
def test_hook_is_documented_with_its_signature(name: str) -> None:
    params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
    assert f"### `{name}({params})" in DOCS


@pytest.mark.parametrize("name", hookspecs.all_hook_names())
def test_hook_is_used_by_a_test(name: str) -> None:
    assert name in TESTS, f"no test implements or calls {name}"


def test_first_party_plugins_come_through_entry_points() -> None:
    registry = load_registry()
    assert {"csv", "tsv", "json", "ndjson"} <= set(registry.formats)
    assert {"text", "json"} <= set(registry.reporters)
    assert {"asb-public-web", "uk-personal-data"} <= set(registry.policies)
    assert registry.owners["formats"]["csv"] == "guardrail 0.1.0"


def test_core_does_not_import_plugins() -> None:
    core = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "guardrail").rglob("*.py"))
    for plugin in ("guardrail_csv", "guardrail_json", "guardrail_text_report",
                   "guardrail_json_report", "guardrail_policies"):
        assert plugin not in core


def test_misspelt_hook_fails_loudly() -> None:
    class Broken:
        @hookspecs.hookimpl
        def guardrail_register_formatz(self, register):  # noqa: D102 - misspelt on purpose
            pass

    from guardrail import PluginError

    with pytest.raises(PluginError, match="unknown hook"):
        make_plugin_manager(entry_points=False, plugins=[("broken", Broken())])
