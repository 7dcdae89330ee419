"""The values a column of a table has held, as one RE2 automaton, so that a batch made
only of values seen before is recognised by one pass over its cells joined.

Columns that sit side by side in exports mostly repeat a few values (months, wards,
area codes). Once those are known to hold nothing, a batch of them needs neither the
detectors' gate nor, for the neighbouring columns read together (``adjacent.py``), a
hash of every cell to find values not seen before: a full match of the batch, joined
by newlines, against the known values says both, in C, at the speed of the gate pass
it replaces. A column whose values keep changing (references, notes) gives up its
vocabulary after a few batches and is counted as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import re2

__all__ = ["ColumnVocabulary"]

_MAX_VALUES = 4_096  # values a vocabulary holds, at most (its automaton stays small)
_MAX_VALUE_LENGTH = 64  # longer values (free text) are not vocabulary
_MAX_LEARNING = 16  # batches bringing new values, after which the column is let go
_MAX_MEMORY = 32 << 20  # bytes RE2 may use for one vocabulary's automaton


class ColumnVocabulary:
    """The values one column has held, all known to hold nothing (see module doc)."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.active = True  # False once the column is let go
        self._learning = 0
        # The compiled set's own Match (without the wrapper's per-call checks), compiled
        # when first needed after a change.
        self._match: Callable[[bytes], list[int]] | None = None

    def covers(self, joined: bytes) -> bool:
        """True when *joined* (cells joined by newlines, as UTF-8; no cell holds a
        newline) is made only of known values."""
        if not self.active or not self.values:
            return False
        match = self._match
        if match is None:
            match = self._match = self._compile()
            if match is None:
                return False
        return bool(match(joined))

    def learn(self, cells: Collection[str]) -> None:
        """Add the values of a batch whose every cell holds nothing."""
        if not self.active:
            return
        new = set(cells)
        new -= self.values
        if not new:
            return
        self._learning += 1
        if self._learning > _MAX_LEARNING or len(self.values) + len(new) > _MAX_VALUES \
                or any(len(value) > _MAX_VALUE_LENGTH for value in new):
            self.let_go()
            return
        self.values |= new
        self._match = None

    def let_go(self) -> None:
        """Stop keeping values: the column changes too much to be worth it."""
        self.active = False
        self.values = set()
        self._match = None

    def _compile(self) -> Callable[[bytes], list[int]] | None:
        options = re2.Options()
        options.log_errors = False
        options.never_capture = True
        options.max_mem = _MAX_MEMORY
        # Longest first: RE2 needs no order, but a reader of a pattern does.
        words = "|".join(map(re2.escape, sorted(self.values, key=lambda v: (-len(v), v))))
        try:
            automaton = re2.Set.FullMatchSet(options)
            automaton.Add(f"(?:{words})(?:\n(?:{words}))*")
            automaton.Compile()
        except Exception:  # too large for RE2's memory: count as before
            self.let_go()
            return None
        inner = getattr(automaton, "_set", None)
        return getattr(inner, "Match", None) or automaton.Match  # type: ignore[no-any-return]
