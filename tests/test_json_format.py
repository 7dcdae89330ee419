"""The JSON and NDJSON formats: where records are found, field paths, positions and errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import guardrail_json
import pytest
from guardrail_json.stream import simple_prefix
from helpers import detect, findings

from guardrail import Documents, Guardrail, Payload, ReadOptions
from guardrail.contract.protocols import Limits
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data" / "json"
ZEB = "Z****** Q**********"
EMAIL = "z**@e******.o**"


def read_sections(path: Path, fmt: str = "json", records: str | None = None) -> list[tuple]:
    """(name, index, records) of every section a format yields, records materialised."""
    registry = load_registry()
    out = []
    for section in registry.format(fmt).read(Payload(path), ReadOptions(records=records)):
        assert isinstance(section, Documents)
        out.append((section.name, section.index, list(section.records)))
    return out


# -- where the records are ---------------------------------------------------------------

def test_top_level_array_nested_objects_and_lists(plain_guard):
    decision = plain_guard.check(DATA / "records.json")
    assert decision.exit_code == 1
    assert [(f.format, f.records) for f in decision.files] == [("json", 3)]
    assert findings(decision) == [
        (None, 0, "complainant_name", "uk.field.person_name", ZEB, None),
        (None, 1, "people[0].name", "uk.field.person_name", "A** O****", None),
        (None, 1, "people[1].name", "uk.field.person_name", "B* D******", None),
        (None, 1, "people[1].role", "field.unclassified", "w******", None),
    ]
    # counts group list elements under one pattern
    assert decision.grouped_counts() == [
        {"rule": "uk.field.person_name", "field": "people[*].name", "level": "personal",
         "action": "block", "count": 2},
        {"rule": "field.unclassified", "field": "people[*].role", "level": "personal",
         "action": "block", "count": 1},
        {"rule": "uk.field.person_name", "field": "complainant_name", "level": "personal",
         "action": "block", "count": 1},
    ]


def test_records_array_in_an_object_is_found_and_the_rest_is_checked_too(plain_guard):
    decision = plain_guard.check(DATA / "wrapped.json")
    assert decision.exit_code == 1
    assert decision.files[0].records == 2  # the document around them is not a record
    assert findings(decision) == [
        ("cases", 0, "email", "uk.field.contact", EMAIL, None),
        ("(document)", None, "meta.exported_by", "field.unclassified", ZEB, None),
        ("(document)", None, "meta.generated", "field.unclassified", "****-**-**", None),
    ]


def test_wrapped_sections_as_read():
    assert read_sections(DATA / "wrapped.json") == [
        ("cases", True, [{"month": "2026-01", "email": "zeb@example.org"},
                         {"month": "2026-02", "ward": "Boxmoor"}]),
        ("(document)", False, [{"meta": {"exported_by": "Zebedee Quackenbush",
                                         "generated": "2026-03-01", "count": 2},
                                "cases": []}]),
    ]


def test_records_nested_deeper_are_not_guessed_the_document_is_one_record(plain_guard):
    decision = plain_guard.check(DATA / "nested.json")
    assert decision.files[0].records == 1
    assert findings(decision) == [
        (None, 0, "data.source", "field.unclassified", ZEB, None),
        (None, 0, "data.cases[0].complainant_name", "uk.field.person_name", "A** O****", None),
        (None, 0, "data.cases[1].email", "uk.field.contact", EMAIL, None),
    ]


def test_policy_records_field_chain_is_streamed(monkeypatch):
    guard = Guardrail.from_policy(DATA / "records-chain.yaml")
    assert guard.policy.records == "data.cases"

    def no_loading(*args, **kwargs):
        raise AssertionError("a plain field chain must be streamed, not loaded")

    monkeypatch.setattr(guardrail_json.json, "load", no_loading)
    decision = guard.check(DATA / "nested.json")
    assert decision.files[0].records == 2
    assert findings(decision) == [
        ("data.cases", 0, "complainant_name", "uk.field.person_name", "A** O****", None),
        ("data.cases", 1, "email", "uk.field.contact", EMAIL, None),
        ("(document)", None, "data.source", "field.unclassified", ZEB, None),
    ]


def test_policy_records_query_with_a_filter_is_loaded(monkeypatch):
    guard = Guardrail.from_policy(DATA / "records-query.yaml")

    def no_streaming(*args, **kwargs):
        raise AssertionError("a query with a filter needs the whole document")

    monkeypatch.setattr(guardrail_json, "RecordStreamer", no_streaming)
    decision = guard.check(DATA / "nested.json")
    selector = "data.cases[?month == '2026-02']"
    assert decision.files[0].records == 1
    # the record the filter left out is still checked, as part of the document
    assert findings(decision) == [
        (selector, 0, "email", "uk.field.contact", EMAIL, None),
        ("(document)", None, "data.source", "field.unclassified", ZEB, None),
        ("(document)", None, "data.cases[0].complainant_name", "uk.field.person_name",
         "A** O****", None),
    ]


def test_selected_scalars_do_not_hide_equal_values_elsewhere():
    guard = Guardrail.from_policy(DATA / "records-scalars.yaml")
    decision = guard.check(DATA / "scalar-selection.json")
    fields = {(f.section, f.record, f.field) for f in decision.findings}
    # meta.owner is 1, like the first selected count: it must still be checked
    assert ("(document)", None, "meta.owner") in fields
    assert ("counts[?@ > `0`]", 0, "@") in fields
    assert ("counts[?@ > `0`]", 1, "@") in fields


def test_selector_matching_nothing_checks_the_document_as_one_record():
    guard = Guardrail.from_policy(DATA / "records-chain.yaml")
    decision = guard.check(DATA / "wrapped.json")
    assert decision.files[0].records == 1
    assert [(f.section, f.record, f.field) for f in decision.findings] == [
        (None, 0, "meta.exported_by"), (None, 0, "meta.generated"), (None, 0, "cases[0].email")]


@pytest.mark.parametrize(("selector", "prefix"), [
    ("cases", "cases"),
    ("data.cases", "data.cases"),
    ("a.b.c", "a.b.c"),
    ("cases[*]", None),
    ("cases[0]", None),
    ("data.cases[?month == '2026-02']", None),
    ("length(cases)", None),
    ("cases[", None),  # not valid JMESPath
])
def test_simple_prefix(selector, prefix):
    assert simple_prefix(selector) == prefix


# -- shapes of document ------------------------------------------------------------------------

def test_array_of_scalars_each_is_a_record(guard):
    decision = guard.check(DATA / "scalars.json")
    assert decision.files[0].records == 2
    assert findings(decision) == [
        (None, 0, "@", "field.unclassified", "a****", None),
        (None, 1, "@", "field.unclassified", "b***", None),
    ]


def test_single_object_is_one_record(plain_guard):
    decision = plain_guard.check(DATA / "single.json")
    assert decision.files[0].records == 1
    assert findings(decision) == [
        (None, 0, "email", "uk.field.contact", EMAIL, None),
        # an address rule covers everything inside the address
        (None, 0, "address.line1", "uk.field.address", "** W****** W**", None),
        (None, 0, "address.postcode", "uk.field.address", "H** ***", None),
    ]


def test_keys_that_are_not_identifiers_are_quoted_in_paths(plain_guard):
    decision = plain_guard.check(b'[{"home address": {"line 1": "42 Wallaby Way"}}]', format="json")
    # "home address" is named by a field rule, so it is shown (quoted); "line 1" is
    # named by none, so it is screened as the payload's first unnamed key.
    assert [f.field for f in decision.findings] == ['"home address"."#1"']


def test_numbers_booleans_and_nulls(guard):
    decision = guard.check(b'[{"month": "2026-01", "age": 42, "vulnerable": true, "nhs_no": null,'
                           b' "note": ""}]', format="json")
    assert [(f.field, f.rule, f.evidence) for f in decision.findings] == [
        ("age", "uk.field.identifier", "**"),
        ("vulnerable", "field.unclassified", "****"),
    ]


def test_empty_array_is_allowed(guard):
    decision = guard.check(b"[]", format="json")
    assert decision.verdict == "allow"
    assert decision.files[0].records == 0


def test_utf8_bom_json(plain_guard):
    decision = plain_guard.check(DATA / "bom.json")
    assert decision.exit_code == 1
    assert findings(decision) == [
        (None, 0, "complainant_name", "uk.field.person_name", ZEB, None)]


def test_utf16_json(plain_guard):
    decision = plain_guard.check(DATA / "utf16.json")
    assert decision.exit_code == 1
    assert findings(decision) == [
        ("cases", 0, "complainant_name", "uk.field.person_name", ZEB, None)]


def test_encoding_option_applies_to_json(plain_guard):
    payload = '[{"complainant_name": "Zo\u00eb Quackenbush"}]'.encode("latin-1")
    assert plain_guard.check(payload, format="json").exit_code == 3
    decision = plain_guard.check(payload, format="json", encoding="latin-1")
    assert findings(decision) == [
        (None, 0, "complainant_name", "uk.field.person_name", "Z** Q**********", None)]


# -- unreadable JSON -------------------------------------------------------------------------

def test_malformed_json_names_line_and_column(guard):
    decision = guard.check(DATA / "malformed.json")
    assert decision.verdict == "block"
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 3, column 24: not valid JSON: Expecting property name enclosed in double quotes")


def test_truncated_json_names_the_end(guard):
    decision = guard.check(DATA / "truncated.json")
    assert decision.exit_code == 3
    assert decision.files[0].error == "line 1, column 77: not valid JSON: Expecting value"


def test_truncated_json_from_a_stream(guard):
    decision = guard.check(io.BytesIO((DATA / "truncated.json").read_bytes()), format="json")
    assert decision.exit_code == 3
    assert decision.files[0].error == "not valid JSON: the document ends too early"


def test_malformed_json_from_bytes(guard):
    decision = guard.check((DATA / "malformed.json").read_bytes(), format="json")
    assert decision.exit_code == 3
    assert decision.files[0].error == "not valid JSON: malformed JSON"


def test_empty_json_file_is_unreadable(guard):
    decision = guard.check(DATA / "empty.json")
    assert decision.exit_code == 3
    assert decision.files[0].error == "line 1, column 1: not valid JSON: Expecting value"


def test_malformed_json_with_a_query_selector():
    guard = Guardrail.from_policy(DATA / "records-query.yaml")
    decision = guard.check(DATA / "malformed.json")
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 3, column 24: not valid JSON: Expecting property name enclosed in double quotes")


def test_invalid_utf8_json_names_the_byte(guard, tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b'[{"month": "2026-01", "name": "Zeb\xffedee"}]')
    decision = guard.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].error == ("byte 34: content is not valid utf-8 text; pass "
                                       "--encoding with the right encoding or fix the export")


# -- NDJSON ------------------------------------------------------------------------------------

def test_ndjson_records_per_line_blank_lines_skipped(plain_guard):
    decision = plain_guard.check(DATA / "records.ndjson")
    assert [(f.format, f.records) for f in decision.files] == [("ndjson", 3)]
    assert findings(decision) == [
        (None, 0, "complainant_name", "uk.field.person_name", ZEB, "line 1"),
        (None, 1, "email", "uk.field.contact", EMAIL, "line 3"),
    ]


def test_malformed_ndjson_line_names_line_and_column(guard):
    decision = guard.check(DATA / "malformed.ndjson")
    assert decision.exit_code == 3
    assert decision.files[0].error == "line 2, column 30: not valid JSON: Expecting value"


def test_ndjson_sniffed_without_extension(plain_guard):
    assert detect(DATA / "events") == "ndjson"
    decision = plain_guard.check(DATA / "events")
    assert decision.files[0].format == "ndjson"
    assert findings(decision) == [(None, 0, "email", "uk.field.contact", EMAIL, "line 1")]


def test_ndjson_from_a_stream_with_format(plain_guard):
    payload = io.BytesIO(b'{"month": "2026-01"}\n{"postcode": "HP1 1AA"}\n')
    decision = plain_guard.check(payload, format="ndjson")
    assert findings(decision) == [(None, 1, "postcode", "uk.field.address", "H** ***", "line 2")]


@pytest.mark.parametrize(("name", "expected"), [
    ("records.json", "json"),
    ("records.ndjson", "ndjson"),
    ("events", "ndjson"),
])
def test_detect(name, expected):
    assert detect(DATA / name) == expected


@pytest.mark.parametrize(("content", "expected"), [
    (b'[{"a": 1}]', "json"),
    (b'  \n{"a": 1}', "json"),
    (b'\xef\xbb\xbf[{"a": 1}]', "json"),
    (b'{"a": 1}\n{"a": 2}\n', "ndjson"),
    (b'{"a": 1}\n', "json"),  # one line: a JSON document
])
def test_detect_from_content(tmp_path, content, expected):
    path = tmp_path / "payload"
    path.write_bytes(content)
    assert detect(path) == expected


def test_json_report_round_trips_document_findings(guard):
    decision = guard.check(DATA / "wrapped.json")
    report = json.loads(json.dumps(decision.to_dict()))
    document = [f for f in report["findings"] if f.get("section") == "(document)"]
    assert [(f["record"], f["field"]) for f in document] == [
        (None, "meta.exported_by"), (None, "meta.generated")]


# -- limits -----------------------------------------------------------------------------

DEPTH_ERROR = ("the JSON nesting exceeds the nesting depth limit of 256 levels; the payload "
               "is blocked. If it is genuine, raise the limit with --max-depth")


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,                       # top-level array, streamed
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,              # records looked for in an object
    b'[{"notes": ' + b"[" * 300 + b"]" * 300 + b"}]",       # just over the limit
])
def test_deep_nesting_blocks_before_the_parser_builds_it(plain_guard, body):
    decision = plain_guard.check(body, format="json")
    assert decision.exit_code == 3
    assert decision.files[0].error == DEPTH_ERROR


def test_brackets_inside_strings_do_not_count_as_nesting_in_a_file(plain_guard, tmp_path):
    path = tmp_path / "brackets.json"
    path.write_text('[{"month": "2026-01", "ward": "' + "[" * 1000 + '"}]', encoding="utf-8")
    decision = plain_guard.check(path)
    assert decision.files[0].error is None
    assert decision.files[0].records == 1


def test_depth_limit_can_be_raised(plain_guard):
    body = b'[{"month": "2026-01", "ward": ' + b"[" * 300 + b"]" * 300 + b"}]"
    assert plain_guard.check(body, format="json").exit_code == 3
    decision = plain_guard.check(body, format="json", limits=Limits(max_depth=400))
    assert decision.files[0].error is None


def test_ndjson_line_over_the_record_limit_blocks_without_reading_it_whole(plain_guard):
    body = b'{"month": "2026-01"}\n{"ward": "' + b"x" * 5000 + b'"}\n'
    decision = plain_guard.check(body, format="ndjson", limits=Limits(max_record_bytes=1000))
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 2: one line exceeds the record size limit of 1,000 bytes; the payload is "
        "blocked. If it is genuine, raise the limit with --max-record-size")
    exact = b'{"month": "2026-01"}\n'
    assert plain_guard.check(exact, format="ndjson",
                             limits=Limits(max_record_bytes=len(exact) - 1)).allowed


def test_a_records_selector_that_fails_on_the_data_blocks_without_quoting_it(write_policy):
    policy = write_policy("""
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: selector, version: "1"}
        extends: asb-public-web
        records: "cases[?starts_with(ref, 'A')]"
        """)
    body = b'{"cases": [{"ref": {"who": "Zebedee Quackenbush"}}]}'
    decision = Guardrail.from_policy(policy).check(body, format="json")
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "the policy's records selector could not be applied to this document (a function "
        "got a value of the wrong type); fix the selector")


def test_a_record_rule_that_fails_on_a_record_applies_to_it(write_policy):
    policy = write_policy("""
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: rule-types, version: "1"}
        extends: asb-public-web
        detectors: {skip: ["*"]}
        fields:
          - {id: test.ref, name: [ref], level: public}
        rules:
          - id: test.ref_rule
            when: "starts_with(ref, 'X')"
            level: personal
            fields: [ref]
        """)
    decision = Guardrail.from_policy(policy).check(
        b'[{"ref": "A1"}, {"ref": {"who": "Zebedee Quackenbush"}}]', format="json")
    # record 1's ref is an object: starts_with() cannot judge it, so the rule applies
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (1, "ref", "test.ref_rule", "{'w**': 'Z****** Q**********'}")]


@pytest.mark.parametrize(("body", "fmt"), [
    (b'[{"month": "2026-01", "complainant_name": "Zebedee Quackenbush", '
     b'"complainant_name": ""}]', "json"),
    (b'{"cases": [{"month": "2026-01", "complainant_name": "Zebedee Quackenbush", '
     b'"complainant_name": ""}]}', "json"),
    (b'{"month": "2026-01", "complainant_name": "Zebedee Quackenbush", '
     b'"complainant_name": ""}\n', "ndjson"),
])
def test_a_repeated_key_keeps_every_value(plain_guard, body, fmt):
    """A dict keeps the last value of a repeated key; the published file holds both."""
    decision = plain_guard.check(body, format=fmt)
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (0, "complainant_name[0]", "uk.field.person_name", "Z****** Q**********")]


@pytest.mark.parametrize("as_stream", [False, True], ids=["bytes", "stream"])
def test_a_long_flat_json_body_that_is_not_a_file_is_read(as_stream) -> None:
    """Before the fix, a body of 256+ objects in one 64 KiB chunk was refused as too
    deep: opening brackets were counted before closing ones were subtracted."""
    import io
    body = b"[" + b",".join(b'{"ward": "Abbey", "n": [1, {"k": []}]}' for _ in range(20000)) \
        + b"]"
    guard = Guardrail.from_policy("uk-content-scan")
    decision = guard.check(io.BytesIO(body) if as_stream else body, format="json")
    assert decision.allowed and decision.files[0].records == 20000


@pytest.mark.parametrize("depth, allowed", [(256, True), (257, False)])
def test_depth_is_bounded_across_chunks_of_a_body(depth, allowed) -> None:
    """Deep nesting opened in one chunk, many records in the next, closed in a third."""
    records = b",".join(b'{"ward": "Abbey"}' for _ in range(10000))
    body = b'{"a":' * (depth - 2) + b"[" + records + b"]" + b"}" * (depth - 2)
    decision = Guardrail.from_policy("uk-content-scan").check(body, format="json")
    assert decision.allowed is allowed
    if not allowed:
        assert "nesting exceeds the nesting depth limit of 256" in decision.files[0].error
