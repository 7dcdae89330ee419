"""The XML format: records, field paths, positions, hostile input, limits and redaction."""

from __future__ import annotations

import http.server
import resource
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest
from guardrail_xml.walk import Walk
from helpers import findings

from guardrail import Documents, Guardrail, Payload, ReadOptions
from guardrail.contract.protocols import Limits
from guardrail.host.registry import load_registry

REDACT_POLICY = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {{name: redact-test, version: "1"}}
    extends: uk-personal-data
    fields:
      - {{id: test.public, name: [ref, id, generated, title, count, flag], level: public}}
    destinations:
      public-web: {{max_level: public, actions: {{personal: {personal}, special-category: drop}}}}
"""


@pytest.fixture
def policy_with(write_policy):
    """The shipped UK policy with ref/id/... public and *personal* as the action for personal."""
    def make(personal: str) -> Guardrail:
        return Guardrail.from_policy(write_policy(REDACT_POLICY.format(personal=personal)))
    return make


def sections(data: bytes | Path, limits: Limits | None = None) -> list[tuple]:
    """(name, index, records) of every section the reader yields, records materialised."""
    fmt = load_registry().format("xml")
    options = ReadOptions(limits=limits or Limits())
    out = []
    for section in fmt.read(Payload(data), options):
        assert isinstance(section, Documents)
        out.append((section.name, section.index, list(section.records)))
    return out


def error(decision) -> tuple[int, str | None]:
    return decision.exit_code, decision.files[0].error


# -- records and field paths ---------------------------------------------------------------

CASES = b"""<?xml version="1.0" encoding="UTF-8"?>
<cases>
  <case>
    <text>Noise from a party</text>
  </case>
  <case>
    <text>Complaint by John Smith of 10 Downing Street</text>
  </case>
</cases>
"""


def test_repeated_children_of_the_root_are_the_records(uk):
    decision = uk.check(CASES, format="xml")
    assert decision.exit_code == 1
    assert [(f.format, f.records) for f in decision.files] == [("xml", 2)]
    # one value, one finding: person.name decides, the address rides along
    assert findings(decision) == [
        ("/cases/case", 1, "text", "person.name", "J*** S****", "line 6"),
    ]
    assert [f.also for f in decision.findings] == [("uk.street_address",)]


def test_clean_records_are_allowed(uk):
    decision = uk.check(b"<cases><case><text>Noise</text></case><case><text>Litter</text>"
                        b"</case></cases>", format="xml")
    assert (decision.exit_code, decision.allowed, decision.files[0].records) == (0, True, 2)
    assert decision.findings == []


EXPORT = b"""<?xml version="1.0"?>
<export generated="2024-05-01">
  <!-- nightly export for John Smith -->
  <header><title>ASB cases</title></header>
  <cases>
    <case ref="A1">
      <name>Jane Doe</name>
      <phone>07700 900123</phone>
      <phone>07700 900124</phone>
      <address><line>1 High Street</line><postcode>SW1A 1AA</postcode></address>
    </case>
    <case ref="A2"><text>Seen by <b>Jane Doe</b> on Monday</text></case>
  </cases>
</export>
"""


def test_records_under_a_wrapper_and_the_rest_as_the_document():
    assert sections(EXPORT) == [
        ("/export/cases/case", True, [
            {"@ref": "A1", "name": "Jane Doe", "phone": ["07700 900123", "07700 900124"],
             "address": {"line": "1 High Street", "postcode": "SW1A 1AA"}},
            {"@ref": "A2", "text": {"#text": ["Seen by ", " on Monday"], "b": "Jane Doe"}},
        ]),
        ("(document)", False, [
            {"export": {"@generated": "2024-05-01",
                        "<!--text-->": " nightly export for John Smith ",
                        "header": {"title": "ASB cases"}, "cases": {}}},
        ]),
    ]


def test_attributes_repeated_children_nested_elements_and_mixed_content(uk):
    decision = uk.check(EXPORT, format="xml")
    assert findings(decision) == [
        # attribute names are plain identifiers, shown as the reader marks them
        ("/export/cases/case", 0, '"@ref"', "field.unclassified", "A*", "line 6"),
        ("/export/cases/case", 0, "name", "uk.field.person_name", "J*** D**", "line 6"),
        ("/export/cases/case", 0, "phone[0]", "uk.field.contact", "***** ******", "line 6"),
        ("/export/cases/case", 0, "phone[1]", "uk.field.contact", "***** ******", "line 6"),
        ("/export/cases/case", 0, "address.line", "uk.field.address", "* H*** S*****", "line 6"),
        ("/export/cases/case", 0, "address.postcode", "uk.field.address", "SW1A ***", "line 6"),
        ("/export/cases/case", 1, '"@ref"', "field.unclassified", "A*", "line 12"),
        # mixed content inside public prose ("text") is prose too; detectors judge it
        ("/export/cases/case", 1, "text.b", "person.name", "J*** D**", "line 12"),
        ("(document)", None, 'export."@generated"', "field.unclassified", "****-**-**", "line 2"),
        ("(document)", None, 'export."<!--text-->"', "person.name", "J*** S****", "line 2"),
        ("(document)", None, "export.header.title", "field.unclassified", "A** c****", "line 2"),
    ]
    # the detectors that matched the same values ride along on the field rules' findings
    assert [(f.field, f.also) for f in decision.findings if f.also] == [
        ("name", ("person.name",)), ("phone[0]", ("uk.phone",)), ("phone[1]", ("uk.phone",)),
        ("address.line", ("uk.street_address",)), ("address.postcode", ("uk.postcode",))]


def test_records_with_repeated_children_are_not_taken_for_a_wrapper():
    data = (b"<cases><case><phone>1</phone><phone>2</phone><phone>3</phone></case>"
            b"<case><phone>4</phone></case></cases>")
    assert sections(data)[0] == ("/cases/case", True, [{"phone": ["1", "2", "3"]},
                                                        {"phone": "4"}])


def test_other_elements_between_records_stay_in_the_document():
    data = b"<log><entry>a</entry><note>n1</note><entry>b</entry>tail<entry>c</entry></log>"
    assert sections(data) == [
        ("/log/entry", True, [{"entry": "a"}, {"entry": "b"}, {"entry": "c"}]),
        ("(document)", False, [{"log": {"note": "n1", "#text": "tail"}}]),
    ]


def test_a_single_child_of_the_root_is_one_record():
    assert sections(b"<cases><case id='7'><text>x</text></case></cases>") == [
        ("/cases/*", True, [{"@id": "7", "text": "x"}]),
        ("(document)", False, [{"cases": {}}]),
    ]


def test_namespaces_give_local_names_and_colliding_attributes_keep_their_prefix(uk):
    data = b"""<?xml version="1.0"?>
<p:people xmlns:p="urn:example:people" xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:default">
  <p:person a:id="1" b:id="2" xml:lang="en"><p:name>John Smith</p:name></p:person>
  <p:person><name>Jane Doe</name></p:person>
</p:people>"""
    assert sections(data)[0] == ("/people/person", True, [
        {"@a:id": "1", "@b:id": "2", "@lang": "en", "name": "John Smith"},
        {"name": "Jane Doe"},
    ])
    decision = uk.check(data, format="xml")
    # no rule names the attributes: reports number them, still one per distinct key
    assert findings(decision) == [
        ("/people/person", 0, '"@a:id"', "field.unclassified", "*", "line 3"),
        ("/people/person", 0, '"@b:id"', "field.unclassified", "*", "line 3"),
        ("/people/person", 0, '"@lang"', "field.unclassified", "e*", "line 3"),
        ("/people/person", 0, "name", "uk.field.person_name", "J*** S****", "line 3"),
        ("/people/person", 1, "name", "uk.field.person_name", "J*** D**", "line 4"),
    ]
    assert [f.also for f in decision.findings] == [
        (), (), (), ("person.name",), ("person.name",)]


def test_cdata_is_text(uk):
    data = b"<r><c><text><![CDATA[<b>Call 07700 900123</b>]]></text></c><c/></r>"
    assert sections(data)[0] == ("/r/c", True, [{"text": "<b>Call 07700 900123</b>"},
                                                 {"c": None}])
    assert findings(uk.check(data, format="xml")) == [
        ("/r/c", 0, "text", "uk.phone", "***** ******", "line 1")]


def test_comments_and_processing_instructions_inside_records_are_checked(uk):
    data = b"""<cases>
  <case><text>Quiet</text><!-- email zq@example.org --><!--   --></case>
  <case><text>Quiet</text><?audit by John Smith?></case>
</cases>"""
    assert sections(data)[0] == ("/cases/case", True, [
        {"text": "Quiet", "<!--text-->": " email zq@example.org "},
        {"text": "Quiet", "?audit": "by John Smith"},
    ])
    decision = uk.check(data, format="xml")
    assert findings(decision) == [
        ("/cases/case", 0, '"<!--text-->"', "email", "z***@e******.o**", "line 2"),
        # "?audit" is named by no rule: the name found in the instruction rides along
        # on the unclassified field's finding
        ("/cases/case", 1, '"?audit"', "field.unclassified", "b* J*** S****", "line 3"),
    ]
    assert [f.also for f in decision.findings] == [(), ("person.name",)]


def test_comments_outside_the_root_are_in_the_document(uk):
    data = b"<!-- by John Smith --><cases><case><text>x</text></case></cases><!-- end -->"
    assert sections(data)[1] == ("(document)", False, [
        {"<!--text-->": [" by John Smith ", " end "], "cases": {}}])
    assert findings(uk.check(data, format="xml")) == [
        ("(document)", None, '"<!--text-->"[0]', "person.name", "J*** S****", "line 1")]


def test_whitespace_only_text_is_not_a_field():
    data = b"<r>\n  <c>\n    <a>  </a>\n    <b/>\n  </c>\n  <c>\t</c>\n</r>"
    assert sections(data)[0] == ("/r/c", True, [{"a": None, "b": None}, {"c": None}])


@pytest.mark.parametrize("data", [b"", b"  \n\t\n", b"\xef\xbb\xbf\n"])
def test_empty_payload_has_no_sections_and_is_allowed(uk, data):
    assert sections(data) == []
    decision = uk.check(data, format="xml")
    assert (decision.exit_code, decision.files[0].records, decision.findings) == (0, 0, [])


def test_root_alone_has_no_records_and_is_allowed(uk):
    assert sections(b"<cases/>") == [("/cases/*", True, []), ("(document)", False,
                                                               [{"cases": None}])]
    decision = uk.check(b'<?xml version="1.0"?>\n<cases/>\n', format="xml")
    assert (decision.exit_code, decision.files[0].records, decision.findings) == (0, 0, [])


def test_root_attributes_are_checked(uk):
    decision = uk.check(b'<cases owner="John Smith"/>', format="xml")
    assert findings(decision) == [
        ("(document)", None, 'cases."@owner"', "field.unclassified", "J*** S****", "line 1"),
    ]
    assert [f.also for f in decision.findings] == [("person.name",)]


# -- detection -------------------------------------------------------------------------

@pytest.mark.parametrize(("head", "score"), [
    (b'<?xml version="1.0"?><a/>', 90),
    (b"\xef\xbb\xbf<?xml version='1.0'?><a/>", 90),
    ('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"), 90),
    (b"\n<!-- export --><cases><case/></cases>", 70),
    (b"<cases><case/></cases>", 70),
    (b"<!DOCTYPE html><html><body>x</body></html>", 5),
    (b"<html lang='en'><p>x</p></html>", 5),
    (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>', 5),
    (b"<body>x</body>", 5),
    (b"<r><c><![CDATA[<html>]]></c><c>&lt;html&gt;</c></r>", 70),
    (b'<?xml version="1.0"?>\n<!-- x --><?pi?>\n<r/>', 90),
    (b'{"a": 1}', 0),
    (b"a,b\n1,2\n", 0),
    (b"< not xml", 0),
])
def test_sniff_scores(head, score):
    assert load_registry().format("xml").sniff(head) == score


def test_xml_is_detected_by_content_and_by_extension(tmp_path):
    registry = load_registry()
    detect = registry.pm.hook.guardrail_detect_format
    assert detect(payload=Payload(CASES), formats=registry.formats) == "xml"
    path = tmp_path / "cases.xml"
    path.write_bytes(b"<cases/>")
    assert detect(payload=Payload(path), formats=registry.formats) == "xml"


# -- encodings -----------------------------------------------------------------------------

def test_declared_latin1_is_decoded(uk):
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><r><c><name>Zoë Smith</name></c></r>'
    assert sections(data.encode("latin-1"))[0] == ("/r/*", True, [{"name": "Zoë Smith"}])


def test_utf16_with_a_byte_order_mark_is_decoded():
    data = '<?xml version="1.0" encoding="UTF-16"?><r><c><name>Zoë</name></c></r>'
    assert sections(data.encode("utf-16"))[0] == ("/r/*", True, [{"name": "Zoë"}])


def test_encoding_named_by_the_caller(uk):
    data = "<r><c><text>café</text></c></r>".encode("cp1252")
    decision = uk.check(data, format="xml", encoding="cp1252")
    assert (decision.exit_code, decision.files[0].error) == (0, None)


def test_undecodable_file_names_line_column_and_byte_offset(uk, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(b"<r>\n<c><text>caf\xe9 Smith</text></c></r>")
    assert error(uk.check(path)) == (
        3, "line 2, column 13, byte 16: content is not valid UTF-8 text; fix the XML "
           "declaration, pass --encoding with the right encoding or fix the export")


def test_undecodable_stream_names_line_and_column(uk):
    assert error(uk.check(b"<r>\n<c><text>caf\xe9</text></c></r>", format="xml")) == (
        3, "line 2, column 13: content is not valid UTF-8 text; fix the XML declaration, "
           "pass --encoding with the right encoding or fix the export")


def test_wrong_encoding_declared_blocks(uk):
    data = '<?xml version="1.0" encoding="UTF-16"?><r><c>café</c></r>'.encode("latin-1")
    assert error(uk.check(data, format="xml")) == (
        3, "line 1: the XML declaration says the text is UTF-16, but the bytes are single-byte "
           "text with no byte order mark; fix the declaration or pass --encoding with the real "
           "encoding")


def test_unknown_declared_encoding_blocks(uk):
    data = b'<?xml version="1.0" encoding="klingon-8"?><r/>'
    assert error(uk.check(data, format="xml")) == (
        3, "line 1, column 41: the XML declaration names an encoding that is not supported; "
           "fix the declaration or pass --encoding")


# -- malformed input ---------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "message"), [
    (b"<r>\n  <c>\n    <a>1</b>\n  </c>\n</r>",
     "line 3, column 13: not well-formed XML (tag name mismatch)"),
    (b"<r>\n<c>1</c>\n", "line 3, column 1: not well-formed XML (tag not finished)"),
    (b"<r><c a='1' a='2'/></r>", "line 1, column 18: not well-formed XML (attribute redefined)"),
    (b"<r>&nbsp;</r>", "line 1, column 10: not well-formed XML (undeclared entity)"),
    (b"<r>\x01</r>", "line 1, column 4: not well-formed XML (invalid char)"),
    (b'<?xml version="1.0"?>\n', "line 2, column 1: not well-formed XML (document empty)"),
    (b"<r/><r/>", "line 1, column 5: not well-formed XML (document end)"),
])
def test_malformed_xml_names_line_and_column(uk, data, message):
    assert error(uk.check(data, format="xml")) == (
        3, f"{message}; fix the export or check that it is XML")


def test_malformed_xml_message_never_quotes_content(uk):
    decision = uk.check(b"<r><JohnSmith>x</JaneDoe></r>", format="xml")
    assert decision.exit_code == 3
    assert "John" not in decision.files[0].error and "Jane" not in decision.files[0].error


def test_cli_exit_codes(tmp_path):
    from click.testing import CliRunner

    from guardrail.cli import cli

    clean, leaky, broken = (tmp_path / f"{n}.xml" for n in ("clean", "leaky", "broken"))
    clean.write_bytes(b"<cases><case><text>Noise</text></case></cases>")
    leaky.write_bytes(b"<cases><case><name>John Smith</name></case></cases>")
    broken.write_bytes(b"<cases><case></cases>")
    runner = CliRunner()
    codes = [runner.invoke(cli, ["check", "--policy", "uk-personal-data", str(p)]).exit_code
             for p in (clean, leaky, broken)]
    assert codes == [0, 1, 3]


# -- hostile input -------------------------------------------------------------------------

def _billion_laughs(where: str) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    body = "<lolz>&lol9;</lolz>" if where == "text" else '<lolz a="&lol9;"/>'
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>{body}'.encode()


@pytest.mark.parametrize(("where", "message"), [
    ("text", "the document declares entities in its DTD; guardrail never expands entities, "
             "which can hide data or expand without bound. Remove the DOCTYPE from the export"),
    # libxml2 refuses the amplification while reading the root's start tag, before the
    # DOCTYPE check can run
    ("attribute", "line 1, column 758: the document's entities expand without bound; the "
                  "payload is blocked. Remove the DOCTYPE from the export"),
])
def test_billion_laughs_blocks_with_bounded_memory(uk, where, message):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    decision = uk.check(_billion_laughs(where), format="xml")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB
    assert error(decision) == (3, message)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.requests.append(self.path)
        body = b'<!ENTITY secret "Zebedee Quatermass">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A local HTTP server that records every request made to it."""
    _Recorder.requests = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


EXTERNAL = ("the document refers to an external DTD or entity; guardrail never fetches them "
            "(no network, no local files). Remove the DOCTYPE from the export")


def test_external_entity_file_is_never_read(uk, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Zebedee Quatermass, 07700 900999")
    passwd = Path("/etc/passwd").read_text().splitlines()
    for target in ("file:///etc/passwd", secret.as_uri()):
        data = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{target}">]>'
                f"<r><c><text>&x;</text></c><c><text>&x;</text></c></r>").encode()
        decision = uk.check(data, format="xml")
        assert error(decision) == (3, EXTERNAL)
        assert decision.findings == [] and decision.files[0].records == 0
        everything = repr(decision)
        assert "Zebedee" not in everything and "900999" not in everything
        assert not any(line and line in everything for line in passwd)


def test_external_entity_and_dtd_urls_are_never_fetched(uk, server):
    documents = [
        f'<!DOCTYPE r SYSTEM "{server}/cases.dtd"><r><c>&secret;</c></r>',
        f'<!DOCTYPE r PUBLIC "-//Example//DTD Cases//EN" "{server}/public.dtd"><r/>',
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{server}/entity">]><r><c>&x;</c></r>',
        f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{server}/param"> %p;]><r/>',
    ]
    for data in documents:
        decision = uk.check(data.encode(), format="xml")
        assert error(decision) == (3, EXTERNAL), data
    assert _Recorder.requests == []


def test_internal_entities_and_any_doctype_block(uk):
    declared = uk.check(b'<!DOCTYPE r [<!ENTITY n "John Smith">]><r><c>&n;</c></r>',
                        format="xml")
    assert error(declared) == (3, "the document declares entities in its DTD; guardrail "
                               "never expands entities, which can hide data or expand without "
                               "bound. Remove the DOCTYPE from the export")
    assert "John" not in repr(declared)
    bare = uk.check(b"<!DOCTYPE r><r/>", format="xml")
    assert error(bare) == (3, "the document has a DOCTYPE declaration; guardrail does not read "
                           "DTDs, which can hide data. Remove the DOCTYPE from the export")


def test_doctype_after_the_first_megabyte_still_blocks_before_any_record(uk):
    # the records are chosen from the first megabyte, which here is all comment: the
    # streaming parser's own check must refuse the DOCTYPE before the first record
    data = (b"<!--" + b"x" * 1_100_000 + b"-->"
            b'<!DOCTYPE r [<!ENTITY n "John Smith">]><r><c>&n;</c><c>x</c></r>')
    decision = uk.check(data, format="xml")
    assert error(decision) == (3, "the document declares entities in its DTD; guardrail "
                               "never expands entities, which can hide data or expand without "
                               "bound. Remove the DOCTYPE from the export")
    assert (decision.files[0].records, decision.findings) == (0, [])


# -- limits ------------------------------------------------------------------------------------

def test_nesting_beyond_the_parser_limit_blocks(uk):
    data = b"<a>" * 300 + b"</a>" * 300
    assert error(uk.check(data, format="xml")) == (
        3, "line 1, column 771: the element nesting exceeds the nesting depth limit of 256 "
           "levels; the payload is blocked. If it is genuine, raise the limit with --max-depth")


def test_nesting_beyond_max_depth_blocks_naming_the_line(uk):
    data = b"<r>\n<c>\n<text><b><i>x</i></b></text>\n</c>\n<c/>\n</r>"  # i is 5 deep
    assert error(uk.check(data, format="xml", limits=Limits(max_depth=4))) == (
        3, "line 3: the element nesting exceeds the nesting depth limit of 4 levels; the "
           "payload is blocked. If it is genuine, raise the limit with --max-depth")
    assert error(uk.check(data, format="xml", limits=Limits(max_depth=5))) == (0, None)


def test_record_over_max_record_bytes_blocks_naming_its_line(uk):
    data = b"<r>\n<c><text>short</text></c>\n<c><text>" + b"x" * 200 + b"</text></c>\n</r>"
    assert error(uk.check(data, format="xml", limits=Limits(max_record_bytes=150))) == (
        3, "line 3: text in one record exceeds the record size limit of 150 bytes; the payload "
           "is blocked. If it is genuine, raise the limit with --max-record-size")


def test_document_outside_records_over_max_record_bytes_blocks(uk):
    data = b'<r note="' + b"x" * 200 + b'"><c>1</c><c>2</c></r>'
    assert error(uk.check(data, format="xml", limits=Limits(max_record_bytes=150))) == (
        3, "line 1: the document outside its records exceeds the record size limit of 150 "
           "bytes; the payload is blocked. If it is genuine, raise the limit with "
           "--max-record-size")


def test_huge_text_node_blocks_without_huge_tree(uk):
    data = b"<r><c><text>" + b"x" * 10_000_001 + b"</text></c></r>"
    code, message = error(uk.check(data, format="xml"))
    assert code == 3
    assert message.startswith("line 1, column ")
    assert message.endswith(": a text node or attribute value is larger than 10,000,000 "
                            "bytes, the XML parser's fixed limit; the payload is blocked")


def test_file_over_max_file_bytes_blocks(uk):
    data = b"<r>" + b"<c>x</c>" * 100 + b"</r>"
    code, message = error(uk.check(data, format="xml", limits=Limits(max_file_bytes=500)))
    assert code == 3
    assert "exceeds the file size limit of 500 bytes" in message


def test_records_are_removed_from_the_tree_as_they_stream():
    record = b"<c><text>x</text></c>\n"
    data = b"<r>" + record * 20_000 + b"<tail/></r>"
    walk = Walk(Payload(data), ReadOptions())
    seen = most = 0
    for element, run in walk.records():
        seen += 1
        assert run == 0
        most = max(most, len(element.getparent()))
    root = walk.finish()
    assert seen == 20_000
    # the tree holds at most the records of one 64 KiB chunk (and the placeholder)
    assert most <= 65536 // len(record) + 4
    assert [child.tag for child in root][1:] == ["tail"]


# -- redaction ---------------------------------------------------------------------------------

def _redact(guard: Guardrail, source: bytes, tmp_path: Path, **options) -> tuple[object, str]:
    path = tmp_path / "in.xml"
    path.write_bytes(source)
    out = tmp_path / "out.xml"
    result = guard.redact(path, out, **options)
    return result, out.read_text(encoding="utf-8") if out.exists() else ""


def _round_trip(guard: Guardrail, out: str) -> None:
    """The copy passes the policy it was made for and parses with the standard library."""
    assert guard.check(out.encode(), format="xml").exit_code == 0
    ElementTree.fromstring(out.encode())
    assert sections(out.encode())


REDACTABLE = """<?xml version="1.0" encoding="UTF-8"?>
<!-- nightly export -->
<export generated="2024-05-01" xmlns="urn:example:export" xmlns:p="urn:example:people">
  <header><title>ASB cases</title></header>
  <cases count="3">
    <case ref="A1">
      <p:name>John Smith</p:name>
      <text>Noise near <![CDATA[SW1A 1AA]]> at night</text>
      <health>asthma</health>
      <!-- call 07700 900123 -->
    </case>
    <case ref="A2"><text>Quiet <![CDATA[<no names>]]></text></case>
    <case ref="A3">
      <phone>07700 900456</phone>
      <phone>none</phone>
    </case>
  </cases>
</export>
"""


def test_redacted_copy_changes_only_offending_values(policy_with, tmp_path):
    guard = policy_with("redact")
    result, out = _redact(guard, REDACTABLE.encode(), tmp_path)
    assert result.written and result.changed == 6
    assert out == """<?xml version="1.0" encoding="UTF-8"?>
<!-- nightly export -->
<export xmlns="urn:example:export" xmlns:p="urn:example:people" generated="2024-05-01">
  <header><title>ASB cases</title></header>
  <cases count="3">
    <case ref="A1">
      <p:name>[REDACTED]</p:name>
      <text>Noise near [REDACTED] at night</text>
      <!-- call [REDACTED] -->
    </case>
    <case ref="A2"><text>Quiet <![CDATA[<no names>]]></text></case>
    <case ref="A3">
      <phone>[REDACTED]</phone>
      <phone>[REDACTED]</phone>
    </case>
  </cases>
</export>
"""
    _round_trip(guard, out)
    assert sections(out.encode())[0] == ("/export/cases/case", True, [
        {"@ref": "A1", "name": "[REDACTED]", "text": "Noise near [REDACTED] at night",
         "<!--text-->": " call [REDACTED] "},
        {"@ref": "A2", "text": "Quiet <no names>"},
        {"@ref": "A3", "phone": ["[REDACTED]", "[REDACTED]"]},
    ])


def test_masked_and_hashed_copies(policy_with, tmp_path):
    source = b"<cases><case><name>John Smith</name></case><case><name>Jane Doe</name></case>" \
             b"</cases>"
    _, masked = _redact(policy_with("mask"), source, tmp_path)
    assert masked == ("<cases><case><name>J*** S****</name></case><case><name>J*** D**</name>"
                      "</case></cases>\n")
    guard = policy_with("hash")
    _, hashed = _redact(guard, source, tmp_path, hash_key=b"k")
    names = [e.text for e in ElementTree.fromstring(hashed).iter("name")]
    assert [n.startswith("hmac-sha256:") and len(n) == 76 for n in names] == [True, True]
    _, again = _redact(guard, source, tmp_path, hash_key=b"k")
    assert again == hashed
    _round_trip(guard, hashed)


def test_dropped_fields_remove_elements_attributes_and_comments(policy_with, tmp_path):
    source = b"""<!-- by John Smith -->
<cases>
  <case email="zq@example.org" ref="1">
    <name>John Smith</name>
    <text>Quiet</text>
    <!-- John Smith again -->
  </case>
  <case ref="2">Seen <b>here</b> by Jane Doe.<phone>07700 900456</phone></case>
</cases>
"""
    guard = policy_with("drop")
    result, out = _redact(guard, source, tmp_path)
    assert result.written
    # <b> is an unclassified field, so it is dropped as personal too
    assert out == """<cases>
  <case ref="1">
    <text>Quiet</text>
    </case>
  <case ref="2">Seen </case>
</cases>
"""
    _round_trip(guard, out)


def test_one_dropped_item_of_a_repeated_element(policy_with, tmp_path):
    source = b"<cases><case><text>one</text><text>call 07700 900456</text><text>three</text>" \
             b"</case><case><text>four</text></case></cases>"
    guard = policy_with("drop")
    _, out = _redact(guard, source, tmp_path)
    assert out == ("<cases><case><text>one</text><text>three</text></case>"
                   "<case><text>four</text></case></cases>\n")
    _round_trip(guard, out)


def test_text_between_records_is_kept_and_text_only_records_redacted(policy_with, tmp_path):
    source = b"<log>\n  <entry><name>John Smith</name></entry>\n  <entry>ok</entry>\n" \
             b"  middle text\n  <entry><text>x</text></entry>\n</log>"
    guard = policy_with("drop")
    result, out = _redact(guard, source, tmp_path)
    # <entry>ok</entry> is the record {"entry": "ok"}: an unclassified field, dropped
    assert out == ("<log>\n  <entry/>\n  <entry/>\n  middle text\n"
                   "  <entry><text>x</text></entry>\n</log>\n")
    assert result.written
    _round_trip(guard, out)


def test_whole_record_dropped_by_a_record_rule(write_policy, tmp_path):
    guard = Guardrail.from_policy(write_policy(REDACT_POLICY.format(personal="redact") + """\
    rules:
      - {id: test.sealed, when: "flag == 'sealed'", level: special-category, fields: ['@']}
    """))
    source = (b"<cases>\n  <case><flag>open</flag><text>a</text></case>\n"
              b"  <case><flag>sealed</flag><text>b</text></case>\n"
              b"  <case><flag>open</flag><text>c</text></case>\n</cases>\n")
    result, out = _redact(guard, source, tmp_path)
    assert result.written
    assert out == ("<cases>\n  <case><flag>open</flag><text>a</text></case>\n"
                   "  <case><flag>open</flag><text>c</text></case>\n</cases>\n")
    _round_trip(guard, out)


def test_unchanged_records_are_copied_as_they_were(policy_with, tmp_path):
    source = (b'<?xml version="1.0" standalone="yes"?>\n<?xml-stylesheet href="s.xsl"?>\n'
              b'<cases xmlns:x="urn:x">\n  <case ref="1"><text>Noise</text></case>\n'
              b'  <case ref="2"><x:text>Litter</x:text></case>\n</cases>\n')
    guard = policy_with("redact")
    result, out = _redact(guard, source, tmp_path)
    # the stylesheet instruction is an unclassified field: the only change
    assert result.written and result.changed == 1
    assert out.encode() == (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b"<?xml-stylesheet [REDACTED]?>\n"
        b'<cases xmlns:x="urn:x">\n  <case ref="1"><text>Noise</text></case>\n'
        b'  <case ref="2"><x:text>Litter</x:text></case>\n</cases>\n')
    _round_trip(guard, out)


def test_blocking_policy_writes_nothing(uk, tmp_path):
    result, out = _redact(uk, CASES, tmp_path)
    assert (result.written, out) == (False, "")


def test_unreadable_payload_is_not_redacted(policy_with, tmp_path):
    result, out = _redact(policy_with("redact"), b"<cases><case></cases>", tmp_path)
    assert (result.written, out) == (False, "")
    assert result.decision.files[0].error == (
        "line 1, column 22: not well-formed XML (tag name mismatch); fix the export or check "
        "that it is XML")


def test_redacted_copy_of_utf16_is_utf8(policy_with, tmp_path):
    source = '<?xml version="1.0" encoding="UTF-16"?>\n<r><c><name>Zoë Smith</name></c></r>'
    guard = policy_with("redact")
    result, out = _redact(guard, source.encode("utf-16"), tmp_path)
    assert out == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                   "<r><c><name>[REDACTED]</name></c></r>\n")
    _round_trip(guard, out)


def test_record_rules_compare_numbers_written_as_element_text(plain_guard):
    decision = plain_guard.check(b"<stats><row><ward>Apsley</ward><count>3</count></row>"
                                 b"<row><ward>Boxmoor</ward><count>12</count></row></stats>",
                                 format="xml")
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (0, "count", "asb.small_count", "*")]
