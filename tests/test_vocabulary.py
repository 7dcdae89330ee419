"""A column's vocabulary (guardrail/engine/vocabulary.py): a batch of values seen before is
recognised in one pass, a new value never is, and a column that keeps changing is let go."""

from __future__ import annotations

import pytest

from guardrail.engine import vocabulary as vocabulary_module
from guardrail.engine.vocabulary import ColumnVocabulary


def joined(*cells: str) -> bytes:
    return "\n".join(cells).encode("utf-8")


def settled(values: list[str]) -> ColumnVocabulary:
    """A vocabulary that has learned *values* and seen a batch bring nothing new."""
    vocabulary = ColumnVocabulary()
    assert not vocabulary.learn(values)  # new values
    assert vocabulary.learn(values[:1])  # nothing new: settled
    return vocabulary


def test_a_batch_of_known_values_is_covered_and_one_new_value_is_not() -> None:
    vocabulary = settled(["2026-08", "2026-09", "", "Dacorum 007A", "Zoë"])
    assert vocabulary.covers(joined("2026-09", "2026-08", "", "2026-09", "Zoë"))
    assert vocabulary.covers(joined("Dacorum 007A"))
    for batch in [("2026-08", "2026-10"), ("2026-0",), ("2026-08 ",), ("Dacorum 007",),
                  ("2026-082026-09",), ("Zoe",), ("2026-08", "Dacorum 007B")]:
        assert not vocabulary.covers(joined(*batch)), batch
    assert vocabulary.active


def test_nothing_is_covered_while_the_column_still_brings_new_values() -> None:
    vocabulary = ColumnVocabulary()
    assert not vocabulary.learn(["a", "b", "c"])
    assert not vocabulary.covers(joined("a", "b"))  # not settled yet: learn says it
    assert vocabulary.learn(["b", "a"])
    assert vocabulary.covers(joined("a", "b"))
    assert not vocabulary.learn(["a", "b", "d", "c"])  # a new value: learning again
    assert not vocabulary.covers(joined("a", "b"))
    assert vocabulary.learn(["d"]) and vocabulary.covers(joined("d", "a"))


@pytest.mark.parametrize("value", ["a.b", "(x|y)*", "[0-9]", "\\d", "^$", "a+b?"])
def test_values_are_matched_as_they_are_written_not_as_patterns(value) -> None:
    vocabulary = settled([value])
    assert vocabulary.covers(joined(value, value))
    assert not vocabulary.covers(joined("axb" if value == "a.b" else "x", value))


def test_an_empty_vocabulary_covers_nothing() -> None:
    assert not ColumnVocabulary().covers(joined(""))
    assert not settled(["x"]).covers(joined(""))


def test_a_column_that_keeps_changing_is_let_go(monkeypatch) -> None:
    monkeypatch.setattr(vocabulary_module, "_MAX_LEARNING", 3)
    vocabulary = ColumnVocabulary()
    for batch in range(3):
        vocabulary.learn(["Boxmoor", "Highfield", "Boxmoor", f"Ward {batch}"])
        assert vocabulary.active
    vocabulary.learn(["Boxmoor", "Highfield", "Boxmoor", "Ward 3"])
    assert not vocabulary.active and not vocabulary.values
    assert not vocabulary.learn(["Boxmoor"]) and not vocabulary.covers(joined("Boxmoor"))


@pytest.mark.parametrize("batches", [
    [[f"E0{n:07d}" for n in range(5_000)]],  # too many values
    [["x" * 65]],  # a value too long: text, not vocabulary
    [[f"ASB/{n:06d}" for n in range(100)], [f"ASB/{n:06d}" for n in range(100, 200)]],
])
def test_too_many_too_long_or_mostly_new_values_let_the_column_go(batches) -> None:
    vocabulary = ColumnVocabulary()
    for cells in batches:
        vocabulary.learn(cells)
    assert not vocabulary.active
    assert not vocabulary.learn(batches[0]) and not vocabulary.covers(joined(batches[0][0]))


def test_an_automaton_slower_than_hashing_is_let_go_after_answering(monkeypatch) -> None:
    monkeypatch.setattr(vocabulary_module, "_SLOWER", -1.0)  # every match is slow
    vocabulary = settled(["Boxmoor", "Highfield"])
    for _ in range(2 * vocabulary_module._WARM_UP):  # warming up, then judged: answers
        assert vocabulary.active
        assert vocabulary.covers(joined("Boxmoor", "Highfield"))
    assert not vocabulary.active
    assert not vocabulary.covers(joined("Boxmoor"))


def test_a_fast_automaton_is_kept() -> None:
    vocabulary = settled([f"E0{n:07d}" for n in range(1000)])
    for _ in range(10):
        assert vocabulary.covers(joined(*[f"E0{n:07d}" for n in range(0, 1000, 3)]))
    assert vocabulary.active
