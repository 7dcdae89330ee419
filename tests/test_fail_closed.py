"""Internal errors block without repeating payload content; explain helps policy authors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from guardrail import Documents, Guardrail, PluginFault, hookimpl
from guardrail.cli import cli
from guardrail.host.registry import load_registry, make_plugin_manager

SECRET = "Zebedee Quackenbush"


class ExplodingFormat:
    name = "boom"
    extensions = (".boom",)
    description = "raises half-way through, quoting a value as careless code does"

    def sniff(self, head: bytes) -> int:
        return 0

    def read(self, payload, options):
        def records():
            yield {"month": "2026-01"}
            raise ValueError(f"could not parse {SECRET!r}")

        yield Documents(records())


class Plugin:
    @hookimpl
    def guardrail_register_formats(self, register) -> None:
        register(ExplodingFormat())


def test_a_plugin_error_stops_the_check_naming_the_plugin_without_leaking(capsys) -> None:
    registry = load_registry(make_plugin_manager(plugins=[("boom", Plugin())]))
    with pytest.raises(PluginFault) as caught:
        Guardrail.from_policy("asb-public-web", registry).check(b"x", format="boom")
    assert caught.value.exit_code == 4
    assert (caught.value.plugin, caught.value.fault) == ("boom", "ValueError")
    assert str(caught.value).startswith(
        "plugin 'boom' (format 'boom', records() in test_fail_closed) raised ValueError; "
        "the check stopped and nothing may be published")
    assert SECRET not in str(caught.value) + capsys.readouterr().err


def test_a_plugin_error_stops_the_check_even_in_audit_mode() -> None:
    registry = load_registry(make_plugin_manager(plugins=[("boom", Plugin())]))
    with pytest.raises(PluginFault):
        Guardrail.from_policy("asb-public-web", registry).check(b"x", format="boom",
                                                                mode="audit")


def test_records_iterable_that_raises_is_an_internal_error(guard) -> None:
    def rows():
        yield {"month": "2026-01"}
        raise RuntimeError(SECRET)

    decision = guard.check(rows())
    assert decision.exit_code == 4
    assert decision.files[0].records == 0
    assert SECRET not in str(decision.to_dict())


def test_explain_names_level_rule_and_where_it_is_written() -> None:
    result = CliRunner().invoke(cli, ["explain", "-p", "asb-public-web", "postcode", "month",
                                      "Date of Birth", "people[2].name", "colour"])
    assert result.exit_code == 1, result.output  # postcode and the others are refused
    lines = result.output.splitlines()
    assert lines[0].startswith("postcode: personal (name rule 'postcode' at ")
    assert "uk-personal-data.yaml:" in lines[0] and lines[0].endswith(": BLOCK")
    assert lines[1].startswith("month: public (name rule 'month'")
    assert lines[1].endswith("public-web accepts at most public: allowed")
    assert "rule uk.field.identifier" in lines[2]
    assert lines[3].startswith("people[2].name: personal (name rule 'name'")
    assert "rule field.unclassified" in lines[4]


def test_explain_for_another_destination() -> None:
    result = CliRunner().invoke(cli, ["explain", "-p", "asb-public-web", "-d", "partner-portal",
                                      "case_ref"])
    assert result.exit_code == 0  # partner-portal accepts it
    assert result.output.strip().endswith("partner-portal accepts at most internal: allowed")
