"""Each hook, exercised through a fresh plugin manager with an ad-hoc plugin."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from helpers import fake_distribution

from guardrail import Guardrail, PluginError, Span, hookimpl
from guardrail.host.registry import load_registry, make_plugin_manager


class NinoDetector:
    """A toy content detector: anything shaped like a National Insurance number."""

    id = "test.nino"
    level = "personal"
    confidence = 0.9
    _pattern = re.compile(r"\b[A-Z]{2}\d{6}[A-D]\b")

    def find(self, text: str):
        for match in self._pattern.finditer(text):
            yield Span(match.start(), match.end(), self.confidence, evidence="QQ******C")


class CountingReporter:
    name = "count"
    description = "prints the number of findings"

    def render(self, decision, out, options) -> None:
        out.write(f"{decision.verdict} {sum(decision.counts.values())}\n")


class Plugin:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    @hookimpl
    def guardrail_register_detectors(self, register) -> None:
        register(NinoDetector())

    @hookimpl
    def guardrail_register_reporters(self, register) -> None:
        register(CountingReporter())

    @hookimpl
    def guardrail_before_check(self, context) -> None:
        self.events.append(("before", context.destination))

    @hookimpl
    def guardrail_after_check(self, context, decision) -> None:
        self.events.append(("after", decision.verdict))


def _guard(*plugins: tuple[str, object], policy: str = "asb-public-web") -> Guardrail:
    registry = load_registry(make_plugin_manager(plugins=plugins))
    return Guardrail.from_policy(policy, registry)


CLEAN = b"month,ward,outcome\n2026-01,Boxmoor,Advice given\n2026-02,Boxmoor,ref QQ123456C\n"


def test_detector_finds_values_in_allowlisted_fields(write_policy) -> None:
    # Only the toy detector runs, so the installed UK detectors cannot add findings.
    policy = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: toy-detector-only}
        extends: asb-public-web
        detectors: {run: ["test.nino"]}
    """)
    decision = _guard(("toy", Plugin()), policy=str(policy)).check(CLEAN, format="csv")
    assert decision.verdict == "block"
    assert [(f.record, f.field, f.rule, f.evidence, f.position) for f in decision.findings] == [
        (1, "outcome", "test.nino", "QQ******C", "line 3")
    ]


def test_lifecycle_hooks_see_every_decision() -> None:
    plugin = Plugin()
    guard = _guard(("toy", plugin))
    guard.check(b"month\n2026-01\n", format="csv")
    guard.check(CLEAN, format="csv", destination="internal")
    assert plugin.events == [("before", "public-web"), ("after", "allow"),
                             ("before", "internal"), ("after", "allow")]


def test_reporter_plugin_renders() -> None:
    guard = _guard(("toy", Plugin()))
    out = io.StringIO()
    from guardrail import ReportOptions

    guard.registry.reporter("count").render(guard.check(CLEAN, format="csv"), out,
                                            ReportOptions())
    assert out.getvalue() == "block 1\n"


def test_detect_format_hook_overrides_the_fallback() -> None:
    class ClaimsEverything:
        @hookimpl
        def guardrail_detect_format(self, payload, formats):
            return "tsv"

    decision = _guard(("claims", ClaimsEverything())).check(b"month\tward\n2026-01\tBoxmoor\n")
    assert decision.files[0].format == "tsv"
    assert decision.verdict == "allow"


def test_policy_pack_plugin(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "tiny.yaml").write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: tiny}\n"
        "extends: uk-personal-data\nfields: [{name: colour, level: public}]\n",
        encoding="utf-8")

    class Pack:
        @hookimpl
        def guardrail_register_policies(self, register) -> None:
            register(pack / "tiny.yaml")

    guard = _guard(("pack", Pack()), policy="tiny")
    assert guard.policy.name == "tiny"
    assert guard.check(b"colour\nred\n", format="csv").verdict == "allow"
    assert guard.check(b"surname\nSmith\n", format="csv").verdict == "block"


def test_name_collision_names_both_plugins() -> None:
    class AnotherCsv:
        @hookimpl
        def guardrail_register_formats(self, register) -> None:
            from guardrail_csv import CsvFormat

            register(CsvFormat("csv", (".csv",), ",", "impostor"))

    with pytest.raises(PluginError) as caught:
        load_registry(make_plugin_manager(plugins=[("impostor", AnotherCsv())]))
    message = str(caught.value)
    assert "format 'csv'" in message and "plugin 'impostor'" in message
    assert "already provided by guardrail 0.1.0" in message


def test_broken_plugin_stops_the_run_naming_its_distribution(tmp_path: Path,
                                                             monkeypatch) -> None:
    fake_distribution(tmp_path, "guardrail-broken", "9.9", "broken", "no_such_module_xyz")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as caught:
        make_plugin_manager()
    assert "plugin 'broken' from guardrail-broken 9.9 failed to load" in str(caught.value)
    assert "ModuleNotFoundError" in str(caught.value)
    assert "no_such_module_xyz" not in sys.modules


class Ledger:
    """An in-memory object no format reads: columns and rows of its own."""

    def __init__(self, columns: list[str], rows: list[list[str]]) -> None:
        self.columns, self.rows = columns, rows


class LedgerAdapter:
    name = "ledger"
    description = "reads Ledger objects"

    def accepts(self, obj) -> bool:
        return isinstance(obj, Ledger)

    def read(self, obj, options):
        from guardrail.plugin import Table
        yield Table(obj.columns, iter(obj.rows), typed=True)


class BrokenLedgerAdapter(LedgerAdapter):
    name = "broken-ledger"

    def read(self, obj, options):
        raise RuntimeError("Alice Smith")  # a plugin's fault; its text is never shown


class AdapterPlugin:
    def __init__(self, adapter) -> None:
        self.adapter = adapter

    @hookimpl
    def guardrail_register_adapters(self, register) -> None:
        register(self.adapter)


def test_an_adapter_lets_check_read_an_object() -> None:
    guard = _guard(("ledger", AdapterPlugin(LedgerAdapter())), policy="uk-personal-data")
    ledger = Ledger(["month", "email"], [["2026-01", "x"], ["2026-02", "alice@example.com"]])
    decision = guard.check(ledger)
    assert decision.files[0].file == "<ledger>"
    assert decision.files[0].format == "ledger"
    assert decision.files[0].records == 2
    assert sorted((f.rule, f.record, f.field) for f in decision.findings) == [
        ("field.unclassified", 0, "month"), ("field.unclassified", 1, "month"),
        ("uk.field.contact", 0, "email"), ("uk.field.contact", 1, "email")]
    both = guard.check([ledger, b"month\n2026-03\n"], format="csv")
    assert [f.file for f in both.files] == ["<ledger>", "<bytes>"]


def test_without_an_adapter_the_object_is_refused() -> None:
    guard = _guard(policy="uk-personal-data")
    with pytest.raises(Exception, match="cannot check Ledger"):
        guard.check(Ledger(["a"], [["b"]]))


def test_an_adapter_that_fails_is_named_and_not_quoted() -> None:
    from guardrail import PluginFault
    guard = _guard(("broken", AdapterPlugin(BrokenLedgerAdapter())), policy="uk-personal-data")
    with pytest.raises(PluginFault) as caught:
        guard.check(Ledger(["a"], [["b"]]))
    assert "broken" in str(caught.value) and "Alice" not in str(caught.value)


class FailingFormatDetection:
    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def guardrail_detect_format(self, payload, formats):
        raise RuntimeError("Alice Smith")


def test_a_plugin_registered_after_a_fault_was_named_is_named_too() -> None:
    """An integration's user registers listeners on a Guardrail already in use; a fault
    in one is still named (the plugin map is rebuilt), not an anonymous internal error."""
    from guardrail import PluginFault
    guard = _guard(policy="uk-personal-data")
    first = FailingFormatDetection("first")
    guard.registry.pm.register(first, name="first-late")
    with pytest.raises(PluginFault, match="first-late"):
        guard.check(b"\x00\x01")
    guard.registry.pm.unregister(first)
    guard.registry.pm.register(FailingFormatDetection("second"), name="second-late")
    with pytest.raises(PluginFault, match="second-late"):
        guard.check(b"\x00\x01")
