"""Where two neighbouring values meet: the text read across the join, and the cheap
tests of whether a match could cross it.

:mod:`guardrail.engine.adjacent` decides which values are read together and remembers
what they hold; this module only says what the join looks like. Most tests work on
whole columns at once, in C (``map`` over ``str`` methods, one regex pass over a
column joined by newlines), so a batch of rows costs no Python call per pair.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import repeat
from operator import and_, eq, itemgetter, mul
from typing import NamedTuple

import re2

__all__ = ["EDGE", "REACH", "Joined", "joined", "meeting_words", "meeting_text",
           "meeting_texts", "word_pairs", "could_meet", "read_as_one", "has_letters",
           "word_kinds", "last_words", "first_words", "by_meeting_word", "values_of"]

EDGE = 40  # characters of each value next to the join that are read together
REACH = 24  # characters of each side a match across the join may take (a card number)
_LAST, _FIRST = itemgetter(2), itemgetter(0)  # of str.rpartition, of str.partition
_LETTER = re.compile(r"[^\W\d_]")
_LOWER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")
_BARE = re.compile(r"^(?:[\d_]|[^\w\n])+$", re.MULTILINE)  # a word holding no letter
# The same two in ASCII text, where RE2 runs them many times faster; what strips as space.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.never_capture = True
_ASCII_LETTER = re2.compile(r"[A-Za-z]", _RE2_OPTIONS)
_ASCII_BARE = re2.compile(r"(?m)^[^A-Za-z\n]+$", _RE2_OPTIONS)
_ASCII_SPACES = " \t\r\x0b\x0c\x1c\x1d\x1e\x1f"


class Joined(NamedTuple):
    """Two neighbouring values read together."""

    text: str  # the left value's last EDGE characters, a space, the right's first EDGE
    boundary: int  # where the right value starts in text
    left_start: int  # where text starts in the left value


def joined(left: str, right: str) -> Joined:
    """The text read across the join of *left* and *right*."""
    start = max(len(left) - EDGE, 0)
    return Joined(f"{left[start:]} {right[:EDGE]}", len(left) - start + 1, start)


def meeting_words(left: str, right: str) -> str:
    """The left value's last word and the right value's first, joined by a space."""
    return f"{left.rstrip().rpartition(' ')[2]} {right.lstrip().partition(' ')[0]}"


def meeting_text(left: str, right: str) -> str:
    """What a match across the join of *left* and *right* lies inside: up to ``REACH``
    characters of each side of the join (the gate is tried on it)."""
    return f"{left.rstrip()[-REACH:]} {right.lstrip()[:REACH]}"


def word_pairs(lefts: Iterable[str], rights: Iterable[str]) -> list[str]:
    """``meeting_words(l, r)`` for each pair of text values whose meeting words are
    both or neither lettered (:func:`could_meet`), else ``""``: computed in C, with no
    Python call per pair. An empty list when no pair can meet (references beside
    months). The gate is then tried on the wider :func:`meeting_texts`: these two words
    alone miss a code of several groups cut in the middle (``CA 21 93 | 76 C``)."""
    lasts, firsts = list(last_words(lefts)), list(first_words(rights))
    last_lines, first_lines = "\n".join(lasts), "\n".join(firsts)
    # Whole columns first: words with letters on both sides, or without on both?
    lettered = (_LETTER.search(last_lines) is not None, _LETTER.search(first_lines) is not None)
    bare = (_BARE.search(last_lines) is not None, _BARE.search(first_lines) is not None)
    if not (all(lettered) or all(bare)):
        return []
    texts = map(" ".join, zip(lasts, firsts, strict=True))
    meet = map(and_, map(bool, lasts), map(bool, firsts))
    if any(bare) and any(lettered):
        meet = map(and_, meet, map(eq, map(bool, map(_LETTER.search, lasts)),
                                   map(bool, map(_LETTER.search, firsts))))
    return list(map(mul, texts, meet))


def meeting_texts(lefts: Iterable[str], rights: Iterable[str], words: Iterable[str]
                  ) -> list[str]:
    """:func:`meeting_text` of each pair of values whose *words* (:func:`word_pairs`)
    could meet, else ``""``: computed in C, with no Python call per pair."""
    ends = map(itemgetter(slice(-REACH, None)), map(str.rstrip, lefts))
    starts = map(itemgetter(slice(None, REACH)), map(str.lstrip, rights))
    return list(map(mul, map(" ".join, zip(ends, starts, strict=True)), map(bool, words)))


def could_meet(words: str) -> bool:
    """Could a match take one word of each side of *words* (:func:`meeting_words`)?
    Both words present, and both or neither holding letters."""
    left, _, right = words.partition(" ")
    return bool(left and right) and has_letters(left) == has_letters(right)


def read_as_one(left: str, right: str) -> bool:
    """Would a reader read these two parts of a match as one thing split in two?

    A code (capitals and digits: a postcode, a NINO, a phone number) split anywhere,
    yes. Words only when the match takes one of each side, and not a number beside a
    word: a reference beside a month, a count beside a ward's name, ``Dacorum 007E``
    beside ``Boxmoor East`` are two columns, not an address.
    """
    whole = f"{left} {right}"
    if not _LOWER.search(whole) and _DIGIT.search(whole):
        return True
    return len(left.split()) == 1 == len(right.split()) \
        and has_letters(left) == has_letters(right)


def has_letters(text: str) -> bool:
    return _LETTER.search(text) is not None


def word_kinds(cells: Sequence[str]) -> tuple[bool, bool] | None:
    """Whether some of *cells* hold letters, and some do not, when each is one word of
    ASCII (its own meeting word, as :func:`word_pairs` finds it): two RE2 passes over
    the cells joined, rather than a Python regex per column and a split per cell.
    None for any other cells."""
    text = "\n".join(cells)
    if not text.isascii() or text.count("\n") != len(cells) - 1 \
            or any(space in text for space in _ASCII_SPACES):
        return None
    return _ASCII_LETTER.search(text) is not None, _ASCII_BARE.search(text) is not None


def last_words(values: Iterable[str]) -> Iterator[str]:
    """Each value's last word (what meets the next value), computed in C."""
    return map(_LAST, map(str.rpartition, map(str.rstrip, values), repeat(" ")))


def first_words(values: Iterable[str]) -> Iterator[str]:
    """Each value's first word (what meets the value before), computed in C."""
    return map(_FIRST, map(str.partition, map(str.lstrip, values), repeat(" ")))


def by_meeting_word(values: Collection[str], words: Iterable[str]) -> dict[bool, list[str]]:
    """*values* by their meeting *words*: lettered (True), not (False); values with no
    word are left out (:func:`could_meet`)."""
    kinds: dict[bool, list[str]] = {True: [], False: []}
    for value, word in zip(values, words, strict=True):
        if word:
            kinds[_LETTER.search(word) is not None].append(value)
    return kinds


def values_of(cells: Iterable[str]) -> set[str]:
    """The distinct non-empty values of a column of text cells (what :meth:`Neighbours.find`
    crosses); one set per column serves both pairs the column is in."""
    values = set(cells)
    values.discard("")
    return values
