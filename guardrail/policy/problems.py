"""The collector of policy problems shared by the loader and the ``detectors:`` section.

Both report through one :class:`Problems`, so every mistake in every file of an
``extends`` chain comes back in one :class:`~guardrail.errors.PolicyError`,
each at the file, line and column of the piece that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import PolicyProblem
from .marked_yaml import MarkedDocument, dotted_path
from .schema import did_you_mean

__all__ = ["Item", "Problems"]

_HINT_COMPARISONS = 20_000  # about 0.1 s of difflib; a typo among 200 names costs 200


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
    """Collects problems, positioned at the piece they are about.

    It also remembers which values the schema found broken, so a later check can
    skip them instead of reporting a cascade (an unknown level inside a list that
    should have been a string, an empty 'when' that is also invalid JMESPath).
    """

    def __init__(self) -> None:
        self.found: list[PolicyProblem] = []
        self._broken: dict[str, set[tuple[Any, ...]]] = {}
        # Every prefix of every broken path, so intact() is one look-up, not a scan.
        self._around: dict[str, set[tuple[Any, ...]]] = {}
        self._hints_left = _HINT_COMPARISONS

    def __bool__(self) -> bool:
        return bool(self.found)

    def extend(self, problems: Iterable[PolicyProblem]) -> None:
        self.found.extend(problems)

    def mark_broken(self, doc: MarkedDocument, paths: Iterable[tuple[Any, ...]]) -> None:
        """Record values of *doc* that already have a problem and must not be checked again."""
        paths = list(paths)
        self._broken.setdefault(doc.file, set()).update(paths)
        around = self._around.setdefault(doc.file, set())
        for path in paths:
            around.update(path[:end] for end in range(len(path) + 1))

    def usable(self, item: Item, *sub: Any, key: bool = False) -> bool:
        """Whether the value at *sub* in *item*, and every piece around it, has no problem yet.

        With *key*, the value at the end of *sub* may be broken: the check is of its key.
        """
        broken = self._broken.get(item.doc.file, ())
        path = item.path + sub
        stop = len(path) if key else len(path) + 1
        return not any(path[:end] in broken for end in range(stop))

    def intact(self, item: Item) -> bool:
        """Whether *item* is usable and nothing inside it has a problem either."""
        return self.usable(item) and item.path not in self._around.get(item.doc.file, ())

    def hint(self, word: Any, choices: Iterable[str]) -> str:
        """:func:`~.schema.did_you_mean`, while the budget of comparisons lasts.

        difflib compares the word with every choice; hundreds of unknown names among
        thousands of defined ones would take seconds, so past the budget the message
        goes without its hint.
        """
        choices = list(choices)
        self._hints_left -= len(choices)
        return did_you_mean(word, choices) if self._hints_left >= 0 else ""

    def sorted(self) -> list[PolicyProblem]:
        """The problems in file, line and column order (stable for ties), each once.

        A file reached twice (two children naming the same broken parent) would
        otherwise report its problems twice.
        """
        unique = dict.fromkeys(self.found)
        return sorted(unique, key=lambda p: (p.file, p.line, p.column))

    def add(self, item: Item, message: str, *sub: Any, kind: str) -> None:
        """A problem of *kind* at *item*, or at the part of it that *sub* leads to."""
        self.add_at(item.doc, item.path + sub, message, kind=kind)

    def add_at(self, doc: MarkedDocument, path: tuple[Any, ...], message: str, *,
               kind: str) -> None:
        line, col = doc.position(path)
        self.found.append(PolicyProblem(doc.file, line, col, dotted_path(path), message, kind))
