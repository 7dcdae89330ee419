"""Writing redacted text back into the text nodes it was read from, markup kept.

A record's text joins several text nodes (``Reported by <b>Sophie</b> Taylor``) with
whitespace collapsed. The redactor returns the whole new text; aligning it with the
old one (difflib) says which characters stayed, and each stays in the node it came
from, while each replaced stretch goes into the node where it started. The result
reads ``Reported by <b>[REDACTED]</b> on [REDACTED].``: bold, links and line breaks
survive. Whatever the alignment, the nodes together hold exactly the new text, so
nothing of the old text can remain.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from .text import BREAK, collapse

__all__ = ["rewrite_run", "transfer", "edits"]

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def rewrite_run(pieces: list[str], nodes: list[Any], new: str) -> None:
    """Put *new* (the redacted form of ``collapse(pieces)``) into *nodes*.

    ``nodes[i]`` is the text node piece *i* came from, or None for a line break that
    is an element (``<br>``, a block's edge).
    """
    owned = [i for i, node in enumerate(nodes) if node is not None]
    if not owned:
        return
    if len(owned) == 1:  # the usual cell or paragraph: one text node takes it all
        _set(nodes[owned[0]], new)
        return
    old = collapse(pieces)
    chars, owners = _collapsed_owners(pieces)
    if "".join(chars) != old:  # cannot happen; if it did, fall back to the safe form
        _first_gets_all(nodes, owned, new)
        return
    out: dict[int, list[str]] = {i: [] for i in owned}

    def home(index: int) -> int:
        """The nearest piece with a text node: before *index*, else after it."""
        for i in range(index, -1, -1):
            if nodes[i] is not None:
                return i
        return owned[0]

    for tag, i1, i2, j1, j2 in edits(old, new):
        if tag == "equal":
            for offset in range(i2 - i1):
                owner = owners[i1 + offset]
                if nodes[owner] is not None:
                    out[owner].append(new[j1 + offset])
                elif new[j1 + offset] != "\n":
                    out[home(owner)].append(new[j1 + offset])
        elif j2 > j1:
            start = owners[i1] if i1 < len(owners) else owners[-1]
            out[home(start)].append(new[j1:j2])
    before = _collapsed_by_piece(chars, owners, owned)
    for index in owned:
        text = "".join(out[index])
        if text != before[index]:
            _set(nodes[index], text)


def transfer(original: str, seen: str, new: str) -> str:
    """*new*, the redacted form of *seen*, applied to *original* (the same text with some
    characters swapped, same length): kept stretches come from *original*."""
    return "".join(original[i1:i2] if tag == "equal" else new[j1:j2]
                   for tag, i1, i2, j1, j2 in edits(seen, new))


def edits(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with chance matches inside a replacement folded into it:
    ``Taylor`` -> ``[REDACTED]`` shares a ``T``, which must not stay behind in its own
    node and split the token across ``<b>`` or a line break. Punctuation and spaces
    between two replacements (``,`` before a ``<br>``) stay where they were."""
    ops = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    out: list[tuple[str, int, int, int, int]] = []
    for position, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal" and out and out[-1][0] != "equal" and position + 1 < len(ops) \
                and i2 - i1 < 4 and (new[j1:j2].isalnum() or _mid_word(new, j1)
                                     or _mid_word(new, j2)):
            tag = "replace"
        if tag != "equal" and out and out[-1][0] != "equal":
            _, first_i, _, first_j, _ = out[-1]
            out[-1] = ("replace", first_i, i2, first_j, j2)
        else:
            out.append((tag, i1, i2, j1, j2))
    return out


def _mid_word(text: str, index: int) -> bool:
    return 0 < index < len(text) and text[index - 1].isalnum() and text[index].isalnum()


def _collapsed_owners(pieces: list[str]) -> tuple[list[str], list[int]]:
    """``collapse(pieces)`` character by character, with the piece each came from."""
    lines: list[tuple[list[str], list[int], int]] = []  # chars, owners, break that ended it
    chars: list[str] = []
    owners: list[int] = []
    space: int | None = None
    for index, piece in enumerate(pieces):
        for char in piece:
            if char == BREAK:
                lines.append((chars, owners, index))
                chars, owners, space = [], [], None
            elif char in _INVISIBLE:
                continue
            elif char.isspace():
                if chars and space is None:
                    space = index
            else:
                if space is not None:
                    chars.append(" ")
                    owners.append(space)
                    space = None
                chars.append(char)
                owners.append(index)
    lines.append((chars, owners, len(pieces) - 1))
    out_chars: list[str] = []
    out_owners: list[int] = []
    pending_break: int | None = None
    for line_chars, line_owners, ended_by in lines:
        if not line_chars:
            continue
        if pending_break is not None:
            out_chars.append("\n")
            out_owners.append(pending_break)
        out_chars.extend(line_chars)
        out_owners.extend(line_owners)
        pending_break = ended_by
    return out_chars, out_owners


def _collapsed_by_piece(chars: list[str], owners: list[int], owned: list[int]) -> dict[int, str]:
    parts: dict[int, list[str]] = {i: [] for i in owned}
    for char, owner in zip(chars, owners, strict=True):
        if owner in parts:
            parts[owner].append(char)
    return {i: "".join(p) for i, p in parts.items()}


def _first_gets_all(nodes: list[Any], owned: list[int], new: str) -> None:
    for index in owned[1:]:
        _set(nodes[index], "")
    _set(nodes[owned[0]], new)


def _set(node: Any, text: str) -> None:
    if text:
        node.replace_with(text.replace(BREAK, "\n"))
    else:
        node.remove()
