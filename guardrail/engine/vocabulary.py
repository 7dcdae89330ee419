"""The values a column of a table has held, as one RE2 automaton, so that a batch made
only of values seen before is recognised by one pass over its cells joined.

Columns that sit side by side in exports mostly repeat a few values (months, wards,
area codes). Once those are known to hold nothing, a batch of them needs neither the
detectors' gate nor, for the neighbouring columns read together (``adjacent.py``), a
hash of every cell to find values not seen before: a full match of the batch, joined
by newlines, against the known values says both, in C, in about the time of the gate
pass it replaces.

While a column still brings new values, its batches are hashed (as they would be
without a vocabulary); the automaton is built once a batch brings none. A column that
keeps changing (references, notes), or whose automaton turns out slower than hashing
(many long, unlike values), gives its vocabulary up and is counted as before: the
vocabulary only ever changes how fast a batch is settled, never what is found.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Collection

import re2

__all__ = ["ColumnVocabulary"]

_MAX_VALUES = 4_096  # values a vocabulary holds, at most (its automaton stays small)
_MAX_VALUE_LENGTH = 64  # longer values (free text) are not vocabulary
_MAX_LEARNING = 16  # batches bringing new values, after which the column is let go
_MAX_MEMORY = 32 << 20  # bytes RE2 may use for one vocabulary's automaton
# An automaton whose match is this many times slower than hashing the same column
# (both timed here, so that the machine's speed does not decide) is let go: measured,
# the automaton of area codes, wards or months runs at 0.5-1x hashing's time, that of
# a thousand random codes at over 8x.
_SLOWER = 3.0
_WARM_UP = 8  # matches before the automaton's cost is judged


class ColumnVocabulary:
    """The values one column has held, all known to hold nothing (see module doc)."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.active = True  # False once the column is let go
        self._learning = 0  # batches that brought new values
        self._stable = False  # the last batch learned from brought none
        # The compiled set's own Match (without the wrapper's per-call checks).
        self._match: Callable[[bytes], list[int]] | None = None
        self._matches = 0  # since it was built
        # What its last matches cost, in ns per byte, once warmed up.
        self._recent: deque[float] = deque(maxlen=_WARM_UP)
        self._hashing = float("inf")  # the fastest hashing of a batch, in ns per byte

    def covers(self, joined: bytes) -> bool:
        """True when *joined* (cells joined by newlines, as UTF-8; no cell holds a
        newline) is made only of known values. False while the column is still
        learning: :meth:`learn` then says it."""
        if not self.active or not self._stable:
            return False
        match = self._match
        if match is None:
            match = self._match = self._compile()
            if match is None:
                return False
        # Every match is timed (a clock read costs far less than a match): the
        # automaton builds its states as it goes, so its cost is judged on the recent
        # matches once it has warmed up, against hashing the same column.
        start = time.perf_counter_ns()
        covered = bool(match(joined))
        cost = (time.perf_counter_ns() - start) / (len(joined) + 4_096)
        self._matches += 1
        if self._matches <= _WARM_UP:
            return covered
        recent = self._recent
        recent.append(cost)  # the fastest of the last few: a pause of the machine is not
        if len(recent) == recent.maxlen and min(recent) > _SLOWER * self._hashing:
            self.let_go()  # slower than hashing: this batch's answer stands, not the next
        return covered

    def learn(self, cells: Collection[str], size: int | None = None) -> bool:
        """Add the values of a batch whose every cell holds nothing (*size*: the bytes
        of the cells joined, if known); whether all of them were known already (the
        batch is covered, as :meth:`covers` would say)."""
        if not self.active:
            return False
        if size is None:
            size = sum(map(len, cells)) + len(cells)
        start = time.perf_counter_ns()
        new = set(cells)
        self._hashing = min(self._hashing,
                            (time.perf_counter_ns() - start) / (size + 4_096))
        new -= self.values
        if not new:
            self._stable = True
            return True
        self._learning += 1
        if self._learning > _MAX_LEARNING or len(self.values) + len(new) > _MAX_VALUES \
                or (self.values and len(new) * 2 > len(cells)) \
                or any(len(value) > _MAX_VALUE_LENGTH for value in new):
            self.let_go()  # changes too often, too much, or holds text
            return False
        self.values |= new
        self._stable, self._match, self._matches = False, None, 0
        self._recent.clear()
        return False

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
        try:
            words = "|".join(map(re2.escape, sorted(self.values)))
            automaton = re2.Set.FullMatchSet(options)
            automaton.Add(f"(?:{words})(?:\n(?:{words}))*")
            automaton.Compile()
        except Exception:  # too large for RE2's memory: count as before
            self.let_go()
            return None
        inner = getattr(automaton, "_set", None)
        return getattr(inner, "Match", None) or automaton.Match  # type: ignore[no-any-return]
