"""The XLSX format: sheets as tables located by cell, formulas, comments, properties,
hostile archives, and redacted copies. Workbooks are built here with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from guardrail_xlsx import XlsxFormat
from guardrail_xlsx.archive import MAX_MEMBERS
from helpers import also
from helpers import findings as found
from openpyxl.comments import Comment

from guardrail import Documents, Guardrail, Payload, ReadOptions, Table
from guardrail.cli import cli
from guardrail.contract.protocols import Limits

REDACT_POLICY = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: redact-test, version: "1"}
    extends: uk-personal-data
    fields:
      - {id: test.field.staff, name: [creator, last_modified_by, author], level: personal}
      - {id: test.field.public, name: [case_ref, total], level: public}
    destinations:
      public-web:
        max_level: public
        actions: {internal: redact, personal: redact, special-category: drop}
    """


@pytest.fixture
def redacting(write_policy) -> Guardrail:
    return Guardrail.from_policy(write_policy(REDACT_POLICY))


def new_book() -> openpyxl.Workbook:
    """A workbook with no document properties that name anyone (openpyxl sets creator)."""
    book = openpyxl.Workbook()
    book.properties.creator = None
    return book


def save(book: openpyxl.Workbook, tmp_path: Path, name: str = "book.xlsx") -> Path:
    path = tmp_path / name
    book.save(path)
    return path


def sections(path: Path | bytes, limits: Limits | None = None) -> list[tuple]:
    """What the reader yields: (name, columns or None, rows or records, typed)."""
    options = ReadOptions(limits=limits or Limits())
    out = []
    for section in XlsxFormat().read(Payload(path), options):
        if isinstance(section, Table):
            out.append((section.name, list(section.columns), [list(r) for r in section.rows],
                        section.typed))
        else:
            assert isinstance(section, Documents)
            out.append((section.name, None, list(section.records), section.index))
    return out


# -- detection ------------------------------------------------------------------------

def test_sniff_scores_workbooks_high_and_other_zips_low(tmp_path):
    book = save(new_book(), tmp_path)
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("data.txt", "hello")
    fmt = XlsxFormat()
    assert fmt.sniff(book.read_bytes()[:65536]) == 95
    assert fmt.sniff(plain.getvalue()) == 45
    assert fmt.sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100) == 40
    assert fmt.sniff(b"name,text\nx,y\n") == 0


def test_workbook_without_a_name_is_detected_by_content(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    book.active.append(["Call 07700 900123"])
    decision = uk.check(save(book, tmp_path).read_bytes())
    assert decision.files[0].format == "xlsx"
    assert found(decision) == [("Sheet", 0, "text", "uk.phone", "***** ******", "Sheet!A2")]


def test_xlsm_extension_is_xlsx(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    decision = uk.check(save(book, tmp_path, "macro.xlsm"))
    assert decision.files[0].format == "xlsx"
    assert decision.allowed


# -- sheets as tables ----------------------------------------------------------------

def test_every_sheet_is_a_table_located_by_cell(uk, tmp_path):
    book = new_book()
    first = book.active
    first.title = "Cases"
    first.append(["case_ref", "text"])
    first.append(["C1", "quiet street"])
    first.append(["C2", "Call 07700 900123 after six"])
    second = book.create_sheet("Second sheet")
    second.append(["postcode"])
    second.append(["SW1A 1AA"])
    decision = uk.check(save(book, tmp_path))
    assert decision.files[0].records == 3
    assert decision.exit_code == 1
    assert found(decision) == [
        ("Cases", 0, "case_ref", "field.unclassified", "C*", "Cases!A2"),
        ("Cases", 1, "case_ref", "field.unclassified", "C*", "Cases!A3"),
        ("Cases", 1, "text", "uk.phone", "***** ******", "Cases!B3"),
        ("Second sheet", 0, "postcode", "uk.field.address", "SW1A ***", "'Second sheet'!A2"),
    ]
    assert also(decision)[3] == ("uk.field.address", ("uk.postcode",))


@pytest.mark.parametrize(("sheet", "column", "expected"), [
    ("Sheet1", 0, "Sheet1!A7"), ("Data_2024", 25, "Data_2024!Z7"),
    ("My sheet", 26, "'My sheet'!AA7"),
    ("O'Brien", 701, "'O''Brien'!ZZ7"), ("2024", 702, "'2024'!AAA7"), ("AB12", 0, "'AB12'!A7"),
])
def test_cell_references_are_written_as_excel_writes_them(sheet, column, expected):
    from guardrail_xlsx.sheets import SheetTable

    table = SheetTable(sheet, iter([["h"]]), 0, 1)
    assert table.cell(7, column) == expected


def test_header_is_the_first_non_empty_row_and_empty_rows_keep_row_numbers(uk, tmp_path):
    book = new_book()
    sheet = book.active
    sheet["C3"], sheet["D3"] = "text", "total"
    sheet["C4"], sheet["D4"] = "nothing here", 3
    sheet["C7"], sheet["D7"] = "ring 07700 900123", 0  # rows 5 and 6 are empty
    path = save(book, tmp_path)
    assert sections(path) == [("Sheet", ["text", "total"],
                               [["nothing here", 3.0], ["ring 07700 900123", 0.0]], True)]
    decision = uk.check(path)
    assert found(decision) == [
        ("Sheet", 0, "total", "field.unclassified", "*.*", "Sheet!D4"),
        ("Sheet", 1, "total", "field.unclassified", "*.*", "Sheet!D7"),
        ("Sheet", 1, "text", "uk.phone", "***** ******", "Sheet!C7"),
    ]


def test_hidden_and_very_hidden_sheets_are_read(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    hidden = book.create_sheet("Hidden")
    hidden.sheet_state = "hidden"
    hidden.append(["text"])
    hidden.append(["write to jane.doe@example.com"])
    secret = book.create_sheet("Secret")
    secret.sheet_state = "veryHidden"
    secret.append(["text"])
    secret.append(["SW1A 1AA"])
    decision = uk.check(save(book, tmp_path))
    assert found(decision) == [
        ("Hidden", 0, "text", "email", "j***@e******.c**", "Hidden!A2"),
        ("Secret", 0, "text", "uk.postcode", "SW1A ***", "Secret!A2"),
    ]


def test_merged_cells_hold_the_value_in_the_first_cell_only(tmp_path):
    book = new_book()
    sheet = book.active
    sheet.append(["text", None, "total"])
    sheet.merge_cells("A1:B1")
    sheet.append(["merged across", None, 1])
    sheet.merge_cells("A2:B2")
    sheet.append(["a", "b", 2])
    assert sections(save(book, tmp_path)) == [
        ("Sheet", ["text", "#B", "total"], [["merged across", "", 1.0], ["a", "b", 2.0]], True)]


def test_header_only_sheet_has_no_records_but_its_header_is_checked(uk, tmp_path):
    book = new_book()
    book.active.append(["text", "Daniel Hughes"])
    decision = uk.check(save(book, tmp_path))
    assert decision.files[0].records == 0
    assert found(decision) == [("Sheet", None, "#2", "person.name", "D***** H*****", None)]


def test_empty_workbook_has_no_sections_and_is_allowed(uk, tmp_path):
    book = new_book()
    book.create_sheet("Also empty")
    path = save(book, tmp_path)
    assert sections(path) == []
    decision = uk.check(path)
    assert decision.allowed and decision.exit_code == 0
    assert decision.files[0].records == 0 and decision.files[0].error is None


def test_ragged_rows_extra_cells_are_unnamed_columns_that_block(uk, tmp_path):
    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    sheet.append(["short"])
    sheet.append(["long", None, "hidden off the header"])
    path = save(book, tmp_path)
    assert sections(path)[0][1:3] == (["text", "#B", "#C"],
                                      [["short", "", ""], ["long", "", "hidden off the header"]])
    # the reader's own name for a column past the header is shown as it is
    assert found(uk.check(path)) == [
        ("Sheet", 1, "#C", "field.unclassified", "h***** o** t** h*****", "Sheet!C3")]


def test_duplicate_headers_check_every_column(uk, tmp_path):
    book = new_book()
    sheet = book.active
    sheet.append(["text", "text"])
    sheet.append(["fine", "SW1A 1AA"])
    sheet.append(["SW1A 2AA", "fine"])
    assert found(uk.check(save(book, tmp_path))) == [
        ("Sheet", 0, "text", "uk.postcode", "SW1A ***", "Sheet!B2"),
        ("Sheet", 1, "text", "uk.postcode", "SW1A ***", "Sheet!A3"),
    ]


def test_record_rule_findings_name_the_row_as_a_range(write_policy, tmp_path):
    policy = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: small-counts, version: "1"}
        extends: uk-personal-data
        fields:
          - {id: test.field.public, name: [ward, count], level: public}
        rules:
          - id: test.small_count
            when: "count > `0` && count < `5`"
            level: personal
            fields: [count]
        """)
    book = new_book()
    sheet = book.active
    sheet["B2"], sheet["C2"] = "ward", "count"
    sheet["B3"], sheet["C3"] = "Boxmoor", 12
    sheet["B4"], sheet["C4"] = "Grovehill", 3
    decision = Guardrail.from_policy(policy).check(save(book, tmp_path))
    assert found(decision) == [("Sheet", 1, "count", "test.small_count", "*.*", "Sheet!B4:C4")]


def test_cells_are_typed(tmp_path):
    book = new_book()
    sheet = book.active
    sheet.append(["n", "when", "at", "flag", "words", 2024])
    sheet.append([7, dt.date(2024, 5, 1), dt.datetime(2024, 5, 1, 9, 30), True, "x", 1.5])
    assert sections(save(book, tmp_path)) == [
        ("Sheet", ["n", "when", "at", "flag", "words", "2024"],
         [[7.0, dt.date(2024, 5, 1), dt.datetime(2024, 5, 1, 9, 30), True, "x", 1.5]], True)]


def test_row_of_zeros_and_false_is_not_empty(tmp_path):
    book = new_book()
    book.active.append(["a", "b"])
    book.active.append([0, False])
    assert sections(save(book, tmp_path))[0][2] == [[0.0, False]]


# -- what cell values do not show -----------------------------------------------------

def test_formula_with_a_literal_name_is_found_at_its_cell(uk, tmp_path):
    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    sheet["B7"] = '=CONCATENATE("John"," Smith")'
    sheet["B8"] = "=SUM(A1:A5)"
    path = save(book, tmp_path)
    assert sections(path)[1] == ("Sheet (formulas)", None, [
        {"text": 'John Smith\n=CONCATENATE("John"," Smith")'}, {"text": "=SUM(A1:A5)"}], True)
    decision = uk.check(path)
    assert decision.exit_code == 1
    assert found(decision) == [
        ("Sheet (formulas)", 0, "text", "person.name", "J*** S****", "Sheet!B7")]


def test_formula_in_a_data_validation_list_is_found_by_range(uk, tmp_path):
    from openpyxl.worksheet.datavalidation import DataValidation

    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    rule = DataValidation(type="list", formula1='"Daniel Hughes, Sarah Taylor"')
    rule.add("A2:A9")
    rule.add("C2")
    sheet.add_data_validation(rule)
    # two names in one list formula: one value, one finding (the first name's evidence)
    assert found(uk.check(save(book, tmp_path))) == [
        ("Sheet (formulas)", 0, "text", "person.name", "D***** H*****", "Sheet!A2:A9,C2"),
    ]


def test_comment_with_a_phone_and_its_author(uk, tmp_path):
    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    sheet.append(["fine"])
    sheet["A2"].comment = Comment("Call 07700 900123", "Daniel Hughes")
    path = save(book, tmp_path)
    assert sections(path)[1] == ("Sheet (comments)", None,
                                 [{"text": "Call 07700 900123", "author": "Daniel Hughes"}], True)
    decision = uk.check(path)
    assert found(decision) == [
        ("Sheet (comments)", 0, "text", "uk.phone", "***** ******", "Sheet!A2"),
        ("Sheet (comments)", 0, "author", "field.unclassified", "D***** H*****", "Sheet!A2"),
    ]
    assert also(decision) == [("uk.phone", ()), ("field.unclassified", ("person.name",))]


def _with_threaded_comment(path: Path) -> Path:
    """Add an Excel 365 threaded comment on A2 and its person (openpyxl cannot write them)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/threadedComments/threadedComment1.xml"] = (
        b'<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
        b'threadedcomments"><threadedComment ref="A2" id="{1}" personId="{P1}">'
        b"<text>Spoke to the caller at SW1A 1AA</text></threadedComment></ThreadedComments>")
    parts["xl/persons/person.xml"] = (
        b'<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
        b'threadedcomments"><person displayName="Sarah Taylor" id="{P1}" '
        b'userId="sarah.taylor@example.com" providerId="AD"/></personList>')
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2017/10/'
        b'relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/>'
        b"</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_threaded_comment_and_its_person(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    book.active.append(["fine"])
    path = _with_threaded_comment(save(book, tmp_path))
    assert sections(path)[1] == ("Sheet (threaded comments)", None, [
        {"text": "Spoke to the caller at SW1A 1AA", "author": "Sarah Taylor"}], True)
    decision = uk.check(path)
    assert found(decision) == [
        ("Sheet (threaded comments)", 0, "text", "uk.postcode", "SW1A ***", "Sheet!A2"),
        ("Sheet (threaded comments)", 0, "author", "field.unclassified", "S**** T*****",
         "Sheet!A2"),
    ]
    assert also(decision) == [("uk.postcode", ()), ("field.unclassified", ("person.name",))]


def test_creator_property_is_checked(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    book.properties.creator = "Daniel Hughes"
    book.properties.lastModifiedBy = "Sarah Taylor"
    path = save(book, tmp_path)
    assert sections(path)[-1] == ("(properties)", None, [{"properties": {
        "creator": "Daniel Hughes", "last_modified_by": "Sarah Taylor"}}], False)
    # the fields may be published (tools write "openpyxl" there); a person's name may not
    assert found(uk.check(path)) == [
        ("(properties)", None, "properties.creator", "person.name", "D***** H*****",
         "document properties"),
        ("(properties)", None, "properties.last_modified_by", "person.name", "S**** T*****",
         "document properties"),
    ]
    book.properties.creator = book.properties.lastModifiedBy = "openpyxl"
    assert uk.check(save(book, tmp_path)).allowed


def test_sections_come_sheet_by_sheet_then_properties(tmp_path):
    book = new_book()
    book.properties.title = "Quarterly"
    first = book.active
    first.append(["text"])
    first["A2"] = '="a"&"b"'
    first["A1"].comment = Comment("note", "")
    book.create_sheet("Two").append(["text"])
    assert [(name, records) for name, _, records, _ in sections(save(book, tmp_path))] == [
        ("Sheet", []),
        ("Sheet (formulas)", [{"text": 'ab\n="a"&"b"'}]),
        ("Sheet (comments)", [{"text": "note"}]),
        ("Two", []),
        ("(properties)", [{"properties": {"title": "Quarterly"}}]),
    ]


# -- pivot caches, defined names, custom properties ---------------------------------------

PIVOT_POLICY = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: pivot-test, version: "1"}
    extends: uk-personal-data
    fields:
      - {id: test.field.public, name: [ward, total, month, open], level: public}
      - {id: test.field.refreshed, path: [properties.pivot_refreshed_by], level: public}
    destinations:
      public-web:
        max_level: public
        actions: {internal: redact, personal: redact, special-category: drop}
    """

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml."

# ward: three shared items (one no record uses); email: inline text; total: numbers,
# with the bounds Excel writes; month: dates; open: flags.
CASES_FIELDS = (
    '<cacheField name="ward" numFmtId="0"><sharedItems count="3"><s v="Boxmoor"/>'
    '<s v="Grovehill"/><s v="Old Town"/></sharedItems></cacheField>'
    '<cacheField name="email" numFmtId="0"><sharedItems/></cacheField>'
    '<cacheField name="total" numFmtId="0"><sharedItems containsSemiMixedTypes="0" '
    'containsString="0" containsNumber="1" minValue="1" maxValue="12"/></cacheField>'
    '<cacheField name="month" numFmtId="14"><sharedItems containsDate="1" '
    'minDate="2024-01-01T00:00:00" maxDate="2024-02-01T00:00:00"/></cacheField>'
    '<cacheField name="open" numFmtId="0"><sharedItems/></cacheField>')
CASES_RECORDS = (
    '<r><x v="0"/><s v="jane.doe@example.com"/><n v="1"/><d v="2024-01-01T00:00:00"/>'
    '<b v="1"/></r>'
    '<r><x v="1"/><m/><n v="12"/><d v="2024-02-01T00:00:00"/><b v="0"/></r>')


def _pivot_parts(fields: str, records: str | None, refreshed_by: str | None,
                 table: bool) -> dict[str, bytes]:
    """The parts of one pivot cache (and its pivot table on the first sheet)."""
    attributes = ' r:id="rId1"' if records is not None else ' saveData="0"'
    if refreshed_by:
        attributes += f' refreshedBy="{refreshed_by}"'
    parts = {"xl/pivotCache/pivotCacheDefinition1.xml": (
        f'<pivotCacheDefinition xmlns="{_MAIN}" xmlns:r="{_REL}"{attributes} '
        'refreshedVersion="6"><cacheSource type="worksheet"><worksheetSource ref="A1:E3" '
        f'sheet="Source"/></cacheSource><cacheFields>{fields}</cacheFields>'
        "</pivotCacheDefinition>").encode()}
    if records is not None:
        parts["xl/pivotCache/pivotCacheRecords1.xml"] = (
            f'<pivotCacheRecords xmlns="{_MAIN}">{records}</pivotCacheRecords>').encode()
        parts["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
            'pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>').encode()
    if table:
        columns = fields.count("<cacheField ")
        parts["xl/pivotTables/pivotTable1.xml"] = (
            f'<pivotTableDefinition xmlns="{_MAIN}" name="PivotTable1" cacheId="7" '
            'dataCaption="Values" updatedVersion="6" createdVersion="6"><location ref="A3:B5" '
            'firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>'
            f'<pivotFields count="{columns}">' + '<pivotField showAll="0"/>' * columns +
            "</pivotFields></pivotTableDefinition>").encode()
        parts["xl/pivotTables/_rels/pivotTable1.xml.rels"] = (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
            'pivotCacheDefinition" Target="../pivotCache/pivotCacheDefinition1.xml"/>'
            "</Relationships>").encode()
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/pivotTable" '
            'Target="../pivotTables/pivotTable1.xml"/></Relationships>').encode()
    return parts


def _with_pivot_cache(path: Path, fields: str = CASES_FIELDS, records: str | None = CASES_RECORDS,
                      refreshed_by: str | None = "Daniel Hughes", listed: bool = True,
                      table: bool = True) -> Path:
    """Add a pivot cache as Excel writes one (openpyxl cannot create them): its definition,
    its records (None: saved without them), and unless *listed* is False, the workbook's
    entry for it and a pivot table on the first sheet using it."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    added = _pivot_parts(fields, records, refreshed_by, table and listed)
    types = "".join(
        f'<Override PartName="/{name}" ContentType="{_TYPE}{kind}+xml"/>'
        for name, kind in (("xl/pivotCache/pivotCacheDefinition1.xml", "pivotCacheDefinition"),
                           ("xl/pivotCache/pivotCacheRecords1.xml", "pivotCacheRecords"),
                           ("xl/pivotTables/pivotTable1.xml", "pivotTable"))
        if name in added)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", types.encode() + b"</Types>")
    if listed:
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", f'<Relationship Id="rIdP1" Type="{_REL}/pivotCacheDefinition" '
            'Target="pivotCache/pivotCacheDefinition1.xml"/></Relationships>'.encode())
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"</workbook>", f'<pivotCaches><pivotCache xmlns:r="{_REL}" cacheId="7" '
            'r:id="rIdP1"/></pivotCaches></workbook>'.encode())
    parts.update(added)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _summary_book(tmp_path: Path, name: str = "pivot.xlsx") -> Path:
    """A workbook whose only sheet holds a pivot table's output: the source sheet is gone."""
    book = new_book()
    book.active.title = "Summary"
    book.active.append(["ward", "total"])
    book.active.append(["Boxmoor", 1])
    book.active.append(["Grovehill", 12])
    return save(book, tmp_path, name)


@pytest.fixture
def pivot_guard(write_policy) -> Guardrail:
    return Guardrail.from_policy(write_policy(PIVOT_POLICY))


def test_pivot_cache_is_a_table_of_its_records_then_what_no_record_holds(tmp_path):
    path = _with_pivot_cache(_summary_book(tmp_path))
    jan, feb = dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1)
    assert sections(path)[1:] == [
        ("(pivot cache 1)", ["ward", "email", "total", "month", "open"], [
            ["Boxmoor", "jane.doe@example.com", 1.0, jan, True],
            ["Grovehill", "", 12.0, feb, False],
            ["Old Town", "", "", "", ""],  # a shared item no record uses: kept by Excel
        ], True),
        ("(properties)", None, [{"properties": {"pivot_refreshed_by": "Daniel Hughes"}}],
         False),
    ]


def test_personal_data_in_a_pivot_cache_blocks_with_its_record(pivot_guard, tmp_path):
    """The source sheet is gone; the cache still holds every row of it."""
    path = _with_pivot_cache(_summary_book(tmp_path))
    decision = pivot_guard.check(path)
    assert decision.exit_code == 1
    # the email detector's match is the whole value: its evidence is the value's one mask
    assert found(decision) == [
        ("(pivot cache 1)", 0, "email", "uk.field.contact", "j***@e******.c**",
         "pivot cache 1, record 1"),
        ("(properties)", None, "properties.pivot_refreshed_by", "person.name", "D***** H*****",
         "document properties"),
    ]
    assert also(decision) == [("uk.field.contact", ("email",)), ("person.name", ())]


def test_shared_items_and_inline_values_are_both_checked(pivot_guard, tmp_path):
    fields = ('<cacheField name="ward" numFmtId="0"><sharedItems><s v="Boxmoor"/>'
              '<s v="Call 07700 900123"/></sharedItems></cacheField>'
              '<cacheField name="total" numFmtId="0"><sharedItems/></cacheField>')
    records = ('<r><x v="0"/><n v="4"/></r><r><x v="1"/><n v="5"/></r>'
               '<r><x v="0"/><s v="write to jane.doe@example.com"/></r>')
    path = _with_pivot_cache(_summary_book(tmp_path), fields, records, refreshed_by=None)
    assert sections(path)[1][2] == [["Boxmoor", 4.0], ["Call 07700 900123", 5.0],
                                    ["Boxmoor", "write to jane.doe@example.com"]]
    assert found(pivot_guard.check(path)) == [
        ("(pivot cache 1)", 1, "ward", "uk.phone", "***** ******", "pivot cache 1, record 2"),
        ("(pivot cache 1)", 2, "total", "email", "j***@e******.c**", "pivot cache 1, record 3"),
    ]


def test_cache_saved_without_records_still_holds_its_shared_items(pivot_guard, tmp_path):
    """"Save source data with file" off: no records part, yet the definition keeps every
    distinct value of a field, and the smallest and largest of a number or date field."""
    fields = ('<cacheField name="ward" numFmtId="0"><sharedItems><s v="Boxmoor"/>'
              '<s v="SW1A 1AA"/><m/></sharedItems></cacheField>'
              '<cacheField name="total" numFmtId="0"><sharedItems containsNumber="1" '
              'minValue="2" maxValue="40"/></cacheField>')
    path = _with_pivot_cache(_summary_book(tmp_path), fields, None, refreshed_by=None)
    assert sections(path)[1] == ("(pivot cache 1)", ["ward", "total"], [
        ["Boxmoor", ""], ["SW1A 1AA", ""], ["", 2.0], ["", 40.0]], True)
    assert found(pivot_guard.check(path)) == [
        ("(pivot cache 1)", 1, "ward", "uk.postcode", "SW1A ***", "pivot cache 1, shared item 2"),
    ]


def test_cache_no_pivot_table_uses_is_read_too(pivot_guard, tmp_path):
    """A cache left behind when its pivot table was deleted is still in the file."""
    path = _with_pivot_cache(_summary_book(tmp_path), listed=False, refreshed_by=None)
    assert [name for name, *_ in sections(path)] == ["Summary", "(pivot cache 1)"]
    decision = pivot_guard.check(path)
    assert [f[5] for f in found(decision)] == ["pivot cache 1, record 1"]
    assert also(decision) == [("uk.field.contact", ("email",))]


def test_records_whose_definition_is_gone_fail_closed(uk, tmp_path):
    path = _summary_book(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/pivotCache/pivotCacheRecords3.xml",
                         f'<pivotCacheRecords xmlns="{_MAIN}"><r><x v="2"/>'
                         '<s v="jane.doe@example.com"/></r></pivotCacheRecords>')
    assert sections(path)[1] == ("(pivot cache 1)", [], [["2", "jane.doe@example.com"]], True)
    decision = uk.check(path)
    assert [f for f in found(decision) if f[0] == "(pivot cache 1)"] == [
        ("(pivot cache 1)", 0, "#1", "field.unclassified", "*", "pivot cache 1, record 1"),
        ("(pivot cache 1)", 0, "#2", "field.unclassified", "j***@e******.c**",
         "pivot cache 1, record 1"),
    ]
    assert [(f.field, f.rule, f.also) for f in decision.findings
            if f.section == "(pivot cache 1)"] == [
        ("#1", "field.unclassified", ()), ("#2", "field.unclassified", ("email",))]

def test_calculated_and_grouping_fields_come_after_the_recorded_ones(tmp_path):
    fields = ('<cacheField name="ward" numFmtId="0"><sharedItems><s v="Boxmoor"/>'
              '</sharedItems></cacheField>'
              '<cacheField name="band" numFmtId="0" databaseField="0"><fieldGroup base="2">'
              '<groupItems><s v="small"/><s v="large"/></groupItems></fieldGroup></cacheField>'
              '<cacheField name="total" numFmtId="0"><sharedItems/></cacheField>')
    records = '<r><x v="0"/><n v="3"/></r>'
    path = _with_pivot_cache(_summary_book(tmp_path), fields, records, refreshed_by=None)
    assert sections(path)[1] == ("(pivot cache 1)", ["ward", "total", "band"], [
        ["Boxmoor", 3.0, ""], ["", "", "small"], ["", "", "large"]], True)


def test_clean_pivot_cache_of_aggregate_data_is_allowed(pivot_guard, tmp_path):
    fields = ('<cacheField name="ward" numFmtId="0"><sharedItems><s v="Boxmoor"/>'
              '<s v="Grovehill"/></sharedItems></cacheField>'
              '<cacheField name="total" numFmtId="0"><sharedItems containsNumber="1" '
              'minValue="14" maxValue="40"/></cacheField>')
    records = '<r><x v="0"/><n v="14"/></r><r><x v="1"/><n v="40"/></r>'
    path = _with_pivot_cache(_summary_book(tmp_path), fields, records, refreshed_by=None)
    decision = pivot_guard.check(path)
    assert decision.allowed and found(decision) == []
    assert decision.files[0].records == 4  # two summary rows, two cache records


@pytest.mark.parametrize(("records", "message", "position"), [
    ('<r><x v="0"/><n v="1"/></r><r><s v="x"/>', "a pivot cache part is not well-formed XML",
     "pivot cache 1"),
    ('<r><x v="9"/><n v="1"/></r>', "a pivot cache record refers to a shared item its cache "
     "does not have", "pivot cache 1, record 1"),
    ('<r><x v="0"/><n v="1"/></r><r><x v="0"/><n v="1"/><s v="x"/></r>',
     "a pivot cache record has more values than its cache has fields", "pivot cache 1, record 2"),
    ('<r><x v="0"/><f v="1"/></r>', "a pivot cache record holds an element pivot caches do "
     "not have", "pivot cache 1, record 1"),
])
def test_broken_pivot_cache_is_unreadable(uk, tmp_path, records, message, position):
    fields = ('<cacheField name="ward"><sharedItems><s v="a"/></sharedItems></cacheField>'
              '<cacheField name="total"><sharedItems/></cacheField>')
    path = _with_pivot_cache(_summary_book(tmp_path), fields, records, refreshed_by=None)
    decision = uk.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].error == f"{position}: not a valid XLSX workbook: {message}"


def test_pivot_cache_record_over_the_record_limit_blocks(uk, tmp_path):
    fields = '<cacheField name="text"><sharedItems/></cacheField>'
    records = f'<r><s v="{"x" * 2000}"/></r>'
    path = _with_pivot_cache(_summary_book(tmp_path), fields, records, refreshed_by=None)
    decision = uk.check(path, limits=Limits(max_record_bytes=1000))
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "pivot cache 1, record 1: one pivot cache record exceeds the record size limit of "
        "1,000 bytes; the payload is blocked. If it is genuine, raise the limit with "
        "--max-record-size")


def _named_book(tmp_path: Path) -> Path:
    from openpyxl.workbook.defined_name import DefinedName

    book = new_book()
    book.active.append(["text"])
    book.create_sheet("My data")
    book.defined_names["Contact"] = DefinedName("Contact", attr_text='"mail jane.doe@example.com"')
    book.defined_names["Cases"] = DefinedName("Cases", attr_text="Sheet!$A$1:$A$9")
    book.defined_names["Both"] = DefinedName("Both", attr_text="Sheet!$A:$A,'My data'!$1:$1")
    book.defined_names["Rate"] = DefinedName("Rate", attr_text="0.25")
    book["My data"].defined_names["Owner"] = DefinedName(
        "Owner", attr_text='CONCATENATE("Daniel"," Hughes")', comment="ask SW1A 1AA")
    return save(book, tmp_path, "named.xlsx")


def test_defined_names_holding_data_are_checked(uk, tmp_path):
    path = _named_book(tmp_path)
    assert sections(path)[-1] == ("(defined names)", None, [
        {"text": "mail jane.doe@example.com"},
        {"text": "=0.25"},
        {"text": 'Daniel Hughes\n=CONCATENATE("Daniel"," Hughes")'},
        {"text": "ask SW1A 1AA"},
    ], True)  # the two references (Cases, Both) point at cells: nothing to read
    assert found(uk.check(path)) == [
        ("(defined names)", 0, "text", "email", "j***@e******.c**", "defined name Contact"),
        ("(defined names)", 2, "text", "person.name", "D***** H*****",
         "defined name 'My data'!Owner"),
        ("(defined names)", 3, "text", "uk.postcode", "SW1A ***",
         "defined name 'My data'!Owner (comment)"),
    ]


@pytest.mark.parametrize(("value", "reference"), [
    ("Sheet1!$A$1", True), ("'My sheet'!$A$1:$C$9", True), ("$A:$A", True),
    ("Sheet1!$1:$3,Sheet1!$A:$B", True), ("#REF!", True), ("Sheet1!#REF!", True),
    ('"jane@example.com"', False), ('{"a","b"}', False), ("42", False),
    ("OFFSET(Sheet1!$A$1,0,0)", False), ("jane@example.com!A1", False),
])
def test_defined_name_references_are_told_from_data(value, reference):
    from guardrail_xlsx.names import is_reference

    assert is_reference(value) is reference


def test_custom_properties_are_checked_under_properties(uk, tmp_path):
    from openpyxl.packaging.custom import BoolProperty, IntProperty, StringProperty

    book = new_book()
    book.active.append(["text"])
    book.properties.title = "Quarterly"
    book.custom_doc_props.append(StringProperty(name="Reviewer", value="Daniel Hughes"))
    book.custom_doc_props.append(IntProperty(name="Cases", value=3))
    book.custom_doc_props.append(BoolProperty(name="Final", value=True))
    book.custom_doc_props.append(StringProperty(name="Empty", value=""))
    path = save(book, tmp_path)
    assert sections(path)[-1] == ("(properties)", None, [{"properties": {
        "title": "Quarterly",
        "custom": {"Reviewer": "Daniel Hughes", "Cases": 3, "Final": True}}}], False)
    # a custom property's name is nobody's to classify in the shipped policy: fails closed
    decision = uk.check(path)
    assert found(decision) == [
        ("(properties)", None, "properties.custom.Reviewer", "field.unclassified",
         "D***** H*****", "document properties"),
        ("(properties)", None, "properties.custom.Cases", "field.unclassified", "*",
         "document properties"),
        ("(properties)", None, "properties.custom.Final", "field.unclassified", "****",
         "document properties"),
    ]
    assert also(decision) == [("field.unclassified", ("person.name",)),
                              ("field.unclassified", ()), ("field.unclassified", ())]


# -- hostile and broken payloads --------------------------------------------------------

def _bomb(path: Path, megabytes: int) -> Path:
    """A real zip bomb: a valid workbook whose sheet XML is *megabytes* MB of zeros."""
    book = new_book()
    book.active.append(["text"])
    good = io.BytesIO()
    book.save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, source.read(info))
        with out.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"0" * (1 << 20)
            for _ in range(megabytes):
                member.write(block)
    return path


def test_zip_bomb_blocks_from_the_directory_alone(uk, tmp_path):
    bomb = _bomb(tmp_path / "bomb.xlsx", 300)
    assert bomb.stat().st_size < 1_000_000
    decision = uk.check(bomb)
    assert decision.exit_code == 3 and not decision.allowed
    error = decision.files[0].error
    assert error.startswith("a part of the workbook expands 1,0")
    assert error.endswith("times its compressed size (more than 200:1 on a part over 16 MB), "
                          "as zip bombs do; the payload is blocked")


def test_uncompressed_total_over_the_file_limit_blocks(uk, tmp_path):
    bomb = _bomb(tmp_path / "bomb.xlsx", 8)  # under the ratio check's 16 MB floor
    decision = uk.check(bomb, limits=Limits(max_file_bytes=4 * 1024**2))
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "total uncompressed size of the workbook's parts exceeds the file size limit of "
        "4,194,304 bytes; the payload is blocked. If it is genuine, raise the limit with "
        "--max-file-size")


def test_file_over_the_file_limit_blocks(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    path = save(book, tmp_path)
    message = ("the payload exceeds the file size limit of 1,000 bytes; the payload is "
               "blocked. If it is genuine, raise the limit with --max-file-size")
    decision = uk.check(path, limits=Limits(max_file_bytes=1000))
    assert (decision.exit_code, decision.files[0].error) == (3, message)
    decision = uk.check(path.read_bytes(), format="xlsx", limits=Limits(max_file_bytes=1000))
    assert (decision.exit_code, decision.files[0].error) == (3, message)


def test_too_many_members_blocks_before_reading_the_directory(uk, tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(MAX_MEMBERS + 1):
            archive.writestr(f"xl/{number}", b"")
    decision = uk.check(path)
    assert decision.files[0].error == (
        "not a valid XLSX workbook: the archive has more than 10,000 members, as zip bombs "
        "do; the payload is blocked")


def test_member_longer_than_its_declared_size_is_corrupt(uk, tmp_path):
    """A lying directory (small declared size, large data) must not reach calamine."""
    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    for _ in range(2000):
        sheet.append(["the same words again and again"])
    path = save(book, tmp_path)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # (signature, offset of the uncompressed size, offset of the name): central, local
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        at = data.find(signature)
        while data[at + name_at: at + name_at + len(name)] != name:
            at = data.find(signature, at + 4)
        data[at + size_at: at + size_at + 4] = struct.pack("<I", 1000)
    decision = uk.check(bytes(data), format="xlsx")
    assert decision.files[0].error == ("not a valid XLSX workbook: the ZIP archive is corrupt "
                                       "or truncated; export it again")


def test_billion_laughs_in_a_sheet_blocks_fast(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    book.active["A2"] = "=1+1"
    path = save(book, tmp_path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    entities = b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10)
                        for i in range(1, 10))
    sheet = parts["xl/worksheets/sheet1.xml"].replace(b"<f>1+1</f>", b"<f>&lol9;</f>")
    parts["xl/worksheets/sheet1.xml"] = \
        b'<!DOCTYPE worksheet [<!ENTITY lol0 "lol">' + entities + b"]>" + sheet
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    decision = uk.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].error == ("not a valid XLSX workbook: a sheet or comments part "
                                       "is not well-formed XML")


def test_not_a_zip_is_unreadable(uk):
    decision = uk.check(b"name,text\nx,y\n", format="xlsx")
    assert decision.exit_code == 3
    assert decision.files[0].error == "not an XLSX workbook: the content is not a ZIP archive"


def test_truncated_zip_is_unreadable(uk, tmp_path):
    book = new_book()
    book.active.append(["text"])
    data = save(book, tmp_path).read_bytes()
    decision = uk.check(data[: len(data) // 2], format="xlsx")
    assert decision.exit_code == 3
    assert decision.files[0].error == ("not a valid XLSX workbook: the ZIP archive is corrupt "
                                       "or truncated; export it again")


def test_zip_that_is_not_a_workbook_is_unreadable(uk):
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("data.txt", "hello")
    decision = uk.check(plain.getvalue(), format="xlsx")
    assert decision.exit_code == 3
    assert decision.files[0].error == ("not an XLSX workbook: the package names no workbook "
                                       "part")


def test_encrypted_workbook_is_blocked_as_uninspectable(uk):
    # An encrypted XLSX is an OLE compound file with an EncryptedPackage stream.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + \
        "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000
    decision = uk.check(ole)
    assert decision.files[0].format == "xlsx"
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "encrypted workbook: cannot be inspected; blocked. Remove the password (File > Info > "
        "Protect Workbook) and check it again")


def test_stream_payload_is_spooled_and_removed(uk, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    book = new_book()
    book.active.append(["text"])
    book.active.append(["SW1A 1AA"])
    data = save(book, tmp_path).read_bytes()
    decision = uk.check(io.BytesIO(data), format="xlsx")
    assert found(decision) == [("Sheet", 0, "text", "uk.postcode", "SW1A ***", "Sheet!A2")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_cli_exit_codes(tmp_path):
    book = new_book()
    book.active.append(["text"])
    clean = save(book, tmp_path, "clean.xlsx")
    book.active.append(["SW1A 1AA"])
    leaky = save(book, tmp_path, "leaky.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    runner = CliRunner()
    for path, code in ((clean, 0), (leaky, 1), (broken, 3)):
        result = runner.invoke(cli, ["check", "--policy", "uk-personal-data", str(path)])
        assert result.exit_code == code, result.output
    result = runner.invoke(cli, ["check", "--policy", "uk-personal-data", str(leaky)])
    assert "Sheet!A2" in result.output and "SW1A 1AA" not in result.output


# -- redaction ------------------------------------------------------------------------

def _cells(path: Path) -> dict[tuple[str, str], object]:
    book = openpyxl.load_workbook(path)
    return {(sheet.title, cell.coordinate): cell.value
            for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None}


def _leaky_book(tmp_path: Path) -> Path:
    book = new_book()
    book.properties.creator = "Daniel Hughes"
    sheet = book.active
    sheet.title = "Cases"
    sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"] = "case_ref", "text", "total", "religion"
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "C1", "nothing to see", 4, "none"
    sheet["B5"], sheet["C5"], sheet["D5"] = "C2", "Call 07700 900123 today", 2.5
    sheet["E5"] = "Quaker"
    sheet["B6"], sheet["C6"], sheet["D6"] = "C3", "fine", dt.date(2024, 1, 2)
    sheet["C6"].comment = Comment("Seen at SW1A 1AA", "Ann Other")
    sheet["F9"] = '=CONCATENATE("John"," Smith")'
    sheet["F10"] = "=SUM(D3:D6)"
    sheet.merge_cells("B8:C8")
    hidden = book.create_sheet("Hidden")
    hidden.sheet_state = "hidden"
    hidden.append(["text"])
    hidden.append(["mail jane.doe@example.com"])
    return save(book, tmp_path, "leaky.xlsx")


def test_redaction_round_trip(redacting, tmp_path):
    source = _leaky_book(tmp_path)
    assert not redacting.check(source).allowed
    output = tmp_path / "out.xlsx"
    result = redacting.redact(source, output)
    assert result.written, result.reason
    assert result.verification.allowed and result.verification.findings == []
    assert redacting.check(output).allowed
    before, after = _cells(source), _cells(output)
    changed = {key: after.get(key) for key in before if before[key] != after.get(key)}
    assert changed == {
        ("Cases", "C5"): "Call [REDACTED] today",
        ("Cases", "E2"): None, ("Cases", "E3"): None, ("Cases", "E5"): None,  # dropped column
        ("Cases", "F9"): None,  # the formula held a name and had no cached value
        ("Hidden", "A2"): "mail [REDACTED]",
    }
    assert set(after) <= set(before)
    copy = openpyxl.load_workbook(output)
    assert copy["Hidden"].sheet_state == "hidden"
    assert copy["Cases"]["F10"].value == "=SUM(D3:D6)"
    assert [str(r) for r in copy["Cases"].merged_cells.ranges] == ["B8:C8"]
    note = copy["Cases"]["C6"].comment
    assert (note.text, note.author) == ("Seen at [REDACTED]", "[REDACTED]")
    assert copy.properties.creator == "[REDACTED]"
    assert sections(output) == [
        ("Cases", ["case_ref", "text", "total"],
         [["C1", "nothing to see", 4.0], ["C2", "Call [REDACTED] today", 2.5],
          ["C3", "fine", dt.date(2024, 1, 2)]], True),
        ("Cases (formulas)", None, [{"text": "=SUM(D3:D6)"}], True),
        ("Cases (comments)", None, [{"text": "Seen at [REDACTED]", "author": "[REDACTED]"}],
         True),
        ("Hidden", ["text"], [["mail [REDACTED]"]], True),
        ("(properties)", None, [{"properties": {"creator": "[REDACTED]"}}], False),
    ]


def test_redacted_formula_keeps_its_cell_value_as_redacted(redacting, tmp_path):
    """With a cached value (as Excel writes), the formula becomes that value, redacted."""
    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    sheet.append(["placeholder"])
    source = save(book, tmp_path, "cached.xlsx")
    # openpyxl writes no cached values: write one into the sheet XML, as Excel would.
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"]
    cell = b'<c r="A2" t="inlineStr"><is><t>placeholder</t></is></c>'
    assert cell in sheet_xml
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.replace(
        cell, b'<c r="A2" t="str"><f>"Mr John"&amp;" Smith of SW1A 1AA"</f>'
              b"<v>Mr John Smith of SW1A 1AA</v></c>")
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert sections(source)[0][2] == [["Mr John Smith of SW1A 1AA"]]
    output = tmp_path / "out.xlsx"
    result = redacting.redact(source, output)
    assert result.written, result.reason
    assert _cells(output) == {("Sheet", "A1"): "text",
                              ("Sheet", "A2"): "[REDACTED] of [REDACTED]"}


def test_personal_header_is_replaced(redacting, tmp_path):
    book = new_book()
    book.active.append(["text", "Daniel Hughes"])
    book.active.append(["fine", "also fine"])
    output = tmp_path / "out.xlsx"
    result = redacting.redact(save(book, tmp_path), output)
    assert result.written, result.reason
    assert _cells(output) == {("Sheet", "A1"): "text", ("Sheet", "B1"): "[REDACTED]",
                              ("Sheet", "A2"): "fine", ("Sheet", "B2"): "[REDACTED]"}


def test_hash_action_replaces_typed_cells_with_keyed_hashes(write_policy, tmp_path):
    policy = write_policy(REDACT_POLICY.replace("personal: redact", "personal: hash"))
    guard = Guardrail.from_policy(policy)
    book = new_book()
    book.active.append(["text", "count"])
    book.active.append(["fine", 41])
    output = tmp_path / "out.xlsx"
    result = guard.redact(save(book, tmp_path), output, hash_key=b"test key")
    assert result.written, result.reason
    cells = _cells(output)
    assert cells[("Sheet", "A2")] == "fine"
    assert cells[("Sheet", "B2")].startswith("hmac-sha256:")
    assert len(cells[("Sheet", "B2")]) == len("hmac-sha256:") + 64


def test_redacted_validation_list_and_conditional_format_are_removed(redacting, tmp_path):
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.worksheet.datavalidation import DataValidation

    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    sheet.conditional_formatting.add("A2:A9", FormulaRule(formula=['A2="Daniel Hughes"']))
    sheet.conditional_formatting.add("A2:A9", FormulaRule(formula=['A2="done"']))
    sheet.conditional_formatting.add("C2:C9", FormulaRule(formula=['C2="Sarah Taylor"']))
    names = DataValidation(type="list", formula1='"Daniel Hughes, Sarah Taylor"')
    names.add("A2:A9")
    kept = DataValidation(type="list", formula1='"Yes,No"')
    kept.add("B2:B9")
    sheet.add_data_validation(names)
    sheet.add_data_validation(kept)
    output = tmp_path / "out.xlsx"
    result = redacting.redact(save(book, tmp_path), output)
    assert result.written, result.reason
    copy = openpyxl.load_workbook(output).active
    assert [v.formula1 for v in copy.data_validations.dataValidation] == ['"Yes,No"']
    assert [(str(f.sqref), [r.formula for r in f.rules]) for f in copy.conditional_formatting] \
        == [("A2:A9", [['A2="done"']])]


def test_threaded_comments_are_not_in_the_copy(redacting, tmp_path):
    book = new_book()
    book.active.append(["text"])
    book.active.append(["fine"])
    output = tmp_path / "out.xlsx"
    result = redacting.redact(_with_threaded_comment(save(book, tmp_path)), output)
    assert result.written, result.reason
    assert result.changed == 2  # the postcode in the text, and the author
    with zipfile.ZipFile(output) as archive:
        assert not [n for n in archive.namelist() if "threaded" in n or "persons" in n]


def test_rich_text_the_redactor_leaves_alone_keeps_its_runs(redacting, tmp_path):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = new_book()
    sheet = book.active
    sheet.append(["text"])
    sheet["A2"] = CellRichText(["Seen at ", TextBlock(InlineFont(b=True), "SW1A 1AA")])
    sheet["A3"] = CellRichText(["all ", TextBlock(InlineFont(b=True), "fine")])
    output = tmp_path / "out.xlsx"
    result = redacting.redact(save(book, tmp_path), output)
    assert result.written, result.reason
    copy = openpyxl.load_workbook(output, rich_text=True).active
    assert copy["A2"].value == "Seen at [REDACTED]"
    assert isinstance(copy["A3"].value, CellRichText) and str(copy["A3"].value) == "all fine"


def test_redaction_with_block_writes_nothing(uk, tmp_path):
    output = tmp_path / "out.xlsx"
    result = uk.redact(_leaky_book(tmp_path), output)
    assert not result.written and result.exit_code == 1
    assert not output.exists()


def test_redaction_of_a_bomb_writes_nothing(redacting, tmp_path):
    output = tmp_path / "out.xlsx"
    result = redacting.redact(_bomb(tmp_path / "bomb.xlsx", 40), output)
    assert not result.written and result.exit_code == 3
    assert not output.exists()


def _parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_pivot_cache_with_personal_data_leaves_the_redacted_copy(pivot_guard, tmp_path):
    source = _with_pivot_cache(_summary_book(tmp_path))
    assert not pivot_guard.check(source).allowed
    output = tmp_path / "out.xlsx"
    result = pivot_guard.redact(source, output)
    assert result.written, result.reason
    assert result.verification.allowed and result.verification.findings == []
    assert not [name for name in _parts(output) if "pivot" in name.lower()]
    copy = openpyxl.load_workbook(output)
    assert copy["Summary"]._pivots == []
    # the pivot table's output on the sheet stays, as the check saw it
    assert _cells(output) == _cells(source)
    assert sections(output) == [
        ("Summary", ["ward", "total"], [["Boxmoor", 1.0], ["Grovehill", 12.0]], True)]


def test_clean_pivot_cache_stays_in_the_redacted_copy(pivot_guard, tmp_path):
    """Only the name of whoever refreshed it is redacted: the cache and its pivot table
    stay, without that name."""
    fields = ('<cacheField name="ward" numFmtId="0"><sharedItems><s v="Boxmoor"/>'
              '<s v="Grovehill"/></sharedItems></cacheField>'
              '<cacheField name="total" numFmtId="0"><sharedItems/></cacheField>')
    records = '<r><x v="0"/><n v="14"/></r><r><x v="1"/><n v="40"/></r>'
    source = _with_pivot_cache(_summary_book(tmp_path), fields, records)
    assert found(pivot_guard.check(source)) == [
        ("(properties)", None, "properties.pivot_refreshed_by", "person.name", "D***** H*****",
         "document properties")]
    output = tmp_path / "out.xlsx"
    result = pivot_guard.redact(source, output)
    assert result.written, result.reason
    assert result.verification.allowed
    assert {"xl/pivotCache/pivotCacheDefinition1.xml", "xl/pivotCache/pivotCacheRecords1.xml",
            "xl/pivotTables/pivotTable1.xml"} <= set(_parts(output))
    copy = openpyxl.load_workbook(output)
    assert [p.cache.refreshedBy for p in copy["Summary"]._pivots] == [None]
    assert sections(output)[1:] == [
        ("(pivot cache 1)", ["ward", "total"], [["Boxmoor", 14.0], ["Grovehill", 40.0]], True)]


def test_defined_names_and_custom_properties_are_redacted(redacting, tmp_path):
    from openpyxl.packaging.custom import IntProperty, StringProperty

    book = openpyxl.load_workbook(_named_book(tmp_path))
    book.custom_doc_props.append(StringProperty(name="Reviewer", value="Daniel Hughes"))
    book.custom_doc_props.append(IntProperty(name="Cases", value=3))
    book.properties.creator = None
    source = save(book, tmp_path, "named.xlsx")
    assert not redacting.check(source).allowed
    output = tmp_path / "out.xlsx"
    result = redacting.redact(source, output)
    assert result.written, result.reason
    assert result.verification.allowed and result.verification.findings == []
    copy = openpyxl.load_workbook(output)
    names = {name: d.value for name, d in copy.defined_names.items()}
    assert names == {"Contact": '"mail [REDACTED]"', "Cases": "Sheet!$A$1:$A$9",
                     "Both": "Sheet!$A:$A,'My data'!$1:$1", "Rate": "0.25"}
    owner = copy["My data"].defined_names["Owner"]
    # a formula's literals as redacted, as a constant: never the formula with a name split
    assert (owner.value, owner.comment) == ('"[REDACTED]"', "ask [REDACTED]")
    assert [(p.name, p.value) for p in copy.custom_doc_props] == [
        ("Reviewer", "[REDACTED]"), ("Cases", "[REDACTED]")]
    assert sections(output)[-2:] == [
        ("(defined names)", None, [{"text": "mail [REDACTED]"}, {"text": "=0.25"},
                                   {"text": "[REDACTED]"}, {"text": "ask [REDACTED]"}], True),
        ("(properties)", None, [{"properties": {
            "custom": {"Reviewer": "[REDACTED]", "Cases": "[REDACTED]"}}}], False),
    ]


def test_dropped_pivot_cache_column_removes_the_cache(write_policy, tmp_path):
    """A special-category field is dropped from the cache: the cache cannot be kept."""
    guard = Guardrail.from_policy(write_policy(PIVOT_POLICY))
    fields = ('<cacheField name="ward"><sharedItems><s v="Boxmoor"/></sharedItems></cacheField>'
              '<cacheField name="religion"><sharedItems><s v="Quaker"/></sharedItems>'
              '</cacheField>')
    records = '<r><x v="0"/><x v="0"/></r>'
    source = _with_pivot_cache(_summary_book(tmp_path), fields, records, refreshed_by=None)
    output = tmp_path / "out.xlsx"
    result = guard.redact(source, output)
    assert result.written, result.reason
    assert not [name for name in _parts(output) if "pivot" in name.lower()]


def test_personal_data_in_a_pivot_cache_blocks_a_redaction_that_blocks(uk, tmp_path):
    output = tmp_path / "out.xlsx"
    result = uk.redact(_with_pivot_cache(_summary_book(tmp_path)), output)
    assert not result.written and result.exit_code == 1
    assert not output.exists()


def test_a_sheet_named_with_personal_data_is_a_finding_and_never_shown(guard, tmp_path):
    book = new_book()
    sheet = book.active
    sheet.title = "jane.smith@example.com"
    sheet.append(["month", "complainant_name"])
    sheet.append(["2026-01", "Zebedee Quackenbush"])
    book.properties.creator = "openpyxl"
    decision = guard.check(save(book, tmp_path))
    assert [(f.record, f.field, f.rule, f.evidence, f.position, f.section)
            for f in decision.findings] == [
        (None, "(section name)", "email", "j***@e******.c**", None, "j***.s****@e******.c**"),
        (0, "complainant_name", "uk.field.person_name", "Z****** Q**********",
         "'j***.s****@e******.c**'!B*", "j***.s****@e******.c**"),
    ]
    assert [f.also for f in decision.findings] == [(), ("person.name",)]
    assert "smith" not in repr(decision.to_dict()).lower()
