"""The YAML format: records and sections, scalars as written, aliases, comments, limits,
errors, sniffing and redacted copies."""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import detect, findings, run_guardrail

from guardrail import Documents, Guardrail, Payload, ReadOptions
from guardrail.contract.protocols import Limits
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data" / "yaml"
POLICY = DATA / "public-fields.yaml"  # uk-personal-data; month, ward, count, id ... public
JOHN = "J*** S****"
PHONE = "***** ******"


@pytest.fixture
def guard() -> Guardrail:
    return Guardrail.from_policy(POLICY)


def read_sections(source: Any, records: str | None = None,
                  limits: Limits | None = None) -> list[tuple]:
    """(name, index, first_index, [(record, position)]) of every section read."""
    fmt = load_registry().format("yaml")
    options = ReadOptions(records=records, limits=limits or Limits())
    out = []
    for section in fmt.read(Payload(source), options):
        assert isinstance(section, Documents)
        out.append((section.name, section.index, section.first_index,
                    [(record, section.locate(record)) for record in section.records]))
    return out


# -- where the records are ---------------------------------------------------------------

def test_records_list_in_a_mapping_the_rest_and_the_comments(guard):
    decision = guard.check(DATA / "cases.yaml")
    assert decision.exit_code == 1
    assert [(f.format, f.records, f.error) for f in decision.files] == [("yaml", 2, None)]
    assert findings(decision) == [
        ("cases", 0, "text", "uk.nino", "AB ** ** ** *", "line 3"),
        ("cases", 0, "phone", "uk.field.contact", PHONE, "line 3"),  # also uk.phone
        ("cases", 1, "text", "uk.postcode", "SW1A ***", "line 10"),
        ("(document)", None, "meta.exported_by", "field.unclassified", "Z****** Q**********",
         "line 2"),
        ("(comments)", None, "text", "person.name", JOHN, "line 1"),  # also uk.phone
    ]
    # "Zebedee Quackenbush": a forename and a word that is no English word, a surname
    assert [(f.section, f.field, f.also) for f in decision.findings if f.also] == [
        ("cases", "phone", ("uk.phone",)), ("(document)", "meta.exported_by", ("person.name",)),
        ("(comments)", "text", ("uk.phone",))]


def test_cases_sections_as_read():
    assert read_sections(DATA / "cases.yaml") == [
        ("cases", True, 0, [
            ({"month": "2026-01", "ward": "Boxmoor", "outcome": "NO", "code": "0123",
              "time": "1:30", "text": "Noise reported, caller ref AB 12 34 56 C",
              "phone": "07700 900456"}, "line 3"),
            ({"month": "2026-02", "ward": "Adeyfield # west",
              "text": "# heading, not a comment\nCaller gave postcode SW1A 1AA\n"}, "line 10"),
        ]),
        ("(document)", False, 0, [({"cases": [], "meta": {
            "exported_by": "Zebedee Quackenbush", "count": "2"}}, "line 2")]),
        ("(comments)", False, 0, [
            ({"text": "Export prepared by John Smith, 07700 900123"}, "line 1"),
            ({"text": "typed by the call handler"}, "line 12"),
        ]),
    ]


def test_first_top_level_list_of_mappings_is_the_records_and_nested_paths(guard):
    decision = guard.check(DATA / "nested.yaml")
    assert decision.files[0].records == 1  # "other": "data" is a mapping, not a list
    assert findings(decision)[:3] == [
        ("other", 0, "name", "uk.field.person_name", "C**** W****", "line 12"),
        ("(document)", None, "data.exported", "field.unclassified", "****-**-**", "line 1"),
        ("(document)", None, "data.cases[0].people[0].name", "uk.field.person_name",
         "A**** S****", "line 1"),
    ]
    assert decision.findings[0].also == ("person.name",)
    # The postcode deep in the rest of the document is one finding: the field rule
    # decides, uk.postcode rides along and gives its own evidence.
    postcode = [f for f in decision.findings
                if f.field == "data.cases[0].people[1].address.postcode"]
    assert [(f.section, f.record, f.rule, f.also, f.evidence, f.position)
            for f in postcode] == [
        ("(document)", None, "uk.field.address", ("uk.postcode",), "SW1A ***", "line 1")]


def test_records_selector_names_a_nested_list(write_policy):
    policy = write_policy(f"""
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {{name: nested, version: "1"}}
        extends: {POLICY}
        records: data.cases
        """)
    decision = Guardrail.from_policy(policy).check(DATA / "nested.yaml")
    assert decision.files[0].records == 2
    assert findings(decision) == [
        ("data.cases", 0, "people[0].name", "uk.field.person_name", "A**** S****", "line 4"),
        ("data.cases", 0, "people[0].role", "field.unclassified", "w******", "line 4"),
        ("data.cases", 0, "people[1].name", "uk.field.person_name", "B** J****", "line 4"),
        ("data.cases", 0, "people[1].address.line1", "uk.field.address", "** A***** A*****",
         "line 4"),
        ("data.cases", 0, "people[1].address.postcode", "uk.field.address", "SW1A ***",
         "line 4"),
        ("(document)", None, "data.exported", "field.unclassified", "****-**-**", "line 1"),
        ("(document)", None, "other[0].name", "uk.field.person_name", "C**** W****", "line 1"),
    ]
    # The detectors that matched the same values ride along on the field rule's finding.
    assert [f.also for f in decision.findings] == [
        ("person.name",), (), ("person.name",), ("uk.street_address",), ("uk.postcode",), (),
        ("person.name",)]


def test_records_selector_query_builds_the_document():
    sections = read_sections(DATA / "nested.yaml", records="data.cases[?id=='2']")
    assert sections == [
        ("data.cases[?id=='2']", True, 0, [({"id": "2", "people": []}, "line 1")]),
        ("(document)", False, 0, [({"data": {"exported": "2026-03-01", "cases": [
            {"id": "1", "people": [{"name": "Alice Smith", "role": "witness"},
                                   {"name": "Bob Jones", "address": {
                                       "line1": "12 Acacia Avenue", "postcode": "SW1A 1AA"}}]},
            None]}, "other": [{"name": "Carol White"}]}, "line 1")]),
    ]


def test_records_selector_error_never_quotes_the_payload(write_policy):
    policy = write_policy(f"""
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {{name: selector, version: "1"}}
        extends: {POLICY}
        records: "cases[?starts_with(ref, 'A')]"
        """)
    decision = Guardrail.from_policy(policy).check(
        b"cases:\n  - ref: {who: Jane Smith 07700 900123}\n", format="yaml")
    # jmespath's own message quotes the value it choked on
    assert (decision.exit_code, decision.files[0].error) == (3, (
        "the records selector could not be applied: a function got a value of the wrong "
        "type; fix the policy's records selector"))
    assert "Jane" not in decision.files[0].error and "07700" not in decision.files[0].error


def test_multi_document_stream_sections_indices_and_positions(guard):
    decision = guard.check(DATA / "multi.yaml")
    assert decision.files[0].records == 5  # indices continue across documents
    assert findings(decision) == [
        (None, 0, "name", "uk.field.person_name", "A**** S****", "line 3"),
        (None, 1, "name", "uk.field.person_name", "B** J****", "line 5"),
        # the email detector's match is the whole value: its own evidence is shown
        ("document 2: cases", 2, "email", "uk.field.contact", "z***@e******.o**", "line 9"),
        ("(document 2)", None, "meta.exported_by", "field.unclassified", "Z****** Q**********",
         "line 8"),
        ("document 4", 4, "text", "uk.postcode", "SW1A ***", "line 15"),
    ]
    assert [f.also for f in decision.findings] == [
        ("person.name",), ("person.name",), ("email",), ("person.name",), ()]
    assert [(name, index, first, len(records)) for name, index, first, records
            in read_sections(DATA / "multi.yaml")] == [
        (None, True, 0, 2), ("document 2: cases", True, 2, 1), ("(document 2)", False, 0, 1),
        ("(comments)", False, 0, 1), ("document 3", True, 3, 1), ("(comments)", False, 0, 1),
        ("document 4", True, 4, 1)]  # the empty fifth document has no records


def test_top_level_scalar_document_is_free_text(guard):
    assert read_sections(DATA / "scalar.yaml") == [
        (None, True, 0, [({"text": "Residents near SW1A 1AA complained about noise"},
                          "line 1")])]
    decision = guard.check(DATA / "scalar.yaml")
    assert findings(decision) == [(None, 0, "text", "uk.postcode", "SW1A ***", "line 1")]


@pytest.mark.parametrize("name", ["empty.yaml", "only-comments.yaml"])
def test_empty_file_and_only_comments_have_no_records(guard, name):
    decision = guard.check(DATA / name)
    assert decision.files[0].records == 0
    assert decision.files[0].error is None
    expected = [] if name == "empty.yaml" else [
        ("(comments)", None, "text", "person.name", "A**** S****", "line 1")]
    assert findings(decision) == expected
    assert decision.exit_code == (0 if name == "empty.yaml" else 1)


def test_empty_and_null_documents_yield_no_record():
    assert read_sections(b"---\n---\n~\n--- []\n") == [("document 3", True, 0, [])]


# -- scalars as written ------------------------------------------------------------------

def test_scalars_are_read_as_written_not_as_yaml_1_1_types(guard):
    assert read_sections(DATA / "as-written.yaml") == [(None, True, 0, [
        ({"flag": "NO", "ok": "yes", "code": "0123", "time": "1:30", "when": "2024-01-02",
          "count": "3", "nothing": None, "empty": None, "quoted_null": "null",
          "text": "AB 12 34 56 C"}, "line 1"),
        ({"text": "07700 900123", "nino": "AB123456C", "count": "7"}, "line 11"),
    ])]
    decision = guard.check(DATA / "as-written.yaml")
    assert findings(decision) == [
        (None, 0, "quoted_null", "field.unclassified", "n***", "line 1"),
        (None, 0, "text", "uk.nino", "AB ** ** ** *", "line 1"),  # unquoted NINO
        (None, 1, "text", "uk.phone", PHONE, "line 11"),  # unquoted phone, not 7700900123
        # one finding for the NINO field, with the detector's own evidence
        (None, 1, "nino", "uk.field.identifier", "AB ** ** ** *", "line 11"),
    ]
    assert [f.also for f in decision.findings] == [(), (), (), ("uk.nino",)]


def test_record_rules_still_compare_numbers_written_as_text(write_policy):
    policy = write_policy(f"""
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {{name: small-counts, version: "1"}}
        extends: {POLICY}
        rules:
          - id: test.small_count
            when: "count < `5`"
            level: personal
            fields: [count]
        """)
    decision = Guardrail.from_policy(policy).check(b"- {count: 3}\n- {count: 12}\n",
                                                   format="yaml")
    assert findings(decision) == [(None, 0, "count", "test.small_count", "*", "line 1")]


def test_binary_scalars_are_checked_as_the_text_they_encode(guard):
    # "Call 07700 900123" in base64: hidden from a detector that reads it as written
    decision = guard.check(b"text: !!binary Q2FsbCAwNzcwMCA5MDAxMjM=\n", format="yaml")
    assert findings(decision) == [(None, 0, "text", "uk.phone", PHONE, "line 1")]


# -- duplicate keys, anchors and aliases -------------------------------------------------

def test_duplicate_keys_keep_every_value(guard):
    assert read_sections(DATA / "duplicate-keys.yaml") == [(None, True, 0, [
        ({"name": ["Alice Smith", "Bob Jones"], "ward": "Boxmoor"}, "line 1")])]
    assert findings(guard.check(DATA / "duplicate-keys.yaml")) == [
        (None, 0, "name[0]", "uk.field.person_name", "A**** S****", "line 1"),
        (None, 0, "name[1]", "uk.field.person_name", "B** J****", "line 1"),
    ]
    assert [f.also for f in guard.check(DATA / "duplicate-keys.yaml").findings] == [
        ("person.name",), ("person.name",)]


def test_aliases_are_checked_where_they_are_used(guard):
    assert read_sections(DATA / "aliases.yaml") == [
        ("people", True, 0, [
            ({"<<": {"ward": "Boxmoor", "text": "Call Alice Smith"}, "id": "1"}, "line 5"),
            ({"contact_name": "Bob Jones", "ward": "Bob Jones", "count": "3", "id": "3"},
             "line 7"),
        ]),
        ("(document)", False, 0, [({"defaults": {"ward": "Boxmoor", "text": "Call Alice Smith"},
                                    "people": []}, "line 1")]),
        ("(tags)", False, 0, [({"text": "area"}, "line 1"), ({"text": "who"}, "line 7"),
                              ({"text": "n"}, "line 9")]),  # anchor names are text too
    ]
    decision = guard.check(DATA / "aliases.yaml")
    assert findings(decision) == [
        # "<<" is no plain identifier and no field rule names it: shown by number
        ("people", 0, '"#1".text', "person.name", "A**** S****", "line 5"),
        ("people", 1, "contact_name", "uk.field.person_name", "B** J****", "line 7"),
        ("people", 1, "ward", "person.name", "B** J****", "line 7"),  # a public field, via *who
        ("(document)", None, "defaults.text", "person.name", "A**** S****", "line 1"),
    ]
    assert [f.also for f in decision.findings] == [(), ("person.name",), (), ()]


def test_billion_laughs_blocks_at_once_with_bounded_memory(guard):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    decision = guard.check(DATA / "billion-laughs.yaml")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20_000  # KiB
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 6, column 8: YAML alias expansion (nested aliases counted) exceeds the entity "
        "limit of 10,000 expansions; the payload is blocked. If it is genuine, raise the "
        "limit with --max-entities")


def test_aliases_within_the_limit_are_counted_with_what_they_contain(guard):
    text = b"a: &a [x, y]\nb: &b [*a, *a]\nc: [*b, *b]\n"  # 2 + 2 * (1 + 2) = 8 followed
    assert guard.check(text, format="yaml", limits=Limits(max_entities=8)).files[0].error \
        is None
    assert guard.check(text, format="yaml", limits=Limits(max_entities=7)).files[0].error == (
        "line 3, column 9: YAML alias expansion (nested aliases counted) exceeds the entity "
        "limit of 7 expansions; the payload is blocked. If it is genuine, raise the limit "
        "with --max-entities")


@pytest.mark.parametrize("text, error", [
    (b"a: &x [1, *x]\n", "line 1, column 11: not valid YAML: an alias refers to the node "
                         "that contains it (a recursive structure)"),
    (b"a: *nowhere\n", "line 1, column 4: not valid YAML: an alias names an anchor that is "
                       "not defined earlier in the document"),
    (b"a: &x 1\n---\nb: *x\n", "line 3, column 4: not valid YAML: an alias names an anchor "
                               "that is not defined earlier in the document"),
])
def test_bad_aliases_block(guard, text, error):
    decision = guard.check(text, format="yaml")
    assert (decision.exit_code, decision.files[0].error) == (3, error)


# -- unsafe tags -------------------------------------------------------------------------

def test_python_tags_block_and_nothing_is_constructed(guard, tmp_path):
    marker = tmp_path / "constructed"
    payload = tmp_path / "evil.yaml"
    payload.write_text(
        "- ward: Boxmoor\n"
        f"- run: !!python/object/apply:builtins.exec [\"open(r'{marker}', 'w').close()\"]\n",
        encoding="utf-8")
    decision = guard.check(payload)
    assert not marker.exists()
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 2, column 8: a !!python/ tag asks the reader to build a Python object (which "
        "can run code); guardrail never builds one and blocks the payload. Remove the tag from "
        "the export")
    result = run_guardrail("check", "--policy", str(POLICY), str(payload), text=True)
    assert result.returncode == 3
    assert not marker.exists()


def test_other_tags_are_values_as_written(guard):
    decision = guard.check(b"- !case {ward: !!str Boxmoor, text: !note Call Alice Smith}\n",
                           format="yaml")
    assert findings(decision) == [(None, 0, "text", "person.name", "A**** S****", "line 1")]


# -- tags, directives and anchor names ---------------------------------------------------

EMAIL = "j***@e******.c**"


@pytest.mark.parametrize("text, expected", [
    (b"- text: !<tag:jane.smith@example.com> x\n",
     [("(tags)", None, "text", "email", EMAIL, "line 1")]),
    (b"%TAG !e! tag:jane.smith@example.com,2000:\n---\n- text: !e!x ok\n",
     [("(tags)", None, "text", "email", EMAIL, "line 1"),  # the directive
      ("(tags)", None, "text", "email", EMAIL, "line 3")]),  # the tag it expands to
    (b"- !<tag:example.com,2000:Jane_Smith> {ward: Boxmoor}\n",
     [("(tags)", None, "text", "person.name", "J*** S****", "line 1")]),
    (b"- !Call%20Jane%20Smith {ward: Boxmoor}\n",
     [("(tags)", None, "text", "person.name", "J*** S****", "line 1")]),
    (b"--- !<tag:example.com,2000:AB123456C>\n- {ward: Boxmoor}\n",
     [("(tags)", None, "text", "uk.nino", "AB ** ** ** *", "line 1")]),
    (b"- &AB123456C {ward: Boxmoor}\n- *AB123456C\n",
     [("(tags)", None, "text", "uk.nino", "AB ** ** ** *", "line 1")]),
])
def test_tags_directives_and_anchor_names_are_checked(guard, text, expected):
    decision = guard.check(text, format="yaml")
    assert (decision.exit_code, findings(decision)) == (1, expected)


def test_tags_section_as_read():
    text = (b"%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\n"
            b"- !case {ward: !!str Boxmoor, text: !note x, id: ! 1}\n"
            b"- !case &first {ward: !e!ward North}\n- *first\n"
            b"--- !!map\nward: !<tag:example.com,2000:Jane_Smith> Adeyfield\n")
    assert read_sections(text) == [
        # before a list that is the document: a copy writes it item by item, and its
        # document's directives (at the line they start on) must be judged first
        ("(tags)", False, 0, [({"text": "%TAG !e! tag | example.com | 2000"}, "line 1")]),
        (None, True, 0, [({"ward": "Boxmoor", "text": "x", "id": "1"}, "line 4"),
                         ({"ward": "North"}, "line 5"), ({"ward": "North"}, "line 6")]),
        # core tags (!!str, !!map) and the non-specific ! hold no text of the exporter's;
        # a tag met again before the section is checked once, at its first line
        ("(tags)", False, 0, [({"text": "case"}, "line 4"), ({"text": "note"}, "line 4"),
                              ({"text": "first"}, "line 5"),
                              ({"text": "tag | example.com | 2000 | ward"}, "line 5")]),
        ("document 2", True, 3, [({"ward": "Adeyfield"}, "line 7")]),
        ("(tags)", False, 0, [({"text": "tag | example.com | 2000 | Jane Smith"}, "line 8")]),
    ]


@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_unknown_directives_block_with_either_parser(guard, parser, monkeypatch):
    import guardrail_yaml.source as source

    if parser == "python":  # PyYAML alone skips an unknown directive's text unread
        monkeypatch.setattr(source, "_Parser", source._PyParser)
    decision = guard.check(b"%FOO Jane Smith 07700 900123\n---\n- ward: Boxmoor\n",
                           format="yaml")
    assert (decision.exit_code, decision.files[0].error) == (3, (
        "line 1, column 5: not valid YAML: found unknown directive name (while scanning a "
        "directive); check the indentation and quoting there"))


# -- comments ----------------------------------------------------------------------------

def test_comments_are_checked_and_hashes_in_scalars_are_not_comments(guard):
    assert read_sections(DATA / "comments.yaml") == [
        (None, True, 0, [
            ({"ward": "Boxmoor", "text": "Meeting at #5, then 'ask' # for more",
              "id": "a # b", "month": "# not a comment: folded text and more"}, "line 2"),
            ({"ward": "Adeyfield#not-a-comment", "text": ["Boxmoor", "Adeyfield"]}, "line 9"),
        ]),
        ("(comments)", False, 0, [
            ({"text": "Contact John Smith on 07700 900123"}, "line 1"),
            ({"text": "Alice Jones lives here"}, "line 2"),
            ({"text": "no space needed after the hash: alice@example.org"}, "line 8"),
            ({"text": "flow # with a second hash"}, "line 10"),
        ]),
    ]
    assert findings(guard.check(DATA / "comments.yaml")) == [
        ("(comments)", None, "text", "person.name", JOHN, "line 1"),  # also uk.phone
        ("(comments)", None, "text", "person.name", "A**** J****", "line 2"),
        ("(comments)", None, "text", "email", "a***@e******.o**", "line 8"),
    ]
    assert [f.also for f in guard.check(DATA / "comments.yaml").findings] == [
        ("uk.phone",), (), ()]


def test_comment_lines_with_crlf_multiline_quotes_and_a_stream():
    text = (b"a: 1\r\n# c1 John Smith\r\nb: \"x\r\n  # inside quotes\r\n  y\" # c2\r\n"
            b"c: |\r\n  # inside a block\r\n# c3 at the end\r\n")
    expected = [
        (None, True, 0, [({"a": "1", "b": "x # inside quotes y", "c": "# inside a block\n"},
                          "line 1")]),
        ("(comments)", False, 0, [({"text": "c1 John Smith"}, "line 2"),
                                  ({"text": "c2"}, "line 5"),
                                  ({"text": "c3 at the end"}, "line 8")]),
    ]
    assert read_sections(text) == expected
    import io
    assert read_sections(io.BytesIO(text)) == expected  # stdin-like: read once


def test_many_comments_are_handed_on_between_parts_of_a_records_list():
    lines = "".join(f"- ward: Boxmoor  # {'x' * 2000} {i}\n" for i in range(1200))
    sections = read_sections(lines.encode())
    # about 1 MB of comments at a time, after the records that held them
    assert [(name, first, len(records)) for name, _, first, records in sections] == [
        (None, 0, 552), ("(comments)", 0, 551), (None, 552, 550), ("(comments)", 0, 550),
        (None, 1102, 98), ("(comments)", 0, 99)]
    comments = [r for name, _, _, records in sections if name == "(comments)"
                for r in records]
    assert comments[0] == ({"text": f"{'x' * 2000} 0"}, "line 1")
    assert comments[-1] == ({"text": f"{'x' * 2000} 1199"}, "line 1200")


# -- errors and limits -------------------------------------------------------------------

def test_malformed_yaml_names_line_and_column_and_never_the_content(guard):
    decision = guard.check(DATA / "malformed.yaml")
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 4, column 9: not valid YAML: did not find expected ',' or ']' (while parsing a "
        "flow sequence); check the indentation and quoting there")


@pytest.mark.parametrize("text, error", [
    (b"name: Alice Smith\n  bad: Bob Jones\n",
     "line 2, column 6: not valid YAML: mapping values are not allowed in this context; "
     "check the indentation and quoting there"),
    (b'text: "Alice Smith\n', "line 2, column 1: not valid YAML: found unexpected end of "
                              "stream (while scanning a quoted scalar); check the indentation "
                              "and quoting there"),
    (b"ward: Boxmoor\nname: Alice \xff Smith\n",
     "byte 26: content is not valid utf-8 text; pass --encoding with the right encoding or "
     "fix the export"),
])
def test_unreadable_payloads(guard, text, error, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(text)
    decision = guard.check(path)
    assert (decision.exit_code, decision.files[0].error) == (3, error)
    assert "Alice" not in error and "Bob" not in error


def test_utf16_with_a_bom_reads_like_utf8(guard, tmp_path):
    path = tmp_path / "utf16.yaml"
    path.write_bytes((DATA / "comments.yaml").read_text(encoding="utf-8").encode("utf-16"))
    assert read_sections(path) == read_sections(DATA / "comments.yaml")


def test_control_characters_block_with_their_byte_offset(guard):
    decision = guard.check(b"ward: Box\x07moor\n", format="yaml")
    assert decision.files[0].error == ("byte 9: not valid YAML: control characters are not "
                                       "allowed; fix or remove that character")


@pytest.mark.parametrize("name", ["cases.yaml", "multi.yaml", "comments.yaml", "aliases.yaml",
                                  "as-written.yaml", "duplicate-keys.yaml"])
def test_the_pure_python_parser_reads_the_same(name, monkeypatch):
    import guardrail_yaml.source as source

    expected = read_sections(DATA / name)
    monkeypatch.setattr(source, "_Parser", source._PyParser)
    assert read_sections(DATA / name) == expected


def test_depth_limit(guard):
    decision = guard.check(b"a: {b: {c: [1]}}\n", format="yaml", limits=Limits(max_depth=3))
    assert decision.files[0].error == (
        "line 1, column 12: nesting of mappings and sequences exceeds the nesting depth limit "
        "of 3 levels; the payload is blocked. If it is genuine, raise the limit with "
        "--max-depth")
    decision = guard.check(b"x: &x {b: {c: 1}}\ny: [*x]\n", format="yaml",
                           limits=Limits(max_depth=3))
    assert decision.files[0].error == (
        "line 2, column 5: nesting through an alias exceeds the nesting depth limit of 3 "
        "levels; the payload is blocked. If it is genuine, raise the limit with --max-depth")


def test_record_size_limits(guard):
    limits = Limits(max_record_bytes=1000)
    line = b"- text: " + b"x" * 5000 + b"\n"
    assert guard.check(line, format="yaml", limits=limits).files[0].error == (
        "line 1, column 9: one scalar exceeds the record size limit of 1,000 bytes; the "
        "payload is blocked. If it is genuine, raise the limit with --max-record-size")
    aliased = b"a: &a " + b"x" * 600 + b"\nb: [*a, *a]\n"
    assert guard.check(aliased, format="yaml", limits=limits).files[0].error == (
        "line 1: one record (aliases expanded) exceeds the record size limit of 1,000 bytes; "
        "the payload is blocked. If it is genuine, raise the limit with --max-record-size")


def test_aliases_to_many_empty_values_count_towards_the_record_size(guard):
    text = ("a: &a [" + ", ".join(["~"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 200)
            + "]\n").encode()
    decision = guard.check(text, format="yaml", limits=Limits(max_record_bytes=100_000))
    assert decision.files[0].error == (
        "line 1: one record (aliases expanded) exceeds the record size limit of 100,000 "
        "bytes; the payload is blocked. If it is genuine, raise the limit with "
        "--max-record-size")


def test_a_huge_single_line_blocks_before_it_is_buffered(guard):
    limits = Limits(max_record_bytes=100_000)
    payload = b"- text: " + b"x " * 5_000_000  # 10 MB, no line break
    decision = guard.check(payload, format="yaml", limits=limits)
    assert decision.files[0].error == (
        "line 1: one line exceeds the record size limit of 100,000 bytes; the payload is "
        "blocked. If it is genuine, raise the limit with --max-record-size")


def test_file_size_limit(guard, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"- ward: Boxmoor\n" * 100)
    decision = guard.check(path, limits=Limits(max_file_bytes=1000))
    assert decision.exit_code == 3
    assert decision.files[0].error.startswith("the payload exceeds the file size limit of "
                                              "1,000 bytes")


def test_cli_exit_codes(tmp_path):
    def run(path: Path) -> int:
        return run_guardrail("check", "--policy", str(POLICY), str(path)).returncode

    clean = tmp_path / "clean.yml"
    clean.write_text("- ward: Boxmoor\n  month: 2026-01\n", encoding="utf-8")
    assert run(clean) == 0
    assert run(DATA / "cases.yaml") == 1
    assert run(DATA / "malformed.yaml") == 3
    # stdin has no name: the content is sniffed, and comments are found on a stream too
    piped = run_guardrail("check", "--policy", str(POLICY), "--report", "json", "-",
                          input=b"# call Alice Smith\n- ward: Boxmoor\n  month: 2026-01\n")
    assert piped.returncode == 1
    report = json.loads(piped.stdout)
    assert report["files"][0]["format"] == "yaml"
    assert [(f["section"], f["rule"], f["position"]) for f in report["findings"]] == [
        ("(comments)", "person.name", "line 1")]


# -- sniffing ----------------------------------------------------------------------------

@pytest.mark.parametrize("head, score", [
    (b"%YAML 1.2\n---\na: 1\n", 80),
    (b"---\nward: Boxmoor\ncount: 3\n", 60),
    (b"cases:\n  - ward: Boxmoor\n    month: 2026-01\n", 55),
    (b"# export\n- ward: Boxmoor  # west\n  text: |\n    Prose: with a colon\n    more\n", 55),
    (b'{"ward": "Boxmoor"}\n', 0),  # JSON is YAML too, but it is JSON's
    (b'[{"ward": "Boxmoor"}]', 0),
    (b'{"a": 1}\n{"a": 2}\n', 0),
    (b"name,ward\nAlice,Boxmoor\n", 0),
    (b"time,place\n10:30,Boxmoor\n", 0),
    (b"Residents complained about noise.\nThe council visited on Tuesday.\n", 0),
    (b"Subject: noise\nFrom: the council\n\nResidents complained on Tuesday.\n", 0),
    (b"---\ntitle: Notes\n---\n# Heading\n\nSome text\n", 0),  # Markdown front matter
    (b"<?xml version='1.0'?><a/>", 0),
    (b"ward: Boxmoor\n", 0),  # one line could be anything
])
def test_sniff(head, score):
    assert load_registry().format("yaml").sniff(head) == score


def test_detected_by_extension_and_by_content(guard):
    assert detect(b"---\ncases:\n  - ward: Boxmoor\n    name: Alice Smith\n") == "yaml"
    assert detect(b'[{"ward": "Boxmoor"}]') == "json"
    assert detect(b"name,ward\nAlice,Boxmoor\nBob,Adeyfield\n") == "csv"
    decision = guard.check(DATA / "cases.yaml")
    assert decision.files[0].format == "yaml"
    assert load_registry().format("yaml").extensions == (".yaml", ".yml")


# -- redaction ---------------------------------------------------------------------------

REDACT_POLICY = f"""
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {{name: redact-test, version: "1"}}
    extends: {POLICY}
    fields:
      - id: test.health
        name: [health]
        level: special-category
    destinations:
      public-web: {{max_level: public, actions: {{personal: redact, special-category: drop}}}}
    """


@pytest.fixture
def redacting(write_policy) -> Guardrail:
    return Guardrail.from_policy(write_policy(REDACT_POLICY))


def redact(guard: Guardrail, source: Path, tmp_path: Path, **kwargs: Any) -> str:
    out = tmp_path / f"redacted-{source.name}"
    result = guard.redact(source, out, format="yaml", **kwargs)
    assert result.decision.files[0].error is None
    assert result.written, result.reason
    assert result.verification is not None and result.verification.allowed
    return out.read_text(encoding="utf-8")


def test_redacted_copy_keeps_untouched_values_as_written(redacting, tmp_path):
    text = redact(redacting, DATA / "cases.yaml", tmp_path)
    assert text == (
        "cases:\n"
        "- month: 2026-01\n"
        "  ward: Boxmoor\n"
        "  outcome: NO\n"
        "  code: 0123\n"
        "  time: 1:30\n"
        "  text: Noise reported, caller ref [REDACTED]\n"
        "  phone: '[REDACTED]'\n"
        "- month: 2026-02\n"
        "  ward: \"Adeyfield # west\"\n"
        "  text: |\n"
        "    # heading, not a comment\n"
        "    Caller gave postcode [REDACTED]\n"
        "meta:\n"
        "  exported_by: '[REDACTED]'\n"
        "  count: 2\n")  # comments are not written: PyYAML keeps none
    original = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
    copy = yaml.safe_load(text)
    assert copy["cases"][0]["code"] == original["cases"][0]["code"] == 83  # plain 0123 as it was
    assert copy["cases"][0]["outcome"] is original["cases"][0]["outcome"] is False
    assert copy["cases"][1]["ward"] == original["cases"][1]["ward"]
    assert copy["meta"]["count"] == original["meta"]["count"] == 2
    before = [r for _, _, _, records in read_sections(DATA / "cases.yaml") for r, _ in records]
    after = [r for _, _, _, records in read_sections(text.encode()) for r, _ in records]
    assert after == [  # read back by this reader: every unchanged value exactly as it was
        {**before[0], "text": "Noise reported, caller ref [REDACTED]", "phone": "[REDACTED]"},
        {**before[1], "text": "# heading, not a comment\nCaller gave postcode [REDACTED]\n"},
        {"cases": [], "meta": {"exported_by": "[REDACTED]", "count": "2"}},
    ]  # and no comments


def test_redacted_copy_of_a_multi_document_stream(redacting, tmp_path):
    text = redact(redacting, DATA / "multi.yaml", tmp_path)
    documents = list(yaml.safe_load_all(text))
    assert documents == [
        [{"name": "[REDACTED]", "ward": "Boxmoor"},
         {"name": "[REDACTED]", "ward": "Adeyfield # west"}],
        {"cases": [{"email": "[REDACTED]"}], "meta": {"exported_by": "[REDACTED]"}},
        {"ward": "Boxmoor", "count": 3},
        "Residents near [REDACTED] complained",
        None,
    ]
    assert "{name: '[REDACTED]', ward: \"Adeyfield # west\"}" in text  # flow style kept


def test_redaction_drops_special_category_and_keeps_quoting(redacting, tmp_path):
    source = tmp_path / "people.yaml"
    source.write_text("- ward: Boxmoor\n  code: '0123'\n  health: asthma\n  name: Alice Smith\n"
                      "- ward: Adeyfield\n  code: \"0456\"\n  count: 5\n", encoding="utf-8")
    text = redact(redacting, source, tmp_path)
    assert text == ("- ward: Boxmoor\n  code: '0123'\n  name: '[REDACTED]'\n"
                    "- ward: Adeyfield\n  code: \"0456\"\n  count: 5\n")
    assert yaml.safe_load(text)[0]["code"] == "0123"


def test_redaction_through_aliases_duplicates_and_a_scalar_document(redacting, tmp_path):
    text = redact(redacting, DATA / "aliases.yaml", tmp_path)
    assert yaml.safe_load(text) == {
        "defaults": {"ward": "Boxmoor", "text": "Call [REDACTED]"},
        "people": [{"ward": "Boxmoor", "text": "Call [REDACTED]", "id": 1},  # << still merges
                   {"contact_name": "[REDACTED]", "ward": "[REDACTED]", "count": 3, "id": 3}]}
    assert text == (  # an unchanged anchored value keeps its anchor and its aliases
        "defaults:\n  ward: Boxmoor\n  text: Call [REDACTED]\n"
        "people:\n- <<:\n    ward: Boxmoor\n    text: Call [REDACTED]\n  id: 1\n"
        "- contact_name: '[REDACTED]'\n  ward: '[REDACTED]'\n  count: &n 3\n  id: *n\n")
    text = redact(redacting, DATA / "duplicate-keys.yaml", tmp_path)
    assert text == "name: '[REDACTED]'\nward: Boxmoor\nname: '[REDACTED]'\n"
    assert read_sections(text.encode())[0][3] == [
        ({"name": ["[REDACTED]", "[REDACTED]"], "ward": "Boxmoor"}, "line 1")]
    assert redact(redacting, DATA / "scalar.yaml", tmp_path) == \
        "Residents near [REDACTED] complained about noise\n"


def test_redaction_with_mask_and_hash_in_comments_and_nested_records(write_policy, tmp_path):
    policy = write_policy(f"""
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {{name: mask-hash, version: "1"}}
        extends: {POLICY}
        records: data.cases
        destinations:
          public-web: {{max_level: public, actions: {{personal: mask}}}}
        fields:
          - id: test.hashed
            name: [role]
            level: internal
        actions: {{internal: hash}}
        """)
    guard = Guardrail.from_policy(policy)
    text = redact(guard, DATA / "nested.yaml", tmp_path, hash_key=b"k" * 32)
    copy = yaml.safe_load(text)
    people = copy["data"]["cases"][0]["people"]
    assert people[0]["name"] == "A**** S****"
    assert people[0]["role"].startswith("hmac-sha256:") and len(people[0]["role"]) == 76
    assert people[1]["address"] == {"line1": "** A***** A*****", "postcode": "S*** ***"}
    assert copy["data"]["exported"] == "****-**-**"
    assert copy["other"] == [{"name": "C**** W****"}]
    assert copy["data"]["cases"][1] == {"id": 2, "people": []}


def test_redaction_with_a_query_selector(write_policy, tmp_path):
    policy = write_policy(REDACT_POLICY.replace(
        "destinations:", "records: \"data.cases[?id=='1']\"\n    destinations:"))
    text = redact(Guardrail.from_policy(policy), DATA / "nested.yaml", tmp_path)
    assert yaml.safe_load(text) == {"data": {"exported": "[REDACTED]", "cases": [
        {"id": 1, "people": [{"name": "[REDACTED]", "role": "[REDACTED]"},
                             {"name": "[REDACTED]", "address": {"line1": "[REDACTED]",
                                                                "postcode": "[REDACTED]"}}]},
        {"id": 2, "people": []}]}, "other": [{"name": "[REDACTED]"}]}


@pytest.mark.parametrize("text, expected", [
    (b"- ward: Boxmoor\n  id: 1\n- ward: Adeyfield\n  id: 2\n- ward: Boxmoor\n  id: 3\n",
     "- ward: Boxmoor\n  id: 1\n- ward: Boxmoor\n  id: 3\n"),
    (b"meta: {month: 2026-01}\ncases:\n- ward: Boxmoor\n  id: 1\n- ward: Adeyfield\n  id: 2\n"
     b"tail: {count: 1}\n",
     "meta: {month: 2026-01}\ncases:\n- ward: Boxmoor\n  id: 1\ntail: {count: 1}\n"),
    (b"ward: Adeyfield\nid: 2\n---\nward: Boxmoor\n", "ward: Boxmoor\n"),
])
def test_redaction_drops_whole_records(write_policy, tmp_path, text, expected):
    policy = write_policy(REDACT_POLICY + """
    rules:
      - id: test.withdrawn
        when: "ward == 'Adeyfield'"
        level: special-category
        fields: ["@"]
    """)
    source = tmp_path / "cases.yaml"
    source.write_bytes(text)
    assert redact(Guardrail.from_policy(policy), source, tmp_path) == expected


def test_redaction_applies_record_rules_to_numbers_written_as_text(write_policy, tmp_path):
    policy = write_policy(REDACT_POLICY + """
    rules:
      - id: test.small_count
        when: "count < `5`"
        level: personal
        fields: [count]
    """)
    source = tmp_path / "counts.yaml"
    source.write_text("- {ward: Boxmoor, count: 3}\n- {ward: Adeyfield, count: 12}\n",
                      encoding="utf-8")
    assert redact(Guardrail.from_policy(policy), source, tmp_path) == (
        "- {ward: Boxmoor, count: '[REDACTED]'}\n- {ward: Adeyfield, count: 12}\n")


def test_redaction_writes_nothing_when_an_action_is_block(guard, tmp_path):
    out = tmp_path / "copy.yaml"
    result = guard.redact(DATA / "cases.yaml", out)
    assert (result.written, out.exists(), result.exit_code) == (False, False, 1)


@pytest.mark.parametrize("text, expected", [
    (b"- text: !<tag:jane.smith@example.com> x\n- !case {ward: Boxmoor}\n",
     "- text: x\n- !case {ward: Boxmoor}\n"),  # a tag with no personal data is kept
    (b"%TAG !e! tag:jane.smith@example.com,2000:\n---\n- text: !e!x ok\n"
     b"- !e!y {ward: Boxmoor}\n",
     "- text: ok\n- {ward: Boxmoor}\n"),
    # the prefix holds a phone number; the tags it expands to (one more digit) do not
    (b"%TAG !e! tag:07700900123\n---\nward: !e!4 Boxmoor\ncount: !e!5 [3]\n",
     "ward: Boxmoor\ncount: [3]\n"),
    (b"cases: !<tag:example.com,2000:Jane_Smith>\n- &AB123456C {ward: Boxmoor}\n"
     b"- *AB123456C\nmonth: !<tag:example.com,2000:Jane_Smith> '0123'\n",
     "cases:\n- &a {ward: Boxmoor}\n- *a\nmonth: '0123'\n"),
])
def test_redaction_leaves_out_tags_and_anchor_names_with_personal_data(
        redacting, tmp_path, text, expected):
    source = tmp_path / "tagged.yaml"
    source.write_bytes(text)
    assert redact(redacting, source, tmp_path) == expected


def test_items_written_one_by_one_wait_for_their_tags(redacting, tmp_path, monkeypatch):
    import io

    import guardrail_yaml.layout as layout

    monkeypatch.setattr(layout, "_HOLD_TAGGED", 0)  # tags handed on after every item
    text = (b"--- !<tag:example.com,2000:Jane_Smith>\n- {ward: Boxmoor, id: 1}\n"
            b"- &AB123456C {ward: North, id: 2}\n- *AB123456C\n- !case {ward: South, id: 3}\n"
            b"- {ward: West, id: 4}\n")
    sections = read_sections(text)
    assert [(name, first, len(records)) for name, _, first, records in sections] == [
        ("(tags)", 0, 1), (None, 0, 2), ("(tags)", 0, 1), (None, 2, 2), ("(tags)", 0, 1),
        (None, 4, 1)]
    recorder, out = _Recording(), io.BytesIO()
    load_registry().format("yaml").redact(Payload(text), ReadOptions(), recorder, out)
    assert recorder.seen == [(n, i, f, [r for r, _ in records])
                             for n, i, f, records in sections]
    assert out.getvalue() == text[4:]  # nothing changed: every tag and anchor kept, in order
    source = tmp_path / "tagged.yaml"
    source.write_bytes(text)
    assert redact(redacting, source, tmp_path) == (
        "- {ward: Boxmoor, id: 1}\n- &a {ward: North, id: 2}\n- *a\n"
        "- !case {ward: South, id: 3}\n- {ward: West, id: 4}\n")


class _Recording:
    """A redactor that changes nothing and notes what it was handed."""

    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def documents(self, *, section=None, first_index=0, index=True, typed=True, keep_dropped=False):
        records: list[Any] = []
        self.seen.append((section, index, first_index, records))

        class _Section:
            def record(self, record):
                records.append(record)
                return record

        return _Section()

    def table(self, *args, **kwargs):
        raise AssertionError("YAML has no tables")


@pytest.mark.parametrize("name", ["cases.yaml", "multi.yaml", "aliases.yaml", "comments.yaml",
                                  "as-written.yaml", "duplicate-keys.yaml", "nested.yaml",
                                  "scalar.yaml", "only-comments.yaml", "empty.yaml"])
def test_redact_hands_over_exactly_what_read_yields(name):
    import io
    fmt = load_registry().format("yaml")
    recorder = _Recording()
    out = io.BytesIO()
    fmt.redact(Payload(DATA / name), ReadOptions(), recorder, out)
    assert recorder.seen == [(n, i, f, [r for r, _ in records])
                             for n, i, f, records in read_sections(DATA / name)]
    original = list(yaml.safe_load_all((DATA / name).read_text(encoding="utf-8")))
    assert list(yaml.safe_load_all(out.getvalue().decode("utf-8"))) == original


@pytest.mark.parametrize("name", ["cases.yaml", "multi.yaml", "aliases.yaml", "as-written.yaml"])
def test_the_pure_python_emitter_writes_the_same_documents(name, monkeypatch):
    import io

    import guardrail_yaml.writer as writer

    monkeypatch.setattr(writer, "_Dumper", yaml.SafeDumper)
    out = io.BytesIO()
    load_registry().format("yaml").redact(Payload(DATA / name), ReadOptions(), _Recording(), out)
    assert list(yaml.safe_load_all(out.getvalue().decode("utf-8"))) == \
        list(yaml.safe_load_all((DATA / name).read_text(encoding="utf-8")))
