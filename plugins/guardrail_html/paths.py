"""CSS-like paths to elements, built lazily: ``body > main > p:nth-of-type(3)``.

A position must be something a person can find again, so it is a selector they can
paste into the browser's inspector. Ids and classes come from the page, and positions
are printed in reports, so only tokens that look like code are shown (``cases``,
``govuk-table``: a lower-case letter first, no run of 4 digits); anything else (``Jane``,
``case-07700900123``, spaces, ``@``) falls back to ``:nth-of-type``. Id values are also
checked as text records, so one that holds personal data blocks the page anyway.
"""

from __future__ import annotations

import re

__all__ = ["ElementPath", "segment", "safe_token"]

_TOKEN = re.compile(r"[a-z][A-Za-z0-9_-]{0,39}")
_DIGIT_RUN = re.compile(r"\d{4}")
_MAX_SHOWN = 12  # segments shown before a deep path is shortened


def safe_token(value: str | None) -> bool:
    """An id or class safe to print: code-like, short, no number that could be a phone."""
    return value is not None and _TOKEN.fullmatch(value) is not None \
        and _DIGIT_RUN.search(value) is None


def segment(tag: str, element_id: str | None, classes: str | None, nth: int,
            repeated: bool) -> tuple[str, bool]:
    """One step of a path and whether it is an anchor (an id: the path starts there)."""
    if element_id is not None and safe_token(element_id):
        return f"{tag}#{element_id}", True
    text = tag
    if classes:
        first = classes.split(None, 1)[0] if classes.strip() else ""
        if safe_token(first):
            text += "." + first
    if repeated:
        text += f":nth-of-type({nth})"
    return text, False


class ElementPath:
    """Where an element is; turned into text only when a finding needs it."""

    __slots__ = ("parent", "step", "anchor", "_text")

    def __init__(self, parent: ElementPath | None, step: str, anchor: bool = False) -> None:
        self.parent = parent
        self.step = step
        self.anchor = anchor
        self._text: str | None = None

    def child(self, step: str, anchor: bool = False) -> ElementPath:
        return ElementPath(self, step, anchor)

    def __str__(self) -> str:
        if self._text is None:
            steps: list[str] = []
            node: ElementPath | None = self
            while node is not None:
                steps.append(node.step)
                if node.anchor:
                    break
                node = node.parent
            steps.reverse()
            if len(steps) > _MAX_SHOWN:
                steps = [*steps[:3], f"... ({len(steps) - 6} more)", *steps[-3:]]
            self._text = " > ".join(steps)
        return self._text
