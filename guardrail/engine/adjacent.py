"""What a reader reads across two neighbouring values.

A person reading a published table reads a row as a line: ``HP3`` in one cell and
``9QT`` in the next is a postcode, ``Margaret`` beside ``Thompson`` is a name. The
same holds for the items of a short list of strings and for the sibling values of
one object (an XML element's children). Each value alone holds nothing a detector
recognises, so neighbours are also scanned joined by a space, and what is found
*across* the join is reported on both values, for the part of each it covers.

Only pairs are joined, and a match counts only when it takes one word from each
value (see ``_read_as_one``); wider joins read ordinary tables as prose (a count
beside a ward's name as a street address) and block them. So an identifier spread
over three values, or several words of one value joined to the next (a house
number split from ``Marlowes Road``), is not caught (see SECURITY.md). A pair whose
values already hold findings of their own is not scanned again: the record is
reported either way. Each value contributes at most ``EDGE`` characters next to the
join, so long free text costs no more than a short value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from guardrail.engine.scanning import ContentScanner, FieldScanner, Hit

__all__ = ["Neighbours", "Joined", "EDGE", "pair_label", "edges"]

EDGE = 40  # characters of each value next to the join that are read together
_MEMO_LIMIT = 50_000  # joined edges remembered per pair of fields


def pair_label(left: str, right: str) -> str:
    """How a finding across two fields names where it is."""
    return f"{left}+{right}"


class Joined(NamedTuple):
    """Two values read across their join."""

    text: str  # the left value's last EDGE characters, a space, the right's first EDGE
    boundary: int  # where the right value starts in text
    tail: int  # where text starts in the left value


def edges(left: str, right: str) -> Joined:
    """The text read across the join of *left* and *right*."""
    tail = max(len(left) - EDGE, 0)
    return Joined(f"{left[tail:]} {right[:EDGE]}", len(left) - tail + 1, tail)


def _read_as_one(left: str, right: str) -> bool:
    """Would a reader read these two parts of a match as one thing split in two?

    Each part must be one word: the halves of a postcode, a forename beside a surname.
    A match that takes several words from a value (``Dacorum 007E | Boxmoor East``,
    ``Watford | John Lewis``) is two columns read as prose. And not a number beside
    words: a count or a date beside a ward's name is not a street address.
    """
    return len(left.split()) == 1 == len(right.split()) \
        and _has_letters(left) == _has_letters(right)


def _has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


class Neighbours:
    """Scans pairs of neighbouring values with the detectors that apply to both."""

    def __init__(self, scanner: ContentScanner) -> None:
        self.scanner = scanner
        self._pairs: dict[tuple[str, str], FieldScanner | None] = {}
        self._memo: dict[str, dict[str, tuple[Hit, ...]]] = {}  # per pair of fields

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

    def across(self, pair: FieldScanner, joined: str, boundary: int) -> tuple[Hit, ...]:
        """Hits in *joined* (see :func:`edges`) that start before *boundary*'s space and
        end after it: what neither value holds alone."""
        memo = self._memo.setdefault(pair.field, {})
        found = memo.get(joined)
        if found is None:
            found = tuple(hit for hit in pair.scan_uncached(joined)
                          if hit.start < boundary - 1 and hit.end > boundary
                          and _read_as_one(joined[hit.start:boundary - 1],
                                           joined[boundary:hit.end]))
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[joined] = found
        return found
