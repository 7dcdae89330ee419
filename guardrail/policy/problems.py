"""The collector of policy problems shared by the loader and the ``detectors:`` section.

Both report through one :class:`Problems`, so every mistake in every file of an
``extends`` chain comes back in one :class:`~guardrail.errors.PolicyError`,
each at the file, line and column of the piece that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import PolicyProblem
from .marked_yaml import MarkedDocument, dotted_path

__all__ = ["Item", "Problems"]


@dataclass
class Item:
    """A piece of a policy together with the document and path it came from."""

    value: Any
    doc: MarkedDocument
    path: tuple[Any, ...]

    def origin(self) -> str:
        """``file:line`` of the piece, as findings name the rule that made them."""
        return f"{self.doc.file}:{self.doc.position(self.path)[0]}"


class Problems:
    """Collects problems, positioned at the piece they are about."""

    def __init__(self) -> None:
        self.found: list[PolicyProblem] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, item: Item, message: str, *sub: Any) -> None:
        """A problem at *item*, or at the part of it that *sub* leads to."""
        self.add_at(item.doc, item.path + sub, message)

    def add_at(self, doc: MarkedDocument, path: tuple[Any, ...], message: str) -> None:
        line, col = doc.position(path)
        self.found.append(PolicyProblem(doc.file, line, col, dotted_path(path), message))
