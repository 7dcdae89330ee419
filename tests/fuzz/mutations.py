"""Mutations of a planted identifier, and which of them a reader still reads as it.

**Reader-preserving** mutations (``preserving=True``) change the bytes but not what a
person reading the page, sheet or file takes the value to be: a postcode written with a
no-break space, full-width digits or a zero-width joiner is still that postcode, and a
name split across two cells of a row is still that name. A payload holding one must
block. **Destructive** mutations (``preserving=False`` here: the value cut short or
garbled; and every damage to the bytes in :mod:`fuzz.damage`) leave no identifier to
read; for them only the invariants that hold for any input apply (no traceback, same
verdict however the payload is passed, redact-then-check, no leak), and a payload that
cannot be parsed blocks with exit 3.

``MISSED_TODAY`` lists the preserving kinds, per format, that the engine still lets
through (most were fixed by reading values as a reader sees them and reading
neighbouring values together). The CI test expects exactly these to fail; ``python
bench/robustness.py --kinds`` prints the current table.
"""

from __future__ import annotations

import random
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from .exports import Markup, Parts, Rendering, Text
from .identifiers import Identifier

__all__ = ["Mutation", "MUTATIONS", "PRESERVING", "MISSED_TODAY", "render"]

ALL_FORMATS = frozenset({"csv", "tsv", "xlsx", "parquet", "json", "ndjson", "yaml", "xml",
                         "html", "text", "markdown"})
_BUT_HTML = ALL_FORMATS - {"html"}  # the HTML reader already collapses spaces, drops U+200B

# Preserving kinds, and the formats where the engine still lets them through. The CI
# test expects exactly these to fail (strict xfail): when one is fixed its test passes
# unexpectedly and fails, and the entry must be removed here.
MISSED_TODAY: dict[str, frozenset[str]] = {
    # None today. An entry reads: "kind": frozenset({"format", ...}).
}


@dataclass(frozen=True)
class Mutation:
    """One way of rewriting a planted identifier.

    :param preserving: a reader still reads the identifier (so the payload must block).
    :param formats: the formats it can be written in.
    :param make: the rendering of an identifier, with *rng* for its choices.
    :param needs: a character class the value must contain (``" "``, ``"digit"``, ...).
    """

    name: str
    preserving: bool
    description: str
    make: Callable[[Identifier, random.Random], Rendering]
    formats: frozenset[str] = ALL_FORMATS
    needs: str = ""

    def applies(self, identifier: Identifier, format_name: str) -> bool:
        if format_name not in self.formats:
            return False
        value = identifier.value
        if self.needs == " ":
            return " " in value
        if self.needs == "digit":
            return any(c.isdigit() for c in value)
        if self.needs == "alpha":
            return any(c.isascii() and c.isalpha() for c in value)
        if self.needs == "lookalike":
            return any(c in _CYRILLIC for c in value)
        if self.needs == "greek":
            return any(c in _GREEK for c in value)
        return True


def _spaces(replacement: Callable[[random.Random], str]) -> Callable[..., Rendering]:
    def make(identifier: Identifier, rng: random.Random) -> Rendering:
        return Text("".join(replacement(rng) if c == " " else c for c in identifier.value))
    return make


def _chars(table: Callable[[str], str | None], share: float = 0.6) -> Callable[..., Rendering]:
    """Replace characters that *table* maps, each with probability *share* (at least one)."""
    def make(identifier: Identifier, rng: random.Random) -> Rendering:
        value = list(identifier.value)
        places = [i for i, c in enumerate(value) if table(c) is not None]
        chosen = [i for i in places if rng.random() < share] or [rng.choice(places)]
        for i in chosen:
            value[i] = table(value[i]) or value[i]
        return Text("".join(value))
    return make


def _inserted(alphabet: str) -> Callable[..., Rendering]:
    """Insert 1 to 3 characters of *alphabet* inside the value."""
    def make(identifier: Identifier, rng: random.Random) -> Rendering:
        value = identifier.value
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(1, len(value))
            value = value[:at] + rng.choice(alphabet) + value[at:]
        return Text(value)
    return make


_CYRILLIC = dict(zip("ABCEHKMOPTXaceopxyi", "АВСЕНКМОРТХасеорхуі", strict=True))
_GREEK = dict(zip("ABEHIKMNOPTXYZo", "ΑΒΕΗΙΚΜΝΟΡΤΧΥΖο", strict=True))


def _fullwidth(keep: Callable[[str], bool]) -> Callable[[str], str | None]:
    return lambda c: chr(ord(c) + 0xFEE0) if c.isascii() and keep(c) else None


def _math_bold(c: str) -> str | None:
    if c.isdigit():
        return chr(0x1D7CE + int(c))
    if c.isascii() and c.isupper():
        return chr(0x1D400 + ord(c) - ord("A"))
    if c.isascii() and c.islower():
        return chr(0x1D41A + ord(c) - ord("a"))
    return None


def _percent_url(identifier: Identifier, rng: random.Random) -> Rendering:
    escape_letters = rng.random() < 0.5  # some encoders escape letters too
    # Each character of the value once: escaping a digit of an escape (%20 -> %%320)
    # would be a second encoding, which no reader decodes.
    encoded = "".join(f"%{ord(c):02X}" if escape_letters and c.isalnum()
                      and rng.random() < 0.3 else urllib.parse.quote(c, safe="")
                      for c in identifier.value)
    key = {"email": "email", "name": "name", "phone": "tel"}.get(identifier.kind, "ref")
    return Text(f"https://www.example.org/report?{key}={encoded}")


def _entities(identifier: Identifier, rng: random.Random) -> Rendering:
    out = []
    for c in identifier.value:
        if rng.random() < 0.5:
            out.append(f"&#{ord(c)};" if rng.random() < 0.5 else f"&#x{ord(c):x};")
        else:
            out.append(c)
    return Markup(_FAMILY_OF_RUN, "".join(out))


_FAMILY_OF_RUN = "entities"  # resolved per format by the writer's family (see below)


def _cut(identifier: Identifier, rng: random.Random) -> int:
    """A place inside a word of the value, where emphasis or an element may cut it."""
    inside = [i for i in range(1, len(identifier.value))
              if identifier.value[i - 1].isalnum() and identifier.value[i].isalnum()]
    return rng.choice(inside)


def _emphasis(identifier: Identifier, rng: random.Random) -> Rendering:
    at, mark = _cut(identifier, rng), rng.choice(("**", "*"))
    value = identifier.value
    return Markup("markdown", f"{mark}{value[:at]}{mark}{value[at:]}")


def _br(identifier: Identifier, rng: random.Random) -> Rendering:
    first, second = identifier.parts
    tag = rng.choice(("<br>", "<br/>", "<br />"))
    return Markup(_FAMILY_OF_RUN, f"{first}{tag}{second}")


def _inline(identifier: Identifier, rng: random.Random) -> Rendering:
    at, value = _cut(identifier, rng), identifier.value
    tag = rng.choice(("span", "b", "em", "wbr"))
    if tag == "wbr":
        return Markup("html", f"{value[:at]}<wbr>{value[at:]}")
    return Markup("html", f"{value[:at]}<{tag}>{value[at:]}</{tag}>")


def _garbled(identifier: Identifier, rng: random.Random) -> Rendering:
    value = identifier.value
    at = rng.choice([i for i, c in enumerate(value) if c.isalnum()])
    other = rng.choice("#?!") if value[at].isalnum() else "x"
    return Text(value[:at] + other + value[at + 1:])


_C0 = "".join(chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32), 127))
_C1 = "".join(chr(c) for c in range(0x80, 0xA0))

_LIST = (
    Mutation("none", True, "the identifier as written", lambda i, r: Text(i.value)),
    Mutation("double_space", True, "each space doubled", _spaces(lambda r: "  "), needs=" "),
    Mutation("tab", True, "a space becomes a tab", _spaces(lambda r: "\t"), needs=" "),
    Mutation("newline", True, "a space becomes a line break", _spaces(lambda r: "\n"),
             ALL_FORMATS - {"markdown"}, needs=" "),
    Mutation("nbsp", True, "no-break space U+00A0", _spaces(lambda r: "\u00a0"), needs=" "),
    Mutation("narrow_nbsp", True, "narrow no-break space U+202F",
             _spaces(lambda r: "\u202f"), needs=" "),
    Mutation("ideographic_space", True, "ideographic space U+3000",
             _spaces(lambda r: "\u3000"), needs=" "),
    Mutation("other_spaces", True, "en, em, thin, hair, figure space (U+2000-200A)",
             _spaces(lambda r: chr(r.randint(0x2000, 0x200A))), needs=" "),
    Mutation("fullwidth_digits", True, "full-width digits U+FF10-FF19",
             _chars(_fullwidth(str.isdigit)), needs="digit"),
    Mutation("fullwidth_letters", True, "full-width Latin letters U+FF21-FF5A",
             _chars(_fullwidth(str.isalpha)), needs="alpha"),
    Mutation("math_alphanumerics", True, "mathematical bold letters and digits (U+1D400)",
             _chars(_math_bold)),
    Mutation("cyrillic_lookalikes", True, "Latin letters swapped for Cyrillic look-alikes",
             _chars(_CYRILLIC.get), needs="lookalike"),
    Mutation("greek_lookalikes", True, "Latin letters swapped for Greek look-alikes",
             _chars(_GREEK.get), needs="greek"),
    Mutation("zero_width", True, "U+200B, U+200C, U+200D, U+2060 or U+FEFF inside",
             _inserted("\u200b\u200c\u200d\u2060\ufeff")),
    Mutation("soft_hyphen", True, "soft hyphen U+00AD inside", _inserted("\u00ad")),
    Mutation("direction_marks", True, "LRM U+200E or RLM U+200F inside",
             _inserted("\u200e\u200f")),
    Mutation("control_chars", True, "C0, DEL or C1 control characters inside",
             _inserted(_C0 + _C1)),
    Mutation("letter_spaced", True, "letters spaced out (M a r g a r e t), words by three",
             lambda i, r: Text("   ".join(" ".join(w) for w in i.value.split(" ")))),
    Mutation("percent_url", True, "percent-encoded inside a URL's query", _percent_url),
    Mutation("entities", True, "numeric character references (&#72; &#x50;)", _entities,
             frozenset({"html", "xml", "markdown"})),
    Mutation("split_cells", True, "cut in two across adjacent cells or fields",
             lambda i, r: Parts(i.parts, "cells"), ALL_FORMATS - {"text"}),
    Mutation("split_array", True, "cut in two as a JSON/YAML array of two strings",
             lambda i, r: Parts(i.parts, "array"), frozenset({"json", "ndjson", "yaml"})),
    Mutation("split_emphasis", True, "Markdown emphasis over part of a word (**Mar**garet)",
             _emphasis, frozenset({"markdown"})),
    Mutation("split_br", True, "cut in two by a <br> line break", _br,
             frozenset({"html", "markdown"})),
    Mutation("split_inline", True, "an inline element or <wbr> inside a word", _inline,
             frozenset({"html"})),
    Mutation("xml_children", True, "cut in two child elements", lambda i, r: Parts(
        i.parts, "children"), frozenset({"xml"})),
    # Not the identifier any more: only the invariants that hold for any input apply.
    Mutation("value_truncated", False, "the last one to three characters cut off",
             lambda i, r: Text(i.value[:-r.randint(1, 3)])),
    Mutation("value_garbled", False, "one letter or digit replaced by another kind",
             _garbled),
)

MUTATIONS: dict[str, Mutation] = {m.name: m for m in _LIST}
PRESERVING = tuple(name for name, m in MUTATIONS.items() if m.preserving)


def render(mutation: Mutation, identifier: Identifier, format_name: str,
           rng: random.Random) -> Rendering:
    """The mutated identifier as written in *format_name*: markup left to the format
    family decided here (entities and <br> in HTML, XML or Markdown)."""
    rendering = mutation.make(identifier, rng)
    if format_name == "yaml" and isinstance(rendering, Text) and "\x85" in rendering.value:
        # YAML reads NEL as a line break, folded with the indentation after it into a
        # space inside the value ("e xample.com"): no longer what a reader reads.
        return Text(rendering.value.replace("\x85", "\x07"))
    if isinstance(rendering, Markup) and rendering.family == _FAMILY_OF_RUN:
        family = {"html": "html", "xml": "xml", "markdown": "markdown"}[format_name]
        return Markup(family, rendering.markup)
    return rendering
