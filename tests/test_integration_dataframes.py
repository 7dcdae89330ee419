"""``Guardrail.check(df)``: pandas and polars frames read natively, as typed tables.

Through the real library: findings are asserted exactly (rule, record, field, masked
evidence), and the values the engine sees are asserted with the adapter's own reader.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from guardrail_dataframes import FrameAdapter
from guardrail_dataframes.frames import batch_rows

import guardrail
from guardrail import Guardrail, PublishBlocked, UsageError
from guardrail.plugin import Documents, ReadOptions, Table

EXAMPLES = Path(__file__).parent.parent / "examples"
RAW = ("Daniel", "Hughes", "07700", "900795", "HP3 9SY", "daniel@")


@pytest.fixture(scope="module")
def asb() -> Guardrail:
    return Guardrail.from_policy("asb-public-web")


@pytest.fixture(scope="module")
def content() -> Guardrail:
    return Guardrail.from_policy("uk-content-scan")


def leaky_pandas() -> pd.DataFrame:
    return pd.DataFrame({
        "month": ["2026-08", "2026-06"],
        "ward": ["Adeyfield East", "Boxmoor"],
        "complainant_name": ["Daniel Hughes", None],
        "notes": ["Music after midnight", "Caller on 07700 900795 reports abuse"],
    })


def found(decision) -> list[tuple[str, int | None, str, str]]:
    return sorted((f.rule, f.record, f.field, f.evidence) for f in decision.findings)


def section(frame) -> Table | Documents:
    (only,) = list(FrameAdapter().read(frame, ReadOptions()))
    return only


def rows(frame) -> list[tuple]:
    table = section(frame)
    assert isinstance(table, Table)
    return [tuple(row) for row in table.rows]


# -- what check(df) finds -------------------------------------------------------------

LEAKY_FINDINGS = [
    ("uk.field.free_text", 0, "notes", "M**** a**** m*******"),
    ("uk.field.free_text", 1, "notes", "C***** o* ***** ****** r****** a… (36 chars)"),
    ("uk.field.person_name", 0, "complainant_name", "D***** H*****"),
]


@pytest.mark.parametrize("make", [leaky_pandas, lambda: pl.from_pandas(leaky_pandas())],
                         ids=["pandas", "polars"])
def test_a_leaky_frame_is_blocked_with_exact_masked_findings(asb, make) -> None:
    decision = asb.check(make(), destination="public-web")
    assert not decision.allowed and decision.exit_code == 1
    assert decision.files[0].file == "<dataframe>" and decision.files[0].format == "dataframe"
    assert decision.files[0].records == 2
    assert found(decision) == LEAKY_FINDINGS
    shown = decision.summary() + repr(decision.findings)
    for raw in RAW:
        assert raw not in shown


def test_content_detectors_read_text_cells_with_row_positions(content) -> None:
    frame = pl.DataFrame({"ward": ["Boxmoor", "Boxmoor", "Grovehill"],
                          "comment": ["fine", "ring 07700 900795", None]})
    decision = content.check(frame)
    assert [(f.rule, f.record, f.field, f.evidence) for f in decision.findings] == [
        ("uk.phone", 1, "comment", "***** ******")]


def test_a_clean_frame_is_allowed(asb) -> None:
    frame = pd.read_csv(EXAMPLES / "asb-export-clean.csv")
    decision = asb.check(frame, destination="public-web")
    assert decision.allowed and decision.files[0].records == len(frame) == 61
    assert asb.check(pl.from_pandas(frame), destination="public-web").allowed


# -- types kept -----------------------------------------------------------------------

def test_pandas_values_keep_their_types_and_missing_is_none() -> None:
    frame = pd.DataFrame({
        "n": [1, 2],
        "x": [1.5, np.nan],
        "when": pd.to_datetime(["2026-08-01 10:30", None]),
        "day": [dt.date(2026, 8, 1), None],
        "maybe": pd.array([7, None], dtype="Int64"),
        "flag": [True, False],
        "kind": pd.Categorical(["a", None]),
        "text": pd.array(["x", pd.NA], dtype="string"),
        "money": [decimal.Decimal("12"), None],
        "mixed": [1, "one"],
        "period": pd.period_range("2026-08", periods=2, freq="M"),
        "gap": [pd.Timedelta(days=1), pd.NaT],
    })
    assert section(frame).typed
    assert rows(frame) == [
        (1, 1.5, dt.datetime(2026, 8, 1, 10, 30), dt.date(2026, 8, 1), 7, True, "a", "x",
         decimal.Decimal("12"), 1, "2026-08", dt.timedelta(days=1)),
        (2, None, None, None, None, False, None, None, None, "one", "2026-09", None),
    ]
    assert type(rows(frame)[0][0]) is int and type(rows(frame)[0][4]) is int


def test_polars_values_keep_their_types_and_missing_is_none() -> None:
    frame = pl.DataFrame({
        "n": [1, None],
        "x": [1.5, float("nan")],
        "when": [dt.datetime(2026, 8, 1, 10, 30), None],
        "day": [dt.date(2026, 8, 1), None],
        "kind": pl.Series(["a", None], dtype=pl.Categorical),
        "money": pl.Series([decimal.Decimal("12"), None], dtype=pl.Decimal(11, 0)),
        "raw": [b"Daniel", None],
        "text": ["x", None],
    })
    first, second = rows(frame)
    assert first == (1, 1.5, dt.datetime(2026, 8, 1, 10, 30), dt.date(2026, 8, 1), "a", 12,
                     "Daniel", "x")
    assert math.isnan(second[1])  # NaN is a value in polars, not a missing one
    assert second[:1] + second[2:] == (None,) * 7


def test_whole_numbers_are_judged_as_numbers(asb) -> None:
    frame = pd.DataFrame({"month": ["2026-08", "2026-08"], "ward": ["Boxmoor", "Gadebridge"],
                          "count": [3, 12]})
    decision = asb.check(frame, destination="public-web")
    assert [(f.rule, f.record, f.field) for f in decision.findings] == [
        ("asb.small_count", 0, "count")]
    assert asb.check(pl.from_pandas(frame), destination="public-web").findings[0].record == 0


def test_a_frame_of_text_is_the_table_a_csv_of_it_would_be() -> None:
    frame = pd.DataFrame({"a": ["x", None], "b": pd.array(["y", pd.NA], dtype="str")})
    table = section(frame)
    assert not table.typed
    assert rows(frame) == [("x", "y"), ("", "")]
    assert rows(pl.from_pandas(frame)) == [("x", "y"), ("", "")]


def test_whole_numbers_of_six_digits_or_more_are_scanned(content) -> None:
    frame = pd.DataFrame({"ward": ["Boxmoor"], "contact": [7700900795]})  # an int64
    for checked in (frame, pl.from_pandas(frame)):
        assert found(content.check(checked)) == [
            ("uk.nhs_number", 0, "contact", "*** *** ****")]


# -- labels, index, nesting -----------------------------------------------------------

def test_labels_become_text_and_a_repeated_label_hides_no_column(asb) -> None:
    frame = pd.DataFrame([["2026-08", "Boxmoor", "Daniel Hughes"]],
                         columns=["month", "ward", "ward"])
    decision = asb.check(frame, destination="public-web")
    assert found(decision) == [("person.name", 0, "ward", "D***** H*****")]
    numbered = pd.DataFrame([[1, 2]], columns=[0, 1])
    assert section(numbered).columns == ["0", "1"]
    multi = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "b"), ("a", "")]))
    assert section(multi).columns == ["a.b", "a"]


def test_an_index_that_is_written_is_checked_as_columns(asb) -> None:
    frame = leaky_pandas().drop(columns=["complainant_name", "notes"])
    named = frame.set_index(pd.Index(["Daniel Hughes", "Jack Davies"], name="person"))
    assert section(named).columns == ["person", "month", "ward"]
    decision = asb.check(named, destination="public-web")
    assert [(f.rule, f.record, f.field, f.evidence) for f in decision.findings] == [
        ("field.unclassified", 0, "person", "D***** H*****"),
        ("field.unclassified", 1, "person", "J*** D*****")]
    assert section(frame.set_index("month")).columns == ["month", "ward"]
    assert section(frame.set_index(["month", "ward"])).columns == ["month", "ward"]
    assert section(frame.iloc[1:]).columns == ["index", "month", "ward"]  # 1, 2...
    assert section(frame).columns == ["month", "ward"]


def test_dicts_and_lists_make_records_with_nested_fields(content) -> None:
    frame = pd.DataFrame({"ward": ["Boxmoor", "Boxmoor"],
                          "contact": [{"phone": "07700 900795"}, None],
                          "tags": [["a"], ["ring 07700 900123"]]})
    assert isinstance(section(frame), Documents)
    decision = content.check(frame)
    assert sorted((f.rule, f.record, f.field) for f in decision.findings) == [
        ("uk.phone", 0, "contact.phone"), ("uk.phone", 1, "tags[0]")]
    polars = pl.DataFrame({"ward": ["Boxmoor"], "contact": [{"phone": "07700 900795"}]})
    assert [(f.rule, f.record, f.field) for f in content.check(polars).findings] == [
        ("uk.phone", 0, "contact.phone")]


def test_objects_of_other_types_are_judged_as_written(content) -> None:
    class Person:
        def __str__(self) -> str:
            return "ring 07700 900795"

    frame = pd.DataFrame({"ward": ["Boxmoor", "Boxmoor"],
                          "who": [Person(), np.str_("ring 07700 900123")]})
    assert [(f.rule, f.record, f.field) for f in content.check(frame).findings] == [
        ("uk.phone", 0, "who"), ("uk.phone", 1, "who")]


def test_rows_run_on_across_batches(content) -> None:
    size = batch_rows(2)
    values = ["fine"] * (size + 5)
    values[size + 3] = "ring 07700 900795"
    for frame in (pd.DataFrame({"comment": values, "n": range(len(values))}),
                  pl.DataFrame({"comment": values, "n": range(len(values))})):
        decision = content.check(frame)
        assert [(f.rule, f.record) for f in decision.findings] == [("uk.phone", size + 3)]
        assert decision.files[0].records == size + 5


# -- shapes ---------------------------------------------------------------------------

@pytest.mark.parametrize("frame", [
    pd.DataFrame(), pd.DataFrame({"month": pd.Series([], dtype="str")}),
    pd.DataFrame(index=range(3)), pl.DataFrame(), pl.DataFrame({"month": []}),
], ids=["pandas-empty", "pandas-0-rows", "pandas-0-columns", "polars-empty",
        "polars-0-rows"])
def test_frames_of_no_rows_or_no_columns(asb, frame) -> None:
    decision = asb.check(frame, destination="public-web")
    assert decision.allowed
    assert decision.files[0].records == frame.shape[0]


def test_a_series_is_one_column(asb) -> None:
    series = pd.Series(["Daniel Hughes"], name="complainant_name")
    assert [(f.rule, f.record, f.field) for f in asb.check(series).findings] == [
        ("uk.field.person_name", 0, "complainant_name")]
    polars = pl.Series("complainant_name", ["Daniel Hughes"])
    assert [(f.rule, f.record, f.field) for f in asb.check(polars).findings] == [
        ("uk.field.person_name", 0, "complainant_name")]


def test_several_frames_are_one_publication(asb) -> None:
    decision = asb.check([leaky_pandas(), pl.DataFrame({"month": ["2026-08"]})])
    assert [f.file for f in decision.files] == ["<dataframe>", "<dataframe>"]
    assert not decision.allowed


def test_a_lazy_frame_is_refused_not_collected(asb) -> None:
    with pytest.raises(UsageError, match="LazyFrame is a query, not data: collect"):
        asb.check(pl.DataFrame({"month": ["x"]}).lazy())


def test_numpy_arrays_are_still_refused(asb) -> None:
    with pytest.raises(UsageError, match="no installed plugin reads it"):
        asb.check(np.array([["Daniel Hughes"]]))


# -- the export decorator -------------------------------------------------------------

def test_guard_checks_an_export_that_returns_a_frame() -> None:
    @guardrail.guard(policy="asb-public-web", destination="public-web")
    def export(leaky: bool) -> pd.DataFrame:
        frame = leaky_pandas()
        return frame if leaky else frame[["month", "ward"]]

    clean = export(False)
    assert isinstance(clean, pd.DataFrame) and list(clean.columns) == ["month", "ward"]
    with pytest.raises(PublishBlocked) as blocked:
        export(True)
    assert found(blocked.value.decision) == LEAKY_FINDINGS
    for raw in RAW:
        assert raw not in str(blocked.value)

    @guardrail.guard(policy="asb-public-web", mode="audit")
    def export_polars() -> pl.DataFrame:
        return pl.from_pandas(leaky_pandas())

    assert export_polars().height == 2


# -- no side effects ------------------------------------------------------------------

def test_loading_the_plugin_imports_no_frame_library() -> None:
    code = ("import sys, guardrail; guardrail.Guardrail.from_policy('asb-public-web')\n"
            "import guardrail_dataframes\n"
            "print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'numpy') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def test_accepts_only_frames_of_the_two_libraries() -> None:
    adapter = FrameAdapter()
    assert adapter.accepts(pd.DataFrame()) and adapter.accepts(pl.DataFrame())
    assert adapter.accepts(pd.Series([], dtype=object)) and adapter.accepts(pl.Series([]))

    class MyFrame(pd.DataFrame):
        pass

    assert adapter.accepts(MyFrame())
    for other in (np.array([1]), pd.Index([1]), [{"a": 1}], b"x", object()):
        assert not adapter.accepts(other)


# -- limits ---------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda cell: pd.DataFrame({"notes": ["short", cell]}),
    lambda cell: pd.DataFrame({"notes": ["short", cell], "n": [1, 2]}),
    lambda cell: pd.DataFrame({"notes": np.array(["short", cell], dtype=object),
                               "n": [1, 2]}),
    lambda cell: pl.DataFrame({"notes": ["short", cell]}),
    lambda cell: pl.DataFrame({"notes": [b"short", cell.encode()]}),
], ids=["pandas-text", "pandas-typed", "pandas-object", "polars-text", "polars-binary"])
def test_a_cell_over_the_record_size_limit_blocks_in_audit_mode_too(asb, make) -> None:
    frame = make("Daniel Hughes " * 10)
    decision = asb.check(frame, mode="audit", limits=guardrail.Limits(max_record_bytes=100))
    assert decision.exit_code == 3
    assert decision.files[0].error.startswith("row 1: ")
    assert "record size" in decision.files[0].error
    assert "Daniel" not in decision.summary()


def test_a_value_nested_past_the_depth_limit_blocks(content) -> None:
    loop: dict = {}
    loop["again"] = loop  # holds itself: never read for ever
    decision = content.check(pd.DataFrame({"ward": ["Boxmoor"], "data": [loop]}))
    assert decision.exit_code == 3 and "nesting depth" in decision.files[0].error
    deep = pl.DataFrame({"data": [{"a": {"b": {"c": 1}}}]})
    decision = content.check(deep, limits=guardrail.Limits(max_depth=2))
    assert decision.exit_code == 3 and "nesting depth" in decision.files[0].error


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_typed_frame_is_scanned_alike_by_a_second_process(content, jobs) -> None:
    rows = 60_000  # past the size at which the engine starts a scanning worker
    frame = pd.DataFrame({"ward": ["Boxmoor"] * rows, "n": np.arange(rows),
                          "when": pd.date_range("2026-01-01", periods=rows, freq="min"),
                          "note": ["fine"] * rows})
    frame.loc[50_000, "note"] = "ring 07700 900795"
    for checked in (frame, pl.from_pandas(frame)):
        decision = content.check(checked, jobs=jobs)
        assert found(decision) == [("uk.phone", 50_000, "note", "***** ******")]
