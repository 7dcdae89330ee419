"""Exceptions (waivers): what they waive, for which destinations, and until when.

The clock is always passed as ``today=`` so these tests do not age. Fixture:
``data/policies/waivers.yaml`` (extends the shipped ``uk-personal-data``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrail import Decision, Guardrail, PolicyError
from guardrail.host.registry import load_registry
from guardrail.policy.load import load_policy

POLICY = Path(__file__).parent / "data" / "policies" / "waivers.yaml"
POSTCODE_WAIVER = f"exception for field postcode approved by Jo Bloggs ({POLICY}:18)"
SMALL_COUNT_WAIVER = f"exception for rule waivers.small_count approved by Al Khan ({POLICY}:22)"
NAME_LIKE_WAIVER = (f"exception for rule uk.field.name_like and field *_name "
                    f"approved by Jo Bloggs ({POLICY}:27)")
BEFORE_ANY_EXPIRY = dt.date(2026, 1, 1)


@pytest.fixture
def guardrail() -> Guardrail:
    return Guardrail.from_policy(POLICY)


def _check(guardrail: Guardrail, csv: str, *, destination: str = "public-web",
           today: dt.date = BEFORE_ANY_EXPIRY) -> Decision:
    return guardrail.check(csv.encode(), format="csv", destination=destination, today=today)


def test_waivers_are_loaded_with_their_origin(guardrail: Guardrail) -> None:
    assert [(w.rule, w.field, w.destinations, w.expires, w.origin)
            for w in guardrail.policy.waivers] == [
        (None, "postcode", (), dt.date(2026, 6, 30), f"{POLICY}:18"),
        ("waivers.small_count", None, ("partner-portal",), dt.date(2026, 3, 31), f"{POLICY}:22"),
        ("uk.field.name_like", "*_name", (), dt.date(2026, 12, 31), f"{POLICY}:27"),
    ]


# -- what a waiver covers ---------------------------------------------------------------


def test_field_waiver_makes_findings_non_blocking(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month,postcode\n2026-01,HP1 1AA\n2026-02,HP2 4BB\n")
    assert decision.allowed
    assert decision.exit_code == 0
    assert decision.blocking_count == 0
    assert decision.file_counts("<bytes>") == (0, 0, 2)
    assert decision.grouped_counts() == [
        {"rule": "uk.field.address", "field": "postcode", "level": "personal",
         "action": "block", "count": 2, "waived_by": POSTCODE_WAIVER},
    ]
    # Waived findings are still listed, with masked evidence, so nothing is hidden.
    assert [(f.record, f.field, f.evidence, f.waived_by) for f in decision.findings] == [
        (0, "postcode", "H** ***", POSTCODE_WAIVER),
        (1, "postcode", "H** ***", POSTCODE_WAIVER),
    ]
    assert decision.to_dict()["counts"]["blocking"] == 0


def test_field_waiver_covers_only_its_field(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month,postcode,address\n2026-01,HP1 1AA,1 High St\n")
    assert not decision.allowed
    assert [(row["field"], row.get("waived_by")) for row in decision.grouped_counts()] == [
        ("address", None), ("postcode", POSTCODE_WAIVER),
    ]
    assert decision.blocking_count == 1


def test_field_waiver_matches_names_like_classification_does(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month,PostCode\n2026-01,HP1 1AA\n")
    assert decision.allowed
    assert [(f.field, f.waived_by) for f in decision.findings] == [
        ("PostCode", POSTCODE_WAIVER),
    ]


def test_field_waiver_applies_to_nested_fields_by_their_last_name(guardrail: Guardrail) -> None:
    decision = guardrail.check([{"month": "2026-01", "home": {"postcode": "HP1 1AA"}}],
                               today=BEFORE_ANY_EXPIRY)
    assert decision.allowed
    assert [(f.field, f.waived_by) for f in decision.findings] == [
        ("home.postcode", POSTCODE_WAIVER),
    ]


def test_rule_and_field_waiver_needs_both_to_match(guardrail: Guardrail) -> None:
    # team_name is classified by the *_name match rule: waived. contact_name ends in
    # _name too, but a name rule (uk.field.person_name) classifies it: not waived.
    decision = _check(guardrail, "month,team_name,contact_name\n2026-01,North,Ann Lee\n")
    assert not decision.allowed
    assert [(f.field, f.rule, f.waived_by) for f in decision.findings] == [
        ("team_name", "uk.field.name_like", NAME_LIKE_WAIVER),
        ("contact_name", "uk.field.person_name", None),
    ]


def test_rule_waiver_covers_every_field_of_that_rule(write_policy: Callable[..., Path]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: rule-waiver}
        extends: uk-personal-data
        exceptions:
          - rule: uk.field.address
            reason: Addresses of council buildings only.
            approved_by: Jo Bloggs
            expires: 2026-06-30
        detectors: {skip: ["*"]}
    """)
    decision = Guardrail.from_policy(path).check(
        b"address,postcode,surname\n1 High St,HP1 1AA,Hughes\n", format="csv",
        today=BEFORE_ANY_EXPIRY)
    label = f"exception for rule uk.field.address approved by Jo Bloggs ({path}:6)"
    assert [(f.field, f.waived_by) for f in decision.findings] == [
        ("address", label), ("postcode", label), ("surname", None),
    ]
    assert decision.blocking_count == 1


def test_waiver_on_unclassified_fields(write_policy: Callable[..., Path]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: unclassified-waiver}
        extends: uk-personal-data
        exceptions:
          - rule: field.unclassified
            field: legacy_*
            reason: Columns being retired this quarter.
            approved_by: Jo Bloggs
            expires: 2026-06-30
    """)
    decision = Guardrail.from_policy(path).check(
        b"legacy_flag,new_flag\nY,N\n", format="csv", today=BEFORE_ANY_EXPIRY)
    assert [(f.field, f.rule, f.waived_by is not None) for f in decision.findings] == [
        ("legacy_flag", "field.unclassified", True), ("new_flag", "field.unclassified", False),
    ]


def test_record_rule_waiver(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month,count\n2026-01,3\n", destination="partner-portal")
    assert decision.allowed
    assert decision.grouped_counts() == [
        {"rule": "waivers.small_count", "field": "count", "level": "personal",
         "action": "block", "count": 1, "waived_by": SMALL_COUNT_WAIVER},
    ]


# -- destinations -------------------------------------------------------------------------


def test_destination_scoped_waiver_does_not_apply_elsewhere(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month,count\n2026-01,3\n", destination="public-web")
    assert not decision.allowed
    assert decision.grouped_counts() == [
        {"rule": "waivers.small_count", "field": "count", "level": "personal",
         "action": "block", "count": 1},
    ]


def test_unscoped_waiver_applies_to_every_destination(guardrail: Guardrail) -> None:
    for destination in ("public-web", "partner-portal"):
        decision = _check(guardrail, "month,postcode\n2026-01,HP1 1AA\n",
                          destination=destination)
        assert decision.allowed, destination
        assert decision.findings[0].waived_by == POSTCODE_WAIVER


# -- expiry -------------------------------------------------------------------------------


def test_waiver_applies_on_its_expiry_day(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month,postcode\n2026-01,HP1 1AA\n", today=dt.date(2026, 6, 30))
    assert decision.allowed
    assert decision.notices == []


def test_expired_waiver_no_longer_applies_and_says_so(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month,postcode\n2026-01,HP1 1AA\n", today=dt.date(2026, 7, 1))
    assert not decision.allowed
    assert decision.exit_code == 1
    assert [(f.field, f.waived_by) for f in decision.findings] == [("postcode", None)]
    assert decision.notices == [
        f"{POSTCODE_WAIVER} expired on 2026-06-30 and no longer applies",
    ]
    assert decision.to_dict()["notices"] == decision.notices


def test_expiry_notice_only_for_waivers_of_this_destination(guardrail: Guardrail) -> None:
    csv = "month,count\n2026-01,3\n"
    after = dt.date(2026, 4, 1)  # the partner small-count waiver ended on 2026-03-31
    public = _check(guardrail, csv, destination="public-web", today=after)
    partner = _check(guardrail, csv, destination="partner-portal", today=after)
    assert public.notices == []
    assert partner.notices == [
        f"{SMALL_COUNT_WAIVER} expired on 2026-03-31 and no longer applies",
    ]
    assert not partner.allowed
    assert partner.findings[0].waived_by is None


def test_expiry_notice_even_when_nothing_would_have_been_waived(guardrail: Guardrail) -> None:
    decision = _check(guardrail, "month\n2026-01\n", today=dt.date(2027, 1, 1))
    assert decision.allowed
    assert decision.notices == [
        f"{POSTCODE_WAIVER} expired on 2026-06-30 and no longer applies",
        f"{NAME_LIKE_WAIVER} expired on 2026-12-31 and no longer applies",
    ]


# -- loading ------------------------------------------------------------------------------


def test_parent_exceptions_apply_in_the_child(write_policy: Callable[..., Path]) -> None:
    write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: parent}
        extends: uk-personal-data
        exceptions:
          - field: postcode
            reason: Districts only.
            approved_by: Jo Bloggs
            expires: 2026-06-30
    """, name="parent.yaml")
    child = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: child}
        extends: parent.yaml
    """, name="child.yaml")
    decision = Guardrail.from_policy(child).check(
        b"postcode\nHP1 1AA\n", format="csv", today=BEFORE_ANY_EXPIRY)
    assert decision.allowed
    assert decision.findings[0].waived_by == (
        f"exception for field postcode approved by Jo Bloggs ({child.parent / 'parent.yaml'}:6)")


def test_exception_may_name_a_detector_rule(write_policy: Callable[..., Path]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: detector-waiver}
        extends: uk-personal-data
        exceptions:
          - rule: uk.postcode
            reason: Postcodes in free text are council offices.
            approved_by: Jo Bloggs
            expires: 2026-06-30
    """)
    lookup = load_registry().policy_path
    # Detector plugins contribute rule ids; without one installed the id is unknown.
    policy = load_policy(path, lookup, extra_rule_ids=frozenset({"uk.postcode"}))
    assert policy.waivers[0].rule == "uk.postcode"
    with pytest.raises(PolicyError) as caught:
        load_policy(path, lookup)
    # uk-personal-data runs every installed detector ("*"): with none installed that
    # is a problem too (fail closed), reported at its line in the parent. Problems are
    # sorted by file path, which depends on where the checkout and tmp_path are.
    assert {(Path(p.file).name, p.path) for p in caught.value.problems} == {
        (path.name, "exceptions[0].rule"), ("uk-personal-data.yaml", "detectors.run[0]")}


def test_quoted_and_unquoted_expiry_dates_are_the_same(write_policy: Callable[..., Path]) -> None:
    template = """\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {{name: dates}}
        extends: uk-personal-data
        exceptions:
          - field: postcode
            reason: Districts only.
            approved_by: Jo Bloggs
            expires: {expires}
    """
    unquoted = Guardrail.from_policy(write_policy(template.format(expires="2026-06-30"),
                                                  name="unquoted.yaml"))
    quoted = Guardrail.from_policy(write_policy(template.format(expires='"2026-06-30"'),
                                                name="quoted.yaml"))
    assert unquoted.policy.waivers[0].expires == quoted.policy.waivers[0].expires == dt.date(
        2026, 6, 30)
