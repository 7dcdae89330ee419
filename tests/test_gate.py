"""The checkpoint integrations share: bodies named by media type or file name."""

from __future__ import annotations

import pytest

from guardrail import Gate, Guardrail, PublishBlocked, UsageError

LEAKY_CSV = b"name,email\nAlice Smith,alice@example.com\n"
CLEAN_JSON = b'[{"ward": "Abbey", "count": 3}]'


@pytest.fixture(scope="module")
def content() -> Guardrail:
    return Guardrail.from_policy("uk-content-scan")


@pytest.mark.parametrize("media_type, fmt", [
    ("text/csv", "csv"),
    ("text/csv; charset=utf-8", "csv"),
    ("TEXT/CSV", "csv"),
    ("application/json", "json"),
    ("application/geo+json", "json"),
    ("application/problem+json; charset=utf-8", "json"),
    ("application/x-ndjson", "ndjson"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("application/atom+xml", "xml"),
    ("text/xml", "xml"),
    ("application/yaml", "yaml"),
    ("text/plain", "text"),
    ("text/markdown", "markdown"),
    ("text/tab-separated-values", "tsv"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("application/vnd.apache.parquet", "parquet"),
    ("image/png", None),
    ("application/octet-stream", None),
    ("", None),
    (None, None),
])
def test_media_types_name_formats(content, media_type, fmt) -> None:
    assert content.registry.format_for_media_type(media_type) == fmt


@pytest.mark.parametrize("name, fmt", [
    ("exports/cases.csv", "csv"), ("CASES.JSON", "json"), ("a.xlsx", "xlsx"),
    ("notes.txt", None), ("no-extension", None), (None, None),
])
def test_file_names_name_formats_except_generic_ones(content, name, fmt) -> None:
    assert content.registry.format_for_name(name) == fmt


def test_a_leaky_body_is_blocked_by_media_type(content) -> None:
    gate = Gate(content)
    decision = gate.check(LEAKY_CSV, media_type="text/csv")
    assert decision.files[0].format == "csv"
    assert {(f.rule, f.field) for f in decision.findings} == {("person.name", "name"),
                                                             ("email", "email")}
    with pytest.raises(PublishBlocked) as caught:
        gate.enforce(LEAKY_CSV, media_type="text/csv")
    assert "alice" not in str(caught.value).lower()


def test_a_clean_body_passes(content) -> None:
    decision = Gate(content).enforce(CLEAN_JSON, media_type="application/json")
    assert decision.allowed and decision.files[0].format == "json"


def test_the_name_gives_the_format_and_is_shown(content) -> None:
    decision = Gate(content).check(LEAKY_CSV, name="exports/cases.csv")
    assert decision.files[0].format == "csv"
    assert decision.files[0].file == "exports/cases.csv"


def test_a_name_holding_personal_data_is_not_shown(content) -> None:
    decision = Gate(content).check(LEAKY_CSV, name="alice.smith@example.com.csv")
    assert decision.files[0].file == "<payload 1>"


def test_the_charset_parameter_is_the_encoding(content) -> None:
    body = "name,town\nJosé Smith,Bristol\n".encode("latin-1")
    decision = Gate(content).check(body, media_type="text/csv; charset=latin-1")
    assert not decision.errors
    assert [f.field for f in decision.findings if f.rule == "person.name"] == ["name"]


def test_text_is_encoded_before_the_check(content) -> None:
    decision = Gate(content).check("name,email\nA B,alice@example.com\n",
                                   media_type="text/csv")
    assert not decision.allowed


def test_a_body_nothing_can_read_is_refused_in_both_modes(content) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    for mode in ("enforce", "audit"):
        gate = Gate(content, mode=mode)
        decision = gate.check(png, media_type="image/png")
        assert decision.exit_code == 3 and gate.blocks(decision)


def test_pass_through_lets_chosen_types_by_unchecked(content) -> None:
    gate = Gate(content, pass_through=["image/*", "text/css"])
    assert gate.passes_unchecked("image/png")
    assert gate.passes_unchecked("Text/CSS; charset=utf-8")
    assert not gate.passes_unchecked("text/csv")
    assert not gate.passes_unchecked(None)
    assert not Gate(content).passes_unchecked("image/png")


def test_audit_mode_lets_a_leak_through_but_says_so(content) -> None:
    seen = []

    class Listener:
        from guardrail import hookimpl

        @hookimpl
        def guardrail_after_check(self, context, decision):
            seen.append((context.mode, decision.verdict))

    guard = Guardrail.from_policy("uk-content-scan")
    guard.registry.pm.register(Listener(), name="listener")
    decision = Gate(guard, mode="audit").enforce(LEAKY_CSV, media_type="text/csv")
    assert decision.verdict == "block" and decision.exit_code == 0
    assert seen == [("audit", "block")]


def test_bad_settings_fail_when_the_gate_is_built(content) -> None:
    with pytest.raises(UsageError, match="mode must be 'enforce' or 'audit'"):
        Gate(content, mode="dry-run")
    with pytest.raises(UsageError, match="has no destination 'nowhere'"):
        Gate(content, destination="nowhere")


def test_a_body_the_integration_could_not_read_is_refused_through_the_hook() -> None:
    seen = []

    class Listener:
        from guardrail import hookimpl

        @hookimpl
        def guardrail_after_check(self, context, decision):
            seen.append((context.mode, decision.verdict, decision.exit_code))

    guard = Guardrail.from_policy("uk-content-scan")
    guard.registry.pm.register(Listener(), name="listener")
    for mode in ("enforce", "audit"):
        gate = Gate(guard, mode=mode)
        decision = gate.refuse("the body is larger than 16 MiB", name="/api/cases.json")
        assert gate.blocks(decision)
        assert decision.files[0].file == "/api/cases.json"
        assert decision.summary() == ("BLOCKED: /api/cases.json could not be checked: the "
                                      "body is larger than 16 MiB")
    assert seen == [("enforce", "block", 3), ("audit", "block", 3)]
    named = Gate(guard).refuse("too big", name="alice.smith@example.com.json")
    assert named.files[0].file == "<payload 1>"


def test_a_charset_that_needs_a_byte_order_mark_and_has_none_is_unreadable(content) -> None:
    """A codec's bare UnicodeError used to escape as a plugin fault (found by an
    adversarial run): it is an unreadable payload, refused in both modes."""
    decision = Gate(content).check(b"a,b\n1,2\n", media_type="text/csv; charset=utf-16")
    assert decision.exit_code == 3
    assert decision.files[0].error.startswith(
        "the content is not utf-16 text as named: it has no byte-order mark")
    marked = "name,b\nDaniel Hughes,2\n".encode("utf-16")
    assert [f.rule for f in Gate(content).check(
        marked, media_type="text/csv; charset=utf-16").findings] == ["person.name"]


def test_a_wildcard_never_passes_a_type_a_format_reads(content) -> None:
    """image/* lets PNGs through unchecked, but an SVG is XML a browser shows as text."""
    gate = Gate(content, pass_through=["image/*"])
    assert gate.passes_unchecked("image/png")
    assert not gate.passes_unchecked("image/svg+xml")
    assert Gate(content, pass_through=["image/svg+xml"]).passes_unchecked("image/svg+xml")
