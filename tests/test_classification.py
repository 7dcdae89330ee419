"""Field classification (which rule gives a field its level) and record rules.

Fixture: ``data/policies/classification.yaml`` has a path, a name and a match rule
that can claim the same fields, so only precedence decides which one does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from guardrail import Guardrail
from guardrail.policy.classify import Classifier

POLICY = Path(__file__).parent / "data" / "policies" / "classification.yaml"
UNCLASSIFIED = "no rule classifies this field (defaults.unknown_fields)"


@pytest.fixture
def guardrail() -> Guardrail:
    return Guardrail.from_policy(POLICY)


@pytest.fixture
def classifier(guardrail: Guardrail) -> Classifier:
    return Classifier(guardrail.policy)


def _classify(classifier: Classifier, *path: str | int) -> tuple[str, str, str]:
    found = classifier.classify(path)
    return found.rule, found.level, found.matched_by


# -- precedence -------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected"), [
    # path rule > name rule: 'phone' is a personal name, but this exact path is public.
    (("office", "phone"), ("cls.path", "public", "path rule 'office.phone'")),
    (("people", 0, "contact", "phone"),
     ("cls.path", "public", "path rule 'people[*].contact.phone'")),
    (("people", 7, "contact", "phone"),
     ("cls.path", "public", "path rule 'people[*].contact.phone'")),
    (("meta", "v2", "code"), ("cls.path", "public", "path rule 'meta.*.code'")),
    # The same name anywhere else: the name rule.
    (("phone",), ("cls.name", "personal", "name rule 'phone'")),
    (("people", 0, "phone"), ("cls.name", "personal", "name rule 'phone'")),
    # name rule > match rule: case_ref also matches '*_REF'.
    (("case_ref",), ("cls.name", "personal", "name rule 'case_ref'")),
    # Only the glob matches.
    (("crime_ref",), ("cls.match", "internal", "match rule '*_REF'")),
    (("home_phone",), ("cls.match", "internal", "match rule '*_phone'")),
    (("Office Hours",), ("cls.match", "internal", "match rule 'Office *'")),
    # A path rule needs every segment: one more level is not the same path.
    (("meta", "v2", "extra", "code"), ("field.unclassified", "internal", UNCLASSIFIED)),
])
def test_path_beats_name_beats_match(classifier: Classifier, path: tuple[str | int, ...],
                                     expected: tuple[str, str, str]) -> None:
    assert _classify(classifier, *path) == expected


def test_within_a_kind_the_first_rule_wins(write_policy: Callable[..., Path]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: order}
        destinations: {web: public}
        default_destination: web
        fields:
          - id: first.glob
            match: "*_id"
            level: internal
          - id: second.glob
            match: "case_*"
            level: personal
          - id: first.name
            name: ward
            level: public
          - id: second.name
            name: WARD
            level: personal
    """)
    classifier = Classifier(Guardrail.from_policy(path).policy)
    assert _classify(classifier, "case_id")[:2] == ("first.glob", "internal")
    assert _classify(classifier, "case_ref")[:2] == ("second.glob", "personal")
    assert _classify(classifier, "ward")[:2] == ("first.name", "public")


# -- ancestors --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "enclosing"), [
    (("address", "line1"), "address"),
    (("address", "town", "postcode_district"), "address"),
    (("address", 0, "line1"), "address[*]"),
])
def test_rule_on_an_ancestor_covers_nested_children(classifier: Classifier,
                                                    path: tuple[str | int, ...],
                                                    enclosing: str) -> None:
    assert _classify(classifier, *path) == (
        "cls.name", "personal", f"name rule 'address' on the enclosing field '{enclosing}'")


def test_name_rule_cannot_lower_a_field_below_its_ancestor(classifier: Classifier) -> None:
    # 'ward' is public by name, but inside a personal 'address' it stays personal: name
    # rules match keys anywhere, so they may not declassify nested personal data.
    assert _classify(classifier, "address", "ward") == (
        "cls.name", "personal", "name rule 'address' on the enclosing field 'address'")
    assert _classify(classifier, "ward") == ("cls.public", "public", "name rule 'ward'")


def test_exact_path_rule_may_lower_a_nested_field(write_policy: Callable[..., Path]) -> None:
    policy = write_policy("""
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: nested}
        extends: uk-personal-data
        fields:
          - {id: t.ward, path: "address.ward", level: public}
        detectors: {skip: ["*"]}
    """)
    guard = Guardrail.from_policy(policy)
    found = Classifier(guard.policy).classify(("address", "ward"))
    assert (found.rule, found.level, found.matched_by) == (
        "t.ward", "public", "path rule 'address.ward'")
    decision = guard.check([{"address": {"ward": "Boxmoor", "line1": "1 High St"}}])
    assert [(f.field, f.rule) for f in decision.findings] == [("address.line1",
                                                               "uk.field.address")]


def test_list_of_scalars_is_classified_by_the_list_name(classifier: Classifier) -> None:
    assert _classify(classifier, "address", 2) == ("cls.name", "personal", "name rule 'address'")


def test_ancestor_rule_applies_in_json_records(guardrail: Guardrail) -> None:
    decision = guardrail.check([{"month": "2026-01",
                                 "address": {"line1": "1 High St", "ward": "Boxmoor"}}])
    assert [(f.record, f.field, f.rule, f.level, f.evidence, f.message)
            for f in decision.findings] == [
        (0, "address.line1", "cls.name", "personal", "* H*** S*",
         ("field 'address.line1' is personal (name rule 'address' on the enclosing field "
          "'address'); 'public-web' accepts at most public")),
        (0, "address.ward", "cls.name", "personal", "B******",
         ("field 'address.ward' is personal (name rule 'address' on the enclosing field "
          "'address'); 'public-web' accepts at most public")),
    ]


# -- names are matched case- and punctuation-insensitively ------------------------------


@pytest.mark.parametrize("key", [
    "Date of Birth", "date_of_birth", "DATE-OF-BIRTH", "date.of.birth", " Date  of  Birth ",
])
def test_name_matching_ignores_case_and_punctuation(classifier: Classifier, key: str) -> None:
    assert _classify(classifier, key) == ("cls.name", "personal", "name rule 'Date of Birth'")


def test_glob_matching_ignores_case_and_punctuation(classifier: Classifier) -> None:
    assert _classify(classifier, "Crime Ref")[:2] == ("cls.match", "internal")
    assert _classify(classifier, "HOME-PHONE")[:2] == ("cls.match", "internal")


def test_csv_header_is_classified_by_its_normalised_name(guardrail: Guardrail) -> None:
    decision = guardrail.check(b"month,Date of Birth\n2026-01,1990-04-01\n", format="csv")
    assert [(f.field, f.rule, f.level, f.evidence) for f in decision.findings] == [
        ("Date of Birth", "cls.name", "personal", "****-**-**"),
    ]


# -- unknown fields ---------------------------------------------------------------------


def test_unknown_field_gets_defaults_unknown_fields(classifier: Classifier) -> None:
    found = classifier.classify(("favourite_colour",))
    assert (found.rule, found.level, found.rule_origin, found.matched_by) == (
        "field.unclassified", "internal", "", UNCLASSIFIED)


@pytest.mark.parametrize(("destination", "allowed"), [
    ("public-web", False), ("partner-portal", True), ("internal", True),
])
def test_unknown_field_is_judged_at_the_default_level(guardrail: Guardrail, destination: str,
                                                      allowed: bool) -> None:
    decision = guardrail.check(b"month,favourite_colour\n2026-01,teal\n", format="csv",
                               destination=destination)
    assert decision.allowed is allowed
    expected = [] if allowed else [("favourite_colour", "field.unclassified", "internal", "t***")]
    assert [(f.field, f.rule, f.level, f.evidence) for f in decision.findings] == expected


def test_without_defaults_unknown_fields_are_the_most_sensitive_level(
    write_policy: Callable[..., Path],
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: strict}
        levels: [open, restricted, secret]
        destinations: {web: open, vault: restricted}
        default_destination: web
    """)
    guardrail = Guardrail.from_policy(path)
    decision = guardrail.check([{"anything": 1}], destination="vault")
    assert [(f.field, f.rule, f.level) for f in decision.findings] == [
        ("anything", "field.unclassified", "secret"),
    ]


def test_rule_without_id_reports_field_level(classifier: Classifier) -> None:
    found = classifier.classify(("diagnosis",))
    assert (found.rule, found.level, found.rule_origin) == (
        "field.level", "special-category", f"{POLICY}:27")


# -- how fields are shown ----------------------------------------------------------------


def test_findings_show_list_indices_and_counts_group_them(guardrail: Guardrail) -> None:
    records = [{"month": "2026-01",
                "people": [{"name": "Ann Lee", "contact": {"phone": "01234 567890"}},
                           {"name": "Bo Chan", "contact": {"phone": "01234 000000"}}]}]
    decision = guardrail.check(records)
    assert [(f.file, f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        ("<records>", 0, "people[0].name", "cls.name", "A** L**"),
        ("<records>", 0, "people[1].name", "cls.name", "B* C***"),
    ]
    assert decision.findings[1].message == (
        "field 'people[1].name' is personal (name rule 'name'); "
        "'public-web' accepts at most public")
    assert decision.grouped_counts() == [
        {"rule": "cls.name", "field": "people[*].name", "level": "personal",
         "action": "block", "count": 2},
    ]


def test_record_index_counts_records(guardrail: Guardrail) -> None:
    decision = guardrail.check([{"month": "2026-01"}, {"month": "2026-02", "phone": "0123"}])
    assert [(f.record, f.field) for f in decision.findings] == [(1, "phone")]
    assert decision.files[0].records == 2


# -- record rules -------------------------------------------------------------------------

SMALL_COUNTS = """\
    apiVersion: guardrail/v1
    kind: Policy
    metadata: {name: small-counts}
    destinations: {public-web: public, internal: special-category}
    default_destination: public-web
    fields:
      - name: [month, ward, count, category]
        level: public
    rules:
      - id: stats.small_count
        when: "count > `0` && count < `5`"
        level: personal
        fields: [count, ward]
"""


@pytest.fixture
def small_counts(write_policy: Callable[..., Path]) -> Guardrail:
    return Guardrail.from_policy(write_policy(SMALL_COUNTS))


def test_record_rule_compares_csv_text_as_numbers(small_counts: Guardrail) -> None:
    csv = ("month,ward,count\n"
           "2026-01,Boxmoor,3\n"         # 0: small
           "2026-02,Boxmoor,12\n"        # 1: text "12" < "5" would be true; 12 < 5 is not
           "2026-03,Adeyfield East,4.5\n"  # 2: small
           "2026-04,Boxmoor,0\n"         # 3: zero is not small
           "2026-05,Boxmoor,\n"          # 4: empty
           "2026-06,Boxmoor,three\n"     # 5: not a number
           "2026-07,Boxmoor, 2\n"        # 6: padded with a space: still the number 2
           "2026-08,Boxmoor,-1\n")       # 7: negative
    decision = small_counts.check(csv.encode(), format="csv")
    assert not decision.allowed
    assert [(f.record, f.field, f.rule, f.level, f.evidence, f.position)
            for f in decision.findings] == [
        (0, "count, ward", "stats.small_count", "personal", "* | B******", "line 2"),
        (2, "count, ward", "stats.small_count", "personal", "*.* | A******** E***", "line 4"),
        (6, "count, ward", "stats.small_count", "personal", "* | B******", "line 8"),
    ]
    assert decision.findings[0].message == "record matches rule 'count > `0` && count < `5`'"


def test_a_count_followed_by_a_separator_character_is_still_the_number(
        small_counts: Guardrail) -> None:
    """Python's ``\\s`` takes the information separators (\\x1c-\\x1f) that int() does
    not strip; a reader sees the number alone (found by the robustness campaign)."""
    decision = small_counts.check(
        "month,ward,count\n2026-01,Boxmoor,3\x1d\n2026-02,Boxmoor,56\x1d\n"
        "2026-03,Boxmoor,\u0664\n".encode(), format="csv")
    assert [f.error for f in decision.files] == [None]
    assert [(f.record, f.rule) for f in decision.findings] == [
        (0, "stats.small_count"), (2, "stats.small_count")]


def test_suppressed_count_written_as_text_is_not_a_number(guard: Guardrail) -> None:
    # The shipped rule tells authors to publish "<5": that cell must not break the check.
    decision = guard.check(
        b"month,ward,count\n2026-01,Boxmoor,<5\n2026-02,Boxmoor,3\n", format="csv")
    assert [f.error for f in decision.files] == [None]
    assert decision.files[0].records == 2
    assert [(f.record, f.rule) for f in decision.findings] == [(1, "asb.small_count")]


def test_text_compared_with_a_number_is_null_only_in_its_own_branch(
    write_policy: Callable[..., Path],
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: either}
        destinations: {web: public}
        default_destination: web
        defaults: {unknown_fields: public}
        rules:
          - id: either.small_or_flagged
            when: "count < `5` || flagged == 'yes'"
            level: personal
            fields: [count, flagged]
    """)
    decision = Guardrail.from_policy(path).check(
        b"count,flagged\n<5,yes\n<5,no\n2,no\n", format="csv")
    assert [(f.record, f.evidence) for f in decision.findings] == [
        (0, "<* | y**"), (2, "* | n*"),
    ]


@pytest.mark.parametrize("header", ["Count", "COUNT", " count "])
def test_record_rule_finds_fields_the_way_field_rules_do(small_counts: Guardrail,
                                                         header: str) -> None:
    # Field rules match "Count" as count; the small-count rule must see it too.
    decision = small_counts.check(f"month,Ward,{header}\n2026-01,Boxmoor,2\n".encode(),
                                  format="csv")
    assert not decision.allowed
    assert [(f.rule, f.field, f.evidence) for f in decision.findings] == [
        ("stats.small_count", "count, ward", "* | B******"),
    ]


def test_record_rule_finds_json_keys_the_way_field_rules_do(small_counts: Guardrail) -> None:
    decision = small_counts.check([{"Count": 2, "Ward": "Boxmoor"}])
    assert [(f.rule, f.evidence) for f in decision.findings] == [
        ("stats.small_count", "* | B******"),
    ]


def test_record_rule_on_json_numbers(small_counts: Guardrail) -> None:
    decision = small_counts.check(b'[{"count": 3, "ward": "Boxmoor"}, {"count": 30}]',
                                  format="json")
    assert [(f.record, f.evidence) for f in decision.findings] == [(0, "* | B******")]


def test_record_rule_is_skipped_when_its_fields_are_absent(small_counts: Guardrail) -> None:
    decision = small_counts.check(b"month,category\n2026-01,Nuisance\n", format="csv")
    assert decision.allowed
    assert decision.counts == {}


def test_record_rule_below_the_destination_limit_is_not_a_finding(
    small_counts: Guardrail,
) -> None:
    decision = small_counts.check(b"month,count\n2026-01,3\n", format="csv",
                                  destination="internal")
    assert decision.allowed
    assert decision.counts == {}


def test_record_rule_true_without_its_fields_still_applies(
    write_policy: Callable[..., Path],
) -> None:
    # Skipping is an optimisation only: a rule that is true when its field is missing
    # must still fire, or a missing column would wave the payload through.
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: needs-review}
        destinations: {web: public}
        default_destination: web
        defaults: {unknown_fields: public}
        rules:
          - id: review.missing
            description: Every row must carry a reviewed flag.
            when: "!reviewed"
            level: personal
    """)
    decision = Guardrail.from_policy(path).check(b"month\n2026-01\n", format="csv")
    assert [(f.record, f.rule, f.field, f.message) for f in decision.findings] == [
        (0, "review.missing", "reviewed", "Every row must carry a reviewed flag."),
    ]


def test_shipped_small_count_rule(guard: Guardrail) -> None:
    decision = guard.check(
        b"month,ward,count\n2026-01,Boxmoor,2\n2026-02,Boxmoor,5\n", format="csv")
    assert [(f.record, f.field, f.rule, f.evidence, f.message) for f in decision.findings] == [
        (0, "count", "asb.small_count", "*",
         'Counts of 1 to 4 can identify the people involved; publish "<5" or suppress.'),
    ]


# -- what a level leads to: actions -------------------------------------------------------


def test_action_comes_from_destination_then_policy_then_block(
    write_policy: Callable[..., Path],
) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: actions}
        destinations:
          web: public
          partner:
            max_level: public
            actions: {internal: warn}
        default_destination: web
        actions:
          personal: warn
        fields:
          - name: ref
            level: internal
          - name: email
            level: personal
          - name: diagnosis
            level: special-category
    """)
    guardrail = Guardrail.from_policy(path)
    payload = b"ref,email,diagnosis\nA1,jo@example.org,flu\n"
    web = guardrail.check(payload, format="csv", destination="web")
    partner = guardrail.check(payload, format="csv", destination="partner")
    assert [(f.field, f.action) for f in web.findings] == [
        ("ref", "block"), ("email", "warn"), ("diagnosis", "block")]
    assert [(f.field, f.action) for f in partner.findings] == [
        ("ref", "warn"), ("email", "warn"), ("diagnosis", "block")]
    assert web.file_counts("<bytes>") == (2, 1, 0)
    assert partner.file_counts("<bytes>") == (1, 2, 0)


def test_warnings_alone_do_not_block(write_policy: Callable[..., Path]) -> None:
    path = write_policy("""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {name: warn-only}
        destinations: {web: public}
        default_destination: web
        actions: {internal: warn}
        defaults: {unknown_fields: internal}
    """)
    decision = Guardrail.from_policy(path).check(b"ref\nA1\n", format="csv")
    assert decision.allowed
    assert [(f.field, f.rule, f.action) for f in decision.findings] == [
        ("ref", "field.unclassified", "warn")]
