"""Values are checked as a reader reads them (guardrail/reading.py).

Each spelling below reads ``HP3 9QT`` or ``12 Marlowes Road`` to a person; each
was allowed before values were normalised.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import finding_tuples, run_guardrail

from guardrail import Guardrail
from guardrail.reading import is_plain, reading_of

POLICY = Path(__file__).parent / "data" / "policies" / "detectors-decide.yaml"
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in map(chr, range(0x21, 0x7F))}

# name -> how it rewrites a value whose words are separated by single spaces
VARIANTS = {
    "two spaces": lambda s: s.replace(" ", "  "),
    "tab": lambda s: s.replace(" ", "\t"),
    "newline": lambda s: s.replace(" ", "\n"),
    "carriage return and newline": lambda s: s.replace(" ", "\r\n"),
    "no-break space": lambda s: s.replace(" ", "\u00a0"),
    "narrow no-break space": lambda s: s.replace(" ", "\u202f"),
    "thin space": lambda s: s.replace(" ", "\u2009"),
    "ideographic space": lambda s: s.replace(" ", "\u3000"),
    "full-width": lambda s: s.translate(FULL_WIDTH),
    "cyrillic look-alikes": lambda s: s.replace("P", "\u0420").replace("a", "\u0430")
    .replace("o", "\u043e").replace("e", "\u0435"),
    "zero-width space": lambda s: s[:2] + "\u200b" + s[2:],
    "zero-width joiner": lambda s: s[:2] + "\u200d" + s[2:],
    "word joiner": lambda s: s[:2] + "\u2060" + s[2:],
    "byte order mark": lambda s: s[:2] + "\ufeff" + s[2:],
    "soft hyphen": lambda s: s[:2] + "\u00ad" + s[2:],
    "direction marks": lambda s: "\u200f" + s[:2] + "\u200e" + s[2:],
    "control character": lambda s: s[:2] + "\x07" + s[2:],
    # Control characters Python counts as whitespace: unseen, so dropped, not spaces.
    "form feed": lambda s: s[:2] + "\x0c" + s[2:],
    "information separator": lambda s: s[:2] + "\x1f" + s[2:],
    "next line (NEL)": lambda s: s[:2] + "\x85" + s[2:],
    "combining mark": lambda s: s[:2] + "\u0301" + s[2:],
    "percent-encoded": lambda s: s.replace(" ", "%20"),
    "html entity": lambda s: f"&#{ord(s[0])};{s[1:]}",
    "named html entity": lambda s: s.replace(" ", "&nbsp;"),
    "markdown emphasis": lambda s: f"**{s[:2]}**{s[2:]}",
}
SHOWN = {"uk.postcode": "HP3 9QT", "uk.street_address": "12 Marlowes Road"}


@pytest.fixture(scope="module")
def detectors() -> Guardrail:
    return Guardrail.from_policy(POLICY)


@pytest.mark.parametrize("rule", sorted(SHOWN))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_spelling_a_reader_reads_as_the_identifier_is_found(detectors, variant, rule):
    written = VARIANTS[variant](SHOWN[rule])
    decision = detectors.check([{"id": "A1", "note": f"seen at {written} today"}])
    assert decision.exit_code == 1, variant
    assert [(f.record, f.field, f.rule) for f in decision.findings] == [(0, "note", rule)]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_evidence_is_masked_as_read_and_holds_nothing_invisible(detectors, variant):
    written = VARIANTS[variant]("12 Marlowes Road")
    [finding] = detectors.check([{"note": written}]).findings
    assert finding.evidence == "** M******* R***"


def test_the_map_back_covers_exactly_the_characters_as_written():
    written = "Caller at H\u200bP3\u00a0\u00a0\uff19QT, thanks"
    reading = reading_of(written)
    assert reading is not None and reading.text == "Caller at HP3 9QT, thanks"
    start = reading.text.index("HP3")
    assert written[slice(*reading.original_span(start, start + 7))] == \
        "H\u200bP3\u00a0\u00a0\uff19QT"
    assert reading.original_span(0, 6) == (0, 6)  # copied text maps one to one


@pytest.mark.parametrize("text", ["plain text", "ASB/2026/000001", "HP3 9QT", "a-b_c.d"])
def test_printable_ascii_with_single_spaces_needs_no_reading(text):
    assert is_plain(text) and reading_of(text) is None


@pytest.mark.parametrize("text", ["50% off", "A & E", "* a list item", "5 * 3", "x ~ y",
                                  "J*** S****"])
def test_text_that_reads_as_written_is_left_alone(text):
    assert reading_of(text) is None


def test_a_value_of_nothing_but_invisible_characters_holds_nothing(detectors):
    assert detectors.check([{"note": "\u200b\u200d\u2060\ufeff"}]).exit_code == 0


@pytest.mark.parametrize("name,payload", [
    ("export.csv", "id,note\n1,HP3\u00a09QT\n"),
    ("export.tsv", "id\tnote\n1\tH\u200bP3 9QT\n"),
    ("export.json", json.dumps([{"id": 1, "note": "\uff28\uff30\uff13 \uff19\uff31\uff34"}])),
    ("export.ndjson", json.dumps({"id": 1, "note": "HP3\u20099QT"}) + "\n"),
    ("export.xml", "<rows><row><note>HP3&#160;9QT</note></row></rows>"),
    ("export.yaml", "- id: 1\n  note: \"HP3\\u00a09QT\"\n"),
    ("export.txt", "Report\n\nThe caller lives at HP3\u00a09QT.\n"),
    ("export.md", "# Report\n\nThe caller lives at **HP**3 9QT.\n"),
    ("export.html", "<p>The caller lives at HP3 9\x0cQ\x1dT.</p>"),
    ("export.txt", "The caller lives at H\x0bP3 9\x85QT.\n"),
])
def test_every_format_reads_the_same_way(detectors, tmp_path, name, payload):
    path = tmp_path / name
    path.write_text(payload, encoding="utf-8")
    decision = detectors.check(path)
    assert decision.exit_code == 1
    assert [f.rule for f in decision.findings] == ["uk.postcode"]


def test_the_cli_report_never_shows_the_value_as_written(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,note\n1,\uff28\uff30\uff13\u00a0\uff19\uff31\uff34\x07\n",
                    encoding="utf-8")
    result = run_guardrail("check", "--policy", str(POLICY), str(path), text=True)
    assert result.returncode == 1
    assert "\uff19\uff31\uff34" not in result.stdout + result.stderr
    assert "9QT" not in result.stdout + result.stderr
    assert "\x07" not in result.stdout + result.stderr


def test_redacting_a_value_written_oddly_removes_all_of_it(detectors, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("id,note\n1,Seen at H\u200bP3\u00a09QT today\n", encoding="utf-8")
    out = tmp_path / "redacted.csv"
    result = detectors.redact(source, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    assert out.read_text(encoding="utf-8") == "id,note\n1,Seen at [REDACTED] today\n"


def test_findings_are_the_same_whether_a_value_is_written_plainly_or_not(detectors):
    tuples = finding_tuples("record", "field", "rule", "evidence")
    plain = detectors.check([{"note": "12 Marlowes Road"}, {"note": "HP3 9QT"}])
    odd = detectors.check([{"note": "12\u00a0Marlowes\tRoad"}, {"note": "HP3\u30009QT"}])
    assert tuples(odd) == tuples(plain)


@pytest.mark.parametrize("written,read", [
    ("Zs\u00f3fia Kert\u00e9sz", "Zsofia Kertesz"),  # precomposed accents
    ("Zso\u0301fia", "Zsofia"),  # a combining accent
    ("\ufb01le \u216b", "file XII"),  # compatibility forms
    ("\u0661\u0662 Marlowes", "12 Marlowes"),  # Arabic-Indic digits
])
def test_accents_and_compatibility_forms_are_read_as_their_letters(written, read):
    assert reading_of(written).text == read


@pytest.mark.parametrize("written", ["jo.bloggs @ example.org", "jo.bloggs@ example.org",
                                     "jo.bloggs\u00a0@example.org"])
def test_spaces_around_an_at_sign_do_not_hide_an_address(detectors, written):
    [finding] = detectors.check([{"note": f"write to {written} today"}]).findings
    assert (finding.field, finding.rule) == ("note", "email")
    assert "bloggs" not in finding.evidence and "example" not in finding.evidence


@pytest.mark.parametrize("text", ["tickets @ 5", "@ home", "reply to @"])
def test_an_at_sign_without_an_address_around_it_is_not_an_address(detectors, text):
    assert detectors.check([{"note": text}]).exit_code == 0


@pytest.mark.parametrize("written,reads", [
    ("(H P 3  9 Q T).", "(HP3 9QT)."),  # brackets and stops around a spaced-out code
    ("Advice given to L a u r a   T h o m p s o n.", "Advice given to Laura Thompson."),
    # A web page collapses the wider gap between words: a capital starts the next word.
    ("Advice given to S o p h i e H o p k i n s", "Advice given to Sophie Hopkins"),
    ("karen6<br />@example.net", "karen6@example.net"),
    ("HP3<br>9QT", "HP3 9QT"),
])
def test_what_a_reader_reads_around_punctuation_and_breaks(written, reads):
    reading = reading_of(written)
    assert reading is not None and reading.text == reads
    assert reading.original_span(0, len(reads)) == (0, len(written))
