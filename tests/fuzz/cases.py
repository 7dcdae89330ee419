"""Generated inputs: a clean export in one format with one identifier planted and mutated.

:func:`bases` draws the export, the format, the identifier and where it goes;
:meth:`Base.mutated` writes it with a mutation. Hypothesis shrinks a failing case to
the fewest records, the first format, the simplest identifier and place.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from hypothesis import strategies as st

from .exports import (
    CONTEXTS,
    PUBLIC_SLOTS,
    Export,
    Parts,
    Rendering,
    Slot,
    Text,
    clean_export,
)
from .formats import WRITERS, NotRepresentable
from .identifiers import KINDS, Identifier
from .mutations import MUTATIONS, Mutation, render

__all__ = ["Base", "Planted", "bases", "applicable"]

SPLIT_SLOTS = ("category", "ward", "lsoa_name")  # followed by another public text column


_MOVING = frozenset({"split_cells", "split_array", "xml_children"})


@dataclass(frozen=True)
class Base:
    """A clean export in a format, and the identifier to plant at a place in it."""

    format: str
    export: Export
    identifier: Identifier
    record: int | None  # None: a line of prose
    field: str
    line: int
    context: str

    def slot(self, rendering: Rendering) -> Slot:
        """The slot for *rendering*: a value cut into parts goes bare, without context,
        and across cells it starts in a column followed by another public one."""
        split = isinstance(rendering, Parts)
        prefix, _, suffix = ("{}" if split else self.context).partition("{}")
        field = self.field
        if split and rendering.how == "cells" and field not in SPLIT_SLOTS:
            field = SPLIT_SLOTS[PUBLIC_SLOTS.index(field) % len(SPLIT_SLOTS)]
        return Slot(rendering, self.record, field, self.line, prefix, suffix)

    def moves(self, mutation: Mutation) -> bool:
        """Does *mutation* put the identifier, or part of it, in another field than its
        own? A value cut across cells starts in a column and ends in the next; one cut
        into list items or child elements is under paths of its own."""
        return mutation.name in _MOVING and self.record is not None

    def recontexts(self, mutation: Mutation) -> bool:
        """Does *mutation* change what surrounds the identifier? A value cut in parts
        goes bare, without its sentence; one in a URL sits in the URL. A detector's
        confidence depends on that (a cue word beside a number), so under a raised
        confidence threshold the verdict may rightly change."""
        return mutation.name in _MOVING or mutation.name == "percent_url"

    def clean(self) -> bytes:
        return WRITERS[self.format].write(self.export)

    def plain(self) -> bytes:
        """The identifier as written, in place: what must block before any mutation."""
        return WRITERS[self.format].write(self.export.with_slot(
            self.slot(Text(self.identifier.value))))

    def mutated(self, mutation: Mutation, rng: random.Random) -> Planted:
        """The export with the identifier written by *mutation* (NotRepresentable when the
        format cannot hold it)."""
        rendering = render(mutation, self.identifier, self.format, rng)
        export = self.export.with_slot(self.slot(rendering))
        return Planted(self, mutation.name, export, WRITERS[self.format].write(export))

    def masked(self) -> dict[str, object]:
        """The base described without the value: safe to print and to commit."""
        where = f"record {self.record} field {self.field}" if self.record is not None \
            else f"prose line {self.line}"
        return {"format": self.format, "identifier": self.identifier.masked(),
                "rule": self.identifier.rule, "where": where,
                "context": self.context.replace("{}", "<identifier>"),
                "records": len(self.export.records)}


@dataclass(frozen=True)
class Planted:
    """A base written with one mutation of its identifier."""

    base: Base
    mutation: str
    export: Export
    payload: bytes

    def reordered(self, order: list[int]) -> bytes:
        return WRITERS[self.base.format].write(self.export.reordered(order))


@st.composite
def bases(draw: st.DrawFn, formats: tuple[str, ...] = tuple(WRITERS),
          kinds: tuple[str, ...] = tuple(KINDS), records: tuple[int, int] = (1, 8),
          mutation: Mutation | None = None) -> Base:
    """A clean export in one of *formats* with an identifier of one of *kinds* to plant
    (one *mutation* can write, when given)."""
    if mutation is not None:
        formats = tuple(f for f in formats if f in mutation.formats)
    format_name = draw(st.sampled_from(formats))
    identifier = draw(st.one_of(*(KINDS[k]() for k in kinds)).filter(
        lambda i: mutation is None or mutation.applies(i, format_name)))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    writer = WRITERS[format_name]
    export = clean_export(rng, draw(st.integers(*records)),
                          draw(st.integers(0, 3)) if writer.prose else 0)
    in_prose = writer.prose and (mutation is None or mutation.name != "split_cells") \
        and draw(st.booleans())
    return Base(
        format_name, export, identifier,
        None if in_prose else draw(st.integers(0, len(export.records) - 1)),
        draw(st.sampled_from(PUBLIC_SLOTS)), draw(st.integers(0, 3)),
        draw(st.sampled_from(CONTEXTS[identifier.kind])))


def applicable(base: Base) -> list[Mutation]:
    """The mutations that can write this base's identifier in its format."""
    return [m for m in MUTATIONS.values() if m.applies(base.identifier, base.format)
            and not (m.name == "split_cells" and base.record is None)]


def plantings(base: Base, rng: random.Random | None = None,
              skipped: Counter[str] | None = None) -> Iterator[tuple[Mutation, Planted]]:
    """The base written with each mutation that applies to it, in turn.

    :param rng: the mutations' choices; None: each starts from the same seed (0).
    :param skipped: counts the mutations the format cannot write, if given.
    """
    for mutation in applicable(base):
        try:
            planted = base.mutated(mutation, rng if rng is not None else random.Random(0))
        except NotRepresentable:
            if skipped is not None:
                skipped[f"{mutation.name} not representable in {base.format}"] += 1
            continue
        yield mutation, planted
