"""The shared waiver evaluator (``guardrail.policy.waivers.WaiverBook``), the waivers a
decision names as used, and checks that ignore every waiver (``waivers=False``,
``guardrail check --no-waivers``).

Fixture: ``data/policies/waivers.yaml``; the clock is always passed so tests do not age.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail import Guardrail
from guardrail.cli import cli
from guardrail.policy.load import load_policy
from guardrail.policy.waivers import WaiverBook

POLICY = Path(__file__).parent / "data" / "policies" / "waivers.yaml"
LONG_LIVED = Path(__file__).parent / "data" / "waivers" / "long-lived.yaml"
TWO = Path(__file__).parent / "data" / "waivers" / "two-waivers.yaml"
POSTCODE = f"exception for field postcode approved by Jo Bloggs ({POLICY}:18)"
NAME_LIKE = (f"exception for rule uk.field.name_like and field *_name "
             f"approved by Jo Bloggs ({POLICY}:27)")
TODAY = dt.date(2026, 1, 1)  # before any of the fixture's waivers expires
POSTCODES = b"month,postcode\n2026-01,HP1 1AA\n2026-02,HP2 4BB\n"


@pytest.fixture(scope="module")
def guardrail() -> Guardrail:
    return Guardrail.from_policy(POLICY)


@pytest.fixture(scope="module")
def book(guardrail: Guardrail) -> WaiverBook:
    return WaiverBook.for_policy(guardrail.policy, TODAY, destination="public-web")


# -- the book ---------------------------------------------------------------------------


def test_book_for_a_destination_keeps_only_waivers_that_apply_there(
        guardrail: Guardrail) -> None:
    public = WaiverBook.for_policy(guardrail.policy, TODAY, destination="public-web")
    partner = WaiverBook.for_policy(guardrail.policy, TODAY, destination="partner-portal")
    assert [w.origin for w in public.waivers] == [f"{POLICY}:18", f"{POLICY}:27"]
    assert [w.origin for w in partner.waivers] == [f"{POLICY}:18", f"{POLICY}:22",
                                                   f"{POLICY}:27"]


def test_book_answers_which_waiver_covers_a_rule_on_a_field(book: WaiverBook) -> None:
    assert book.label_for("uk.field.address", "postcode") == POSTCODE
    assert book.label_for("uk.postcode", "people[*].postcode") == POSTCODE
    assert book.label_for("uk.field.name_like", "team_name") == NAME_LIKE
    assert book.covering("uk.field.person_name", "team_name") is None  # other rule
    assert book.covering("uk.field.address", "address") is None  # other field


def test_book_judges_expiry_on_its_day(guardrail: Guardrail) -> None:
    book = WaiverBook.for_policy(guardrail.policy, dt.date(2026, 7, 1),
                                 destination="public-web")
    assert book.covering("uk.field.address", "postcode") is None  # expired 2026-06-30
    assert [w.origin for w in book.expired] == [f"{POLICY}:18"]
    assert [book.days_left(w) for w in book.waivers] == [-1, 183]
    assert book.notices() == [f"{POSTCODE} expired on 2026-06-30 and no longer applies"]


def test_disabled_book_covers_nothing_and_says_so(guardrail: Guardrail) -> None:
    book = WaiverBook.for_policy(guardrail.policy, TODAY, destination="public-web",
                                 enabled=False)
    assert book.active == ()
    assert book.covering("uk.field.address", "postcode") is None
    assert book.notices() == ["every exception is ignored for this check (2 not applied): "
                              "findings they would waive block"]


def test_book_remembers_only_waivers_noted_as_suppressing(guardrail: Guardrail) -> None:
    book = WaiverBook.for_policy(guardrail.policy, TODAY)
    book.covering("uk.field.name_like", "team_name")  # asking is not using
    book.note_suppressed([POSTCODE, None, "exception for something else"])
    assert [w.origin for w in book.used] == [f"{POLICY}:18"]


def test_lookup_of_shipped_policy_without_waivers_is_empty() -> None:
    from guardrail.host.registry import load_registry

    registry = load_registry()
    policy = load_policy("uk-personal-data", registry.policy_path,
                         extra_rule_ids=frozenset(registry.detectors))
    book = WaiverBook.for_policy(policy, TODAY)
    assert (book.waivers, book.notices()) == ((), [])


# -- waivers used -----------------------------------------------------------------------


def test_a_waiver_that_suppressed_a_finding_is_used(guardrail: Guardrail) -> None:
    decision = guardrail.check(POSTCODES, format="csv", destination="public-web", today=TODAY)
    assert decision.allowed
    assert [w.label() for w in decision.waivers_used] == [POSTCODE]
    assert decision.to_dict()["waivers_used"] == [{"label": POSTCODE,
                                                   "origin": f"{POLICY}:18"}]


def test_a_waiver_whose_field_held_nothing_is_not_used(guardrail: Guardrail) -> None:
    # The postcode column is there but empty: the waiver covers its field, and suppressed
    # nothing; the name_like waiver matched no field at all.
    decision = guardrail.check(b"month,postcode\n2026-01,\n", format="csv",
                               destination="public-web", today=TODAY)
    assert decision.allowed
    assert decision.waivers_used == ()
    assert decision.to_dict()["waivers_used"] == []


def test_only_the_waivers_that_suppressed_are_listed(guardrail: Guardrail) -> None:
    decision = guardrail.check(b"month,team_name\n2026-01,Jane Smith\n", format="csv",
                               destination="public-web", today=TODAY)
    assert decision.allowed
    assert [w.label() for w in decision.waivers_used] == [NAME_LIKE]


def test_every_waiver_a_passing_value_needed_is_used() -> None:
    # The postcode breaks the field rule (waived on line 12) and the postcode detector
    # (waived on line 17): without either waiver it would block, so both are used.
    decision = Guardrail.from_policy(TWO).check(
        b"month,postcode\n2026-01,HP1 1AA\n", format="csv", destination="public-web")
    assert decision.allowed
    [finding] = decision.findings
    assert (finding.rule, finding.also) == ("uk.field.address", ("uk.postcode",))
    assert [w.origin for w in decision.waivers_used] == [f"{TWO}:12", f"{TWO}:17"]


def test_a_waiver_on_a_value_that_still_blocks_is_not_used() -> None:
    # The notes value breaks the free-text field rule (not waived) and the postcode
    # detector (waived for notes on line 22): the waiver suppressed nothing.
    decision = Guardrail.from_policy(TWO).check(
        b"month,notes\n2026-01,seen near HP1 1AA\n",
        format="csv", destination="public-web")
    assert decision.exit_code == 1
    [finding] = decision.findings
    assert (finding.rule, finding.also, finding.waived_by) == (
        "uk.field.free_text", ("uk.postcode",), None)
    assert decision.waivers_used == ()


def test_an_expired_waiver_is_never_used(guardrail: Guardrail) -> None:
    decision = guardrail.check(POSTCODES, format="csv", destination="public-web",
                               today=dt.date(2026, 7, 1))
    assert not decision.allowed
    assert decision.waivers_used == ()


def test_redaction_names_the_waivers_it_used(guardrail: Guardrail, tmp_path: Path) -> None:
    result = guardrail.redact(POSTCODES, tmp_path / "out.csv", format="csv",
                              destination="public-web", today=TODAY)
    assert [w.label() for w in result.decision.waivers_used] == [POSTCODE]


# -- ignoring every waiver --------------------------------------------------------------


def test_check_without_waivers_blocks_what_a_waiver_would_suppress(
        guardrail: Guardrail) -> None:
    decision = guardrail.check(POSTCODES, format="csv", destination="public-web",
                               today=TODAY, waivers=False)
    assert decision.exit_code == 1
    assert decision.grouped_counts() == [
        {"rule": "uk.field.address", "field": "postcode", "level": "personal",
         "action": "block", "count": 2},
    ]
    assert [f.waived_by for f in decision.findings] == [None, None]
    assert decision.waivers_used == ()
    assert decision.notices == ["every exception is ignored for this check (2 not applied): "
                                "findings they would waive block"]


def test_cli_check_no_waivers_blocks_what_the_policy_waives(tmp_path: Path) -> None:
    payload = tmp_path / "postcodes.csv"
    payload.write_bytes(b"month,postcode\n2026-01,HP1 1AA\n")
    args = ["check", "-p", str(LONG_LIVED), "-d", "public-web", "--report", "json",
            str(payload)]
    waived = CliRunner().invoke(cli, args)
    report = json.loads(waived.output)
    assert (waived.exit_code, report["decision"]) == (0, "allow")
    assert report["waivers_used"] == [{
        "label": f"exception for field postcode approved by Jo Bloggs ({LONG_LIVED}:12)",
        "origin": f"{LONG_LIVED}:12"}]
    ignored = CliRunner().invoke(cli, [*args[:1], "--no-waivers", *args[1:]])
    report = json.loads(ignored.output)
    assert (ignored.exit_code, report["decision"], report["waivers_used"]) == (1, "block", [])
    assert [(f["field"], f.get("waived_by")) for f in report["findings"]] == [
        ("postcode", None)]
