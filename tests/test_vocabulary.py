"""A column's vocabulary (guardrail/engine/vocabulary.py): a batch of values seen before is
recognised in one pass, a new value never is, and a column that keeps changing is let go."""

from __future__ import annotations

import pytest

from guardrail.engine import vocabulary as vocabulary_module
from guardrail.engine.vocabulary import ColumnVocabulary


def joined(*cells: str) -> bytes:
    return "\n".join(cells).encode("utf-8")


def test_a_batch_of_known_values_is_covered_and_one_new_value_is_not() -> None:
    vocabulary = ColumnVocabulary()
    vocabulary.learn(["2026-08", "2026-09", "", "Dacorum 007A", "Zoë"])
    assert vocabulary.covers(joined("2026-09", "2026-08", "", "2026-09", "Zoë"))
    assert vocabulary.covers(joined("Dacorum 007A"))
    for batch in [("2026-08", "2026-10"), ("2026-0",), ("2026-08 ",), ("Dacorum 007",),
                  ("2026-082026-09",), ("Zoe",), ("2026-08", "Dacorum 007B")]:
        assert not vocabulary.covers(joined(*batch)), batch


@pytest.mark.parametrize("value", ["a.b", "(x|y)*", "[0-9]", "\\d", "^$", "a+b?"])
def test_values_are_matched_as_they_are_written_not_as_patterns(value) -> None:
    vocabulary = ColumnVocabulary()
    vocabulary.learn([value])
    assert vocabulary.covers(joined(value, value))
    assert not vocabulary.covers(joined("axb" if value == "a.b" else "x", value))


def test_an_empty_vocabulary_covers_nothing() -> None:
    assert not ColumnVocabulary().covers(joined(""))
    vocabulary = ColumnVocabulary()
    vocabulary.learn(["x"])
    assert not vocabulary.covers(joined(""))


def test_a_column_that_keeps_changing_is_let_go(monkeypatch) -> None:
    monkeypatch.setattr(vocabulary_module, "_MAX_LEARNING", 3)
    vocabulary = ColumnVocabulary()
    for batch in range(3):
        vocabulary.learn([f"ASB/2026/{batch:06d}"])
        assert vocabulary.active
    vocabulary.learn(["ASB/2026/000003"])
    assert not vocabulary.active and not vocabulary.values
    assert not vocabulary.covers(joined("ASB/2026/000000"))


@pytest.mark.parametrize("cells", [[f"E0{n:07d}" for n in range(5_000)], ["x" * 65]])
def test_too_many_or_too_long_values_let_the_column_go(cells) -> None:
    vocabulary = ColumnVocabulary()
    vocabulary.learn(cells)
    assert not vocabulary.active
    assert not vocabulary.covers(joined(cells[0]))


def test_a_batch_with_nothing_new_teaches_nothing() -> None:
    vocabulary = ColumnVocabulary()
    vocabulary.learn(["a", "b"])
    for _ in range(40):  # far more than _MAX_LEARNING
        vocabulary.learn(["b", "a", "a"])
    assert vocabulary.active and vocabulary.values == {"a", "b"}
