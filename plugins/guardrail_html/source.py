"""What the page's source holds that the parsed tree does not keep.

* An element that repeats an attribute (``<p title="ok" title="Jane Smith">``): the
  tree keeps the first copy, as browsers do, but the page still holds the others and
  anyone who saves it reads them. :func:`repeated_attribute` finds one so the page can be
  blocked; one pass over the tags, skipping comments and the raw text of scripts and
  styles, where a ``<`` is not markup.
* The doctype's public and system ids (``<!DOCTYPE html PUBLIC "..." "...">``): Lexbor
  keeps only the name. :func:`leading_doctype` returns what follows ``<!DOCTYPE``.
"""

from __future__ import annotations

import re

from .text import collapse_one

__all__ = ["repeated_attribute", "leading_doctype"]

# The tokenizer's attribute grammar: a name runs to a space, "/", ">" or "="; a value
# is quoted or runs to a space or ">". Atomic groups: each tag is scanned once.
_NAME = r"[^\s/>][^\s/>=]*+"
_VALUE = r"""(?:"[^"]*+"?|'[^']*+'?|[^\s>]*+)"""
_ATTRIBUTE = rf"(?>[\s/]*+{_NAME}(?>\s*+=\s*+{_VALUE})?+)"
_RAW = "script|style|textarea|title|xmp|iframe|noembed|noframes|plaintext"
# A comment; an element whose contents are raw text; any other tag with at least two
# attributes (one cannot repeat).
_TAG = re.compile(rf"<(?:!--|({_RAW})(?=[\s/>])({_ATTRIBUTE}*+)"
                  rf"|[a-z][^\s/>]*+[\s/]({_ATTRIBUTE}{{2,}}+))", re.I)
_ATTRIBUTE_NAME = re.compile(rf"[\s/]*+({_NAME})(?>\s*+=\s*+{_VALUE})?+")
_RAW_END = {name: re.compile(rf"</{name}(?=[\s/>])", re.I) for name in _RAW.split("|")}
# Before a doctype: blank space, comments, and what the tokenizer makes comments of.
_LEADING = re.compile(r"(?:\s++|<!--.*?(?:-->|\Z)|<\?[^>]*+>?|<!(?!doctype)[^>]*+>?)*+",
                      re.I | re.S)
_DOCTYPE = re.compile(r"<!doctype([^>]*+)>?", re.I)


def repeated_attribute(text: str) -> int | None:
    """The offset of the first tag that repeats an attribute, or None."""
    position = 0
    search = _TAG.search
    while (match := search(text, position)) is not None:
        position = match.end()
        raw, raw_attributes, attributes = match.groups()
        if raw is None and attributes is None:  # a comment: nothing in it is markup
            end = text.find("-->", position)
            if end < 0:
                return None
            position = end + 3
            continue
        names = [name.lower() for name in _ATTRIBUTE_NAME.findall(attributes or raw_attributes)]
        if len(set(names)) != len(names):
            return match.start()
        if raw is not None:  # the contents are text up to the matching end tag
            raw = raw.lower()
            end_tag = _RAW_END[raw].search(text, position)
            if end_tag is None or raw == "plaintext":
                return None
            position = end_tag.start()
    return None


def leading_doctype(text: str) -> str | None:
    """What follows the name-giving ``<!DOCTYPE`` (its name, ids and anything else), or
    None when the page has no doctype or a plain ``<!DOCTYPE html>``."""
    leading = _LEADING.match(text, 1 if text.startswith("\ufeff") else 0)
    match = _DOCTYPE.match(text, leading.end() if leading is not None else 0)
    if match is None:
        return None
    content = collapse_one(match.group(1))
    return None if content.lower() == "html" else content or None
