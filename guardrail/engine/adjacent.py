"""What a reader reads across two neighbouring values.

A person reading a published table reads a row as a line: ``HP3`` in one cell and
``9QT`` in the next is a postcode, ``Margaret`` beside ``Thompson`` is a name. The
same holds for the items of a short list of strings and for the sibling values of
one object (an XML element's children). Each value alone holds nothing a detector
recognises, so neighbours are also scanned joined by a space (up to ``EDGE``
characters of each), and what is found *across* the join is reported on both
values, for the part of each it covers.

A match of words counts only when it takes one word from each value, and not a
number beside a word (a reference beside a month, a count beside a ward's name):
wider matches read ordinary tables as prose and block them. A code (capitals and
digits: a postcode, a NINO, a phone number) counts wherever it is cut. So an
identifier spread over three values, or several words of one value joined to the
next (a house number split from ``Marlowes Road``), is not caught (see SECURITY.md).

Lines of one paragraph of text (:attr:`Documents.lines`) are different: they are one
text, so the end of the paragraph so far is read on into each line and any match
across the line break counts (:meth:`Neighbours.read_on`).

The cost stays low because the words that meet at the join decide first (both or
neither lettered), then the RE2 gate on ``REACH`` characters each side of the join;
a pair of columns of few values is settled once per combination of values
(:meth:`Neighbours.find`), others by one RE2 pass per batch in C (:func:`word_pairs`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import compress, product, repeat
from operator import and_, eq, itemgetter, mul
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from guardrail.engine.scanning import ContentScanner, FieldScanner, Hit

__all__ = ["Neighbours", "Joined", "EDGE", "REACH", "pair_label", "joined", "meeting_words",
           "meeting_text", "meeting_texts", "word_pairs", "could_meet"]

EDGE = 40  # characters of each value next to the join that are read together
REACH = 24  # characters of each side a match across the join may take (a card number)
_MEMO_LIMIT = 50_000  # pairs of values remembered per pair of fields
_COMBINATIONS = 4_096  # distinct values of two columns tried against each other, at most
_TRIES = 3  # batches in a row of mostly new pairs of values before rows are read in C
_EMPTY = frozenset({""})
_LAST, _FIRST = itemgetter(2), itemgetter(0)  # of str.rpartition, of str.partition
_LETTER = re.compile(r"[^\W\d_]")
_LOWER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")
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
    lefts = list(map(str.rstrip, lefts))
    rights = list(map(str.lstrip, rights))
    lasts = list(map(_LAST, map(str.rpartition, lefts, repeat(" "))))
    firsts = list(map(_FIRST, map(str.partition, rights, repeat(" "))))
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
    return bool(left and right) and _has_letters(left) == _has_letters(right)


def _read_as_one(left: str, right: str) -> bool:
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
        and _has_letters(left) == _has_letters(right)


def _has_letters(text: str) -> bool:
    return _LETTER.search(text) is not None


Found = dict[tuple[str, str], tuple[Joined, tuple["Hit", ...]]]


class Neighbours:
    """Scans pairs of neighbouring values with the detectors that apply to both.

    What each pair of values holds read together is remembered per pair of fields,
    so a pair of columns costs Python work only per new pair of values.
    """

    def __init__(self, scanner: ContentScanner) -> None:
        self.scanner = scanner
        self._pairs: dict[tuple[str, str], FieldScanner | None] = {}
        self._memo: dict[str, Found] = {}  # per pair of fields: every pair of values tried
        self._holding: dict[str, set[tuple[str, str]]] = {}  # ... and those holding hits
        # Per pair of fields: values every combination of which has been tried.
        self._tried: dict[str, tuple[set[str], set[str]]] = {}
        self._tries: dict[str, int] = {}  # per pair of fields: batches of pairs seldom repeating
        self._lines: dict[tuple[str, str, str], tuple[Joined, tuple[Hit, ...]]] = {}

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
            if could_meet(meeting_words(left, right)) \
                    and pair.may_hold(meeting_text(left, right)):
                text, boundary = join.text, join.boundary
                hits = tuple(hit for hit in pair.scan_uncached(text)
                             if hit.start < boundary - 1 and hit.end > boundary
                             and _read_as_one(text[hit.start:boundary - 1],
                                              text[boundary:hit.end]))
            holding = self._holding.setdefault(pair.field, set())
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
                holding.clear()
                self._tried.pop(pair.field, None)
            found = memo[key] = (join, hits)
            if hits:
                holding.add(key)
        return found

    def read_on(self, pair: FieldScanner, before: str, line: str) -> tuple[Joined, tuple[Hit, ...]]:
        """The end of the lines *before* read on into *line*, as one paragraph: the hits
        that start before the line break and end after it. Unlike cells, lines of
        prose are one text, so a match may take any words of each side
        (``12 Marlowes`` | ``Road``)."""
        memo = self._lines
        key = (pair.field, before, line)
        found = memo.get(key)
        if found is None:
            join = joined(before, line)
            hits: tuple[Hit, ...] = ()
            if pair.may_hold(meeting_text(before, line)):
                boundary = join.boundary
                hits = tuple(hit for hit in pair.scan_uncached(join.text)
                             if hit.start < boundary - 1 and hit.end > boundary)
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[key] = (join, hits)
        return found

    def find(self, pair: FieldScanner, lefts: Sequence[str], rights: Sequence[str]) -> Found:
        """The pairs of values, among these two columns' rows, that hold something read
        together, with what.

        Columns that sit side by side in exports mostly hold few values (months,
        categories, wards): every combination of their distinct values is tried, once
        for the whole check. When there are too many combinations, the pairs that
        occur are tried, each once, while they repeat; when they stop repeating (a
        reference beside anything), rows are read in C (:meth:`along`).
        """
        distinct_lefts, distinct_rights = set(lefts) - _EMPTY, set(rights) - _EMPTY
        if not distinct_lefts or not distinct_rights:
            return {}
        field = pair.field
        tried = self._tried.get(field)
        if tried is None or not (distinct_lefts <= tried[0] and distinct_rights <= tried[1]):
            # Read every combination of all the values seen so far, while there are few
            # enough: a later batch of known values is then settled by two subset tests.
            lefts_seen = distinct_lefts | (tried[0] if tried else set())
            rights_seen = distinct_rights | (tried[1] if tried else set())
            tried = None
            if len(lefts_seen) * len(rights_seen) <= _COMBINATIONS:
                self._settle(pair, set(product(lefts_seen, rights_seen)))
                tried = self._tried[field] = (lefts_seen, rights_seen)
        if tried is not None:  # every combination of these values has been read
            if not self._holding.get(field):
                return {}
            keys = set(product(distinct_lefts, distinct_rights))
        elif self._tries.get(field, 0) < _TRIES:
            # Too many combinations: read the pairs that occur while they repeat; when
            # they stop (a reference beside anything), rows are read in C from then on.
            keys = set(zip(lefts, rights, strict=True))
            new = self._settle(pair, keys)
            tries = self._tries.get(field, 0)
            self._tries[field] = tries + 1 if tries < 1 or new * 4 > len(keys) else 0
        else:
            return self.along(pair, lefts, rights)
        memo = self._memo[field]
        return {key: memo[key] for key in keys & self._holding.get(field, set())}

    def _settle(self, pair: FieldScanner, keys: set[tuple[str, str]]) -> int:
        """Read every pair of values in *keys* not read before; how many were new."""
        memo = self._memo.setdefault(pair.field, {})
        new = keys - memo.keys()
        for left, right in new:
            self.across(pair, left, right)
        return len(new)

    def along(self, pair: FieldScanner, lefts: Sequence[str], rights: Sequence[str]) -> Found:
        """:meth:`find` row by row, for columns of many distinct values (references,
        notes). One RE2 pass over the rows joined, or over every row's meeting words,
        settles a quiet run."""
        if pair.holds_nothing(list(map(" ".join, zip(lefts, rights, strict=True)))):
            return {}  # the meeting words lie inside: nothing there either
        words = word_pairs(lefts, rights)  # "" where no match could take a word of each
        if not words:
            return {}
        # The gate sees what a match across the join lies inside, not the two words
        # alone: "CA 21 93 | 76 C" meets as "93 76", which no detector's gate takes.
        texts = meeting_texts(lefts, rights, words)
        if pair.holds_nothing(texts):
            return {}
        gate = pair.may_hold
        meeting = {text for text in set(texts) if text and gate(text)}
        if not meeting:
            return {}
        across = self.across
        found = {}
        for key in set(compress(zip(lefts, rights, strict=True),
                                map(meeting.__contains__, texts))):
            result = across(pair, *key)
            if result[1]:
                found[key] = result
        return found
