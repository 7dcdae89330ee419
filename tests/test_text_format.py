"""The plain text and Markdown formats: lines as records, pipe tables, limits, redaction."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import detect, finding_tuples, run_guardrail

from guardrail import Documents, Guardrail, Payload, ReadOptions, Table
from guardrail.contract.protocols import Limits
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data" / "text"

REDACT_POLICY = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: redact-test, version: "1"}
    extends: uk-personal-data
    fields:
      - id: test.field.public
        name: [ward, month]
        level: public
    destinations:
      public-web: {max_level: public, actions: {personal: %s, special-category: drop}}
"""


@pytest.fixture
def policy_with(write_policy):
    """The uk-personal-data policy (ward and month public) with *action* for personal data."""
    return lambda action: Guardrail.from_policy(write_policy(REDACT_POLICY % action))


findings = finding_tuples("record", "field", "rule", "evidence", "position", "section")


def sections(data: bytes | Path, fmt: str, limits: Limits | None = None) -> list:
    """Every section a format yields, rows and records materialised, as plain tuples."""
    out = []
    options = ReadOptions(limits=limits or Limits())
    for section in load_registry().format(fmt).read(Payload(data), options):
        if isinstance(section, Table):
            out.append(("table", section.name, list(section.columns),
                        [list(row) for row in section.rows]))
        else:
            out.append(("documents", section.first_index, [r["text"] for r in section.records]))
    return out


# -- plain text: records, positions, line breaks ---------------------------------------

MEETING = b"Meeting notes\n\nCall Jane Smith on 07700 900123.\nOffice: SW1A 1AA\n"


def test_each_line_is_a_text_record_indexed_by_line_number(uk):
    decision = uk.check(MEETING, format="text")
    assert decision.exit_code == 1
    # One finding per value: the name and the phone number on line 3 are one finding,
    # decided by person.name (alphabetically first of two personal detectors).
    assert findings(decision) == [
        (2, "text", "person.name", "J*** S****", "line 3", None),
        (3, "text", "uk.postcode", "SW1A ***", "line 4", None),
    ]
    assert [(f.record, f.rule, f.also) for f in decision.findings] == [
        (2, "person.name", ("uk.phone",)), (3, "uk.postcode", ())]
    assert [(f.format, f.records, f.error) for f in decision.files] == [("text", 3, None)]


def test_blank_lines_are_not_records_but_numbering_stays_right(uk):
    data = b"\n   \n\t\nfirst\n\n\n\nJane Smith\n \n"
    assert sections(data, "text") == [("documents", 3, ["first"]),
                                      ("documents", 7, ["Jane Smith"])]
    decision = uk.check(data, format="text")
    assert decision.files[0].records == 2
    assert findings(decision) == [(7, "text", "person.name", "J*** S****", "line 8", None)]


@pytest.mark.parametrize("ending", [b"\r\n", b"\r", b"\n"])
def test_every_line_break_style_counts_lines(uk, ending):
    data = ending.join([b"alpha", b"", b"Office: SW1A 1AA", b"omega"]) + ending
    assert findings(uk.check(data, format="text")) == [
        (2, "text", "uk.postcode", "SW1A ***", "line 3", None)]


def test_last_line_without_a_line_break_is_read(uk):
    decision = uk.check(b"alpha\nCall 07700 900123", format="text")
    assert findings(decision) == [(1, "text", "uk.phone", "***** ******", "line 2", None)]
    assert decision.files[0].records == 2


def test_clean_text_is_allowed(uk):
    decision = uk.check(b"The ward meeting is on Tuesday.\nNothing else to report.\n",
                        format="text")
    assert (decision.allowed, decision.exit_code, decision.findings) == (True, 0, [])


def test_empty_payload_has_no_sections_and_is_allowed(uk):
    assert sections(b"", "text") == []
    decision = uk.check(b"", format="text")
    assert (decision.exit_code, decision.files[0].records) == (0, 0)


def test_sections_left_unread_do_not_shift_the_next_one():
    format_ = load_registry().format("markdown")
    data = b"a\nb\nc\n\n| Name |\n|---|\n| x |\n| y |\nd\n\ne\n"
    seen = []
    for section in format_.read(Payload(data), ReadOptions()):
        first = next(iter(section.records if isinstance(section, Documents) else section.rows))
        seen.append((type(section).__name__, first))  # the rest of the section is skipped
    assert seen == [("Documents", {"text": "a"}), ("Table", ["x"]), ("Documents", {"text": "e"})]


# -- encodings ---------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_text_with_a_byte_order_mark_is_decoded(uk, encoding):
    data = "Préférence\n\nContact: Jane Smith\n".encode(encoding)
    assert findings(uk.check(data, format="text")) == [
        (2, "text", "person.name", "J*** S****", "line 3", None)]


def test_encoding_named_by_the_caller(uk):
    data = "Café Zoë\nContact: Jane Smith\n".encode("latin-1")
    decision = uk.check(data, format="text", encoding="latin-1")
    assert findings(decision) == [(1, "text", "person.name", "J*** S****", "line 2", None)]


def test_undecodable_file_names_the_byte_offset(uk, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"first line\nsecond \xff line Jane Smith\n")
    decision = uk.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].format == "text"
    assert decision.files[0].error == (
        "byte 18: content is not valid utf-8 text; pass --encoding with the right encoding "
        "or fix the export")
    assert "Jane" not in decision.files[0].error


def test_undecodable_stream_names_the_line(uk):
    decision = uk.check(b"first line\nsecond \xff line\n", format="text")
    assert decision.exit_code == 3
    assert decision.files[0].error.startswith("line 1: content is not valid utf-8 text")


# -- limits ------------------------------------------------------------------------------

def test_line_over_the_record_limit_blocks_naming_the_line(uk):
    data = b"short\n" + b"x" * 101 + b"\nlast\n"
    decision = uk.check(data, format="text", limits=Limits(max_record_bytes=100))
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 2: one line exceeds the record size limit of 100 bytes; the payload is "
        "blocked. If it is genuine, raise the limit with --max-record-size")


def test_line_within_the_record_limit_is_read(uk):
    data = b"x" * 90 + b"\nCall 07700 900123\n"
    decision = uk.check(data, format="text", limits=Limits(max_record_bytes=100))
    assert findings(decision) == [(1, "text", "uk.phone", "***** ******", "line 2", None)]


def test_record_limit_counts_bytes_not_characters(uk):
    data = ("é" * 60 + "\n").encode()  # 60 characters, 120 bytes
    decision = uk.check(data, format="text", limits=Limits(max_record_bytes=100))
    assert decision.files[0].error.startswith("line 1: one line exceeds the record size limit")


def test_long_line_split_between_cr_and_lf_is_one_line(uk, tmp_path):
    from guardrail_text.lines import PIECE

    # The first piece read ends with the "\r" of a "\r\n": the "\n" must not become a line.
    path = tmp_path / "long.txt"
    data = b"a" * (PIECE - 1) + b"\r\nCall 07700 900123\r\n"
    path.write_bytes(data)
    assert findings(uk.check(path)) == [(1, "text", "uk.phone", "***** ******", "line 2", None)]
    assert sections(path, "text") == [("documents", 0, ["a" * (PIECE - 1), "Call 07700 900123"])]


def test_line_of_100_mb_blocks_with_bounded_memory(tmp_path):
    path = tmp_path / "one-line.txt"
    with path.open("wb") as handle:
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            handle.write(chunk)
    script = textwrap.dedent(f"""
        import resource
        from guardrail import Guardrail
        from guardrail.contract.protocols import Limits
        guard = Guardrail.from_policy("uk-personal-data")
        guard.check(b"warm up", format="text")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        decision = guard.check({str(path)!r}, limits=Limits(max_record_bytes={1 << 20}))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(decision.exit_code, decision.files[0].error.split(":")[0].replace(" ", "_"),
              after - before)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    code, position, grown_kib = done.stdout.split()
    assert (code, position) == ("3", "line_1")
    assert int(grown_kib) < 16 * 1024  # a few pieces of 1 MiB, never the 100 MB line


def test_line_of_100_mb_with_default_limits_holds_at_most_the_limit(uk, tmp_path):
    path = tmp_path / "one-line.log"
    with path.open("wb") as handle:
        handle.truncate(100 << 20)  # 100 MB of NUL bytes: valid UTF-8, no line break
    decision = uk.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].error.startswith(
        f"line 1: one line exceeds the record size limit of {Limits().max_record_bytes:,} bytes")


def test_cli_exit_codes_and_stdin(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\n")
    command = ("check", "--policy", "uk-personal-data")
    blocked = run_guardrail(*command, str(REPORT))
    unreadable = run_guardrail(*command, str(bad))
    piped = run_guardrail(*command, "--format", "text", "-", input=MEETING)
    unnamed = run_guardrail(*command, "-", input=MEETING)
    assert unnamed.returncode == 3  # prose on stdin is not guessed: --format text says so
    assert b"cannot tell the format" in unnamed.stdout
    clean = run_guardrail(*command, "--format", "markdown", "-", input=b"# Notes\n\nAll fine.\n")
    assert (blocked.returncode, unreadable.returncode, piped.returncode, clean.returncode) == \
        (1, 3, 1, 0)
    assert b"Jane" not in blocked.stdout + unreadable.stdout + piped.stdout
    assert b"byte 3" in unreadable.stdout + unreadable.stderr


# -- detection -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("notes.txt", "text"), ("server.LOG", "text"), ("a.text", "text"),
    ("README.md", "markdown"), ("post.markdown", "markdown")])
def test_extensions(name, expected):
    assert detect(b"Some words of prose.\n", name=name) == expected


def test_a_txt_holding_json_or_tabs_is_read_by_its_content():
    assert detect(b'{"a": 1}', name="export.txt") == "json"
    assert detect(b"month\tward\n2026-01\tNorth\n", name="export.txt") == "tsv"


@pytest.mark.parametrize(("data", "expected"), [
    # plain text is never chosen by content alone: an unknown format must not pass as prose
    (b"Just some prose\nAnd a second line with nothing more\n", None),
    ("Préférence\nplain words\n".encode("utf-16"), None),
    (b"# Title\n\nSee [the docs](https://example.org/docs).\n", "markdown"),
    (b"Intro\n\n| Name | Ward |\n|---|---|\n| a | b |\n", "markdown"),
    (b"| a | b |\n| --- | --- |\n| 1 | 2 |\n", "markdown"),
    (b"```\ncode\n```\n\n# Heading\n", "markdown"),
    (b"month,ward,count\n2026-01,North,3\n2026-02,South,4\n", "csv"),
    (b"month\tward\n2026-01\tNorth\n", "tsv"),
    (b'[{"name": "x"}]', "json"),
    (b'{"a": 1}\n{"a": 2}\n', "ndjson"),
    (b"# settings\nname: x\nitems:\n  - a\n  - b\n", "yaml"),
    (b"---\ntitle: Notes\n---\n# Notes\n\nSome prose with a [link](https://example.org).\n",
     "markdown"),
    (b"<?xml version='1.0'?>\n<cases><case>x</case></cases>\n", "xml"),
    (b"<!DOCTYPE html>\n<html><body><p>Hello</p></body></html>\n", "html"),
    (b"\x00\x01\x02binary\x00\xff", None),
])
def test_sniffing_by_content(data, expected):
    assert detect(data) == expected


def test_sniff_scores():
    registry = load_registry()
    text, markdown = registry.format("text"), registry.format("markdown")
    assert text.sniff(b"anything readable\n") == 0
    assert text.sniff(b"cut in a character \xc3") == 0
    assert text.sniff(b"\x00\x00\x00\x01") == 0
    assert text.sniff(b"bad \xff\xfe bytes in the middle of text") == 0
    assert markdown.sniff(b"plain words\n") == 0
    assert markdown.sniff(b"# Title\nSome prose here.\n") == 40
    assert markdown.sniff(b"# Title\n\n[a link](https://example.org)\n") == 50
    assert markdown.sniff(b"| a |\n|---|\n") == 65
    # "# x" is a comment in YAML and shell: not a heading when the rest is key: value
    assert markdown.sniff(b"# settings\nname: x\nitems:\n  - a\n  - b\n") == 0


# -- Markdown --------------------------------------------------------------------------------

REPORT = DATA / "report.md"


def test_markdown_pipe_table_is_classified_by_its_columns(uk):
    decision = uk.check(REPORT)
    assert decision.files[0].format == "markdown"
    assert findings(decision) == [
        (2, "text", "person.name", "J*** S****", "line 3", None),
        # The field rule decides; the detector that matched the same value rides along
        # in `also`, and a postcode column shows the detector's own evidence.
        (0, "Name", "uk.field.person_name", "A*** B****", "line 13", "table 1 (line 11)"),
        (0, "Postcode", "uk.field.address", "SW1A ***", "line 13", "table 1 (line 11)"),
        # no policy names "Ward": an unknown field is personal (fail closed)
        (0, "Ward", "field.unclassified", "N****", "line 13", "table 1 (line 11)"),
        (1, "Postcode", "uk.field.address", "EC1A ***", "line 14", "table 1 (line 11)"),
        (1, "Ward", "field.unclassified", "S**** | E***", "line 14", "table 1 (line 11)"),
        (18, "text", "uk.phone", "***** ******", "line 19", None),
        (21, "text", "email", "j***@e******.c**", "line 22", None),
        (24, "text", "uk.postcode", "M1 ***", "line 25", None),
    ]
    assert [(f.record, f.field, f.also) for f in decision.findings if f.also] == [
        (0, "Name", ("person.name",)), (0, "Postcode", ("uk.postcode",)),
        (1, "Postcode", ("uk.postcode",))]
    # 14 text lines (front matter, heading, prose, code fence, comment) and 2 table rows
    assert decision.files[0].records == 16


def test_markdown_sections(uk):
    assert sections(REPORT, "markdown") == [
        ("documents", 0, ["---", "title: Ward report", "author: Jane Smith", "---"]),
        ("documents", 5, ["# Ward report"]),
        ("documents", 7, ["Cases by ward, with the | pipe | in prose:"]),
        ("table", "table 1 (line 11)", ["Name", "Postcode", "Ward"],
         [["Anna Brown", "SW1A 1AA", "North"], ["", "EC1A 1BB", "South | East"]]),
        ("documents", 15, ["```text", "| Phone | x |", "|---|---|", "| 07700 900123 | y |",
                           "```"]),
        ("documents", 21, ["<!-- owner: jane.smith@example.com -->"]),
        ("documents", 23, ["Closing words.", "Visit us in M1 1AE."]),
    ]


def test_table_rows_continue_until_a_blank_line_or_another_block():
    data = b"| Name | Ward |\n|:--|--:|\n| a | b |\nno pipes here\n# Heading\nafter\n"
    assert sections(data, "markdown") == [
        ("table", "table 1 (line 1)", ["Name", "Ward"], [["a", "b"], ["no pipes here"]]),
        ("documents", 4, ["# Heading", "after"]),
    ]


def test_header_and_delimiter_must_have_as_many_cells():
    data = b"| a | b | c |\n|---|---|\nx\n"
    assert sections(data, "markdown") == [
        ("documents", 0, ["| a | b | c |", "|---|---|", "x"])]


def test_table_without_outer_pipes_extra_cells_and_empty_header():
    data = b"Name | |\n--- | ---\nJane Smith | x | 07700 900123\n"
    assert sections(data, "markdown") == [
        ("table", "table 1 (line 1)", ["Name", "#2"],
         [["Jane Smith", "x", "07700 900123"]])]


def test_unclosed_fence_keeps_the_rest_as_text():
    data = b"~~~~\n| Name |\n|---|\n~~~\n| Postcode |\n|---|\n| x |\n"
    assert sections(data, "markdown") == [
        ("documents", 0, ["~~~~", "| Name |", "|---|", "~~~", "| Postcode |", "|---|",
                          "| x |"])]


def test_markdown_tables_are_only_markdown():
    data = b"| Name |\n|---|\n| Jane Smith |\n"
    assert sections(data, "text") == [("documents", 0, ["| Name |", "|---|",
                                                        "| Jane Smith |"])]


# -- redaction ------------------------------------------------------------------------------

def test_redacted_text_keeps_unchanged_lines_and_line_breaks(policy_with, tmp_path):
    source = tmp_path / "notes.txt"
    source.write_bytes(b"Meeting notes\r\n\r\nCall Jane Smith on 07700 900123.\r\n"
                       b"Office: SW1A 1AA\rlast line")
    result = policy_with("redact").redact(source, tmp_path / "out.txt")
    assert result.written
    assert result.verification.allowed
    assert (tmp_path / "out.txt").read_bytes() == (
        b"Meeting notes\r\n\r\nCall [REDACTED] on [REDACTED].\r\n"
        b"Office: [REDACTED]\rlast line")
    assert sections(tmp_path / "out.txt", "text") == [
        ("documents", 0, ["Meeting notes"]),
        ("documents", 2, ["Call [REDACTED] on [REDACTED].", "Office: [REDACTED]",
                          "last line"])]


def test_redacted_copy_is_utf8_without_bom(policy_with, tmp_path):
    source = tmp_path / "notes.txt"
    source.write_bytes("Préférence\nContact: Jane Smith\n".encode("utf-16"))
    result = policy_with("mask").redact(source, tmp_path / "out.txt")
    assert result.written
    assert (tmp_path / "out.txt").read_bytes() == "Préférence\nContact: J*** S****\n".encode()


def test_a_dropped_line_becomes_an_empty_line_that_ends_its_paragraph(policy_with, tmp_path):
    """Left out, the lines around it would be read on as one text: "given to Catherine"
    then "In 2026-09, ..." reads as a name that was in neither."""
    source = tmp_path / "notes.txt"
    source.write_bytes(b"Meeting notes\nCall Jane Smith.\n\nThe end\n")
    result = policy_with("drop").redact(source, tmp_path / "out.txt")
    assert result.written
    assert (tmp_path / "out.txt").read_bytes() == b"Meeting notes\n\n\nThe end\n"


def test_hashed_values_are_keyed_tokens(policy_with, tmp_path):
    source = tmp_path / "notes.txt"
    source.write_bytes(b"a: 07700 900123\nb: 07700 900123\n")
    result = policy_with("hash").redact(source, tmp_path / "out.txt", hash_key=b"k")
    assert result.written
    first, second = (tmp_path / "out.txt").read_text().splitlines()
    assert first[3:] == second[3:]
    assert first.startswith("a: hmac-sha256:") and len(first) == 3 + 12 + 64


def test_redacted_markdown_rewrites_changed_rows_only(policy_with, tmp_path):
    result = policy_with("redact").redact(REPORT, tmp_path / "out.md")
    assert result.written
    assert result.verification.allowed
    original = REPORT.read_text().splitlines(keepends=True)
    copy = (tmp_path / "out.md").read_text().splitlines(keepends=True)
    changed = {i + 1: line for i, (line, old) in enumerate(zip(copy, original, strict=True))
               if line != old}
    assert changed == {
        3: "author: [REDACTED]\n",
        13: "| [REDACTED] | [REDACTED] | North |\n",
        14: "|  | [REDACTED] | South \\| East |\n",
        19: "| [REDACTED] | y |\n",
        22: "<!-- owner: [REDACTED] -->\n",
        25: "Visit us in [REDACTED].\n",
    }
    [table] = [s for s in sections(tmp_path / "out.md", "markdown") if s[0] == "table"]
    assert table == ("table", "table 1 (line 11)", ["Name", "Postcode", "Ward"],
                     [["[REDACTED]", "[REDACTED]", "North"], ["", "[REDACTED]", "South | East"]])


def test_dropped_columns_leave_the_header_delimiter_and_rows(policy_with, tmp_path):
    source = tmp_path / "cases.md"
    source.write_bytes(b"Cases\n\n| Name | Ward | Month |\n| :--- | :---: | ---: |\n"
                       b"| Anna Brown | North | 2026-01 |\n| | South | 2026-02 |\n")
    result = policy_with("drop").redact(source, tmp_path / "out.md")
    assert result.written
    assert (tmp_path / "out.md").read_bytes() == (
        b"Cases\n\n| Ward | Month |\n| :---: | ---: |\n| North | 2026-01 |\n"
        b"| South | 2026-02 |\n")
    assert sections(tmp_path / "out.md", "markdown")[1] == (
        "table", "table 1 (line 3)", ["Ward", "Month"],
        [["North", "2026-01"], ["South", "2026-02"]])


def test_header_that_is_personal_data_is_replaced(policy_with, tmp_path):
    source = tmp_path / "cases.md"
    source.write_bytes(b"| Jane Smith | Ward |\n|:-:|---|\n| x | North |\n")
    result = policy_with("redact").redact(source, tmp_path / "out.md")
    assert result.written
    assert (tmp_path / "out.md").read_bytes() == (
        b"| [REDACTED] | Ward |\n| :-: | --- |\n| [REDACTED] | North |\n")


def test_blocking_policy_writes_nothing(uk, tmp_path):
    result = uk.redact(REPORT, tmp_path / "out.md")
    assert not result.written
    assert result.exit_code == 1
    assert not (tmp_path / "out.md").exists()


def test_unreadable_payload_is_not_redacted(policy_with, tmp_path):
    source = tmp_path / "bad.txt"
    source.write_bytes(b"ok\n\xff\n")
    result = policy_with("redact").redact(source, tmp_path / "out.txt")
    assert (result.written, result.exit_code) == (False, 3)
    assert not (tmp_path / "out.txt").exists()


def test_a_txt_that_starts_with_a_tag_stays_text(uk, tmp_path):
    """Markup readers drop what looks like a tag ("Contact <jane@example.com>"); plain
    text reads every character, so a .txt is never promoted to HTML or XML."""
    path = tmp_path / "log.txt"
    path.write_text("<p>Daily log</p>\nContact <jane.smith@example.com> about the case\n",
                    encoding="utf-8")
    decision = uk.check(path)
    assert decision.files[0].format == "text"
    assert [(f.record, f.rule) for f in decision.findings] == [(1, "email")]
    assert detect(b"<cases><case>1</case></cases>", name="export.txt") == "text"
