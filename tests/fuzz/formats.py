"""Every format guardrail reads, as a writer of generated exports: the one list to extend
when a format plugin is added (a test fails if a registered format has no writer)."""

from __future__ import annotations

from . import documents, markup, tables
from .writers import NotRepresentable, Writer

__all__ = ["WRITERS", "writer", "NotRepresentable", "Writer"]

WRITERS: dict[str, Writer] = {w.name: w for w in
                              (*tables.WRITERS, *documents.WRITERS, *markup.WRITERS)}


def writer(name: str) -> Writer:
    return WRITERS[name]
