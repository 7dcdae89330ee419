"""Adversarial checks of the vocabulary skip (table_walk.TableWalk._apply with
Neighbours.settled): a pair of columns is skipped only when every combination of
the values its columns hold has really been read. Each table is checked twice,
with the skip and with Neighbours.settled forced False (the oracle): the findings
must match.

Two ways it once missed a split (found by an adversarial review):
* a batch where one column is entirely empty: Neighbours.find returned before the
  other column's values reached ``seen``, yet the column's vocabulary learned them;
* a memo that fills during crossing: ``_cross`` forgets (generation + 1) and crosses
  that batch's values only; the pair's generation was taken again after it, so
  values learned before the forgetting counted as crossed.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from helpers import finding_tuples

from guardrail import Guardrail
from guardrail.engine import adjacent
from guardrail.engine.vocabulary import ColumnVocabulary

POLICY = Path(__file__).parent / "data" / "policies" / "detectors-decide.yaml"
where = finding_tuples("record", "field", "rule")
N = 1024  # table_walk._BATCH


def checked(tmp_path: Path, rows: list[str], header: str = "a,b", skip: bool = True,
            monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[list[tuple], int, int]:
    path = tmp_path / f"t{int(skip)}.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    if not skip:
        assert monkeypatch is not None
        monkeypatch.setattr(adjacent.Neighbours, "settled", lambda self, pair, mark: False)
    decision = Guardrail.from_policy(POLICY).check(path)  # fresh Neighbours state
    return where(decision), decision.exit_code, sum(decision.counts.values())


def same_as_without_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         rows: list[str], header: str = "a,b") -> tuple[list[tuple], int, int]:
    skipped = checked(tmp_path, rows, header)
    read = checked(tmp_path, rows, header, skip=False, monkeypatch=monkeypatch)
    assert skipped == read
    return read


@pytest.mark.parametrize("header,rows,rule", [
    ("a,b", ["HP3,ZZZ"] * N + [",9QT"] * N + ["HP3,9QT"], "uk.postcode"),
    ("a,b", ["ZZZ,9QT"] * N + ["HP3,"] * N + ["HP3,9QT"], "uk.postcode"),
    ("first,last", ["Margaret,-"] * N + [",Thompson"] * N + ["Margaret,Thompson"],
     "person.name"),
])
def test_a_batch_with_one_column_empty_does_not_settle_the_pair(tmp_path, monkeypatch,
                                                                 header, rows, rule):
    found, exit_code, _ = same_as_without_skip(tmp_path, monkeypatch, rows, header)
    first, second = header.split(",")
    assert (found, exit_code) == ([(2 * N, first, rule), (2 * N, second, rule)], 1)


def _forgetting_rows() -> list[str]:
    """HP3|9QT read (a few-values batch, no row holds it), then enough new pairs that
    crossing at last overfills the memo (_cross forgets), then HP3,9QT in one row."""
    rnd = random.Random(1)
    lefts = [f"x{i:03d}" for i in range(179)]
    rights = [f"y{i:03d}" for i in range(179)]
    combos = [(a, b) for a in lefts for b in rights]
    rnd.shuffle(combos)
    first = combos[:N]  # too many combinations to cross yet: pairs that occur are read
    few_l, few_r = ["HP3", *lefts[:39]], ["9QT", *rights[:39]]
    few = [(few_l[i % 40], few_r[(i // 40 + i) % 40]) for i in range(N)]
    few = [p if p != ("HP3", "9QT") else ("x000", "y000") for p in few]
    rest, k, last = [], N, first
    for j in range(33):  # old, new, new, ...: the memo fills while tries stay below 3
        if j % 3:
            last = combos[k:k + N]
            k += N
        rest += last
    rows = first + few + rest + [("x000", "y000")] * 10 + [("HP3", "9QT")]
    return [f"{a},{b}" for a, b in rows]


def test_a_memo_forgotten_while_crossing_does_not_settle_the_pair(tmp_path, monkeypatch):
    rows = _forgetting_rows()
    found, exit_code, _ = same_as_without_skip(tmp_path, monkeypatch, rows)
    assert exit_code == 1
    assert found == [(len(rows) - 1, "a", "uk.postcode"), (len(rows) - 1, "b", "uk.postcode")]


@pytest.mark.parametrize("rows", [
    # a value first seen beside a cell holding a finding of its own (_NEVER)
    ["Ward 1,7"] * N + ["HP3,AB1 2CD"] + ["Ward 1,9QT"] + ["Ward 1,7"] * (N - 2)
    + ["HP3,9QT"] + ["Ward 1,7"] * N,
    # a cell with a line break lets the vocabulary go
    ["HP3,7"] * N + ['"x\ny",9QT'] + ["HP3,8"] * (N - 1) + ["HP3,9QT"],
    # learned apart, read together later
    ["HP3,ZZZ"] * N + ["Ward 1,9QT"] * N + ["HP3,9QT"],
    # split in the first and the last row of exact batches
    ["HP3,9QT"] + [f"Ward {i % 5},{i % 7}" for i in range(1, 2 * N - 1)] + ["HP3,9QT"],
])
def test_the_skip_finds_what_reading_finds(tmp_path, monkeypatch, rows):
    found, exit_code, _ = same_as_without_skip(tmp_path, monkeypatch, rows)
    assert exit_code == 1 and found


def test_a_vocabulary_covers_only_values_it_learned() -> None:
    rnd = random.Random(7)
    alphabet = ["a", "b", "A", "\\", "(", ")", "|", "*", "?", "+", ".", "^", "$", "[", "]",
                "{", "}", "-", " ", "\t", "\r", "é", "€", "𝄞", "\x00", "ß", "İ", "ı", "K",
                "\u212a", "\u0085", "\u2028", "\x0b", "\x0c"]

    def value() -> str:
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 4)))

    for _ in range(500):
        vocabulary = ColumnVocabulary()
        values = list({value() for _ in range(rnd.randint(1, 8))})
        cells = [rnd.choice(values) for _ in range(40)]
        vocabulary.learn(cells)
        vocabulary.learn(cells)
        learned = set(cells)
        pool = values + [value() for _ in range(3)] + [a + b for a in values[:3]
                                                       for b in values[:3]]
        for _ in range(3):
            if not vocabulary.active:
                break
            batch = [rnd.choice(pool) for _ in range(rnd.randint(1, 6))]
            if vocabulary.covers("\n".join(batch).encode("utf-8")):
                assert set(batch) <= learned, (learned, batch)
