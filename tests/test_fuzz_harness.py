"""The fuzzing harness itself: its identifiers are valid, its leak check sees through
disguises, its lists agree with each other. A harness that plants invalid values or
cannot see a leak would report nothing and prove nothing."""

from __future__ import annotations

import io
import json
import random

import pytest
from fuzz.damage import DAMAGE
from fuzz.identifiers import KINDS, nhs_check_digit
from fuzz.leaks import Needle, needle_of
from fuzz.mutations import MISSED_TODAY, MUTATIONS
from fuzz.probe import Trickle
from fuzz.settings import ci
from guardrail_uk_detectors.identifiers import is_nino
from guardrail_uk_detectors.phone import uk_national_number
from guardrail_uk_detectors.postcode import is_postcode
from hypothesis import given
from stdnum.gb import nhs

CHECKS = {
    "postcode": is_postcode,
    "nhs_number": lambda value: nhs.is_valid(value.replace(" ", "")),
    "nino": is_nino,
    "phone": lambda value: uk_national_number(value) is not None,
    "email": lambda value: value.count("@") == 1 and value.endswith(
        (".com", ".org", ".net")),
    "name": lambda value: len(value.split()) == 2,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_planted_identifiers_are_valid_by_the_detectors_rules(kind):
    @ci(15)
    @given(KINDS[kind]())
    def run(identifier):
        assert CHECKS[kind](identifier.value), identifier.masked()
        assert " ".join(identifier.parts).replace(" @", "@") == identifier.value or \
            identifier.parts[0] + identifier.parts[1] == identifier.value
        assert identifier.value not in identifier.masked()
    run()


def test_nhs_check_digit_matches_python_stdnum():
    assert nhs_check_digit("943476591") == 9  # the NHS's own example, 943 476 5919
    assert nhs.is_valid("9434765919")


@pytest.mark.parametrize("shown", [
    "HP3 9QT", "hp3 9qt", "HP3  9QT", "HP3\u00a09QT", "ＨＰ３ ９ＱＴ", "H\u200bP3 9\u2060QT",
    "НР3 9QТ", "HP3%209QT", "&#72;P3&#x20;9QT", "HP39QT", "HP3-9QT", "H\u00adP3 9QT",
    json.dumps({"evidence": "\uff28P3 9QT"}),
])
def test_a_disguised_value_is_still_a_leak(shown):
    assert needle_of("HP3 9QT").found_in([f"report: {shown} end"])


@pytest.mark.parametrize("shown", ["HP3 ***", "H** ***", "postcode shaped AA9 9AA",
                                   "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"
                                   "d15d6c15b0f00a08"])
def test_masked_evidence_is_not_a_leak(shown):
    assert not needle_of("HP3 9QT").found_in([shown])


def test_a_needle_kept_as_digests_finds_the_same_leaks():
    needle = Needle.from_dict(needle_of("Margaret Thompson").to_dict())
    assert needle.clear is None
    assert needle.found_in(["by M\u0430rgaret\u00a0Thompson"])
    assert not needle.found_in(["by M******* T*******"])


def test_every_mutation_kind_says_whether_a_reader_still_reads_it():
    assert {m.preserving for m in MUTATIONS.values()} == {True, False}
    assert DAMAGE and not set(DAMAGE) & set(MUTATIONS)  # damage to bytes: fuzz.damage
    for kind, formats in MISSED_TODAY.items():
        assert MUTATIONS[kind].preserving, kind
        assert formats <= MUTATIONS[kind].formats, kind


def test_a_trickle_hands_out_every_byte_in_small_reads():
    data = bytes(range(256)) * 10
    stream = io.BufferedReader(Trickle(data, random.Random(0)), 16)
    assert stream.read() == data
