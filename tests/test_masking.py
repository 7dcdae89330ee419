"""Masked evidence, and the promise behind it: no raw payload value ever leaves the engine.

The no-leak tests plant distinctive values in every format, then look for them in
everything a person or a pipeline can see: the text and JSON reports, stderr, the
decision's dict and the message of the exception ``enforce`` raises, including when
the payload cannot be read at all.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from helpers import LEAKY_EXPORT as LEAKY

from guardrail import Guardrail, PublishBlocked, mask_value
from guardrail.cli import cli
from guardrail.masking import MAX_EVIDENCE_CHARS, mask_text

NAME = "Zebedee Quackenbush"
EMAIL = "zebedee.quackenbush@example.org"
PHONE = "07700 900461"
ADDRESS = "42 Wallaby Way, Sydney"
NOTE = "Zebedee Quackenbush of 42 Wallaby Way rang from 07700 900461 about the noise"
SECRETS = [NAME, EMAIL, PHONE, ADDRESS, NOTE, "Zebedee", "Quackenbush", "zebedee", "quackenbush",
           "Wallaby", "900461", "07700"]


# -- mask_value --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "masked"), [
    ("John Smith", "J*** S****"),
    ("07700 900123", "***** ******"),
    ("HP1 1AA", "H** ***"),
    ("HP3 9QT", "H** ***"),
    ("QQ 12 34 56 C", "Q* ** ** ** C"),
    ("zeb@example.org", "z**@e******.o**"),
    ("ASB/2026/004400", "A**/****/******"),
    ("O'Brien-Smythe", "O'B****-S*****"),
    ("snake_case_value", "s****_c***_v****"),
    ("Zo\u00eb \u00c5ngstr\u00f6m", "Z** \u00c5*******"),
    ("  John \n\t Smith  ", "J*** S****"),
    ("a", "a"),
    ("!?", "!?"),
    ("", ""),
    (None, ""),
    (True, "****"),
    (False, "*****"),
    (0, "*"),
    (42, "**"),
    (3.25, "*.**"),
    (-17, "-**"),
])
def test_mask_value(value, masked):
    assert mask_value(value) == masked


def test_long_text_is_cut_with_its_length_noted():
    text = "The quick brown fox jumps over the lazy dog"
    assert len(text) == 43
    assert mask_value(text) == "T** q**** b**** f** j**** o*** t\u2026 (43 chars)"


def test_length_is_counted_after_whitespace_is_collapsed():
    text = "The   quick brown fox jumps over the lazy dog\n"
    assert mask_value(text) == "T** q**** b**** f** j**** o*** t\u2026 (43 chars)"


def test_cut_happens_only_beyond_the_limit():
    exact = "a" * MAX_EVIDENCE_CHARS
    assert mask_value(exact) == "a" + "*" * (MAX_EVIDENCE_CHARS - 1)
    longer = exact + "b"
    assert mask_value(longer) == ("a" + "*" * (MAX_EVIDENCE_CHARS - 1)
                                  + f"\u2026 ({MAX_EVIDENCE_CHARS + 1} chars)")


def test_keep_zero_stars_everything():
    assert mask_value("John Smith", keep=0) == "**** *****"
    assert mask_value("HP1 1AA", keep=0) == "*** ***"


def test_keep_more_characters():
    assert mask_value("John Smith", keep=2) == "Jo** Sm***"
    assert mask_value("Jo", keep=3) == "Jo"


@pytest.mark.parametrize("value", [NAME, EMAIL, PHONE, ADDRESS, NOTE, "HP3 9SY", "1987-04-01"])
def test_mask_shows_one_character_per_word(value):
    # One letter per word that starts with a letter; a word that starts with a digit
    # shows nothing (issue 9: digits are never shown).
    masked = mask_value(value)
    shown = value[:MAX_EVIDENCE_CHARS]
    assert sum(ch.isalnum() for ch in masked.split("\u2026")[0]) == len(
        re.findall(r"(?<![^\W_])[^\W\d_]", shown))
    for word in re.findall(r"[^\W_]{2,}", value):
        assert word not in masked


# Issue 9: masking "QQ 12 34 56 C" as "Q* 1* 3* 5* C" showed 5 of its 9 characters; the
# first digits of the words of one identifier spell part of it. No mask shows a digit.
WITH_DIGITS = [
    "QQ 12 34 56 C", "QQ123456C", "07700 900123", "+44 7700 900123", "(01442) 228000",
    "HP3 9QT", "HP1 1AA", "943 476 5919", "9434765919", "4111 1111 1111 1111",
    "4111-1111-1111-1111", "3782 822463 10005", "192.168.1.20", "1987-04-01", "01/04/1987",
    "AB12 CDE", "ASB/2026/004400", "42 Wallaby Way, Sydney", "Flat 3, 12a High St",
    "4th", "x9", "A1B2C3", "snake_1_case_2", "0", "42", "3.25", "-17", "1e10",
    "\u0661\u0662\u0663", "\uff10\uff17\uff17\uff10\uff10",  # Arabic-Indic, fullwidth
    NOTE,
]


def _digits(text: str) -> list[str]:
    return [ch for ch in text if ch.isdigit()]


@pytest.mark.parametrize("value", WITH_DIGITS)
def test_no_mask_shows_a_digit(value):
    assert _digits(value)
    length_note = f"\u2026 ({len(value)} chars)"  # the one number evidence may hold
    for keep in (1, 0, 2, 5):
        evidence = mask_value(value, keep=keep)
        if len(value) > MAX_EVIDENCE_CHARS:
            assert evidence.endswith(length_note)
            evidence = evidence[:-len(length_note)]
        assert _digits(evidence) == [], (keep, evidence)
    assert _digits(mask_text(value)) == [], mask_text(value)
    assert _digits(mask_text(mask_text(value))) == []


@pytest.mark.parametrize(("value", "masked"), [
    (12345, "*****"),
    (-3.5, "-*.*"),
])
def test_no_mask_shows_a_digit_of_a_number(value, masked):
    assert mask_value(value) == masked


@pytest.mark.parametrize(("value", "evidence", "redacted"), [
    ("QQ 12 34 56 C", "Q* ** ** ** C", "Q* ** ** ** *"),
    ("07700 900123", "***** ******", "***** ******"),
    ("07700", "*****", "*****"),
    ("HP3 9QT", "H** ***", "H** ***"),
    ("Flat 3, 12a High St", "F*** *, *** H*** S*", "F*** *, *** H*** S*"),
])
def test_masks_of_values_with_digits(value, evidence, redacted):
    assert mask_value(value) == evidence
    assert mask_text(value) == redacted


# -- no raw value anywhere --------------------------------------------------------------------

def assert_no_leak(text: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s in text]
    assert leaked == [], f"raw payload values leaked: {leaked}"


def cli_outputs(path_or_dash: str, *extra: str, input: bytes | None = None) -> list[str]:
    """Text report, JSON report and stderr of both runs."""
    runner = CliRunner()
    outputs = []
    for report in ("text", "json"):
        result = runner.invoke(cli, ["check", "-p", "asb-public-web", "--report", report,
                                     *extra, path_or_dash], input=input,
                               catch_exceptions=False)
        assert result.exit_code in (1, 3), result.output
        outputs += [result.stdout, result.stderr]
    return outputs


def api_outputs(source, **kwargs) -> list[str]:
    """Decision dict, reprs, summary and the PublishBlocked message; a callable source is
    called once per check (a stream can be read only once)."""
    make = source if callable(source) else lambda: source
    guard = Guardrail.from_policy("asb-public-web")
    decision = guard.check(make(), **kwargs)
    assert not decision.allowed
    with pytest.raises(PublishBlocked) as info:
        guard.enforce(make(), **kwargs)
    return [json.dumps(decision.to_dict(), ensure_ascii=False), repr(decision),
            decision.summary(), str(info.value), repr(info.value)]


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    monkeypatch.delenv("GUARDRAIL_DEBUG", raising=False)


def _leaky_values() -> list[str]:
    with LEAKY.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = ["case_ref", "complainant_name", "complainant_address", "postcode", "notes"]
    values = {row[c] for row in rows for c in columns}
    names = {part for row in rows for part in row["complainant_name"].split()}
    return sorted(values | names)


def test_leaky_example_reports_never_show_a_raw_value():
    secrets = _leaky_values()
    assert len(secrets) > 200
    for text in cli_outputs(str(LEAKY)):
        assert_no_leak(text, secrets)
    for text in api_outputs(LEAKY):
        assert_no_leak(text, secrets)


CRAFTED = {
    "csv": ("month,complainant_name,email,phone,home_address,notes\n"
            f'2026-01,{NAME},{EMAIL},{PHONE},"{ADDRESS}",{NOTE}\n').encode(),
    "json": json.dumps({
        "exported_by": NAME,
        "cases": [{"month": "2026-01", "people": [{"name": NAME, "email": EMAIL}],
                   "contact": {"phone": PHONE, "address": ADDRESS}, "notes": NOTE}],
    }).encode(),
    "ndjson": (json.dumps({"month": "2026-01", "name": NAME, "email": EMAIL}) + "\n"
               + json.dumps({"phone": PHONE, "address": ADDRESS, "notes": NOTE}) + "\n").encode(),
}


@pytest.mark.parametrize("fmt", sorted(CRAFTED))
def test_crafted_payload_reports_never_show_a_raw_value(guard, fmt, tmp_path):
    path = tmp_path / f"payload.{fmt}"
    path.write_bytes(CRAFTED[fmt])
    decision = guard.check(path)
    assert decision.exit_code == 1
    assert len(decision.findings) >= 5
    for text in cli_outputs(str(path)):
        assert_no_leak(text, SECRETS)
    for text in cli_outputs("-", "--format", fmt, input=CRAFTED[fmt]):
        assert_no_leak(text, SECRETS)
    for text in api_outputs(path):
        assert_no_leak(text, SECRETS)


def test_records_given_as_dicts_never_show_a_raw_value():
    records = [{"month": "2026-01", "name": NAME, "contacts": [{"email": EMAIL, "phone": PHONE}],
                "address": ADDRESS, "notes": NOTE}]
    for text in api_outputs(records):
        assert_no_leak(text, SECRETS)


UNREADABLE = {
    "json-syntax": ("json", f'[{{"name": "{NAME}" "email": "{EMAIL}"}}]'.encode()),
    "json-truncated": ("json", f'[{{"name": "{NAME}", "email": "{EMAIL}'.encode()),
    "json-bad-escape": ("json", f'[{{"name": "{NAME} \\q {PHONE}"}}]'.encode()),
    "json-bad-utf8": ("json", f'[{{"name": "{NAME}\udcff"}}]'.encode("utf-8", "surrogateescape")),
    "ndjson-syntax": ("ndjson", f'{{"month": "2026-01"}}\n{{"name": "{NAME}", {EMAIL}}}\n'
                      .encode()),
    "csv-stray-quote": ("csv", f'month,notes\n2026-01,"{NOTE}"{NAME}\n'.encode()),
    "csv-unclosed-quote": ("csv", f'month,notes\n2026-01,"{NOTE}\n2026-02,{NAME}\n'.encode()),
    "csv-bad-utf8": ("csv", f"month,name\n2026-01,{NAME}\udcff{PHONE}\n"
                     .encode("utf-8", "surrogateescape")),
    "csv-huge-field": ("csv", ('month,notes\n2026-01,"' + (NOTE + " ") * 3000 + "\n").encode()),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_payload_errors_never_show_a_raw_value(guard, case, tmp_path):
    fmt, content = UNREADABLE[case]
    path = tmp_path / f"payload.{fmt}"
    path.write_bytes(content)
    assert guard.check(path).exit_code == 3
    assert guard.check(content, format=fmt).exit_code == 3
    outputs = cli_outputs(str(path)) + cli_outputs("-", "--format", fmt, input=content)
    outputs += api_outputs(path) + api_outputs(lambda: io.BytesIO(content), format=fmt)
    for text in outputs:
        assert_no_leak(text, SECRETS)
