"""Untrusted bytes to YAML nodes, safely and within the policy limits.

PyYAML's composer recurses once per level of nesting and follows aliases without
counting, so ``[[[[...`` crashes it and nine aliases of nine aliases take gigabytes
before anything can be checked. This composer counts as it reads: the nesting depth,
the nodes, and for an alias every node it stands for; it stops at the first limit
passed, at that line and column, before the document is built. Events come from
libyaml when PyYAML has it (the pure-Python scanner is quadratic on deep flow
nesting), else from PyYAML's own parser. Only the safe constructor builds values.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from ..errors import PolicyError, PolicyProblem
from .limits import MAX_YAML_DEPTH, MAX_YAML_NODES, PolicyLimitError

__all__ = ["decode_policy", "policy_loader", "fast_parser"]

try:
    from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined]
except ImportError:  # PyYAML built without libyaml: slower, still bounded
    _CParser = None

# What YAML allows in a stream (PyYAML's Reader.NON_PRINTABLE, as a complement).
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                       "\U00010000-\U0010ffff]")
_WRONG_FILE = "a policy is a YAML text file; is this the right file?"


def decode_policy(data: bytes, file: str) -> str:
    """The text of a policy file: UTF-8 (a BOM is allowed) with no control characters.

    Raises :class:`PolicyError` at the line and column of the first byte that is not
    UTF-8 or the first character YAML does not allow: a binary file or random bytes
    are refused here, before a parser sees them.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(data[:exc.start].decode("utf-8-sig"))
        raise PolicyError([PolicyProblem(
            file, line, column, "", f"the policy is not UTF-8 text (byte 0x{data[exc.start]:02X} "
            f"at offset {exc.start}); save it as UTF-8 ({_WRONG_FILE})", "unreadable"
        )]) from None
    found = _NOT_YAML.search(text)
    if found:
        line, column = _position(text[:found.start()])
        raise PolicyError([PolicyProblem(
            file, line, column, "", f"the policy contains the control character "
            f"U+{ord(found.group()):04X}, which YAML does not allow; {_WRONG_FILE}",
            "unreadable")])
    return text


def _position(before: str) -> tuple[int, int]:
    """1-based line and column of the character after *before*."""
    return before.count("\n") + 1, len(before) - before.rfind("\n")


class _Constructor(SafeConstructor):
    """The safe constructor; a scalar it cannot build is a positioned error, not a crash."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except ValueError as exc:  # e.g. ``!!int abc``
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
            raise ConstructorError(
                None, None, f"cannot read {shown!r} as {node.tag}: {exc}", node.start_mark
            ) from None

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value: float = super().construct_yaml_float(node)
        if value != value:
            # NaN passes every minimum and maximum and fails every comparison: as a
            # min_confidence it would silently drop every detector's findings.
            raise ConstructorError(None, None, f"{node.value} is not a number; write a "
                                   "number", node.start_mark)
        return value


def _timestamp_as_written(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    # A date stays the text the author wrote: 2026-06-30 is already the ISO form the
    # schema expects, an impossible 2026-13-01 is reported in place, and a time such as
    # 2026-06-30 10:00:00 is not silently rewritten to 2026-06-30T10:00:00.
    return loader.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_written)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)


_DEPTH_MESSAGE = (f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep here; a policy "
                  "needs about 6, so write it flatter")


def _too_deep(text: str) -> tuple[int, int]:
    """(line, column) of the first flow bracket past :data:`MAX_YAML_DEPTH` levels,
    counted plainly (quotes and comments aside): where a parser that gave up further on
    should have stopped."""
    depth, line, start = 0, 1, 0
    for index, char in enumerate(text):
        if char in "[{":
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return line, index - start + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "\n":
            line, start = line + 1, index + 1
    return 1, 1


class _BoundedComposer(Composer):
    """PyYAML's composer, counting depth and nodes (aliases expanded) as it goes.

    :param nodes: how many nodes this document may have, aliases counted as the
        nodes they stand for (what is left of :data:`MAX_YAML_NODES` for the chain).
    """

    def __init__(self, file: str, nodes: int) -> None:
        super().__init__()
        self.file = file
        self.budget = nodes
        self.nodes = 0  # composed so far, aliases expanded
        self._depth = 0
        self._open: set[str] = set()  # anchors of the nodes being composed
        self._cost: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, height)
        self._frames: list[list[int]] = [[0, 0]]  # per open node: nodes, height of children

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            return self._alias(event, parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            self._refuse(event, _DEPTH_MESSAGE)
        self._count(1, event, alias=False)
        anchor = event.anchor
        if anchor is not None:
            self._open.add(anchor)
        self._frames.append([1, 0])
        node = super().compose_node(parent, index)
        size, height = self._frames.pop()
        if anchor is not None:
            self._open.discard(anchor)
            self._cost[anchor] = (size, height + 1)
        self._add(size, height + 1)
        self._depth -= 1
        return node

    def _alias(self, event: Any, parent: Any, index: Any) -> Any:
        if event.anchor in self._open:
            self._refuse(event, f"the alias *{event.anchor} is inside the node it names, "
                         "so the policy would contain itself; write the value out instead")
        node = super().compose_node(parent, index)  # an undefined alias is a YAML error
        size, height = self._cost[event.anchor]
        self._count(size, event, alias=True)
        if self._depth + height > MAX_YAML_DEPTH:
            self._refuse(event, f"the alias *{event.anchor} nests the YAML more than "
                         f"{MAX_YAML_DEPTH} levels deep; write the value out instead")
        self._add(size, height)
        return node

    def _add(self, size: int, height: int) -> None:
        frame = self._frames[-1]
        frame[0] += size
        frame[1] = max(frame[1], height)

    def _count(self, size: int, event: Any, *, alias: bool) -> None:
        self.nodes += size
        if self.nodes <= self.budget:
            return
        if alias:
            self._refuse(event, f"aliases expand the policy to more than {MAX_YAML_NODES:,} "
                         "YAML values (an alias counts as everything it names); write the "
                         "values out instead of nesting aliases")
        self._refuse(event, f"the policy has more than {MAX_YAML_NODES:,} YAML values (keys, "
                     "values and lists, with the files it extends); a policy holds rules, "
                     "not data: keep long lists out of it")

    def _refuse(self, event: Any, message: str) -> NoReturn:
        mark = event.start_mark
        raise PolicyLimitError(self.file, mark.line + 1, mark.column + 1, message)


class _PyLoader(Reader, Scanner, Parser, _BoundedComposer, _Constructor, Resolver):
    """PyYAML's own parser: clearer syntax messages, slower."""

    def __init__(self, text: str, file: str, nodes: int) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _BoundedComposer.__init__(self, file, nodes)
        _Constructor.__init__(self)
        Resolver.__init__(self)


if _CParser is not None:
    class _CLoader(_BoundedComposer, _CParser, _Constructor, Resolver):  # type: ignore[misc,valid-type]
        """libyaml's parser under the bounded composer (which comes first in the MRO,
        so the C parser's own unbounded composer is never used)."""

        def __init__(self, text: str, file: str, nodes: int) -> None:
            _CParser.__init__(self, text)
            _BoundedComposer.__init__(self, file, nodes)
            _Constructor.__init__(self)
            Resolver.__init__(self)
            self._text = text

        def get_single_node(self) -> Any:
            # libyaml 0.2.5 and later stop at 1,000 levels of flow nesting while scanning
            # ahead, before the composer sees level 33: report it as the depth limit.
            try:
                return super().get_single_node()
            except yaml.MarkedYAMLError as exc:
                if "maximum nesting depth" not in (exc.problem or ""):
                    raise
            line, column = _too_deep(self._text)
            raise PolicyLimitError(self.file, line, column, _DEPTH_MESSAGE) from None

    _Fast: type = _CLoader
else:
    _Fast = _PyLoader


def fast_parser() -> bool:
    """Whether policies are parsed by libyaml (else by PyYAML's slower Python parser)."""
    return _Fast is not _PyLoader


def policy_loader(text: str, file: str, nodes: int = MAX_YAML_NODES, *,
                  clear_messages: bool = False) -> Any:
    """A loader for one policy document, allowed *nodes* nodes (aliases expanded).

    :param clear_messages: use PyYAML's Python parser, whose syntax errors name what
        was found (``but got ':'``); libyaml's only say what was expected.
    """
    cls = _PyLoader if clear_messages else _Fast
    return cls(text, file, nodes)
