"""Which elements are the records: chosen from the first megabyte of the document.

Exports repeat one element per record, either directly under the root
(``<cases><case/><case/></cases>``) or under one wrapper element next to headers
(``<export><header/><cases><case/>...</cases></export>``). The choice is made once,
from a partial parse of the head, so the rest of the document streams; it only
decides what is indexed as a record, never whether something is checked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .convert import local

__all__ = ["Layout", "choose_layout", "SNIFF_BYTES"]

SNIFF_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Layout:
    """Where the records are.

    :param wrapper: Clark name of the element under the root that holds the
        records; None when the root holds them.
    :param tag: Clark name of the record elements; None for every child element
        of the root (nothing repeats).
    """

    wrapper: str | None = None
    tag: str | None = None

    @property
    def depth(self) -> int:
        """Depth of a record element, the root being 1."""
        return 3 if self.wrapper else 2

    def section(self, root_tag: str) -> str:
        """The records' section name, an XPath a person can search for: ``/export/cases/case``."""
        parts = [root_tag, self.wrapper, self.tag or "*"]
        return "".join(f"/{local(p)}" for p in parts if p is not None)


def choose_layout(root: Any) -> Layout:
    """The most repeated child element of the root or of a wrapper (ties go to the root).

    A wrapper is a child of the root whose tag is unique there, so a record that
    merely has repeated children (``<case><phone/><phone/></case>``, repeated
    itself) is never mistaken for one.
    """
    if root is None:
        return Layout()
    children = [c for c in root if isinstance(c.tag, str)]
    counts = Counter(c.tag for c in children)
    tag, best = counts.most_common(1)[0] if counts else (None, 0)
    layout = Layout(None, tag) if best >= 2 else Layout()
    for child in children:
        if counts[child.tag] != 1:
            continue
        inner = Counter(g.tag for g in child if isinstance(g.tag, str))
        if inner:
            inner_tag, inner_best = inner.most_common(1)[0]
            if inner_best >= 2 and inner_best > best:
                layout, best = Layout(child.tag, inner_tag), inner_best
    return layout
