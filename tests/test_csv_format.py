"""The CSV and TSV formats: reading, detection, positions and unreadable input."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest
from helpers import EXAMPLES, detect, finding_tuples

from guardrail import Payload, ReadOptions, Table
from guardrail.contract.protocols import Limits
from guardrail.host.registry import load_registry

DATA = Path(__file__).parent / "data" / "csv"


findings = finding_tuples("record", "field", "rule", "level", "evidence", "position")


def read_tables(path: Path, fmt: str = "csv") -> list[Table]:
    """Read a payload through the registered format, materialising each table's rows."""
    registry = load_registry()
    tables = []
    for section in registry.format(fmt).read(Payload(path), ReadOptions()):
        rows = [list(row) for row in section.rows]
        tables.append(Table(list(section.columns), rows, section.name))
    return tables


# -- shapes of table ------------------------------------------------------------------

def test_header_only_has_no_records_and_is_allowed(guard):
    decision = guard.check(DATA / "header-only.csv")
    assert decision.verdict == "allow"
    assert decision.exit_code == 0
    assert [(f.format, f.records, f.error) for f in decision.files] == [("csv", 0, None)]
    assert decision.findings == []


def test_header_only_reads_the_columns():
    [table] = read_tables(DATA / "header-only.csv")
    assert table.columns == ["month", "category", "ward"]
    assert table.rows == []


def test_empty_file_has_no_sections_and_is_allowed(guard):
    assert read_tables(DATA / "empty.csv") == []
    decision = guard.check(DATA / "empty.csv")
    assert decision.verdict == "allow"
    assert decision.exit_code == 0
    assert [(f.file, f.format, f.records) for f in decision.files] == [
        (str(DATA / "empty.csv"), "csv", 0)]


def test_ragged_row_extra_cells_are_unnamed_columns_that_block(guard):
    decision = guard.check(DATA / "ragged.csv")
    assert decision.verdict == "block"
    assert decision.exit_code == 1
    assert decision.files[0].records == 3
    assert findings(decision) == [
        (0, "#3", "field.unclassified", "personal", "Z****** Q**********", "line 2"),
        (0, "#4", "field.unclassified", "personal", "e****", "line 2"),
    ]


def test_short_rows_are_fine(guard):
    decision = guard.check(b"month,category,ward\n2026-01\n2026-02,Nuisance\n")
    assert decision.verdict == "allow"
    assert decision.files[0].records == 2


def test_ragged_rows_are_read_as_written():
    [table] = read_tables(DATA / "ragged.csv")
    assert table.columns == ["month", "category"]
    assert table.rows == [["2026-01", "Nuisance", "Zebedee Quackenbush", "extra"],
                          ["2026-02"], ["2026-03", "Personal"]]


def test_empty_header_cell_is_named_by_its_column_number(plain_guard):
    decision = plain_guard.check(b"month,,ward\n2026-01,HP1 1AA,Boxmoor\n", format="csv")
    assert findings(decision) == [
        (0, "#2", "field.unclassified", "personal", "H** ***", "line 2")]


def test_duplicate_headers_check_every_column(plain_guard):
    decision = plain_guard.check(DATA / "duplicate-headers.csv")
    assert decision.verdict == "block"
    assert findings(decision) == [
        (0, "name", "uk.field.person_name", "personal", "Z****** Q**********", "line 2"),
        (0, "name", "uk.field.person_name", "personal", "A** O****", "line 2"),
        (0, "count", "asb.small_count", "personal", "*", "line 2"),
        (1, "count", "asb.small_count", "personal", "*", "line 3"),
    ]
    assert decision.grouped_counts() == [
        {"rule": "asb.small_count", "field": "count", "level": "personal", "action": "block",
         "count": 2},
        {"rule": "uk.field.person_name", "field": "name", "level": "personal",
         "action": "block", "count": 2},
    ]


@pytest.mark.parametrize("header", [b"month,count,count", b"month,Count,Count",
                                    b"month,count,Count", b"month,Count,count"])
def test_record_rules_see_every_copy_of_a_repeated_column(guard, header):
    decision = guard.check(header + b"\n2026-01,10,2\n2026-02,4,10\n2026-03,10,10\n",
                           format="csv")
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (0, "count", "asb.small_count", "*"), (1, "count", "asb.small_count", "*")]


def test_duplicate_public_headers_are_allowed(guard):
    decision = guard.check(b"month,ward,month\n2026-01,Boxmoor,2026-02\n", format="csv")
    assert decision.verdict == "allow"


def test_quoted_newlines_stay_in_one_cell_and_positions_name_the_first_line(guard):
    decision = guard.check(DATA / "quoted-newlines.csv")
    assert decision.files[0].records == 3
    assert findings(decision) == [
        (0, "notes", "uk.field.free_text", "personal", "f**** l*** s***** l***", "line 2"),
        (1, "notes", "uk.field.free_text", "personal", "a b c", "line 4"),
        (2, "notes", "uk.field.free_text", "personal", "p****", "line 7"),
    ]


def test_quoted_newlines_are_kept_in_the_cell_value():
    [table] = read_tables(DATA / "quoted-newlines.csv")
    assert table.rows[0] == ["2026-01", "first line\nsecond line"]
    assert table.rows[1] == ["2026-02", "a\nb\nc"]


def test_blank_lines_are_not_records(plain_guard):
    decision = plain_guard.check(DATA / "blank-lines.csv")
    assert decision.files[0].records == 2
    assert findings(decision) == [
        (0, "complainant_name", "uk.field.person_name", "personal", "Z****** Q**********",
         "line 3"),
        (1, "complainant_name", "uk.field.person_name", "personal", "A** O****", "line 5"),
    ]


def test_crlf_line_endings(plain_guard):
    decision = plain_guard.check(b"month,postcode\r\n2026-01,HP1 1AA\r\n2026-02,\r\n", format="csv")
    assert decision.files[0].records == 2
    assert findings(decision) == [
        (0, "postcode", "uk.field.address", "personal", "H** ***", "line 2")]


# -- delimiters, encodings ----------------------------------------------------------------

def test_semicolon_delimiter_is_detected(plain_guard):
    [table] = read_tables(DATA / "semicolon.csv")
    assert table.columns == ["month", "category", "complainant_name"]
    assert table.rows[0] == ["2026-01", "Nuisance, noise", "Zebedee Quackenbush"]
    decision = plain_guard.check(DATA / "semicolon.csv")
    assert decision.files[0].format == "csv"
    assert findings(decision) == [
        (0, "complainant_name", "uk.field.person_name", "personal", "Z****** Q**********",
         "line 2")]


def test_pipe_delimiter_is_detected(plain_guard):
    decision = plain_guard.check(DATA / "pipe.csv")
    assert findings(decision) == [
        (0, "email", "uk.field.contact", "personal", "z**@e******.o**", "line 2")]


def test_tsv_by_extension(plain_guard):
    decision = plain_guard.check(DATA / "cases.tsv")
    assert decision.files[0].format == "tsv"
    assert findings(decision) == [
        (0, "complainant_name", "uk.field.person_name", "personal", "Z****** Q**********",
         "line 2")]


def test_utf8_bom_is_not_part_of_the_first_header():
    [table] = read_tables(DATA / "bom.csv")
    assert table.columns == ["month", "complainant_name"]


def test_utf8_bom_file_is_checked(plain_guard):
    decision = plain_guard.check(DATA / "bom.csv")
    assert findings(decision) == [
        (0, "complainant_name", "uk.field.person_name", "personal", "Z****** Q**********",
         "line 2")]


def test_utf16_with_bom_is_decoded(plain_guard):
    [table] = read_tables(DATA / "utf16.csv")
    assert table.columns == ["month", "complainant_name"]
    assert table.rows == [["2026-01", "Zo\u00eb \u00c5ngstr\u00f6m"]]
    decision = plain_guard.check(DATA / "utf16.csv")
    assert findings(decision) == [
        (0, "complainant_name", "uk.field.person_name", "personal", "Z** \u00c5*******",
         "line 2")]


def test_invalid_utf8_is_unreadable_and_names_the_byte(guard):
    decision = guard.check(DATA / "invalid-utf8.csv")
    assert decision.verdict == "block"
    assert decision.exit_code == 3
    [result] = decision.files
    assert result.error_kind == "payload"
    # "month,complainant_name\n" is 23 bytes, "2026-01,Zeb" 11 more: offset 34 (0-based)
    assert result.error == ("byte 34: content is not valid utf-8 text; pass --encoding with "
                            "the right encoding or fix the export")


def test_invalid_utf8_from_a_stream_is_unreadable(guard):
    decision = guard.check(io.BytesIO((DATA / "invalid-utf8.csv").read_bytes()), format="csv")
    assert decision.exit_code == 3
    assert "content is not valid utf-8 text" in decision.files[0].error


def test_encoding_option_reads_latin1(plain_guard):
    assert plain_guard.check(DATA / "latin1.csv").exit_code == 3
    decision = plain_guard.check(DATA / "latin1.csv", encoding="latin-1")
    assert findings(decision) == [
        (0, "complainant_name", "uk.field.person_name", "personal", "Z** Q**********",
         "line 2")]


def test_unknown_encoding_is_unreadable(guard):
    decision = guard.check(DATA / "header-only.csv", encoding="no-such-codec")
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "unknown text encoding 'n*-s***-c**** (masked)'; name one Python knows, such as "
        "utf-8, cp1252 or latin-1")
    # a name shaped like a charset (a typo of one) is shown as given
    typo = guard.check(DATA / "header-only.csv", encoding="utf-9")
    assert typo.files[0].error.startswith("unknown text encoding 'utf-9'; ")


def test_a_callers_encoding_name_is_never_echoed_unmasked(guard):
    # e.g. an HTTP body's charset parameter, which the sender controls
    decision = guard.check(DATA / "header-only.csv", encoding="Daniel Hughes")
    assert decision.exit_code == 3
    assert "Daniel" not in str(decision.to_dict()) and "Hughes" not in decision.summary()
    assert decision.files[0].error.startswith("unknown text encoding 'D***** H***** (masked)'")


# -- malformed input ------------------------------------------------------------------------

def test_stray_quote_is_unreadable_with_its_line(guard):
    decision = guard.check(DATA / "bad-quote.csv")
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 3: malformed CSV (',' expected after '\"'); check quoting on this line")


def test_unclosed_quote_is_unreadable_and_names_the_line_it_opens_on(guard):
    decision = guard.check(DATA / "unclosed-quote.csv")
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 3: malformed CSV (unexpected end of data); check quoting on this line")


def test_cell_larger_than_the_record_limit_blocks_naming_the_limit(guard, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text('month,category\n2026-01,Nuisance\n2026-02,"' + "x" * 2000 + "\n",
                    encoding="utf-8")
    before = csv.field_size_limit()  # another library in this process may have set it
    decision = guard.check(path, limits=Limits(max_record_bytes=1000))
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "line 3: one record exceeds the record size limit of 1,000 bytes; the payload is "
        "blocked. If it is genuine, raise the limit with --max-record-size")
    # the process-wide csv limit is restored afterwards
    assert csv.field_size_limit() == before


def test_a_quoted_cell_over_many_short_lines_is_bounded_too(guard, tmp_path):
    # no line is long, so only the record's own bound can stop it
    path = tmp_path / "tall.csv"
    path.write_text('month,category\n2026-01,"' + "x\n" * 1000 + '"\n', encoding="utf-8")
    decision = guard.check(path, limits=Limits(max_record_bytes=1000))
    assert decision.exit_code == 3
    assert decision.files[0].error.startswith(
        "line 2: one record exceeds the record size limit of 1,000 bytes")
    assert guard.check(path, limits=Limits(max_record_bytes=3000)).exit_code != 3


class _Paused(io.RawIOBase):
    """A stream that gives *head*, then waits for *resume* before giving *tail*: a read
    held open mid-way while another read starts and finishes."""

    def __init__(self, head: bytes, tail: bytes) -> None:
        self.parts = [head, tail]
        self.waiting = threading.Event()
        self.resume = threading.Event()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.parts:
            return 0
        if len(self.parts) == 1:
            self.waiting.set()
            assert self.resume.wait(30)
        part = self.parts[0]
        taken, self.parts[0] = part[:len(buffer)], part[len(buffer):]
        if not self.parts[0]:
            self.parts.pop(0)
        buffer[:len(taken)] = taken
        return len(taken)


def test_reads_in_threads_keep_their_own_cell_bounds(guard):
    # csv's cell limit is process-wide: a read that finished while another was under
    # way used to put back the limit it found, loosening (or tightening) the other's.
    before = csv.field_size_limit()
    # longer than what is peeked to sniff: each read pauses inside csv's reading
    head = b"month,category\n" + b"2026-01,Nuisance\n" * 10_000
    loose = _Paused(head, b'2026-02,"' + b"y" * 150_000 + b'"\n')
    strict = _Paused(head, b'2026-02,"' + b"x" * 5_000 + b'"\n')
    results: dict[str, int] = {}

    def run(name, stream, limit):
        decision = guard.check(io.BufferedReader(stream), format="csv",
                               limits=Limits(max_record_bytes=limit))
        results[name] = decision.exit_code

    threads = [threading.Thread(target=run, args=("loose", loose, 1_000_000)),
               threading.Thread(target=run, args=("strict", strict, 1_000))]
    threads[0].start()
    assert loose.waiting.wait(30)
    threads[1].start()
    assert strict.waiting.wait(30)
    loose.resume.set()  # the loose read finishes while the strict one is held open
    threads[0].join(30)
    strict.resume.set()
    threads[1].join(30)
    assert results == {"loose": 0, "strict": 3}
    assert csv.field_size_limit() == before


def test_error_in_header_line(guard):
    decision = guard.check(b'month,"cat"egory\n2026-01,Nuisance\n', format="csv")
    assert decision.exit_code == 3
    assert decision.files[0].error.startswith("line 1: malformed CSV")


# -- detection -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("semicolon.csv", "csv"),
    ("cases.tsv", "tsv"),
    ("export", "csv"),          # no extension: sniffed
    ("export.dat", "csv"),      # unknown extension: sniffed
    ("tabbed.txt", "tsv"),      # tab-separated content wins over the csv sniffer
    ("mislabelled.json", "json"),  # extension first
    ("unknown-content", None),
])
def test_detect_format(name, expected):
    assert detect(DATA / name) == expected


def test_extension_is_case_insensitive(tmp_path):
    path = tmp_path / "EXPORT.CSV"
    path.write_text("month,ward\n2026-01,Boxmoor\n", encoding="utf-8")
    assert detect(path) == "csv"


def test_unknown_extension_sniffed_by_content_is_checked(plain_guard):
    decision = plain_guard.check(DATA / "export.dat")
    assert decision.files[0].format == "csv"
    assert findings(decision) == [
        (0, "postcode", "uk.field.address", "personal", "H** ***", "line 2")]


def test_unrecognisable_content_is_unreadable(guard):
    decision = guard.check(DATA / "unknown-content")
    assert decision.exit_code == 3
    [result] = decision.files
    assert result.format is None
    assert result.error.startswith(
        "cannot tell the format (unknown extension and the content matched no format); "
        "pass --format with one of: ")
    assert "csv" in result.error and "tsv" in result.error


def test_format_override_beats_the_extension(plain_guard):
    assert plain_guard.check(DATA / "mislabelled.json").exit_code == 3
    decision = plain_guard.check(DATA / "mislabelled.json", format="csv")
    assert decision.files[0].format == "csv"
    assert findings(decision) == [
        (0, "postcode", "uk.field.address", "personal", "H** ***", "line 2")]


def test_format_override_tsv_reads_commas_as_text(plain_guard):
    decision = plain_guard.check(DATA / "pipe.csv", format="tsv")
    assert decision.files[0].format == "tsv"
    [finding] = decision.findings
    # one column named by the whole header line; "*_email" classifies it
    assert (finding.field, finding.rule) == ("month|ward|email", "uk.field.name_like")


def test_format_names_are_case_insensitive(guard):
    assert guard.check(DATA / "export", format="CSV").files[0].format == "csv"


# -- the shipped examples -------------------------------------------------------------------

def test_clean_example_is_allowed(guard):
    decision = guard.check(EXAMPLES / "asb-export-clean.csv")
    assert decision.verdict == "allow"
    assert decision.files[0].records == 61


def test_leaky_example_blocks_every_personal_column_of_every_row(plain_guard):
    # Without detectors until person.name stops reporting addresses such as
    # "2 Queensway, Hemel Hempstead" (records 19 and 58) as names.
    decision = plain_guard.check(EXAMPLES / "asb-export-leaky.csv")
    assert decision.exit_code == 1
    assert decision.files[0].records == 61
    assert {(r["rule"], r["field"], r["count"]) for r in decision.grouped_counts()} == {
        ("asb.field.internal", "case_ref", 61),
        ("uk.field.person_name", "complainant_name", 61),
        ("uk.field.name_like", "complainant_address", 61),
        ("uk.field.address", "postcode", 61),
        ("uk.field.free_text", "notes", 61),
    }
    assert findings(decision)[:5] == [
        (0, "case_ref", "asb.field.internal", "internal", "A**/****/******", "line 2"),
        (0, "complainant_name", "uk.field.person_name", "personal", "D***** H*****", "line 2"),
        (0, "complainant_address", "uk.field.name_like", "personal",
         "** G***** H***, H**** H********", "line 2"),
        (0, "postcode", "uk.field.address", "personal", "H** ***", "line 2"),
        (0, "notes", "uk.field.free_text", "personal",
         "N******** d******; D***** H*****\u2026 (84 chars)", "line 2"),
    ]
    last = [f for f in decision.findings if f.record == 49]
    assert [f.position for f in last] == ["line 51"] * 5
