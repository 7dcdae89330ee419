"""What a reader reads across two neighbouring values.

A person reading a published table reads a row as a line: ``HP3`` in one cell and
``9QT`` in the next is a postcode, ``Margaret`` beside ``Thompson`` is a name. The
same holds for the items of a short list of strings and for the sibling values of
one object (an XML element's children). Each value alone holds nothing a detector
recognises, so neighbours are also scanned joined by a space (up to ``EDGE``
characters of each), and what is found *across* the join is reported on both
values, for the part of each it covers.

A match counts only when it takes one word from each value, and not a number beside
a word (a reference beside a month, a count beside a ward's name): wider matches
read ordinary tables as prose and block them. So an identifier spread over three
values, or several words of one value joined to the next (a house number split
from ``Marlowes Road``), is not caught (see SECURITY.md).

The cost stays low because the words that meet at the join decide first: a table's
pair of columns is settled by one RE2 pass over every row's two meeting words
(:func:`word_pairs`, built in C), and only rows whose two words could start such a
match are joined and scanned, each distinct join once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import compress, repeat
from operator import and_, eq, itemgetter, mul
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from guardrail.engine.scanning import ContentScanner, FieldScanner, Hit

__all__ = ["Neighbours", "Joined", "EDGE", "pair_label", "joined", "meeting_words",
           "word_pairs", "could_meet"]

EDGE = 40  # characters of each value next to the join that are read together
_MEMO_LIMIT = 50_000  # pairs of values remembered per pair of fields
_COMBINATIONS = 4_096  # distinct values of two columns tried against each other, at most
_LAST, _FIRST = itemgetter(2), itemgetter(0)  # of str.rpartition, of str.partition
_LETTER = re.compile(r"[^\W\d_]")
_BARE = re.compile(r"^(?:[\d_]|[^\w\n])+$", re.MULTILINE)  # a word holding no letter


def pair_label(left: str, right: str) -> str:
    """How the scanner for two fields read together is named (detectors see it)."""
    return f"{left}+{right}"


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


def word_pairs(lefts: Iterable[str], rights: Iterable[str]) -> list[str]:
    """``meeting_words(l, r)`` for each pair of text values where :func:`could_meet`,
    else ``""``: computed in C, with no Python call per pair. An empty list when no
    pair can meet (a column of references beside a column of months)."""
    lasts = list(map(_LAST, map(str.rpartition, map(str.rstrip, lefts), repeat(" "))))
    firsts = list(map(_FIRST, map(str.partition, map(str.lstrip, rights), repeat(" "))))
    last_lines, first_lines = "\n".join(lasts), "\n".join(firsts)
    # Whole columns first: words with letters on both sides, or without on both?
    if not ((_LETTER.search(last_lines) and _LETTER.search(first_lines))
            or (_BARE.search(last_lines) and _BARE.search(first_lines))):
        return []
    lettered = map(eq, map(bool, map(_LETTER.search, lasts)),
                   map(bool, map(_LETTER.search, firsts)))
    meet = map(and_, map(and_, map(bool, lasts), map(bool, firsts)), lettered)
    return list(map(mul, map(" ".join, zip(lasts, firsts, strict=True)), meet))


def could_meet(words: str) -> bool:
    """Could a match take one word of each side of *words* (:func:`meeting_words`)?
    Both words present, and both or neither holding letters."""
    left, _, right = words.partition(" ")
    return bool(left and right) and _has_letters(left) == _has_letters(right)


def _read_as_one(left: str, right: str) -> bool:
    """Would a reader read these two parts of a match as one thing split in two?

    Each must be (part of) one word, and not a number beside a word: a reference
    beside a month, or a count beside a ward's name, is two columns.
    """
    return len(left.split()) == 1 == len(right.split()) \
        and _has_letters(left) == _has_letters(right)


def _has_letters(text: str) -> bool:
    return _LETTER.search(text) is not None


Found = dict[tuple[str, str], tuple[Joined, tuple["Hit", ...]]]


class Neighbours:
    """Scans pairs of neighbouring values with the detectors that apply to both."""

    def __init__(self, scanner: ContentScanner) -> None:
        self.scanner = scanner
        self._pairs: dict[tuple[str, str], FieldScanner | None] = {}
        self._memo: dict[str, dict[tuple[str, str], tuple[Joined, tuple[Hit, ...]]]] = {}

    def scanner_for(self, left: FieldScanner, right: FieldScanner) -> FieldScanner | None:
        """The scanner for text joined across *left*'s and *right*'s fields: the
        detectors both fields run (a detector limited to one field stays there)."""
        key = (left.field, right.field)
        if key not in self._pairs:
            ids = {d.id for d in right.detectors}
            both = [d for d in left.detectors if d.id in ids]
            self._pairs[key] = self.scanner.joined_field(pair_label(*key), both) \
                if both else None
        return self._pairs[key]

    def across(self, pair: FieldScanner, left: str, right: str) -> tuple[Joined, tuple[Hit, ...]]:
        """*left* and *right* read together, and the hits in that text that start in
        the left value and end in the right one: what neither value holds alone."""
        memo = self._memo.setdefault(pair.field, {})
        key = (left, right)
        found = memo.get(key)
        if found is None:
            join = joined(left, right)
            hits: tuple[Hit, ...] = ()
            words = meeting_words(left, right)
            if could_meet(words) and pair.may_hold(words):
                text, boundary = join.text, join.boundary
                hits = tuple(hit for hit in pair.scan_uncached(text)
                             if hit.start < boundary - 1 and hit.end > boundary
                             and _read_as_one(text[hit.start:boundary - 1],
                                              text[boundary:hit.end]))
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[key] = (join, hits)
        return found

    def among(self, pair: FieldScanner, lefts: Iterable[str],
              rights: Iterable[str]) -> Found | None:
        """Every combination of these distinct values read together, when there are
        few enough (columns of wards, months, categories): the pairs that hold
        something, with what. None when there are too many combinations to try."""
        lefts, rights = list(lefts), list(rights)
        if len(lefts) * len(rights) > _COMBINATIONS:
            return None
        across = self.across
        found = {}
        for left in lefts:
            for right in rights:
                result = across(pair, left, right)
                if result[1]:
                    found[(left, right)] = result
        return found

    def along(self, pair: FieldScanner, lefts: list[str], rights: list[str]) -> Found:
        """The pairs of values, row by row, that hold something read together: for
        columns with too many distinct values to try every combination. One RE2 pass
        over every row's meeting words settles a quiet run."""
        words = word_pairs(lefts, rights)  # "" where no match could take a word of each
        if not words or pair.holds_nothing(words):
            return {}
        gate = pair.may_hold
        meeting = {text for text in set(words) if text and gate(text)}
        if not meeting:
            return {}
        across = self.across
        found = {}
        for key in set(compress(zip(lefts, rights, strict=True),
                                map(meeting.__contains__, words))):
            result = across(pair, *key)
            if result[1]:
                found[key] = result
        return found
