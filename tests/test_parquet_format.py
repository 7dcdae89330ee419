"""The Parquet format: flat tables, nested records, row groups, types, damaged files, limits."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import also, finding_tuples

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from guardrail import Guardrail, Payload, PayloadError, ReadOptions  # noqa: E402
from guardrail.contract.protocols import Limits  # noqa: E402
from guardrail.host.registry import load_registry  # noqa: E402

POLICY = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: parquet-test, version: "1"}
    extends: uk-personal-data
    fields:
      - id: test.field.public
        name: [id, ward, count, month, reported_at]
        level: public
"""
NO_DETECTORS = POLICY + "    detectors: {skip: ['*']}\n"


@pytest.fixture
def guard(write_policy) -> Guardrail:
    """uk-personal-data with id, ward, count, month and reported_at public."""
    return Guardrail.from_policy(write_policy(POLICY))


@pytest.fixture
def plain(write_policy) -> Guardrail:
    """The same policy without content detectors: field classification only."""
    return Guardrail.from_policy(write_policy(NO_DETECTORS, "plain.yaml"))


def write(path: Path, table, **options) -> Path:
    pq.write_table(table, path, **options)
    return path


def read(path: Path) -> list[tuple]:
    """Each section the format yields: its kind, whether typed, and its rows or records
    (read while the file is open, as the engine reads them)."""
    out = []
    for section in load_registry().format("parquet").read(Payload(path), ReadOptions()):
        if hasattr(section, "rows"):
            out.append(("table", section.typed, list(section.columns), list(section.rows)))
        else:
            out.append(("documents", list(section.records)))
    return out


findings = finding_tuples("record", "field", "rule", "evidence", "position")


CASES = {
    "id": [1, 2, 3, 4, 5],
    "ward": ["North", "South", "North", "East", "West"],
    "name": ["Jane Smith", None, "", "Ben Brown", None],
    "postcode": [None, "SW1A 1AA", None, None, "EC1A 1BB"],
}
# One finding per value: the field rule decides, the detector that matched too is its
# "also"; a postcode detector's match is the whole cell, so its evidence is the cell's mask.
CASES_FOUND = [
    (0, "name", "uk.field.person_name", "J*** S****", "row group 0, row 0"),
    (1, "postcode", "uk.field.address", "SW1A ***", "row group 0, row 1"),
    (3, "name", "uk.field.person_name", "B** B****", "row group 0, row 3"),
    (4, "postcode", "uk.field.address", "EC1A ***", "row group 0, row 4"),
]
CASES_ALSO = [("uk.field.person_name", ("person.name",)), ("uk.field.address", ("uk.postcode",)),
              ("uk.field.person_name", ("person.name",)), ("uk.field.address", ("uk.postcode",))]


# -- flat tables --------------------------------------------------------------------------

def test_flat_table_findings_and_positions(guard, tmp_path):
    path = write(tmp_path / "cases.parquet", pa.table(CASES))
    decision = guard.check(path)
    assert (decision.exit_code, decision.files[0].format, decision.files[0].records) == \
        (1, "parquet", 5)
    assert findings(decision) == CASES_FOUND
    assert also(decision) == CASES_ALSO


def test_text_columns_read_the_same_without_numpy(guard, tmp_path, monkeypatch):
    import guardrail_arrow as columns

    monkeypatch.setattr(columns, "_NUMPY", False)  # numpy is optional for pyarrow
    path = write(tmp_path / "cases.parquet", pa.table(CASES))
    assert read(path) == [("table", True, list(CASES), list(zip(*CASES.values(), strict=True)))]
    decision = guard.check(path)
    assert (findings(decision), also(decision)) == (CASES_FOUND, CASES_ALSO)


def test_public_columns_only_are_allowed(guard, tmp_path):
    path = write(tmp_path / "public.parquet", pa.table({"ward": ["North"], "count": [3]}))
    decision = guard.check(path)
    assert (decision.allowed, decision.exit_code, decision.files[0].records) == (True, 0, 1)


@pytest.mark.parametrize("policy", ["guard", "plain"])
def test_row_groups_and_batches_keep_indices_and_positions(policy, request, tmp_path,
                                                          monkeypatch):
    from guardrail_parquet import reader

    monkeypatch.setattr(reader, "BATCH_ROWS", 2)  # row groups of 3: batches of 2 and 1
    guard = request.getfixturevalue(policy)
    names = [None, None, "Jane Smith", "Ben Brown", None, None, None, "Emma Evans"]
    table = pa.table({"id": list(range(8)), "name": names})
    decision = guard.check(write(tmp_path / "groups.parquet", table, row_group_size=3))
    assert decision.files[0].records == 8
    assert [(f.record, f.position) for f in decision.findings
            if f.rule == "uk.field.person_name"] == [
        (2, "row group 0, row 2"), (3, "row group 1, row 0"), (7, "row group 2, row 1")]


def test_scanning_worker_sees_the_same_rows(guard, tmp_path):
    # past 20 batches of the engine's rows, a forked worker scans while this process reads
    names = [None] * 30_000
    names[5], names[29_999] = "Jane Smith", "Ben Brown"
    path = write(tmp_path / "many.parquet", pa.table({"id": range(30_000), "name": names}),
                 row_group_size=10_000)
    one, two = guard.check(path, jobs=1), guard.check(path, jobs=2)
    assert findings(two) == findings(one) == [
        (5, "name", "uk.field.person_name", "J*** S****", "row group 0, row 5"),
        (29_999, "name", "uk.field.person_name", "B** B****", "row group 2, row 9999"),
    ]
    assert also(two) == also(one) == [("uk.field.person_name", ("person.name",))] * 2
    assert two.files[0].records == 30_000


def test_dictionary_encoded_strings(guard, tmp_path):
    names = pa.array(["Jane Smith", "Ben Brown", "Jane Smith"]).dictionary_encode()
    path = write(tmp_path / "dict.parquet", pa.table({"name": names}))
    assert pq.read_schema(path).field("name").type == pa.dictionary(pa.int32(), pa.string())
    decision = guard.check(path)
    assert findings(decision) == [
        (0, "name", "uk.field.person_name", "J*** S****", "row group 0, row 0"),
        (1, "name", "uk.field.person_name", "B** B****", "row group 0, row 1"),
        (2, "name", "uk.field.person_name", "J*** S****", "row group 0, row 2"),
    ]
    assert also(decision) == [("uk.field.person_name", ("person.name",))] * 3


def test_timestamp_and_date_columns_are_typed_values(guard, tmp_path):
    nanos = pa.array([1_700_000_000_123_456_789, None], pa.timestamp("ns"))
    zoned = pa.array([1_700_000_000_000_000, None], pa.timestamp("us", tz="Europe/London"))
    births = pa.array([dt.date(1990, 5, 17), None], pa.date32())
    table = pa.table({"reported_at": nanos, "month": zoned, "date_of_birth": births})
    decision = guard.check(write(tmp_path / "times.parquet", table))
    assert decision.files[0].error is None
    assert findings(decision) == [
        (0, "date_of_birth", "uk.field.identifier", "****-**-**", "row group 0, row 0")]
    assert read(tmp_path / "times.parquet") == [("table", True, list(table.column_names), [
        (dt.datetime(2023, 11, 14, 22, 13, 20, 123456),  # nanoseconds cut to microseconds
         dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=ZoneInfo("Europe/London")),
         dt.date(1990, 5, 17)),
        (None, None, None),
    ])]


def test_binary_columns_are_read_as_text(guard, tmp_path):
    table = pa.table({"id": [1, 2], "blob": pa.array([b"call Jane Smith", b"\xff\xfe"])})
    decision = guard.check(write(tmp_path / "binary.parquet", table))
    assert findings(decision) == [
        (0, "blob", "field.unclassified", "c*** J*** S****", "row group 0, row 0"),
        (1, "blob", "field.unclassified", "\ufffd\ufffd", "row group 0, row 1"),
    ]
    assert also(decision) == [("field.unclassified", ("person.name",)),
                              ("field.unclassified", ())]


def test_whole_number_decimals_become_integers(guard, tmp_path):
    # as integers, content detectors see their digits (a Decimal is never scanned)
    numbers = pa.array([Decimal("9434765919"), None], pa.decimal128(10, 0))
    fractions = pa.array([Decimal("1.50"), None], pa.decimal128(5, 2))
    table = pa.table({"nhs_number": numbers, "count": fractions})
    path = write(tmp_path / "decimal.parquet", table)
    assert read(path) == [("table", True, ["nhs_number", "count"],
                           [(9434765919, Decimal("1.50")), (None, None)])]
    # the detector's match is the whole value: its evidence is the value's one mask
    decision = guard.check(path)
    assert findings(decision) == [
        (0, "nhs_number", "uk.field.identifier", "*** *** ****", "row group 0, row 0")]
    assert also(decision) == [("uk.field.identifier", ("uk.nhs_number",))]


def test_empty_table_is_allowed(guard, tmp_path):
    path = write(tmp_path / "empty.parquet", pa.table({"name": pa.array([], pa.string())}))
    decision = guard.check(path)
    assert (decision.exit_code, decision.files[0].records, decision.findings) == (0, 0, [])


# -- nested records -----------------------------------------------------------------------

def nested_table():
    address = pa.struct([("street", pa.string()), ("postcode", pa.string())])
    contact = pa.struct([("kind", pa.string()), ("value", pa.string())])
    return pa.table({
        "id": [1, 2, 3],
        "address": pa.array([{"street": None, "postcode": "SW1A 1AA"}, None,
                             {"street": None, "postcode": None}], address),
        "contacts": pa.array([[], [{"kind": "mobile", "value": "07700 900123"}], None],
                             pa.list_(contact)),
        "extra": pa.array([None, [("email", "jane@example.com")], []],
                          pa.map_(pa.string(), pa.string())),
    })


def test_nested_columns_are_records_with_paths(guard, tmp_path):
    decision = guard.check(write(tmp_path / "nested.parquet", nested_table()))
    assert decision.files[0].records == 3
    assert findings(decision) == [
        (0, "address.postcode", "uk.field.address", "SW1A ***", "row group 0, row 0"),
        (1, "contacts[0].kind", "field.unclassified", "m*****", "row group 0, row 1"),
        (1, "contacts[0].value", "field.unclassified", "***** ******", "row group 0, row 1"),
        (1, "extra.email", "uk.field.contact", "j***@e******.c**", "row group 0, row 1"),
    ]
    assert also(decision) == [
        ("uk.field.address", ("uk.postcode",)), ("field.unclassified", ()),
        ("field.unclassified", ("uk.phone",)), ("uk.field.contact", ("email",))]


def test_nested_records_across_row_groups(plain, tmp_path, monkeypatch):
    from guardrail_parquet import reader

    monkeypatch.setattr(reader, "BATCH_ROWS", 1)
    path = write(tmp_path / "nested.parquet", nested_table(), row_group_size=2)
    assert findings(plain.check(path)) == [
        (0, "address.postcode", "uk.field.address", "S*** ***", "row group 0, row 0"),
        (1, "contacts[0].kind", "field.unclassified", "m*****", "row group 0, row 1"),
        (1, "contacts[0].value", "field.unclassified", "***** ******", "row group 0, row 1"),
        (1, "extra.email", "uk.field.contact", "j***@e******.c**", "row group 0, row 1"),
    ]
    assert read(path) == [("documents", [
        {"id": 1, "address": {"street": None, "postcode": "SW1A 1AA"}, "contacts": [],
         "extra": None},
        {"id": 2, "address": None, "contacts": [{"kind": "mobile", "value": "07700 900123"}],
         "extra": {"email": "jane@example.com"}},
        {"id": 3, "address": {"street": None, "postcode": None}, "contacts": None,
         "extra": {}},
    ])]


def test_map_with_a_repeated_key_keeps_every_value(plain, tmp_path):
    extra = pa.array([[("email", "a@example.com"), ("email", "b@example.com")]],
                     pa.map_(pa.string(), pa.string()))
    path = write(tmp_path / "repeated.parquet", pa.table({"id": [1], "extra": extra}))
    assert findings(plain.check(path)) == [
        (0, "extra[0][0]", "field.unclassified", "e****", "row group 0, row 0"),
        (0, "extra[0][1]", "field.unclassified", "a@e******.c**", "row group 0, row 0"),
        (0, "extra[1][0]", "field.unclassified", "e****", "row group 0, row 0"),
        (0, "extra[1][1]", "field.unclassified", "b@e******.c**", "row group 0, row 0"),
    ]


# -- key-value metadata -------------------------------------------------------------------

def sections(decision) -> list[tuple]:
    return [(f.section, f.record, f.field, f.rule, f.evidence, f.position)
            for f in decision.findings]


META = "key-value metadata"


def test_schema_metadata_is_checked(guard, tmp_path):
    table = pa.table({"text": ["ok"]}).replace_schema_metadata(
        {"author": "Jane Smith 07700 900123"})
    path = write(tmp_path / "meta.parquet", table)
    assert read(path) == [("table", True, ["text"], [("ok",)]),
                          ("documents", [{"metadata": {"author": "Jane Smith 07700 900123"}}])]
    decision = guard.check(path)
    assert (decision.exit_code, decision.files[0].records) == (1, 1)  # metadata: unindexed
    assert sections(decision) == [
        ("(metadata)", None, "metadata.author", "field.unclassified", "J*** S**** ***** ******",
         META),
    ]
    assert [f.also for f in decision.findings] == [("person.name", "uk.phone")]


def test_field_metadata_and_pairs_added_after_the_schema(plain, tmp_path):
    address = pa.struct([pa.field("street", pa.string(), metadata={"source": "Ben Brown"})])
    schema = pa.schema([pa.field("code", pa.int64(), metadata={"source": "CRM export"}),
                        pa.field("address", address)], metadata={"author": "Jane Smith"})
    table = pa.table({"code": [], "address": []}, schema=schema)  # no rows: metadata only
    path = tmp_path / "fields.parquet"
    with pq.ParquetWriter(path, schema) as writer:
        writer.write_table(table)
        # a footer pair the stored Arrow schema does not have, and one it has otherwise
        writer.add_key_value_metadata({"author": "Carol White", "query": "ward = 'North'"})
    assert read(path)[1] == ("documents", [{"metadata": {
        "author": ["Carol White", "Jane Smith"], "query": "ward = 'North'",
        "fields": {"code": {"source": "CRM export"},
                   "address.street": {"source": "Ben Brown"}}}}])
    assert sections(plain.check(path)) == [
        ("(metadata)", None, "metadata.author[0]", "field.unclassified", "C**** W****", META),
        ("(metadata)", None, "metadata.author[1]", "field.unclassified", "J*** S****", META),
        ("(metadata)", None, "metadata.query", "field.unclassified", "w*** = 'N****'", META),
        ("(metadata)", None, "metadata.fields.code.source", "field.unclassified", "C** e*****",
         META),
        ("(metadata)", None, 'metadata.fields."address.street".source', "field.unclassified",
         "B** B****", META),
    ]


def test_metadata_a_policy_classifies_is_allowed(write_policy, tmp_path):
    policy = write_policy(POLICY + """\
      - id: test.field.metadata
        path: [metadata.author, "metadata.fields.*.source"]
        level: public
""")
    schema = pa.schema([pa.field("code", pa.int64(), metadata={"source": "crm-export"})],
                       metadata={"author": "parks-service"})
    path = write(tmp_path / "meta.parquet", pa.table({"code": []}, schema=schema))
    assert Guardrail.from_policy(write_policy(POLICY, "base.yaml")).check(path).exit_code == 1
    assert Guardrail.from_policy(policy).check(path).exit_code == 0


def test_machine_metadata_is_not_a_section(guard, tmp_path):
    pandas = {"index_columns": [{"kind": "range", "name": None, "start": 0, "stop": 1,
                                 "step": 1}], "column_indexes": [], "columns": [
        {"name": "id", "field_name": "id", "pandas_type": "int64", "numpy_type": "int64",
         "metadata": None}], "attributes": {},
              "creator": {"library": "pyarrow", "version": pa.__version__},
              "pandas_version": "2.2.3"}
    schema = pa.schema([pa.field("id", pa.int64(), metadata={"PARQUET:field_id": "1"})],
                       metadata={"pandas": json.dumps(pandas)})
    path = write(tmp_path / "machine.parquet", pa.table({"id": [1]}, schema=schema))
    assert set(pq.ParquetFile(path).metadata.metadata) == {b"ARROW:schema", b"pandas"}
    assert read(path) == [("table", True, ["id"], [(1,)])]
    assert guard.check(path).exit_code == 0


def test_text_under_a_machine_key_is_checked(plain, tmp_path):
    # under the pandas key, but not pandas' JSON: kept, and so checked
    table = pa.table({"id": [1]}).replace_schema_metadata({"pandas": "Jane Smith"})
    assert sections(plain.check(write(tmp_path / "pandas.parquet", table))) == [
        ("(metadata)", None, "metadata.pandas", "field.unclassified", "J*** S****", META)]
    # pandas' JSON, holding DataFrame.attrs (pyarrow keeps them there)
    pandas = {"index_columns": [], "column_indexes": [], "columns": [],
              "attributes": {"analyst": "Jane Smith", "run": {"ids": [7]}},
              "creator": {"library": "pyarrow", "version": pa.__version__},
              "pandas_version": "2.2.3"}
    table = pa.table({"id": [1]}).replace_schema_metadata({"pandas": json.dumps(pandas)})
    path = write(tmp_path / "attrs.parquet", table)
    assert read(path)[1] == ("documents", [{"metadata": {"pandas": {"attributes": {
        "analyst": "Jane Smith", "run": {"ids": [7]}}}}}])
    assert sections(plain.check(path)) == [
        ("(metadata)", None, "metadata.pandas.attributes.analyst", "field.unclassified",
         "J*** S****", META),
        ("(metadata)", None, "metadata.pandas.attributes.run.ids[0]", "field.unclassified",
         "*", META)]


def test_metadata_over_the_size_and_depth_limits(guard, tmp_path):
    table = pa.table({"id": [1]}).replace_schema_metadata({"notes": "x" * 2000})
    decision = guard.check(write(tmp_path / "big.parquet", table),
                           limits=Limits(max_record_bytes=1000))
    assert decision.files[0].error == (
        "key-value metadata: the file's key-value metadata exceeds the record size limit of "
        "1,000 bytes; the payload is blocked. If it is genuine, raise the limit with "
        "--max-record-size")
    # record 1, metadata 2, pandas 3, attributes 4, a 5, b 6, c 7
    pandas = {"columns": [], "attributes": {"a": {"b": {"c": {}}}}}
    table = pa.table({"id": [1]}).replace_schema_metadata({"pandas": json.dumps(pandas)})
    path = write(tmp_path / "deep.parquet", table)
    assert guard.check(path, limits=Limits(max_depth=7)).files[0].error is None
    assert guard.check(path, limits=Limits(max_depth=6)).files[0].error.startswith(
        "key-value metadata: the file's key-value metadata exceeds the nesting depth limit of "
        "6 levels")


# -- unreadable payloads ------------------------------------------------------------------

NOT_PARQUET = ("not a Parquet file, or a truncated one: the footer that ends every Parquet "
               "file is missing; re-export it or pass the right --format")


def test_truncated_file(guard, tmp_path):
    data = write(tmp_path / "whole.parquet", pa.table(CASES)).read_bytes()
    path = tmp_path / "cut.parquet"
    path.write_bytes(data[:-30])
    decision = guard.check(path)
    assert (decision.exit_code, decision.files[0].format) == (3, "parquet")
    assert decision.files[0].error == NOT_PARQUET


def test_not_parquet_with_a_parquet_extension(guard, tmp_path):
    path = tmp_path / "export.parquet"
    path.write_bytes(b"name,postcode\nJane Smith,SW1A 1AA\n")
    decision = guard.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].error == NOT_PARQUET


def test_corrupt_data_page_names_the_row_group(guard, tmp_path):
    data = write(tmp_path / "whole.parquet", pa.table(CASES)).read_bytes()
    path = tmp_path / "corrupt.parquet"
    path.write_bytes(data[:4] + b"\xff" * 20 + data[24:])  # the first page header
    decision = guard.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "row group 0: damaged Parquet file: this row group cannot be decoded (OSError); "
        "re-export the file")


def test_corrupt_footer(guard, tmp_path):
    data = write(tmp_path / "whole.parquet", pa.table(CASES)).read_bytes()
    path = tmp_path / "footer.parquet"
    path.write_bytes(data[: len(data) // 2] + data[-8:])  # footer length and magic kept
    decision = guard.check(path)
    assert decision.exit_code == 3
    assert decision.files[0].error == (
        "damaged Parquet file: its metadata cannot be read (ArrowInvalid); re-export the file")


def test_missing_pyarrow_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    for name in ("guardrail_parquet.reader", "guardrail_parquet.columns",
                 "guardrail_parquet.metadata"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    path = write(tmp_path / "cases.parquet", pa.table(CASES))
    with pytest.raises(PayloadError) as caught:
        list(load_registry().format("parquet").read(Payload(path), ReadOptions()))
    assert caught.value.reason == ("reading Parquet needs pyarrow: pip install "
                                   "'guardrail[parquet]'")


# -- detection and streams ----------------------------------------------------------------

def test_bytes_are_detected_by_the_magic_number(guard, tmp_path):
    data = write(tmp_path / "cases.parquet", pa.table(CASES)).read_bytes()
    decision = guard.check(data)
    assert (decision.files[0].format, decision.files[0].records) == ("parquet", 5)
    assert findings(decision)[0] == (0, "name", "uk.field.person_name", "J*** S****",
                                     "row group 0, row 0")
    fmt = load_registry().format("parquet")
    assert (fmt.sniff(data[:65536]), fmt.sniff(b"name,postcode\n"), fmt.sniff(b"")) == (95, 0, 0)


def test_stream_over_the_file_limit(guard, tmp_path):
    data = write(tmp_path / "cases.parquet", pa.table(CASES)).read_bytes()
    decision = guard.check(data, limits=Limits(max_file_bytes=len(data) - 1))
    assert decision.exit_code == 3
    assert "file size limit" in decision.files[0].error


# -- limits -------------------------------------------------------------------------------

def test_cell_over_the_record_limit(guard, tmp_path):
    table = pa.table({"ward": ["North", "x" * 2000, "South"]})
    decision = guard.check(write(tmp_path / "big.parquet", table),
                           limits=Limits(max_record_bytes=1000))
    assert decision.files[0].error == (
        "row group 0, row 1: one cell exceeds the record size limit of 1,000 bytes; the "
        "payload is blocked. If it is genuine, raise the limit with --max-record-size")


def test_nesting_over_the_depth_limit(guard, tmp_path):
    deep = pa.array([[[[1]]]], pa.list_(pa.list_(pa.list_(pa.int64()))))
    decision = guard.check(write(tmp_path / "deep.parquet", pa.table({"id": deep})),
                           limits=Limits(max_depth=2))
    assert decision.files[0].error.startswith(
        "a column's nesting exceeds the nesting depth limit of 2 levels")


def test_uncompressed_size_over_the_file_limit(guard, tmp_path):
    table = pa.table({"ward": ["North " * 100] * 10_000})  # compresses to almost nothing
    path = write(tmp_path / "bomb.parquet", table, compression="zstd", use_dictionary=False)
    size = path.stat().st_size
    assert size < 100_000
    decision = guard.check(path, limits=Limits(max_file_bytes=1_000_000))
    assert decision.files[0].error.startswith(
        "the uncompressed data exceeds the file size limit of 1,000,000 bytes")


def test_what_spark_writes_in_the_metadata_does_not_block(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"month": ["2026-01"]}).replace_schema_metadata({
        "org.apache.spark.version": "3.5.1",
        "org.apache.spark.sql.parquet.row.metadata":
            '{"type":"struct","fields":[{"name":"month","type":"string"}]}'})
    pq.write_table(table, tmp_path / "spark.parquet")
    guard = Guardrail.from_policy("asb-public-web")
    assert guard.check(tmp_path / "spark.parquet").allowed
    metadata = table.replace_schema_metadata({"org.apache.spark.version": "3.5.1",
                                              "author": "Zebedee Quackenbush"})
    pq.write_table(metadata, tmp_path / "authored.parquet")
    assert [(f.field, f.rule, f.also)
            for f in guard.check(tmp_path / "authored.parquet").findings] \
        == [("metadata.author", "field.unclassified", ("person.name",))]
