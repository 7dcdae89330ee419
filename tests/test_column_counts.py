"""Counting a column batch by value signature: exact counts, quiet columns, memory bounds."""

from __future__ import annotations

import re

import pytest

from guardrail import Span
from guardrail.engine import column_memory as column_counts
from guardrail.engine.column_memory import ColumnCounter
from guardrail.engine.scanning import ActiveDetector, ContentScanner

CALLS: list[str] = []


def _find_cards(text: str, field: str | None) -> list[Span]:
    CALLS.append(text)
    return [Span(m.start(), m.end(), 0.9) for m in re.finditer(r"CARD-\d+", text)]


def _find_names(text: str, field: str | None) -> list[Span]:
    CALLS.append(text)
    return [Span(m.start(), m.end(), 0.9) for m in re.finditer(r"Zebedee", text)]


@pytest.fixture
def counter() -> ColumnCounter:
    CALLS.clear()
    scanner = ContentScanner([
        ActiveDetector("card", "secret", 0.5, _find_cards, r"CARD-\d+"),
        ActiveDetector("name", "personal", 0.5, _find_names, r"Zebedee"),
    ])
    field_scanner = scanner.for_field("notes")
    assert field_scanner is not None
    return ColumnCounter(field_scanner, plain=True)


def test_counts_cells_per_signature_and_scans_each_value_once(counter) -> None:
    cells = ("CARD-1 and Zebedee", "", "nothing", "CARD-1 and Zebedee", "CARD-22 CARD-3")
    result = counter.count(cells)
    assert result is not None
    assert result.counts == {(("card", "secret"), ("name", "personal")): 2,
                             (("card", "secret"), ("card", "secret")): 1}
    assert result.signatures == [(("card", "secret"), ("name", "personal")), (), (),
                                 (("card", "secret"), ("name", "personal")),
                                 (("card", "secret"), ("card", "secret"))]
    # Each distinct value once, by the detectors whose gate it passes ("nothing": none).
    assert sorted(CALLS) == ["CARD-1 and Zebedee", "CARD-1 and Zebedee", "CARD-22 CARD-3"]
    CALLS.clear()
    again = counter.count(cells)  # the same values again: nothing is scanned
    assert again is not None and again.counts == result.counts
    assert CALLS == []


def test_signatures_per_cell_say_which_cells_hold_what(counter) -> None:
    cells = ("x", "Zebedee", "CARD-9")
    result = counter.count(cells)
    assert result is not None
    assert result.signatures == [(), (("name", "personal"),), (("card", "secret"),)]
    assert counter.hits["Zebedee"][0].rule == "name"


def test_a_quiet_column_is_settled_without_scanning_or_remembering(counter) -> None:
    cells = tuple(f"ASB/2026/{i:06d}" for i in range(500))
    assert counter.count(cells) is None
    assert CALLS == []
    assert len(counter.known) == 2  # only the empty markers: references never repeat
    # A quiet column that suddenly holds something is still found.
    assert counter.count(cells[:10] + ("Zebedee rang",)).counts == {(("name", "personal"),): 1}


def test_typed_columns_are_scanned_value_by_value() -> None:
    scanner = ContentScanner([ActiveDetector("card", "secret", 0.5, _find_cards, r"CARD-\d+")])
    counter = ColumnCounter(scanner.for_field("n"), plain=False)
    result = counter.count((1, None, 123456, "CARD-5", 2.5, True))
    assert result is not None and result.counts == {(("card", "secret"),): 1}


def test_memory_is_bounded(counter, monkeypatch) -> None:
    monkeypatch.setattr(column_counts, "_KNOWN_LIMIT", 100)
    for start in range(0, 1000, 50):
        counter.count(tuple(f"Zebedee {i}" for i in range(start, start + 50)))
        assert len(counter.known) <= 100 + 50 + 2
    long_value = "Zebedee " + "x" * 300
    counter.count((long_value,))
    assert long_value not in counter.known  # long free text is not remembered


def test_a_joined_column_counts_as_its_cells(counter) -> None:
    cells = ("CARD-1 and Zebedee", "", "nothing", "CARD-1 and Zebedee")
    twin = ColumnCounter(counter.scanner, plain=True)
    assert twin.count_joined("\0".join(cells), "\0").counts == counter.count(cells).counts
    quiet = tuple(f"ref {i}" for i in range(100))
    CALLS.clear()
    assert twin.count_joined("\0".join(quiet), "\0") is None
    assert CALLS == []


def test_a_column_read_with_its_neighbours_says_when_a_batch_holds_only_values_seen_before(
        ) -> None:
    """``covered``: every value of the batch came in an earlier batch of the column (a
    quiet one, through the vocabulary, or a counted one, through ``known``)."""
    scanner = ContentScanner([ActiveDetector("card", "secret", 0.5, _find_cards, r"CARD-\d+")])
    counter = ColumnCounter(scanner.for_field("ward"), plain=True, vocabulary=True)
    batches = [(("Boxmoor", "Highfield", ""), False), (("Highfield", "Boxmoor"), True),
               (("Boxmoor", "Gadebridge"), False), (("Gadebridge",), True),
               # counted from here on (no longer quiet): the values the count learns
               (("CARD-1", "Boxmoor"), False), (("Boxmoor", "CARD-1"), True),
               (("CARD-1", "Gadebridge"), False), (("Gadebridge", "Boxmoor"), True),
               (("Boxmoor\nHighfield",), False), (("Boxmoor\nHighfield", "Boxmoor"), True)]
    for cells, covered in batches:
        counted = counter.count(cells)
        assert counter.covered is covered, cells
        assert (counted is None) is ("CARD-1" not in cells)
    plain = ColumnCounter(scanner.for_field("ward"), plain=True)
    for cells, _ in batches:
        plain.count(cells)
        assert not plain.covered


def test_a_cell_holding_a_line_break_ends_a_quiet_column_s_vocabulary() -> None:
    """Cells joined by newlines are told apart only when no cell holds one."""
    scanner = ContentScanner([ActiveDetector("card", "secret", 0.5, _find_cards, r"CARD-\d+")])
    counter = ColumnCounter(scanner.for_field("ward"), plain=True, vocabulary=True)
    for cells, covered in [(("Boxmoor", "Highfield"), False), (("Highfield",), True),
                           (("Boxmoor\nHighfield",), False), (("Highfield",), False)]:
        assert counter.count(cells) is None
        assert counter.covered is covered, cells
    assert counter.vocabulary is not None and not counter.vocabulary.active
