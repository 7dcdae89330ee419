"""Neighbouring values are read together (guardrail/engine/adjacent.py).

A reader reads a table row as a line and an element's children as one text: a
postcode split over two cells, or a name over two array items, is still read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import finding_tuples

from guardrail import Guardrail

POLICY = Path(__file__).parent / "data" / "policies" / "detectors-decide.yaml"
where = finding_tuples("record", "field", "rule", "evidence")


@pytest.fixture(scope="module")
def detectors() -> Guardrail:
    return Guardrail.from_policy(POLICY)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_postcode_split_over_two_cells_is_found_in_both(detectors, tmp_path):
    path = write(tmp_path, "split.csv", "id,district,inward,count\n1,AB1,2CD,3\n"
                                        "2,HP3,9QT,4\n")
    decision = detectors.check(path)
    assert decision.exit_code == 1
    assert where(decision) == [(1, "district", "uk.postcode", "H**"),
                               (1, "inward", "uk.postcode", "***")]
    assert decision.findings[0].message.startswith(
        "uk.postcode found across 'district' and 'inward', read together")


def test_a_forename_and_surname_in_neighbouring_cells_are_a_name(detectors, tmp_path):
    path = write(tmp_path, "people.csv", "ref,first,last\nR1,Margaret,Thompson\n")
    assert where(detectors.check(path)) == [(0, "first", "person.name", "M*******"),
                                            (0, "last", "person.name", "T*******")]


@pytest.mark.parametrize("text", [
    "month,ward,count\n2026-03,Tring West and Rural,97\n2026-06,Adeyfield East,5\n",
    "lsoa_code,lsoa_name,ward\nE01023630,Dacorum 007E,Boxmoor East\n",
    "location,store,count\nWatford,John Lewis,4\n",
    "sku,stock,supplier\nPPE-1,777,\"Thomas, Harvey and Williams\"\n",
])
def test_ordinary_columns_side_by_side_are_not_read_as_prose(detectors, tmp_path, text):
    assert detectors.check(write(tmp_path, "clean.csv", text)).exit_code == 0


def test_many_rows_read_in_batches_find_the_one_split_row(detectors, tmp_path):
    rows = [f"{n},Ward {n % 7},E0{n:07d}" for n in range(5000)]
    rows[3210] = "3210,HP3,9QT"
    path = write(tmp_path, "big.csv", "id,area,code\n" + "\n".join(rows) + "\n")
    decision = detectors.check(path)
    assert [(f.record, f.field) for f in decision.findings] == [(3210, "area"),
                                                                 (3210, "code")]


def test_the_worker_finds_the_same_split_as_one_process(detectors, tmp_path):
    rows = [f"{n},Ward {n % 7},Note {n % 13}" for n in range(60_000)]
    rows[41_000] = "41000,Margaret,Thompson"
    path = write(tmp_path, "big.csv", "id,area,note\n" + "\n".join(rows) + "\n")
    alone, forked = detectors.check(path, jobs=1), detectors.check(path, jobs=2)
    assert where(forked) == where(alone) == [
        (41_000, "area", "person.name", "M*******"), (41_000, "note", "person.name", "T*******")]


@pytest.mark.parametrize("name,payload,fields,rule", [
    ("split.json", json.dumps([{"id": 1, "parts": ["HP3", "9QT"]}]),
     ["parts[0]", "parts[1]"], "uk.postcode"),
    ("split.xml", "<rows><row><out>HP3</out><in>9QT</in></row></rows>", ["out", "in"],
     "uk.postcode"),
    ("split.yaml", "- id: 1\n  address: {outward: HP3, inward: 9QT}\n",
     ["address.outward", "address.inward"], "uk.postcode"),
    # An address cut at its @ is read whole, in cells, child elements or list items.
    ("split.csv", "id,local,domain\n1,sarah.hamilton,@example.net\n", ["local", "domain"],
     "email"),
    ("split.xml", "<rows><row><c><p>sarah.hamilton</p><p>@example.net</p></c></row></rows>",
     ["c.p[0]", "c.p[1]"], "email"),
    ("split.json", json.dumps([{"to": ["sarah.hamilton@", "example.net"]}]),
     ["to[0]", "to[1]"], "email"),
])
def test_siblings_and_short_lists_are_read_together(detectors, tmp_path, name, payload,
                                                    fields, rule):
    decision = detectors.check(write(tmp_path, name, payload))
    assert [(f.field, f.rule) for f in decision.findings] == [(field, rule) for field in fields]
    assert "hamilton" not in json.dumps(decision.to_dict())


def test_a_long_list_is_a_column_not_a_line(detectors):
    items = ["HP3", "9QT"] + [f"tag{n}" for n in range(70)]
    assert detectors.check([{"tags": items}]).exit_code == 0
    assert detectors.check([{"tags": items[:60]}]).exit_code == 1


def test_three_way_splits_are_not_read_together(detectors):
    """Documented limit (SECURITY.md): only neighbouring pairs are joined."""
    assert detectors.check([{"a": "07700", "b": "900", "c": "123"}]).exit_code == 0


@pytest.mark.parametrize("name,source,redacted", [
    ("split.csv", "id,district,inward\n1,HP3,9QT\n2,AB1,2CD\n",
     "id,district,inward\n1,[REDACTED],[REDACTED]\n2,AB1,2CD\n"),
    # Across two lines of text, the later line (the earlier one is written already).
    ("notes.txt", "The caller lives at HP3\n9QT, near the shops.\n",
     "The caller lives at HP3\n[REDACTED], near the shops.\n"),
])
def test_redacting_a_split_postcode_leaves_nothing_to_read_across(detectors, tmp_path, name,
                                                                  source, redacted):
    out = tmp_path / f"redacted-{name}"
    result = detectors.redact(write(tmp_path, name, source), out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    assert out.read_text(encoding="utf-8") == redacted


def test_redacting_split_siblings_in_a_document(detectors, tmp_path):
    source = write(tmp_path, "split.json", json.dumps([{"who": ["Margaret", "Thompson"]}]))
    out = tmp_path / "redacted.json"
    result = detectors.redact(source, out)
    assert (result.written, result.verification.exit_code) == (True, 0)
    assert json.loads(out.read_text(encoding="utf-8")) == [{"who": ["[REDACTED]",
                                                                    "[REDACTED]"]}]


def lines_of(decision):
    return [(f.record, f.field, f.rule, f.evidence, f.position) for f in decision.findings]


def test_a_postcode_broken_over_two_lines_of_text_is_found_on_both(detectors, tmp_path):
    path = write(tmp_path, "notes.txt", "Report\n\nThe caller lives at HP3\n9QT, near the shops.\n")
    decision = detectors.check(path)
    assert lines_of(decision) == [(2, "text", "uk.postcode", "H**", "line 3"),
                                  (3, "text", "uk.postcode", "***", "line 4")]
    assert decision.findings[0].message.startswith(
        "uk.postcode found across the end of one line and the start of the next")


@pytest.mark.parametrize("name,text,rule,records", [
    # A code broken over many short lines is read whole (the paragraph carries on).
    ("nino.txt", "Claimant NINO CA\n21\n93\n76\nC\n", "uk.nino", [3, 4]),
    # Lines of prose are one text: any words may meet at the break, unlike cells.
    ("address.txt", "She lives at 12\nMarlowes Road, Hemel.\n", "uk.street_address", [0, 1]),
    # Markdown joins a paragraph's lines when it renders them.
    ("notes.md", "# Notes\n\nThe caller, Margaret\nThompson, rang twice.\n", "person.name",
     [2, 3]),
])
def test_lines_of_one_paragraph_are_read_as_one_text(detectors, tmp_path, name, text, rule,
                                                     records):
    decision = detectors.check(write(tmp_path, name, text))
    assert [(f.record, f.rule) for f in decision.findings] == [(r, rule) for r in records]


@pytest.mark.parametrize("text", [
    "Report for HP3\n\n9QT was the sample code.\n",  # a blank line ends the paragraph
    "The ward of Ashby\nEast had 12 reports.\nMost were noise.\n",
    "Totals by month\n2026-03\n97 reports\n",
])
def test_lines_that_do_not_read_on_are_not_joined(detectors, tmp_path, text):
    assert detectors.check(write(tmp_path, "clean.txt", text)).exit_code == 0


@pytest.mark.parametrize("left,right", [("GG 46 94", "92 C"), ("463 268", "4414"),
                                        ("0141 496", "0460")])
def test_a_code_cut_between_columns_of_many_values_is_found_in_any_check(tmp_path, left,
                                                                        right):
    """However the pair of columns is read (every combination of their values, or row by
    row once values stop repeating) and however many checks one Guardrail has run, a
    code of several groups cut between two cells is found."""
    guard = Guardrail.from_policy(POLICY)
    rng = __import__("random").Random(7)

    def table(split_at: int | None) -> Path:
        rows = [f"R{n},K{rng.randint(10**5, 10**6)},{rng.randint(1, 10**4)} units"
                for n in range(4000)]
        if split_at is not None:
            rows[split_at] = f"R{split_at},{left},{right}"
        return write(tmp_path, "t.csv", "ref,code,area\n" + "\n".join(rows) + "\n")

    for _ in range(3):  # earlier checks of clean tables of many values
        assert guard.check(table(None)).exit_code == 0
    decision = guard.check(table(3500))
    assert [(f.record, f.field) for f in decision.findings] == [(3500, "code"), (3500, "area")]


@pytest.mark.parametrize("name,payload,fields", [
    ("split.csv", "id,district,inward\n1,HP3,9QT\n", ["district", "inward"]),
    ("split.xml", "<rows><row><c><p>GG 46 94</p><p>92 C</p></c></row></rows>",
     ["c.p[0]", "c.p[1]"]),
])
def test_values_a_field_rule_only_warns_about_are_read_with_their_neighbours(
        tmp_path, name, payload, fields):
    guard = Guardrail.from_policy(POLICY.parent / "unknown-fields-warn.yaml")
    decision = guard.check(write(tmp_path, name, payload))
    assert decision.exit_code == 1
    assert sorted({f.field for f in decision.findings if f.action == "block"}) == sorted(fields)


def _export(rows: int, planted: dict[int, tuple[str, str, str]]) -> str:
    """An export like the ASB benchmark's: a ward (8 values), an area code (1,000) and an
    area name (20), drawn at random so that every combination occurs; *planted* rows
    replace the three cells."""
    import random
    draw = random.Random(10)
    wards = ["Boxmoor", "Leverstock Green", "Adeyfield East", "Chaulden and Warners End",
             "Gadebridge", "Grovehill", "Highfield", "Tring West and Rural"]
    codes = [f"E0{draw.randrange(1_000_000, 9_999_999)}" for _ in range(1000)]
    names = [f"Dacorum {n:03d}{'ABCDE'[n % 5]}" for n in range(20)]
    lines = ["id,ward,code,name"]
    for n in range(rows):
        ward, code, name = planted.get(n) or (draw.choice(wards), draw.choice(codes),
                                              draw.choice(names))
        lines.append(f"{n},{ward},{code},{name}")
    return "\n".join(lines) + "\n"


def test_splits_between_columns_of_many_values_are_found_late_in_a_file(detectors, tmp_path):
    """Columns of many values are crossed once their combinations are read; a split in
    a value first seen after that, or in a pair of values crossed long before, is still
    read, by one process or two."""
    path = write(tmp_path, "areas.csv", _export(160_000, {
        3_000: ("Boxmoor", "HP3", "9QT"),
        150_000: ("Gadebridge", "HP3", "9QT"),  # a pair of values crossed long ago
        150_001: ("Margaret", "Thompson", "Dacorum 001B"),  # two values never seen
        150_002: ("Highfield", "CA 21 93", "76 C"),  # a code cut inside a group
    }))
    alone, forked = detectors.check(path, jobs=1), detectors.check(path, jobs=2)
    assert where(forked) == where(alone) == [
        (3_000, "code", "uk.postcode", "H**"), (3_000, "name", "uk.postcode", "***"),
        (150_000, "code", "uk.postcode", "H**"), (150_000, "name", "uk.postcode", "***"),
        (150_001, "ward", "person.name", "M*******"),
        (150_001, "code", "person.name", "T*******"),
        (150_002, "code", "uk.nino", "C* ** **"), (150_002, "name", "uk.nino", "** C")]


@pytest.mark.parametrize("limits", [{}, {"_COMBINATIONS": 16, "_CROSSING": 1000,
                                          "_MEMO_LIMIT": 1100}])
def test_finding_by_batch_reads_what_each_pair_read_alone_holds(detectors, monkeypatch,
                                                                limits):
    """Crossing, pairs that repeat, rows in C and forgetting when the memo is full all
    find, batch after batch, the pairs of values that hold something read alone; only
    rows read in C (small limits) may miss a code cut inside a group (``along``)."""
    import random

    from guardrail.engine import adjacent
    for name, value in limits.items():
        monkeypatch.setattr(adjacent, name, value)
    scanner = detectors.compiled().scanner
    column = scanner.for_field("column")
    neighbours = adjacent.Neighbours(scanner)
    pair = neighbours.scanner_for(column, column)
    alone = adjacent.Neighbours(scanner)
    draw = random.Random(3)
    few, many = [f"Ward {n}" for n in range(6)], [f"E0{n:07d}" for n in range(90)]
    splits = [("HP3", "9QT"), ("Margaret", "Thompson"), ("CA 21 93", "76 C")]
    for batch in range(60):
        size = draw.randrange(1, 300)
        lefts = [draw.choice(few if batch < 30 else many) for _ in range(size)]
        rights = [draw.choice(many if batch % 7 else few) for _ in range(size)]
        for row in draw.sample(range(size), min(size, 2)):
            lefts[row], rights[row] = draw.choice(splits)
        found = neighbours.find(pair, lefts, rights)
        expected = {key for key in zip(lefts, rights, strict=True) if alone.across(pair, *key)[1]}
        read = set(found) & set(zip(lefts, rights, strict=True))
        assert read <= expected and expected - read <= ({splits[2]} if limits else set())
        assert all(found[key][1] == alone.across(pair, *key)[1] for key in found)


@pytest.mark.parametrize("cells", [
    ["ASB/2026/000001", "ASB/2026/000002"], ["2026-08", "2026-09", ""], ["E01023630", "2026"],
    ["_", "--", "x"], [""], ["a b"], [" HP3"], ["Zoë"], ["HP3\n9QT"], ["a\tb", "c"]])
def test_one_word_ascii_columns_are_sorted_as_word_pairs_sorts_them(cells):
    """The RE2 shortcut says what the regexes of ``word_pairs`` say, or nothing."""
    from guardrail.engine import meeting
    kinds = meeting.word_kinds(cells)
    if kinds is None:
        assert any(not c.isascii() or c.split() != [c] for c in cells if c)
        return
    words = "\n".join(cells)
    assert kinds == (meeting._LETTER.search(words) is not None,
                     meeting._BARE.search(words) is not None)
    assert all(c.split() == [c] for c in cells if c)


def test_a_sorted_export_has_each_batch_of_few_values_crossed(detectors, monkeypatch):
    """Values that change batch by batch (an export sorted by area) are too many to cross
    in all, but each batch's few are: a code cut inside a group is read in every one."""
    from guardrail.engine import adjacent
    monkeypatch.setattr(adjacent, "_CROSSING", 100)
    scanner = detectors.compiled().scanner
    column = scanner.for_field("column")
    neighbours = adjacent.Neighbours(scanner)
    pair = neighbours.scanner_for(column, column)
    for batch in range(40):
        lefts = [f"Ward {batch}-{n % 3}" for n in range(500)]
        rights = [f"E0{batch:03d}{n % 4:04d}" for n in range(500)]
        lefts[batch], rights[batch] = "CA 21 93", "76 C"
        assert list(neighbours.find(pair, lefts, rights)) == [("CA 21 93", "76 C")], batch


def test_known_values_meeting_for_the_first_time_late_in_a_file_are_read(detectors, tmp_path):
    """Once every value of a batch has been seen before, the pair is not read again; a
    combination of two known values that first meet late was read when they were
    crossed, and is found where it occurs."""
    path = write(tmp_path, "areas.csv", _export(120_000, {
        100: ("HP3", "E01023807", "Dacorum 001B"), 200: ("Boxmoor", "9QT", "Dacorum 001B"),
        110_000: ("HP3", "9QT", "Dacorum 001B")}))
    assert where(detectors.check(path, jobs=1)) == [
        (110_000, "ward", "uk.postcode", "H**"), (110_000, "code", "uk.postcode", "***")]


def test_a_value_passed_over_with_its_row_is_read_when_it_meets_a_neighbour_later(
        detectors, tmp_path):
    """A row whose cell holds a finding of its own is not read across; a value that came
    only in such a row is not known to the pair, however often its column repeats it."""
    path = write(tmp_path, "areas.csv", _export(120_000, {
        # 9QT comes in a batch of its column that holds nothing: both values are then
        # known to their columns, but the pair never read HP3.
        100: ("HP3", "SW1A 1AA", "Dacorum 001B"), 5_000: ("Boxmoor", "9QT", "Dacorum 001B"),
        110_000: ("HP3", "9QT", "Dacorum 001B")}))
    assert where(detectors.check(path, jobs=1)) == [
        (100, "code", "uk.postcode", "SW1A ***"),
        (110_000, "ward", "uk.postcode", "H**"), (110_000, "code", "uk.postcode", "***")]
