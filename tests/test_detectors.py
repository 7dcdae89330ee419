"""Content detectors: their vectors (tests/data/detectors/*.yaml) and ``detectors:`` wiring."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrail import Decision, Guardrail, PolicyError
from guardrail.host.registry import load_registry
from guardrail.testing import DetectorCase, check_detector_case, load_detector_cases

HERE = Path(__file__).parent
CASE_DIR = HERE / "data" / "detectors"
CASES = load_detector_cases(CASE_DIR)


@pytest.fixture(scope="module")
def registry():
    # Detectors are stateless: one registry serves every vector (a fresh one per case
    # would add minutes for nothing). Policy tests below each load their own.
    return load_registry()


@pytest.fixture(scope="module")
def installed(registry) -> dict:
    return registry.detectors


# -- vectors -------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_detector_case(case: DetectorCase, installed: dict) -> None:
    check_detector_case(installed[case.detector], case)


def test_every_shipped_detector_has_a_case_file(registry) -> None:
    owners = registry.owners["detectors"]
    shipped = {d for d, owner in owners.items() if owner.startswith("guardrail ")}
    assert len(shipped) == 14
    assert {case.detector for case in CASES} == shipped
    for detector_id in shipped:
        assert (CASE_DIR / f"{detector_id}.yaml").is_file()


def test_every_detector_has_valid_and_invalid_vectors() -> None:
    for detector_id in {case.detector for case in CASES}:
        mine = [c for c in CASES if c.detector == detector_id and c.xfail is None]
        assert any(c.found for c in mine), f"{detector_id}: no vector that must be found"
        assert any(not c.found for c in mine), f"{detector_id}: no vector that must not be"


# -- policy wiring ---------------------------------------------------------------------------

HEADER = """\
apiVersion: guardrail/v1
kind: Policy
metadata: {name: detector-test, version: "1", owner: tests}
"""
EXTENDS = HEADER + """\
extends: uk-personal-data
fields:
  - {id: test.field.public, name: [body, extra], level: public}
"""
STANDALONE = HEADER + """\
levels: [public, internal, personal]
destinations:
  web: {max_level: public}
  partners: {max_level: internal}
default_destination: web
defaults: {unknown_fields: public}
"""
LEAKY = "Call 07700 900123 or write to jane@example.com, HP1 1AA"


@pytest.fixture
def guard(write_policy: Callable[..., Path]) -> Callable[..., Guardrail]:
    """A Guardrail for the base policy plus a ``detectors:`` section (YAML text)."""

    def make(detectors: str = "", base: str = EXTENDS) -> Guardrail:
        text = base + (f"detectors:\n{_indent(detectors)}" if detectors.strip() else "")
        return Guardrail.from_policy(write_policy(text))

    return make


def _indent(text: str) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n") + "\n", "  ")


def hits(decision: Decision) -> list[tuple]:
    """(record, field, rule, evidence) of each finding, sorted: the order detectors run in
    is not part of the contract."""
    assert not decision.errors, decision.errors
    assert all("*" in f.evidence for f in decision.findings), "evidence must be masked"
    return sorted((f.record, f.field, f.rule, f.evidence) for f in decision.findings)


def rules(decision: Decision) -> set[str]:
    assert not decision.errors, decision.errors
    return {f.rule for f in decision.findings}


def merged(decision: Decision) -> list[tuple]:
    """(record, field, rule, also) of each finding, sorted: several rules matching one
    value make one finding, the deciding rule first and the others in ``also``."""
    assert not decision.errors, decision.errors
    return sorted((f.record, f.field, f.rule, f.also) for f in decision.findings)


def assert_masked(decision: Decision, *raw: str) -> None:
    for finding in decision.findings:
        for value in raw:
            assert value not in finding.evidence, finding
            assert value not in finding.message, finding


def test_base_policy_runs_every_installed_detector(guard):
    decision = guard().check([{"body": LEAKY}])
    # One value, three detectors: one finding, decided by the first rule id of equals.
    assert hits(decision) == [(0, "body", "email", "j***@e******.c**")]
    assert merged(decision) == [(0, "body", "email", ("uk.phone", "uk.postcode"))]
    assert decision.findings[0].rules == ("email", "uk.phone", "uk.postcode")
    assert decision.findings[0].message.endswith("; also uk.phone, uk.postcode")
    assert list(decision.counts.values()) == [1]
    assert not decision.allowed
    assert {(f.level, f.action) for f in decision.findings} == {("personal", "block")}
    assert_masked(decision, "07700 900123", "jane@example.com", "HP1 1AA")


def test_run_globs_choose_detectors(guard):
    assert merged(guard('run: ["uk.*"]').check([{"body": LEAKY}])) == [
        (0, "body", "uk.phone", ("uk.postcode",))]
    assert merged(guard('run: ["uk.p*"]').check([{"body": LEAKY}])) == [
        (0, "body", "uk.phone", ("uk.postcode",))]
    assert rules(guard("run: email").check([{"body": LEAKY}])) == {"email"}


def test_skip_drops_detectors(guard):
    decision = guard('skip: ["uk.phone", "em*"]').check([{"body": LEAKY}])
    assert hits(decision) == [(0, "body", "uk.postcode", "HP1 ***")]


def test_skip_adds_up_along_extends(guard, write_policy):
    write_policy(EXTENDS + 'detectors:\n  skip: ["email"]\n', name="parent.yaml")
    child = HEADER + "extends: parent.yaml\ndetectors:\n  skip: [uk.phone]\n"
    decision = Guardrail.from_policy(write_policy(child)).check([{"body": LEAKY}])
    assert rules(decision) == {"uk.postcode"}


def test_a_detector_lowered_to_public_does_not_block_public_web(guard):
    lowered = guard("""
        settings:
          uk.postcode: {level: public}
    """)
    decision = lowered.check([{"body": "Lives at HP1 1AA"}], destination="public-web")
    assert decision.allowed
    assert decision.findings == []
    # the other detectors keep their own level
    assert merged(lowered.check([{"body": LEAKY}])) == [(0, "body", "email", ("uk.phone",))]


def test_a_detector_set_to_internal_blocks_the_web_but_not_partners(guard):
    internal = guard("""
        settings:
          uk.postcode: {level: internal}
    """)
    web = internal.check([{"body": "HP1 1AA"}], destination="public-web")
    assert [(f.rule, f.level, f.action) for f in web.findings] == \
        [("uk.postcode", "internal", "block")]
    assert internal.check([{"body": "HP1 1AA"}], destination="partner-portal").allowed


# "Chief Constable Jane Smith": a name in a public role scores 0.3 (see person.name.yaml).
OFFICIAL = "Chief Constable Jane Smith said"


def test_default_min_confidence_hides_names_in_public_roles(guard):
    assert guard().check([{"body": OFFICIAL}]).allowed


def test_global_min_confidence(guard):
    decision = guard("min_confidence: 0.2").check([{"body": OFFICIAL}])
    assert hits(decision) == [(0, "body", "person.name", "J*** S****")]
    assert "confidence 0.30" in decision.findings[0].message
    # a threshold above a detector's confidence silences it
    assert guard("min_confidence: 0.99").check([{"body": "HP1 1AA"}]).allowed


def test_per_detector_min_confidence(guard):
    decision = guard("""
        settings:
          person.name: {min_confidence: 0.2}
          uk.postcode: {min_confidence: 0.99}
    """).check([{"body": OFFICIAL + " at HP1 1AA"}])
    assert hits(decision) == [(0, "body", "person.name", "J*** S****")]


def test_per_detector_min_confidence_overrides_the_global_one(guard):
    decision = guard("""
        min_confidence: 0.99
        settings:
          uk.postcode: {min_confidence: 0.5}
    """).check([{"body": LEAKY}])
    assert rules(decision) == {"uk.postcode"}


def test_fields_limit_every_detector(guard):
    decision = guard("fields: [body]").check([{"body": "HP1 1AA", "extra": "HP2 4AA"}])
    assert hits(decision) == [(0, "body", "uk.postcode", "HP1 ***")]


def test_skip_fields(guard):
    decision = guard("skip_fields: [body]").check([{"body": "HP1 1AA", "extra": "HP2 4AA"}])
    assert hits(decision) == [(0, "extra", "uk.postcode", "HP2 ***")]


def test_fields_and_skip_fields_per_detector(guard):
    decision = guard("""
        settings:
          uk.postcode: {fields: [extra]}
          email: {skip_fields: [extra]}
    """).check([{"body": "HP1 1AA a@example.com", "extra": "HP2 4AA b@example.com"}])
    assert hits(decision) == [
        (0, "body", "email", "a***@e******.c**"),
        (0, "extra", "uk.postcode", "HP2 ***"),
    ]


def test_skip_fields_names_an_enclosing_field(guard, write_policy):
    policy = HEADER + """\
extends: uk-personal-data
fields:
  - {id: test.field.public, name: [contacts, note, body], level: public}
detectors:
  skip_fields: [contacts]
"""
    decision = Guardrail.from_policy(write_policy(policy)).check(
        [{"contacts": [{"note": "HP1 1AA"}], "body": "HP2 4AA"}])
    assert hits(decision) == [(0, "body", "uk.postcode", "HP2 ***")]


def test_allow_terms_suppress_matches_inside_them(guard):
    allowing = guard('allow: ["jane smith", "HP1 1AA"]')
    decision = allowing.check([
        {"body": "Reported by JANE SMITH and John Brown"},
        {"body": "HP1 1AA and HP2 4AA"},
    ])
    assert hits(decision) == [
        (0, "body", "person.name", "J*** B****"),
        (1, "body", "uk.postcode", "HP2 ***"),
    ]


def test_allow_does_not_hide_a_longer_match_around_the_term(guard):
    decision = guard('allow: ["Smith"]').check([{"body": "Reported by Jane Smith"}])
    assert hits(decision) == [(0, "body", "person.name", "J*** S****")]


# -- custom detectors ---------------------------------------------------------------------

CASE_REF = """
    min_confidence: 0.5
    custom:
      - id: acme.case_ref
        description: Internal case references
        regex: "ASB-[0-9]{6}"
        level: internal
        confidence: 0.4
        hotwords: [case, "our ref"]
        exclude: ["^ASB-0+$"]
"""


def test_custom_regex_needs_its_hotword_to_pass_min_confidence(guard):
    decision = guard(CASE_REF, base=STANDALONE).check([
        {"body": "ASB-123456"},                  # 0.4: below min_confidence
        {"body": "see case ASB-123456"},         # 0.4 + hotword boost: reported
        {"body": "ASB-654321 (our ref)"},        # hotwords count after the match too
        {"body": "Case ASB-000000 is a test"},   # excluded
    ])
    assert hits(decision) == [
        (1, "body", "acme.case_ref", "A**-******"),
        (2, "body", "acme.case_ref", "A**-******"),
    ]
    assert {(f.level, f.action) for f in decision.findings} == {("internal", "block")}
    assert all(0.5 <= float(re.search(r"confidence ([0-9.]+)", f.message).group(1))
               for f in decision.findings)
    assert_masked(decision, "123456", "654321")


def test_custom_detector_level_is_judged_per_destination(guard):
    checked = guard(CASE_REF, base=STANDALONE)
    assert not checked.check([{"body": "case ASB-123456"}], destination="web").allowed
    assert checked.check([{"body": "case ASB-123456"}], destination="partners").allowed


def test_custom_terms_detector(guard):
    decision = guard("""
        custom:
          - id: acme.operation
            terms: [Operation Nightjar, Nightjar]
            ignore_case: true
            level: personal
            confidence: 0.3
            hotwords: [covert]
            exclude: ["(?i)nightjar bird"]
    """, base=STANDALONE).check([
        {"body": "nightjar"},                          # 0.3 < 0.5
        {"body": "covert OPERATION NIGHTJAR briefing"},  # longest term wins, boosted
        {"body": "covert nightjars"},                  # terms match whole words only
        {"body": "covert Nightjar bird survey"},       # exclude looks at the match only
    ])
    assert hits(decision) == [
        (1, "body", "acme.operation", "O******** N*******"),
        (3, "body", "acme.operation", "N*******"),
    ]


def test_custom_exclude_applies_to_the_matched_value(guard):
    badges = guard("""
        custom:
          - id: acme.badge
            regex: "BADGE-[0-9]{4}"
            level: personal
            exclude: ["-0000$", "-9999$"]
    """, base=STANDALONE)
    # Four matches in one value are one finding for the value; one value per record
    # shows which matches were excluded. "-0000$" tested on the whole value ("... issued")
    # would exclude nothing.
    decision = badges.check([{"body": "BADGE-1234, BADGE-0000, BADGE-9999, BADGE-4321"}])
    assert hits(decision) == [(0, "body", "acme.badge", "B****-****")]
    assert merged(decision) == [(0, "body", "acme.badge", ())]
    decision = badges.check([{"body": f"BADGE-{n} issued"} for n in ("1234", "0000", "9999",
                                                                       "4321")])
    assert hits(decision) == [
        (0, "body", "acme.badge", "B****-****"),
        (3, "body", "acme.badge", "B****-****"),
    ]


def test_custom_detectors_run_beside_installed_ones(guard):
    decision = guard("""
        custom:
          - {id: acme.badge, regex: "BADGE-[0-9]{4}", level: personal}
    """).check([{"body": "BADGE-1234 at HP1 1AA"}])
    assert hits(decision) == [(0, "body", "acme.badge", "B****-****")]
    assert merged(decision) == [(0, "body", "acme.badge", ("uk.postcode",))]


def test_custom_detector_fields(guard):
    decision = guard("""
        custom:
          - {id: acme.badge, regex: "BADGE-[0-9]{4}", level: personal, fields: [extra]}
    """, base=STANDALONE).check([{"body": "BADGE-1234", "extra": "BADGE-5678"}])
    assert hits(decision) == [(0, "extra", "acme.badge", "B****-****")]


@pytest.mark.parametrize("base", [STANDALONE, EXTENDS], ids=["alone", "with-installed"])
def test_catastrophic_pattern_runs_in_linear_time(guard, base):
    """(a+)+$ takes exponential time in a backtracking engine on "aaa...!"; RE2 does not.
    With the installed detectors too, none of them may choke on the long value."""
    checked = guard("""
        custom:
          - {id: acme.redos, regex: "(a+)+$", level: personal}
    """, base=base)
    evil = "a" * 100_000 + "!"
    decision = checked.check([{"body": evil}, {"body": "!" + "a" * 100_000}, {"body": "xy aaa"}])
    assert decision.files[0].records == 3
    assert [(f.record, f.rule) for f in decision.findings] == [(1, "acme.redos"), (2, "acme.redos")]
    long_evidence, short_evidence = (f.evidence for f in decision.findings)
    assert long_evidence.startswith("a****") and "aaaa" not in long_evidence
    assert long_evidence.endswith("(100000 chars)")
    assert short_evidence == "a**"


# -- policy errors ---------------------------------------------------------------------------

def _problem(info: pytest.ExceptionInfo[PolicyError], path: Path, needle: str):
    found = [p for p in info.value.problems if needle in p.message]
    assert found, str(info.value)
    problem = found[0]
    assert problem.file == str(path)
    return problem


def _position(path: Path, text: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of *text* in the file."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return number, line.index(text) + 1
    raise AssertionError(f"{text!r} not in {path}")


@pytest.mark.parametrize("regex, quoted, reason", [
    ("(unclosed", '"(unclosed"', "missing )"),
    ("(a)\\1", "'(a)\\1'", "invalid escape"),
    ("(?<=a)b", '"(?<=a)b"', "invalid perl operator"),
])
def test_bad_custom_regex_is_a_policy_error_at_the_regex(write_policy, regex, quoted, reason):
    path = write_policy(STANDALONE + f"""\
detectors:
  custom:
    - id: acme.broken
      level: personal
      regex: {quoted}
""")
    with pytest.raises(PolicyError) as info:
        Guardrail.from_policy(path)
    problem = _problem(info, path, "invalid regular expression")
    assert (problem.line, problem.column) == _position(path, quoted)
    assert problem.path == "detectors.custom[0].regex"
    assert reason in problem.message and "RE2 syntax" in problem.message
    assert f"{path}:{problem.line}:{problem.column}:" in str(info.value)


def test_bad_exclude_pattern_is_reported_at_its_item(write_policy):
    path = write_policy(STANDALONE + """\
detectors:
  custom:
    - id: acme.badge
      level: personal
      regex: "BADGE-[0-9]+"
      exclude: ["ok", "([bad"]
""")
    with pytest.raises(PolicyError) as info:
        Guardrail.from_policy(path)
    problem = _problem(info, path, "invalid regular expression")
    assert (problem.line, problem.column) == _position(path, '"([bad"')
    assert problem.path == "detectors.custom[0].exclude[1]"


def test_every_bad_pattern_is_reported_at_once(write_policy):
    path = write_policy(STANDALONE + """\
detectors:
  custom:
    - {id: acme.one, level: personal, regex: "(one"}
    - {id: acme.two, level: personal, regex: "(two"}
""")
    with pytest.raises(PolicyError) as info:
        Guardrail.from_policy(path)
    assert [p.path for p in info.value.problems] == \
        ["detectors.custom[0].regex", "detectors.custom[1].regex"]


@pytest.mark.parametrize("section, typo, suggestion", [
    ('run: ["uk.postcod"]', "uk.postcod", "uk.postcode"),
    ('skip: ["uk.phnoe"]', "uk.phnoe", "uk.phone"),
    ("settings:\n    uk.postcde: {level: public}", "uk.postcde", "uk.postcode"),
])
def test_unknown_detector_id_is_a_policy_error_with_did_you_mean(write_policy, section, typo,
                                                                 suggestion):
    path = write_policy(EXTENDS + f"detectors:\n  {section}\n")
    with pytest.raises(PolicyError) as info:
        Guardrail.from_policy(path)
    problem = _problem(info, path, f"'{typo}'")
    assert f"did you mean '{suggestion}'?" in problem.message
    assert "installed: " in problem.message and "uk.postcode" in problem.message
    assert problem.line == _position(path, typo)[0]
    assert problem.path.startswith("detectors.")


def test_custom_detector_cannot_take_an_installed_id(guard):
    with pytest.raises(PolicyError) as info:
        guard("""
            custom:
              - {id: uk.postcode, regex: "X", level: personal}
        """)
    assert "already used by an installed detector" in str(info.value)


def test_unknown_level_in_settings(guard):
    with pytest.raises(PolicyError) as info:
        guard("settings:\n  uk.postcode: {level: secret}")
    assert "unknown level 'secret'" in str(info.value)


# -- the policy's own detectors can be switched off and tuned by an extending policy -----


def _parent_with_case_ref(write_policy: Callable[..., Path]) -> Path:
    return write_policy(STANDALONE + "detectors:\n" + _indent(CASE_REF), name="parent.yaml")


def test_child_policy_skips_an_inherited_custom_detector(write_policy):
    _parent_with_case_ref(write_policy)
    child = write_policy(HEADER.replace("name: ", "name: child-", 1)
                         + "extends: parent.yaml\ndetectors:\n  skip: [acme.case_ref]\n",
                         name="child.yaml")
    decision = Guardrail.from_policy(child).check([{"body": "see case ASB-123456"}])
    assert decision.allowed and decision.findings == []


def test_child_policy_tunes_an_inherited_custom_detector(write_policy):
    _parent_with_case_ref(write_policy)
    child = write_policy(HEADER.replace("name: ", "name: child-", 1)
                         + "extends: parent.yaml\ndetectors:\n  settings:\n"
                           "    acme.case_ref: {min_confidence: 0.3, level: personal}\n",
                         name="child.yaml")
    decision = Guardrail.from_policy(child).check([{"body": "ASB-123456"}],
                                                  destination="partners")
    assert hits(decision) == [(0, "body", "acme.case_ref", "A**-******")]
    assert {f.level for f in decision.findings} == {"personal"}


# -- what detectors see --------------------------------------------------------------------


def test_numbers_stored_as_numbers_are_scanned(guard):
    decision = guard("run: [uk.nhs_number]").check(
        [{"body": "x", "extra": 4010000007}, {"body": "x", "extra": 123}], format=None)
    assert hits(decision) == [(0, "extra", "uk.nhs_number", "*** *** ****")]


def test_single_names_in_person_fields_are_names(guard, write_policy):
    base = HEADER + "defaults: {unknown_fields: public}\nlevels: [public, personal]\n" \
        "destinations: {web: public}\ndefault_destination: web\n"
    decision = Guardrail.from_policy(write_policy(base + "detectors: {run: [person.name]}\n")) \
        .check([{"child": {"first_name": "Tyler", "last_name": "Brooks"}, "ward": "Boxmoor"},
                {"caller_name": "Withheld", "street_name": "Marlowes"}])
    assert sorted((f.record, f.field, f.evidence) for f in decision.findings) == [
        (0, "child.first_name", "T****"), (0, "child.last_name", "B*****")]


# -- scanning several values at once -------------------------------------------------------


def _field_scanner(policy: Guardrail, field: str = "body"):
    from guardrail.engine.scanning import ContentScanner, select_detectors

    scanner = ContentScanner(select_detectors(policy.policy, policy.registry.detectors))
    return scanner.for_field(field)


def test_a_column_counted_together_gives_what_scanning_one_by_one_gives(guard):
    from guardrail.engine.column_memory import ColumnCounter
    from guardrail.engine.scanning import signature_of

    field = _field_scanner(guard())
    texts = [f"ASB/2026/{i:06d}" for i in range(50)] + [LEAKY] + ["Boxmoor", "Mr Smith"]
    one_by_one = Counter(signature_of(field.scan_uncached(t)) for t in texts)
    del one_by_one[()]
    assert ColumnCounter(field, plain=True).count(texts).counts == one_by_one
    # References only: one RE2 pass over them joined says none holds anything.
    assert field.holds_nothing(texts[:50])
    assert ColumnCounter(field, plain=True).count(texts[:50]) is None


def test_anchored_custom_patterns_are_never_searched_joined(guard):
    from guardrail.engine.column_memory import ColumnCounter

    checked = guard("""
        run: [email]
        custom:
          - {id: acme.whole_ref, regex: "^REF-[0-9]+$", level: personal}
    """)
    field = _field_scanner(checked)
    texts = ["nothing", "REF-123", "also nothing", "REF-9"]
    assert not field.holds_nothing(texts)  # joined, "^" would only see the first line
    found = [field.scan_uncached(t) for t in texts]
    assert [[h.rule for h in hits] for hits in found] == [[], ["acme.whole_ref"], [],
                                                          ["acme.whole_ref"]]
    assert ColumnCounter(field, plain=True).count(texts).counts == {
        (("acme.whole_ref", "personal"),): 2}


# -- candidate patterns stay cheap ----------------------------------------------------------

# Values that fill whole columns of large exports: the RE2 gate must keep them from the
# detector's Python code (a detector that sees every clock time costs seconds per file).
EVERYDAY = {
    "network.ip_address": ["10:15:00", "2026-03-12T16:50:28Z", "at 12:05", "a: b: c"],
    "email": ["look at this dot", "we met at the office", "meet at 10.30"],
    "uk.passport": ["123456789", "ref 123456789"],
    "uk.nhs_number": ["12345678", "2026-03-12"],
}


@pytest.mark.parametrize("detector_id, value",
                         [(d, v) for d, values in EVERYDAY.items() for v in values])
def test_everyday_values_never_pass_the_gate(installed, detector_id, value):
    import re2

    assert re2.search(installed[detector_id].pattern, value) is None
