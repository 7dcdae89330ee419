"""Is this YAML? A guess from the first bytes that leaves JSON, CSV and prose alone.

JSON is valid YAML and plain prose parses as one YAML scalar, so a guess needs real
YAML syntax: a ``%YAML`` directive, a ``---`` document start, or block mapping and
sequence lines (``key: value``, ``- item``) with every other line indented under
them, a comment or a block scalar's text. Confidence stays moderate: a format that
recognises its own content more surely (CSV with a steady column count) wins.
"""

from __future__ import annotations

import re

__all__ = ["sniff"]

_LINES = 30
_KEY = re.compile(  # key: value (a plain or quoted key, possibly after "- ")
    r"""^(?:- +)*(?:[^\s#'"\-?:,\[\]{}&*!|>%@`][^:#]*?|"[^"]*"|'[^']*')\s*:(?:\s|$)""")
_ITEM = re.compile(r"^-(?:\s|$)")
_START = re.compile(r"^---(?:\s|$)")


def sniff(head: bytes) -> int:
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # the head may end inside a character
        text = head[: exc.start].decode("utf-8-sig", errors="ignore")
    stripped = text.lstrip()
    if not stripped or stripped[0] in "{[<":
        return 0  # JSON, NDJSON, XML/HTML: theirs even though JSON is YAML too
    if stripped.startswith("%YAML"):
        return 80
    lines = text.splitlines()[:_LINES]
    if len(head) >= 65536 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    structured = loose = 0
    block = False  # inside a block scalar (| or >): its lines are text
    for line in lines:
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        indented = line[:1] in " \t"
        if block and indented:
            continue
        block = False
        content = line.lstrip()
        if _START.match(content) or _KEY.match(content) or _ITEM.match(content):
            structured += 1
            block = content.rstrip().endswith(("|", ">", "|-", ">-", "|+", ">+"))
        elif indented and structured:
            loose += 1  # a continuation line of a plain or quoted scalar
        else:
            return 0
    if _START.match(stripped):
        return 60 if structured > 1 else 40
    if structured >= 2 and loose <= structured:
        return 55
    return 0
