"""What one column of a batch of rows holds, by value signature, with Python work
only per new value.

A value's *signature* is the (rule, level) of each hit in it: all that counting
needs. Each column remembers the signature of the values it has seen, so a batch
costs two C-level passes (look up, count) plus Python work per new value and per
distinct signature, not per cell. Values that no detector's RE2 gate can match
when joined (references, codes, months) are settled in C and not remembered.

The same code runs in the main process and in a scanning worker (see
``worker.py``): the result, a :class:`ColumnCount`, is small and picklable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import compress, islice, repeat
from operator import is_
from typing import TYPE_CHECKING, Any, cast

from guardrail.engine.scanning import Signature, as_text, joined_lines, signature_of
from guardrail.engine.vocabulary import ColumnVocabulary

if TYPE_CHECKING:
    from guardrail.engine.scanning import FieldScanner, Hit

__all__ = ["ColumnCount", "ColumnCounter"]

_KNOWN_LIMIT = 100_000  # values whose signature a column remembers (~20 MB of notes)
_KNOWN_MAX_LENGTH = 256  # longer values (free text) rarely repeat: not remembered
_NOTHING: dict[Any, Signature] = {"": (), None: ()}  # empty cells hold nothing


@dataclass(slots=True)
class ColumnCount:
    """Cells per signature in one column of a batch (cells holding nothing left out).

    ``signatures`` (each cell's, in order) says which cells to list one by one (some
    signature has a rule the caller asked about) and which hold nothing (their
    neighbours are read with them, see ``adjacent.py``).
    """

    counts: dict[Signature, int]
    signatures: list[Signature]


class ColumnCounter:
    """Counts one scanned column batch after batch, remembering what each value holds."""

    def __init__(self, scanner: FieldScanner, plain: bool, vocabulary: bool = False) -> None:
        self.scanner = scanner
        self.plain = plain  # every cell is text (CSV): whole columns can be gated at once
        self.known: dict[Any, Signature] = dict(_NOTHING)
        self.quiet = True  # the last batch's new values could hold nothing
        self.hits: dict[str, tuple[Hit, ...]] = {}  # of values scanned for the last batch
        # The values of the quiet batches so far (``vocabulary.py``), kept for a column
        # whose neighbours are read with it; covered: the last batch held only those.
        self.vocabulary = ColumnVocabulary() if vocabulary and plain else None
        self.covered = False

    def count_joined(self, joined: str, separator: str) -> ColumnCount | None:
        """:meth:`count` for a column of text cells joined by *separator* (how columns
        reach the worker): a quiet column is settled without splitting it."""
        self.hits = {}
        if self.plain and self.quiet and self.scanner.joined_holds_nothing(joined):
            return None
        return self._count(joined.split(separator))

    def count(self, cells: tuple[Any, ...] | list[Any]) -> ColumnCount | None:
        """None when no cell holds anything; else the count per signature, with each
        cell's signature."""
        self.hits = {}
        self.covered = False
        vocabulary = self.vocabulary
        if vocabulary is not None and not vocabulary.active:
            vocabulary = None
        if self.plain and self.quiet:
            # A quiet column tried whole: two C passes in all.
            data = joined_lines(cells)  # None: a cell holds a line break
            if data is None:
                if vocabulary is not None:
                    vocabulary.let_go()
            elif vocabulary is not None and vocabulary.covers(data):
                self.covered = True
                return None  # only values seen in quiet batches before
            elif self.scanner.encoded_holds_nothing(data):
                if vocabulary is not None:
                    self.covered = vocabulary.learn(cells, len(data))
                return None
        return self._count(cells)

    def _count(self, cells: tuple[Any, ...] | list[Any]) -> ColumnCount | None:
        """:meth:`count` once the column, tried whole, may hold something."""
        scanner = self.scanner
        known = self.known
        if len(known) > _KNOWN_LIMIT:
            _forget_oldest_half(known)
        signatures = list(map(known.get, cells))
        if None not in signatures:
            # Every value was counted in an earlier batch of this column (covered, as
            # for a vocabulary: see count).
            self.covered = self.vocabulary is not None
        else:
            missing = set(compress(cells, map(is_, signatures, repeat(None))))
            self.quiet = self.plain and scanner.holds_nothing(missing)
            # Values that hold nothing and may never repeat are not remembered.
            learned = dict.fromkeys(missing, ()) if self.quiet else self._learn(missing)
            signatures = list(map(learned.get, cells, signatures))
        found = cast("list[Signature]", signatures)  # every None was filled in above
        counts = Counter(found)
        del counts[()]
        if not counts:
            return None
        return ColumnCount(dict(counts), found)

    def _learn(self, values: set[Any]) -> dict[Any, Signature]:
        """Signatures of values the column does not know (for text, ``count`` found
        that they may hold something): from the field's cache, else scanned. Hits found
        here are kept in ``self.hits`` (for listing), not in the field's cache: ``known``
        already remembers the values."""
        known = self.known
        cache = self.scanner.cache
        scan = self.scanner.scan_uncached
        found = self.hits
        learned: dict[Any, Signature] = {}
        for value in values:
            text = value if value.__class__ is str else as_text(value) if value else None
            if text is None:
                learned[value] = known[value] = ()
                continue
            hits = cache.get(text) if cache else None
            if hits is None:
                hits = scan(text)
                if hits:
                    found[text] = hits
            signature = learned[value] = signature_of(hits)
            if len(text) <= _KNOWN_MAX_LENGTH:
                known[value] = signature
        return learned


def _forget_oldest_half(known: dict[Any, Signature]) -> None:
    """Make room: drop the values learned longest ago (dicts keep insertion order)."""
    for value in list(islice(known, len(known) // 2)):
        del known[value]
    known.update(_NOTHING)
