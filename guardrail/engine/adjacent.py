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
a pair of columns whose values repeat is settled once per combination of values
(:meth:`Neighbours.find`: a later batch of known values costs two subset tests, or
nothing when both columns say, by their vocabulary, that they hold only values seen
before: :meth:`Neighbours.settled`, ``vocabulary.py``), others by one RE2 pass per batch
in C (:func:`~guardrail.engine.meeting.word_pairs`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING

from guardrail.engine.meeting import (
    EDGE,
    REACH,
    Joined,
    by_meeting_word,
    could_meet,
    first_words,
    joined,
    last_words,
    meeting_text,
    meeting_texts,
    meeting_words,
    read_as_one,
    values_of,
    word_kinds,
    word_pairs,
)

if TYPE_CHECKING:
    from guardrail.engine.scanning import ContentScanner, FieldScanner, Hit

__all__ = ["Neighbours", "Found", "pair_label", "EDGE", "REACH", "Joined", "values_of"]

_MEMO_LIMIT = 50_000  # pairs of values remembered per pair of fields
_COMBINATIONS = 4_096  # combinations of two columns' values read before rows justify more
_CROSSING = 32_768  # combinations of two columns' values read, at most (< _MEMO_LIMIT)
_TRIES = 3  # batches in a row of mostly new pairs of values before rows are read in C


def pair_label(left: str, right: str) -> str:
    """How the scanner for two fields read together is named (detectors see it)."""
    return f"{left}+{right}"


Found = dict[tuple[str, str], tuple[Joined, tuple["Hit", ...]]]
# What a pair of values the gate does not take holds across (the text is never shown).
_NOTHING_ACROSS: tuple[Joined, tuple[Hit, ...]] = (Joined("", 0, 0), ())
_LEFT, _RIGHT = itemgetter(0), itemgetter(1)


@dataclass(slots=True)
class _Fields:
    """What is known of one pair of fields read together."""

    memo: dict[tuple[str, str], tuple[Joined, tuple[Hit, ...]]] = field(default_factory=dict)
    holding: set[tuple[str, str]] = field(default_factory=set)  # memo's pairs holding hits
    # Values seen on each side (None: too many to cross), and whether every combination
    # of them has been read.
    seen: tuple[set[str], set[str]] | None = field(default_factory=lambda: (set(), set()))
    crossed: bool = False
    rows: int = 0  # rows read together, for how much crossing is worth
    tries: int = 0  # batches of pairs seldom repeating
    generation: int = 0  # counts the times values seen were forgotten (see settled)

    def forget(self) -> None:
        """Start again (the memo is full): nothing is known to be read."""
        self.memo.clear()
        self.holding.clear()
        self.seen, self.crossed, self.tries = (set(), set()), False, 0
        self.generation += 1


class Neighbours:
    """Scans pairs of neighbouring values with the detectors that apply to both.

    What each pair of values holds read together is remembered per pair of fields,
    so a pair of columns costs Python work only per new pair of values.
    """

    def __init__(self, scanner: ContentScanner) -> None:
        self.scanner = scanner
        self._pairs: dict[tuple[str, str], FieldScanner | None] = {}
        self._fields: dict[str, _Fields] = {}  # per pair of fields (the joined scanner's)
        # What windows across line breaks hold, by pair of fields and window.
        self._lines: dict[str, dict[str, tuple[Hit, ...]]] = {}

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

    def _state(self, pair: FieldScanner) -> _Fields:
        state = self._fields.get(pair.field)
        if state is None:
            state = self._fields[pair.field] = _Fields()
        return state

    def across(self, pair: FieldScanner, left: str, right: str) -> tuple[Joined, tuple[Hit, ...]]:
        """*left* and *right* read together, and the hits in that text that start in
        the left value and end in the right one: what neither value holds alone."""
        state = self._state(pair)
        memo = state.memo
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
                             and read_as_one(text[hit.start:boundary - 1],
                                              text[boundary:hit.end]))
            if len(memo) >= _MEMO_LIMIT:
                state.forget()
            found = memo[key] = (join, hits)
            if hits:
                state.holding.add(key)
        return found

    def read_on(self, pair: FieldScanner, before: str, line: str) -> tuple[Joined, tuple[Hit, ...]]:
        """The end of the lines *before* read on into *line*, as one paragraph: the hits
        that start before the line break and end after it. Unlike cells, lines of
        prose are one text, so a match may take any words of each side
        (``12 Marlowes`` | ``Road``). Only ``REACH`` characters of each side are read:
        what a match across the break can take, and a window that repeats (the end of
        a log message, the start of the next line's timestamp) where whole lines do
        not."""
        tail, head = before[-REACH:], line[:REACH]
        text = f"{tail} {head}"
        lines = self._lines.get(pair.field)
        if lines is None:
            lines = self._lines[pair.field] = {}
        hits = lines.get(text)
        if hits is None:
            hits = ()
            if pair.may_hold(text):
                boundary = len(tail) + 1
                hits = tuple(hit for hit in pair.scan_uncached(text)
                             if hit.start < boundary - 1 and hit.end > boundary)
            if len(lines) >= _MEMO_LIMIT:
                lines.clear()
            lines[text] = hits
        if not hits:
            return _NOTHING_ACROSS
        return Joined(text, len(tail) + 1, len(before) - len(tail)), hits

    def find(self, pair: FieldScanner, lefts: Sequence[str], rights: Sequence[str],
             distinct: Callable[[], tuple[set[str], set[str]]] | None = None) -> Found:
        """The pairs of values, among these two columns' rows, that hold something read
        together, with what. *distinct*, if given, returns each column's
        :func:`values_of` (shared with other pairs: the sets are not changed).

        Columns that sit side by side in exports mostly hold values that repeat (months,
        wards, area codes): every combination of their distinct values is read, once
        for the whole check, as soon as there are no more combinations than rows read
        (:meth:`_cross`); a later batch of known values is then settled by two subset
        tests. Until then, and when there are too many combinations in all, a batch of
        few values has its own combinations read; otherwise the pairs that occur are
        read, each once, while they repeat; when they stop repeating (a reference beside
        anything), rows are read in C (:meth:`along`).
        """
        state = self._state(pair)
        state.rows += len(lefts)
        distinct_lefts, distinct_rights = distinct() if distinct is not None \
            else (values_of(lefts), values_of(rights))
        # Even when one side is empty the other's values are taken in (crossed with
        # those seen, or kept to be): every value passed is then in ``seen`` (settled).
        if not self._cross(pair, state, distinct_lefts, distinct_rights):
            if len(distinct_lefts) * len(distinct_rights) <= _COMBINATIONS:
                # Few values in this batch, too many in all (an export sorted by date or
                # area): this batch's combinations are read.
                if len(state.memo) + _COMBINATIONS > _MEMO_LIMIT:
                    state.forget()  # make room first: reading must keep what it finds
                self._read_all(pair, distinct_lefts, distinct_rights)
                return self._held(state, distinct_lefts, distinct_rights)
            if state.tries >= _TRIES:
                return self.along(pair, lefts, rights)
            # Too many combinations: read the pairs that occur while they repeat; when
            # they stop (a reference beside anything), rows are read in C from then on.
            keys = set(zip(lefts, rights, strict=True))
            new = self._settle(pair, keys)
            state.tries = state.tries + 1 if state.tries < 1 or new * 4 > len(keys) else 0
            memo = state.memo
            return {key: memo[key] for key in keys & state.holding}
        return self._held(state, distinct_lefts, distinct_rights)

    def generation(self, pair: FieldScanner) -> int:
        """What :meth:`settled` compares: taken once, after the first batch read."""
        return self._state(pair).generation

    def settled(self, pair: FieldScanner, generation: int | None) -> bool:
        """Would :meth:`find` find nothing in a batch of values all passed to it since
        *generation* was taken? Yes while nothing was forgotten since (every value
        passed is then in ``seen``), every combination of those is read (crossed) and
        none holds anything."""
        state = self._state(pair)
        return generation is not None and state.generation == generation \
            and state.crossed and not state.holding

    @staticmethod
    def _held(state: _Fields, lefts: set[str], rights: set[str]) -> Found:
        """The pairs of these values known to hold something (every combination of them
        has been read)."""
        if not state.holding:
            return {}
        memo = state.memo
        return {key: memo[key] for key in state.holding
                if key[0] in lefts and key[1] in rights}

    def _cross(self, pair: FieldScanner, state: _Fields, lefts: set[str],
               rights: set[str]) -> bool:
        """Has every combination of *lefts* and *rights* been read? Reads those not yet
        read while all the values seen make few enough combinations: no more than
        ``_CROSSING`` in all, nor than rows read (crossing is then worth it)."""
        if state.seen is None:
            return False  # too many values seen to cross
        seen_lefts, seen_rights = state.seen
        if state.crossed and lefts <= seen_lefts and rights <= seen_rights:
            return True
        new_lefts, new_rights = lefts - seen_lefts, rights - seen_rights
        size = (len(seen_lefts) + len(new_lefts)) * (len(seen_rights) + len(new_rights))
        if size > _CROSSING:
            state.seen, state.crossed = None, False
            state.generation += 1
            return False
        if not state.crossed and size > max(_COMBINATIONS, state.rows):
            seen_lefts |= new_lefts
            seen_rights |= new_rights
            return False
        if not state.crossed:  # read all of them: every value seen is new to crossing
            new_lefts, new_rights = new_lefts | seen_lefts, new_rights | seen_rights
            seen_lefts, seen_rights = set(), set()
        if len(state.memo) + size > _MEMO_LIMIT:  # make room first: crossing must hold
            state.forget()
            new_lefts, new_rights = set(lefts), set(rights)
            seen_lefts, seen_rights = state.seen  # type: ignore[misc]
        self._read_all(pair, new_lefts, seen_rights | new_rights)
        self._read_all(pair, seen_lefts, new_rights)
        seen_lefts |= new_lefts
        seen_rights |= new_rights
        state.seen, state.crossed = (seen_lefts, seen_rights), True
        return True

    def _read_all(self, pair: FieldScanner, lefts: Collection[str],
                  rights: Collection[str]) -> None:
        """Read every combination of *lefts* and *rights* (:meth:`across`), gating first:
        only values whose meeting words could meet (both or neither lettered) are
        combined, and one value's combinations with all the others are tried by the RE2
        gate in one pass, as :meth:`across` would try each."""
        if not lefts or not rights:
            return
        lefts, rights = list(lefts), list(rights)
        left_kinds = by_meeting_word(lefts, last_words(lefts))
        right_kinds = by_meeting_word(rights, first_words(rights))
        gate, across = pair.may_hold, self.across
        for kind in (True, False):
            these, those = left_kinds[kind], right_kinds[kind]
            if not these or not those:
                continue
            tails = [value.rstrip()[-REACH:] for value in these]
            heads = [value.lstrip()[:REACH] for value in those]
            flip = len(these) > len(those)  # fewer RE2 passes: one per value of the fewer
            for one, end in zip(*((those, heads) if flip else (these, tails)), strict=True):
                others = these if flip else those
                texts = [f"{other} {end}" for other in tails] if flip \
                    else [f"{end} {other}" for other in heads]
                if pair.holds_nothing(texts):
                    continue
                for other, text in zip(others, texts, strict=True):
                    if gate(text):
                        across(pair, *((other, one) if flip else (one, other)))

    def _settle(self, pair: FieldScanner, keys: set[tuple[str, str]]) -> int:
        """Read every pair of values in *keys* not read before; how many were new. As in
        :meth:`along`, the gate first tries their meeting texts together, in C: pairs it
        does not take (most) are remembered as holding nothing without being read."""
        state = self._state(pair)
        new = list(keys - state.memo.keys())
        if not new:
            return 0
        texts, meeting = self._gated(pair, list(map(_LEFT, new)), list(map(_RIGHT, new)))
        if len(state.memo) + len(new) > _MEMO_LIMIT:
            state.forget()  # make room first: what is read here must be kept
        if not meeting:
            state.memo.update(zip(new, repeat(_NOTHING_ACROSS)))
            return len(new)
        memo = state.memo
        for key, text in zip(new, texts, strict=True):
            if text in meeting:
                self.across(pair, *key)
            else:
                memo[key] = _NOTHING_ACROSS
        return len(new)

    @staticmethod
    def _gated(pair: FieldScanner, lefts: Sequence[str], rights: Sequence[str]
               ) -> tuple[list[str], set[str]]:
        """Each pair of values' meeting text (``""`` where no match could take a word of
        each side; no texts when none could), and the set of those the gate takes: in C,
        with one RE2 pass when it takes none."""
        words = word_pairs(lefts, rights)
        if not words:
            return [], set()
        # The gate sees what a match across the join lies inside, not the two words
        # alone: "CA 21 93 | 76 C" meets as "93 76", which no detector's gate takes.
        texts = meeting_texts(lefts, rights, words)
        if pair.holds_nothing(texts):
            return texts, set()
        gate = pair.may_hold
        return texts, {text for text in set(texts) if text and gate(text)}

    def along(self, pair: FieldScanner, lefts: Sequence[str], rights: Sequence[str]) -> Found:
        """:meth:`find` row by row, for columns of many distinct values (references,
        notes). One RE2 pass over the rows joined, or over every row's meeting words,
        settles a quiet run."""
        left_kinds, right_kinds = word_kinds(lefts), word_kinds(rights)
        if left_kinds is not None and right_kinds is not None \
                and not (left_kinds[0] and right_kinds[0]) \
                and not (left_kinds[1] and right_kinds[1]):
            return {}  # one-word values, lettered on one side only (references, months)
        if pair.holds_nothing(list(map(" ".join, zip(lefts, rights, strict=True)))):
            return {}  # the meeting words lie inside: nothing there either
        texts, meeting = self._gated(pair, lefts, rights)
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
