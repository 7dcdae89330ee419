"""Refuse nesting bombs before Lexbor builds the tree.

An HTML5 tree builder checks "is there a <p> in scope" by walking its stack of open
elements, so a page of 100,000 unclosed ``<div>`` costs it time quadratic in the
depth (44 s in Lexbor), long before our own walk could count the depth. So, before
parsing:

1. a cheap gate in C (one regex ``findall`` and ``accumulate``): the deepest run of
   start tags not yet closed, leaving out void elements and the elements HTML closes
   by itself (``p``, ``li``, ``td``, ...). A normal page, however large, is a few
   dozen deep and is parsed straight away;
2. only when the gate is over the limit (a nesting bomb, or a sloppy page that never
   closes its ``<span>``), a per-tag simulation of the tree builder's implied end
   tags decides. It blocks only when that simulated depth is also over the limit.

The threshold is twice ``max_depth``: the walk over the parsed tree enforces
``max_depth`` exactly, so this guard only has to keep the parse itself cheap.
Known gap: end tags that close nothing (``</x>``) lower the gate without closing
anything, so a crafted page can still make the parse slow (not unbounded memory).
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import sub

__all__ = ["deepest_nesting", "GATE_LIMIT_FACTOR"]

GATE_LIMIT_FACTOR = 2

_VOID = frozenset("area base br col embed hr img input link meta source track wbr param "
                  "keygen frame basefont bgsound image".split())
_SELF_CLOSING = frozenset("p li dt dd td th tr thead tbody tfoot option optgroup rb rt rp "
                          "rtc colgroup caption html head body".split())
_IGNORED = "|".join(sorted(_VOID | _SELF_CLOSING))
_GATE = re.compile(rf"<(/?)(?!(?:{_IGNORED})[\s/>])[a-z]")
_STEP = {"": 1, "/": -1}

_TOKEN = re.compile(r"<!--|<(/?)([a-z][^\s/>]*)")
_RAW = frozenset("script style textarea title xmp iframe noembed noframes".split())
# Starting one of these closes an open <p> (the HTML5 "close a p element" rule).
_CLOSES_P = frozenset("address article aside blockquote center details dialog dir div dl "
                      "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup "
                      "hr li listing main menu nav ol p pre search section summary table ul "
                      "xmp dd dt".split())
_SCOPE = frozenset("applet caption html table td th marquee object template button".split())
_SPECIAL = _SCOPE | _CLOSES_P | frozenset("body tbody thead tfoot tr select".split())
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
# start tag -> (names it closes, names that stop the search)
_CLOSES: dict[str, tuple[set[str] | frozenset[str], set[str] | frozenset[str]]] = {
    "li": ({"li"}, {"ul", "ol", "menu"} | _SCOPE),
    "dt": ({"dt", "dd"}, {"dl"} | _SCOPE),
    "dd": ({"dt", "dd"}, {"dl"} | _SCOPE),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tr": ({"tr"}, {"table", "tbody", "thead", "tfoot"}),
    "thead": ({"thead", "tbody", "tfoot"}, {"table"}),
    "tbody": ({"thead", "tbody", "tfoot"}, {"table"}),
    "tfoot": ({"thead", "tbody", "tfoot"}, {"table"}),
    "option": ({"option"}, _SPECIAL),
    "optgroup": ({"option", "optgroup"}, _SPECIAL),
    "a": ({"a"}, _SCOPE),
    "nobr": ({"nobr"}, _SCOPE),
    "button": ({"button"}, {"html", "template"}),
    "select": ({"select"}, {"html", "template"}),
    "table": ({"table"}, {"td", "th", "caption", "html", "template"}),
}
_LOOK = 64  # how far down the stack an implied close is searched; beyond: not closed


def deepest_nesting(text: str, limit: int) -> int:
    """How deep *text* nests elements, as far as it matters: a number <= *limit* when
    the page is safe to parse, else a number above it (not necessarily exact)."""
    lowered = text.lower()
    steps = _GATE.findall(lowered)
    if not steps:
        return 0
    totals = list(accumulate(map(_STEP.__getitem__, steps), initial=0))
    gate = max(map(sub, totals, accumulate(totals, min)))
    if gate <= limit:
        return gate
    return _simulate(lowered, limit)


def _simulate(lowered: str, limit: int) -> int:
    """Replay start and end tags with the tree builder's implied closes, roughly;
    stops as soon as the depth passes *limit*."""
    stack: list[str] = []
    open_count: dict[str, int] = {}
    deepest = 0
    position = 0
    search = _TOKEN.search
    while (match := search(lowered, position)) is not None:
        position = match.end()
        name = match.group(2)
        if name is None:  # a comment: nothing in it is markup
            end = lowered.find("-->", position)
            if end < 0:
                break
            position = end + 3
            continue
        if match.group(1):
            _close(stack, open_count, name)
            continue
        if name in _VOID or name in ("html", "head", "body"):
            continue
        if name == "plaintext":  # everything after it is text
            break
        if name in _RAW:  # contents are text up to the matching end tag
            end = lowered.find("</" + name, position)
            if end < 0:
                break
            position = end
            continue
        if name in _CLOSES_P and open_count.get("p"):
            _pop_nearest(stack, open_count, {"p"}, _SCOPE)
        found = _CLOSES.get(name)
        if found is not None:
            _pop_nearest(stack, open_count, *found)
        elif name in ("h1", "h2", "h3", "h4", "h5", "h6") and stack and stack[-1] in \
                ("h1", "h2", "h3", "h4", "h5", "h6"):
            _pop_to(stack, open_count, len(stack) - 1)
        if name == "form" and open_count.get("form"):
            continue  # a form inside a form is ignored
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limit:
                return deepest
    return deepest


def _close(stack: list[str], open_count: dict[str, int], name: str) -> None:
    """An end tag: close *name* as the tree builder would, or do nothing when unsure."""
    if not open_count.get(name):
        return
    special = name in _SPECIAL
    for index in range(len(stack) - 1, max(-1, len(stack) - 1 - _LOOK), -1):
        current = stack[index]
        if current == name:
            if name in _FORMATTING and any(s in _SPECIAL for s in stack[index + 1:]):
                # adoption agency: the formatting element goes, the blocks stay open
                del stack[index]
                open_count[name] -= 1
            else:
                _pop_to(stack, open_count, index)
            return
        if current in _SCOPE or (not special and current in _SPECIAL
                                 and name not in _FORMATTING):
            return  # out of scope: the end tag is ignored


def _pop_nearest(stack: list[str], open_count: dict[str, int], names: set[str] | frozenset[str],
                 stops: set[str] | frozenset[str]) -> None:
    if not any(open_count.get(n) for n in names):
        return
    for index in range(len(stack) - 1, max(-1, len(stack) - 1 - _LOOK), -1):
        current = stack[index]
        if current in names:
            _pop_to(stack, open_count, index)
            return
        if current in stops:
            return


def _pop_to(stack: list[str], open_count: dict[str, int], index: int) -> None:
    """Close the element at *index* and every element above it."""
    for name in stack[index:]:
        open_count[name] -= 1
    del stack[index:]
