"""What the walk reads on a page, and how it tells what a browser hides.

What a browser could show, or what sits in the page for anyone who saves it, is
inspected, hidden or not (``hidden``, ``display:none``, ``aria-hidden``,
``<template>``, ``<noscript>`` only add a note to the position):

* text, one record per block (``<p>``, ``<li>``, ``<h2>``...), inline elements
  joined so ``J<b>ohn</b> Smith`` reads ``John Smith``; ``<br>`` is a line break;
* attribute values that carry text or data (``alt``, ``title``, ``value``,
  ``content``, ``class``, ``data-*``, links, event handlers...): every attribute except
  the structural ones in :data:`STRUCTURAL`; URLs are percent-decoded, so
  ``?name=Jane+Doe`` reads ``Jane Doe``; embedded base64 images are skipped;
* the names of elements and attributes no vocabulary knows (:mod:`.vocabulary`), one
  record per element positioned ``... (names)``: ``Jane <jane@example.com>`` pasted
  into a page makes an element of the address. The value of an unknown attribute is
  positioned by its place (``div (attribute 2)``), never by its name;
* comments (processing instructions too: browsers make comments of them),
  ``<textarea>``, ``<title>`` and ``<option>`` text, and what the doctype holds past
  its name (public and system ids);
* ``<script>``: JSON and JSON-LD are parsed into their own sections (their keys are
  field paths); any other script is one text record, whole: data arrays and comments
  in JavaScript are where names hide, and code tokens (lower-case identifiers,
  numbers) rarely look like personal data. Detectors see single-quoted strings as
  double-quoted (:func:`js_for_detectors`); event handlers (``onclick``) likewise;
* ``<style>`` and ``style`` attributes: only their quoted strings and ``url()``s
  (:mod:`.css`). Colours such as ``#b294bb`` look like postcodes and SVG path data like
  phone numbers, and a stylesheet shows nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from .text import collapse_one
from .urls import decode_url
from .vocabulary import FOREIGN_ATTRIBUTES

__all__ = ["BLOCK", "OWN_TEXT", "PRE", "STRUCTURAL", "JSON_TYPES", "PLAIN_CELL", "URLS",
           "attribute_text", "js_for_detectors", "is_hidden", "span", "json_depth"]

BLOCK = frozenset(
    "address article aside blockquote body button caption center dd details dialog dir div "
    "dl dt fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header "
    "hgroup hr html legend li listing main menu nav noscript ol optgroup option p pre "
    "search section select summary table tbody td tfoot th thead tr ul audio video canvas "
    "object map picture svg math".split())
OWN_TEXT = frozenset("textarea title xmp iframe noembed noframes plaintext".split())
PRE = frozenset("pre listing textarea plaintext xmp".split())
# Attributes whose values are keywords, numbers or sizes. Not here, so read: class, slot,
# itemprop, form, list and type (names a page chooses), style (see :mod:`.css`).
STRUCTURAL = frozenset(
    "rel lang dir width height role tabindex for colspan rowspan span scope "
    "headers align valign bgcolor border cellpadding cellspacing frame rules target method "
    "enctype charset http-equiv media sizes crossorigin integrity loading decoding "
    "referrerpolicy fetchpriority nonce async defer hidden disabled checked selected readonly "
    "required multiple autofocus autocomplete autoplay controls loop muted playsinline "
    "spellcheck draggable contenteditable translate accesskey maxlength minlength max min "
    "step size cols rows start reversed open novalidate xmlns version itemscope itemtype "
    "shape coords usemap ismap inputmode enterkeyhint is part popover inert "
    "formmethod formenctype formtarget formnovalidate wrap kind default sandbox "
    "allow allowfullscreen frameborder scrolling marginheight marginwidth color face "
    "xml:lang xml:space".split())
_ARIA_TEXT = frozenset("aria-label aria-description aria-roledescription aria-valuetext "
                       "aria-placeholder aria-braillelabel aria-brailleroledescription".split())
# SVG and MathML attributes are geometry and presentation, except these (names neither
# vocabulary knows are read, as in HTML).
_FOREIGN_TEXT = frozenset("aria-label aria-description title href xlink:href xlink:title "
                          "alttext id name".split())
URLS = frozenset("href src action formaction cite poster data background longdesc manifest "
                 "codebase ping xlink:href srcset imagesrcset".split())
JSON_TYPES = frozenset({"application/json", "application/ld+json", "text/json"})
# A cell with only these attributes takes the walk's fast path (its class is read there).
PLAIN_CELL = frozenset({"colspan", "rowspan", "class", "headers", "scope", "align", "valign",
                         "width", "height", "bgcolor", "nowrap"})
_HIDDEN_STYLES = ("display:none", "visibility:hidden", "visibility:collapse")


_JS_QUOTE = re.compile(r"(?<!\w)'|'(?!\w)")


def js_for_detectors(code: str) -> str:
    """*code* with the single quotes that delimit strings made double quotes.

    A name detector reads ``'Daniel Evans'`` as an apostrophe glued to a word and finds
    nothing; ``"Daniel Evans"`` it finds. Apostrophes inside words (``O'Brien``) stay.
    The length is unchanged, so a redacted copy maps back onto the code character for
    character (:func:`guardrail_html.runs.transfer`).
    """
    return _JS_QUOTE.sub('"', code) if "'" in code else code


def attribute_text(name: str, value: str | None, foreign: bool) -> str | None:
    """The text of an attribute the walk reads, or None for one it does not (``style``
    is read by its strings, :mod:`.css`). A URL is percent-decoded (:data:`URLS`)."""
    if not value or name in STRUCTURAL or name == "style":
        return None
    if foreign and name not in _FOREIGN_TEXT and name.lower() in FOREIGN_ATTRIBUTES:
        return None
    if name.startswith("aria-") and name not in _ARIA_TEXT:
        return None
    if name in URLS:
        if value.startswith("data:") and ";base64," in value[:100]:
            return None  # an embedded image or font: no text to read
        value = decode_url(value)
    return collapse_one(value) or None


def is_hidden(tag: str, attributes: dict[str, str | None]) -> bool:
    """Whether the element itself hides its content from the screen."""
    if tag in ("noscript", "template") or "hidden" in attributes:
        return True
    if tag == "input" and (attributes.get("type") or "").strip().lower() == "hidden":
        return True
    if tag == "dialog" and "open" not in attributes:
        return True
    if (attributes.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = attributes.get("style")
    if style:
        compact = "".join(style.lower().split())
        return any(hidden in compact for hidden in _HIDDEN_STYLES)
    return False


def span(value: str | None, minimum: int, maximum: int) -> int:
    """colspan/rowspan as browsers read them: leading digits, clamped; else 1."""
    if not value:
        return 1
    digits = ""
    for char in value.strip():
        if not char.isdigit():
            break
        digits += char
    if not digits:
        return 1
    return max(minimum, min(int(digits[:6]), maximum))


def json_depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value, counted up to just past *limit*."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest
