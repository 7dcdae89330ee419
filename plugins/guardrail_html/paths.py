"""CSS-like paths to elements, built lazily: ``body > main > p:nth-of-type(3)``.

A position must be something a person can find again, so it is a selector they can
paste into the browser's inspector. Positions are printed in reports, so they are made
of structure only: tag names and ``:nth-of-type``, never an id or a class, which come
from the page and can be anything (``div#jane-smith``). An element whose name no
vocabulary knows (``<jane.smith@example.com>``) is ``:nth-child(n)``: its name is the
page's content, read as text (:mod:`.vocabulary`), not printed.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from .vocabulary import known_element

__all__ = ["ElementPath", "segment", "numbered"]

_MAX_SHOWN = 12  # segments shown before a deep path is shortened


def segment(tag: str, nth: int, repeated: bool) -> str:
    """One step of a path; for an unknown element *nth* counts all element siblings."""
    if not known_element(tag):
        return f":nth-child({nth})"
    return f"{tag}:nth-of-type({nth})" if repeated else tag


def numbered(parent: LexborNode) -> list[tuple[LexborNode, int, bool]]:
    """*parent*'s child nodes, each with its :nth-of-type and whether its tag repeats.

    An element no vocabulary knows gets its place among all element siblings
    (``:nth-child``); a processing instruction (no tag) is counted with the comments.
    """
    children = []
    child = parent.child
    while child is not None:
        children.append(child)
        child = child.next
    tags = [child.tag or "-comment" for child in children]
    counts: dict[str, int] = {}
    for tag in tags:
        counts[tag] = counts.get(tag, 0) + 1
    seen: dict[str, int] = {}
    elements = 0
    out = []
    for child, tag in zip(children, tags, strict=True):
        if tag[0] != "-":
            elements += 1
            if not known_element(tag):
                out.append((child, elements, True))
                continue
        nth = seen[tag] = seen.get(tag, 0) + 1
        out.append((child, nth, counts[tag] > 1))
    return out


class ElementPath:
    """Where an element is; turned into text only when a finding needs it."""

    __slots__ = ("parent", "step", "_text")

    def __init__(self, parent: ElementPath | None, step: str) -> None:
        self.parent = parent
        self.step = step
        self._text: str | None = None

    def child(self, step: str) -> ElementPath:
        return ElementPath(self, step)

    def __str__(self) -> str:
        if self._text is None:
            steps: list[str] = []
            node: ElementPath | None = self
            while node is not None:
                steps.append(node.step)
                node = node.parent
            steps.reverse()
            if len(steps) > _MAX_SHOWN:
                steps = [*steps[:3], f"... ({len(steps) - 6} more)", *steps[-3:]]
            self._text = " > ".join(steps)
        return self._text
