"""What ``Guardrail.check`` accepts and refuses, and how payloads and names are shown.

Each test here failed before issue 9: a DataFrame was iterated as its column labels
and allowed (since issue 12 the dataframes plugin reads it as a table), a string
that is not a path was echoed in the error, and a header that is a line of prose
was printed in the verdict line.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from guardrail import Guardrail, UsageError

LEAKY = {"name": ["Alice Smith"], "phone": ["07700 900123"], "email": ["alice@example.com"]}


@pytest.fixture(scope="module")
def personal() -> Guardrail:
    return Guardrail.from_policy("uk-personal-data")


def test_arrays_are_refused_not_read_as_something_else(personal) -> None:
    with pytest.raises(UsageError) as caught:
        personal.check(np.array([["Alice Smith", "07700 900123"]]))
    message = str(caught.value)
    assert message.startswith("cannot check a NumPy array")
    assert "no installed plugin reads it" in message
    for raw in ("Alice", "Smith", "07700", "alice@"):
        assert raw not in message


@pytest.mark.parametrize("make", [
    lambda: pd.DataFrame(LEAKY),
    lambda: pd.DataFrame(LEAKY)["name"],
], ids=["DataFrame", "Series"])
def test_frames_are_read_by_the_dataframes_plugin_as_their_records(personal, make) -> None:
    decision = personal.check(make())  # not its column labels as three empty records
    assert decision.files[0].format == "dataframe" and decision.files[0].records == 1
    assert not decision.allowed
    assert "name" in {finding.field for finding in decision.findings}


@pytest.mark.parametrize("source, message", [
    ({"name": "Alice Smith"}, "cannot check a single dict: pass a list of dict records"),
    ([("Alice Smith", "07700 900123")],
     "cannot check a list holding tuple items: pass dict records, or paths, bytes or "
     "streams (not both)"),
    ([{"name": "x"}, "Alice Smith"],
     "cannot check a list holding str items: pass dict records, or paths, bytes or "
     "streams (not both)"),
    (42, "cannot check int: pass a path, bytes, a stream or an iterable of dict records"),
    (None, "cannot check NoneType: pass a path, bytes, a stream or an iterable of dict "
           "records"),
])
def test_objects_it_cannot_read_are_usage_errors(personal, source, message) -> None:
    with pytest.raises(UsageError) as caught:
        personal.check(source)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_a_generator_of_tuples_is_refused_at_its_first_item(personal) -> None:
    rows = (row for row in [("Alice Smith", "07700 900123")])
    with pytest.raises(UsageError) as caught:
        personal.check(rows)
    assert str(caught.value) == ("record 0 is a tuple, not a dict: pass dict records, or a "
                                 "path, bytes or a stream")


def test_a_generator_of_dicts_is_checked(personal) -> None:
    decision = personal.check(r for r in [{"month": "2026-01"}, {"name": "Alice Smith"}])
    assert decision.files[0].records == 2
    assert [(f.record, f.field, f.rule) for f in decision.findings] == [
        (0, "month", "field.unclassified"), (1, "name", "uk.field.person_name")]


def test_a_string_that_is_not_a_path_is_named_by_position(personal) -> None:
    note = "ring Alice Smith on 07700 900123"
    decision = personal.check([note])
    assert not decision.allowed
    assert decision.exit_code == 3
    assert decision.files[0].file == "<payload 1>"
    assert decision.summary() == "BLOCKED: <payload 1> could not be checked: no such file"
    report = json.dumps(decision.to_dict())
    for raw in ("Alice", "Smith", "07700", "ring"):
        assert raw not in report


def test_a_missing_path_that_looks_like_one_is_named(personal, tmp_path) -> None:
    missing = tmp_path / "exports" / "cases.csv"
    decision = personal.check([str(missing), "no path here at all"])
    assert [f.file for f in decision.files] == [str(missing), "<payload 2>"]
    assert [f.error for f in decision.files] == ["no such file", "no such file"]


def test_a_path_holding_personal_data_is_not_shown(personal, tmp_path) -> None:
    path = tmp_path / "alice.smith@example.com.csv"
    path.write_text("month\n2026-01\n", encoding="utf-8")
    decision = personal.check(path)
    assert decision.files[0].file == "<payload 1>"
    assert decision.files[0].format == "csv"  # the real extension still picks the format
    assert "alice" not in json.dumps(decision.to_dict())


def test_a_prose_header_is_shown_by_number(personal) -> None:
    payload = b"Note from the caller about the noise,ward\nsome text,Boxmoor\n"
    decision = personal.check(payload, format="csv")
    assert decision.summary() == ("BLOCKED: 2 findings may not go to 'public-web' "
                                  "(fields: #1, ward)")
    assert [(f.field, f.rule) for f in decision.findings] == [
        ("#1", "field.unclassified"), ("ward", "field.unclassified")]
    assert "Hargreaves" not in json.dumps(decision.to_dict())


def test_a_prose_key_is_shown_by_number(personal) -> None:
    decision = personal.check([{"Note from the caller": "x", "month": "2026-01"}])
    assert [(f.field, f.rule) for f in decision.findings] == [
        ('"#1"', "field.unclassified"), ("month", "field.unclassified")]
    assert "Hargreaves" not in json.dumps(decision.to_dict())


def test_a_header_the_policy_names_is_shown_even_with_spaces(personal) -> None:
    decision = personal.check(b"Date of Birth\n1980-02-03\n", format="csv")
    assert {f.field for f in decision.findings} == {"Date of Birth"}


def test_the_policy_is_compiled_once_per_destination(personal) -> None:
    first = personal.compiled("public-web")
    personal.check([{"month": "2026-01"}])
    personal.check([{"month": "2026-02"}], destination="public-web")
    assert personal.compiled() is first
    assert personal.compiled("internal") is not first


def test_attribute_and_namespaced_names_are_plain(personal) -> None:
    from guardrail.engine.evaluation import is_plain_name

    assert [is_plain_name(n) for n in ("@ref", "@xml:lang", "?audit", "#text", "case_id",
                                       "lsoa.code", "Ward Name", "2026-01", "@", "a b")] \
        == [True, True, True, True, True, True, False, False, False, False]


def test_unnamed_keys_are_numbered_per_payload(personal, tmp_path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text('[{"Note from the caller": "x"}]', encoding="utf-8")
    two.write_text('[{"Letter to the council": "y"}]', encoding="utf-8")
    decision = personal.check([one, two])
    assert [(f.file, f.field) for f in decision.findings] == [
        (str(one), '"#1"'), (str(two), '"#1"')]


RESEARCH = """\
apiVersion: guardrail/v1
kind: Policy
metadata: {name: research, version: "1"}
extends: uk-personal-data
destinations:
  research: {max_level: personal}
default_destination: research
fields:
  - id: research.gp_notes
    path: ['patient."Clinical Notes (GP)"']
    level: special-category
"""

PERMISSIVE = """\
apiVersion: guardrail/v1
kind: Policy
metadata: {name: permissive, version: "1"}
extends: uk-personal-data
defaults:
  unknown_fields: public
"""


def test_a_path_rule_naming_a_key_with_spaces_still_classifies_it(write_policy) -> None:
    guard = Guardrail.from_policy(write_policy(RESEARCH))
    decision = guard.check([{"patient": {"Clinical Notes (GP)": "depression"}}])
    assert [(f.field, f.rule, f.level) for f in decision.findings] == [
        ('patient."Clinical Notes (GP)"', "research.gp_notes", "special-category")]


@pytest.mark.parametrize("key, value, rule", [
    ("NHS #", "9434765919", "uk.nhs_number"),
    ("Reg. plate", "AB12 CDE", "uk.vehicle_registration"),
])
def test_detectors_see_a_hidden_key_as_written(write_policy, key, value, rule) -> None:
    """A key shown as #1 is still the key its detectors' cues read ("NHS", "plate")."""
    decision = Guardrail.from_policy(write_policy(PERMISSIVE)).check([{key: value}])
    assert [(f.field, f.rule) for f in decision.findings] == [('"#1"', rule)]
    assert key not in json.dumps(decision.to_dict())
