"""What a reader sees: text normalised before detectors run, with a map back.

A postcode written ``HP3<no-break space>9QT`` (what Excel and Word write), in
full-width digits, with a Cyrillic look-alike letter, a zero-width space, a soft
hyphen or a direction mark inside, or as ``HP3%209QT`` in a URL, reads as
``HP3 9QT`` to the person who opens the published file. Detectors match spellings,
so they are run on the text as it reads:

* Unicode NFKC (full-width and other compatibility forms become plain letters and
  digits), every decimal digit as its ASCII digit;
* look-alike letters folded to the Latin letter they imitate (Unicode's confusables
  table, from the ``confusable-homoglyphs`` package);
* format, control and private-use characters and stray combining marks dropped
  (zero-width spaces and joiners, word joiners, soft hyphens, direction marks);
* every run of whitespace of any kind read as one space;
* percent-encoding (``%20``, ``%C3%A9``) and HTML character references
  (``&#72;``, ``&nbsp;``) decoded;
* Markdown emphasis and code marks dropped (``**Mar**garet`` reads ``Margaret``);
* an HTML line break (``<br>``, ``<br/>``) in text read as the space between two lines
  (Markdown and other text that a web page renders);
* spaces around an ``@`` between two words dropped (``jo.bloggs @ example.org``, or
  an address cut at its ``@`` across two cells, reads as one address);
* words written letter by letter read as words (``H P 3  9 Q T`` reads ``HP3 9QT``);
* accents dropped from letters (``Ṕ``, ``Zsófia``): detectors match the letters, and
  a diacritic added to a postcode's letter must not hide it.

What a person could not read is not undone: base64, other encodings, encryption,
text spelled out in words (see SECURITY.md).

Positions of what a detector finds in the normalised text are mapped back into the
original, so evidence and redaction cover exactly the characters that spell it.
Printable ASCII with single spaces, nearly every value in a real export, needs
none of this: :func:`reading_of` returns None for it after one C-level check.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from urllib.parse import unquote

__all__ = ["Reading", "reading_of", "is_plain", "NEEDS_READING"]

# Anything :func:`reading_of` may change, except a newline or NUL (which separate
# values joined for one pass of the RE2 gate): an RE2 pattern, so the gate tells in
# the same pass whether a value needs reading.
NEEDS_READING = (r"[^\x20-\x7e\n\x00]| {2}|%[0-9A-Fa-f]{2}|&(?:#|[A-Za-z][A-Za-z0-9]*;)"
                 r"|[A-Za-z0-9](?:\*+|~~|`+)|(?:\*+|~~|`+)[A-Za-z0-9]"
                 r"|(?:^|[ \n\x00(\[{\"'])(?:[!-~] [!-~] [!-~] [!-~]|[A-Za-z0-9] [A-Za-z0-9])"
                 r"(?:$|[ \n\x00.,;:!?)\]}\"'])|[^ \n\x00] +@|@ +[^ \n\x00]|<[Bb][Rr]")

# What a reader reads differently from how it is written, in the order tried.
# Letter by letter: "J o h n", "C A  2 1", "j . s @ x . c o m" (but not "A & E").
# A run starts after a space or an opening bracket or quote, and ends before a space or
# closing punctuation: "(E C 6 B  8 E L)." reads "(EC6B 8EL).".
_SPACED = (r"(?<![^\s(\[{\"'])(?:\S(?: \S){3,}|[^\W_](?: [^\W_])+)"
           r"(?![^\s.,;:!?)\]}\"'])")
_BR = r"<[Bb][Rr]\s*/?>"  # an HTML line break, <br>, <BR/>, <br />
_GAP = rf"(?:\s|{_BR})"  # what a reader sees as space: white space, a <br>
# Control characters Python counts as whitespace (vertical tab, form feed, the
# information separators, NEL): a reader does not see them, so they are dropped.
_UNSEEN = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"
_EVENT = re.compile(
    _SPACED +  # each word's letters read together, "H P 3  9 Q T" as "HP3 9QT"
    # "jo @ example.org", "jo<br>@example.org": one address.
    rf"|(?<=[^\s@>])(?:{_GAP}+@{_GAP}*|@{_GAP}+)(?=[^\s@<])"
    rf"|\s*{_BR}\s*"  # a line break in HTML (Markdown renders it)
    rf"|[^\S{_UNSEEN}]{{2,}}|[^\S {_UNSEEN}]"  # whitespace that is not one plain space
    r"|(?:%[0-9A-Fa-f]{2})+"  # percent-encoded bytes, decoded as UTF-8
    r"|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
    # Markdown emphasis or code: an opening mark before a character, the same mark
    # closing after one (a masked "J*** S****" has no such pair and is kept as it is).
    r"|(\*{1,3}|~~|`{1,3})(?=[^\s*~`])(?:(?!\1).){1,200}?(?<=[^\s*~`])\1"
    r"|[^\x20-\x7e][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*"
    r"|[\x20-\x7e][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
_LETTERS_SPACED = re.compile(_SPACED)
_BREAKS = re.compile(_BR)
_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])")
_UNSEEN_SPACES = frozenset(_UNSEEN)
_INVISIBLE = ("Cc", "Cf", "Co", "Cs", "Cn")  # control, format, private, surrogate, unassigned
_DROPPED = frozenset({*_INVISIBLE, "Mn", "Me"})  # and accents, once NFKD splits them off


def is_plain(text: str) -> bool:
    """True when *text* reads as it is written: printable ASCII, no double spaces, no
    ``%`` or ``&`` (which may start an encoding), no Markdown emphasis marks. A few
    C-level checks."""
    return (text.isascii() and text.isprintable() and "  " not in text
            and "%" not in text and "&" not in text and "*" not in text
            and "~~" not in text and "`" not in text and " @" not in text and "@ " not in text
            and "<" not in text and _LETTERS_SPACED.search(text) is None)


class Reading:
    """A value as a reader reads it, and how to find its characters in the original.

    The normalised text is made of pieces; each is either copied from the original
    (positions map one to one) or stands for a stretch of it (a decoded escape, a
    folded letter, a run of spaces), whose characters all map to that stretch.
    """

    __slots__ = ("text", "_starts", "_origins", "_ends")

    def __init__(self, text: str, starts: list[int], origins: list[int],
                 ends: list[int | None]) -> None:
        self.text = text
        self._starts = starts  # where each piece starts in the normalised text
        self._origins = origins  # where it starts in the original
        self._ends = ends  # where a stand-in piece ends in the original; None: copied

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original that reads as ``text[start:end]``."""
        starts = self._starts
        first = bisect_right(starts, start) - 1
        stand_in = self._ends[first]
        begin = self._origins[first] + (start - starts[first] if stand_in is None else 0)
        last = bisect_right(starts, max(end - 1, start)) - 1
        stand_in = self._ends[last]
        finish = self._origins[last] + (end - starts[last]) if stand_in is None else stand_in
        return begin, max(finish, begin)


def reading_of(text: str, *, keep_accents: bool = False) -> Reading | None:
    """*text* as a reader reads it, or None when it reads exactly as written.

    :param keep_accents: keep accented letters as they are (for masks shown to people,
        who find ``Å*******`` more easily than ``A*******``); detectors read without.
    """
    if is_plain(text):
        return None
    out: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    ends: list[int | None] = []
    length = 0  # of the normalised text so far
    space_last = False
    changed = False
    position = 0
    for event in _EVENT.finditer(text):
        begin, finish = event.span()
        if begin > position:  # copied as written
            piece = text[position:begin]
            skip = 1 if space_last and piece[0] == " " else 0
            if skip:
                changed = True
            if len(piece) > skip:
                starts.append(length)
                origins.append(position + skip)
                ends.append(None)
                out.append(piece[skip:] if skip else piece)
                length += len(piece) - skip
                space_last = piece[-1] == " "
        token = event.group()
        seen = _seen(token, keep_accents)
        if seen != token:
            changed = True
        if space_last and seen[:1] == " ":
            seen = seen[1:]
        if seen:
            starts.append(length)
            origins.append(begin)
            ends.append(finish if seen != token else None)
            out.append(seen)
            length += len(seen)
            space_last = seen[-1] == " "
        position = finish
    if not changed:
        return None
    if position < len(text):
        piece = text[position:]
        skip = 1 if space_last and piece[0] == " " else 0
        if len(piece) > skip:
            starts.append(length)
            origins.append(position + skip)
            ends.append(None)
            out.append(piece[skip:] if skip else piece)
    if not starts:  # nothing a reader would see
        starts, origins, ends = [0], [0], [len(text)]
    return Reading("".join(out), starts, origins, ends)


def _seen(token: str, keep_accents: bool = False) -> str:
    """How one stretch the event pattern found reads."""
    first = token[0]
    if "@" in token and _BREAKS.sub("", token).strip() == "@":  # around an address's "@"
        return "@"
    if len(token) >= 3 and token[1] == " " and not first.isspace():  # letter by letter
        # A capital after a small letter starts a word: "S o p h i e H o p k i n s" in
        # a web page (whose layout collapsed the wider gap) reads "Sophie Hopkins".
        return _WORD_START.sub(" ", "".join(_seen_cluster(c, keep_accents)
                                            for c in token[::2]))
    if first in "*~`":  # emphasis: the reader sees the text it marks
        mark = len(token) - len(token.lstrip(first))
        inner = token[mark:-mark]
        reading = reading_of(inner, keep_accents=keep_accents)
        return inner if reading is None else reading.text
    if first == "<" or (first.isspace() and token.lstrip()[:1] == "<"):  # <br>
        return " "
    if first.isspace() and first not in _UNSEEN_SPACES:
        return " "
    if first == "%" and len(token) > 1 and token[1] != " ":
        decoded = unquote(token, errors="replace")
        return "".join(_seen_cluster(c, keep_accents) for c in decoded) \
            if decoded != token else token
    if first == "&" and token.endswith(";"):
        decoded = html.unescape(token)
        return "".join(_seen_cluster(c, keep_accents) for c in decoded) \
            if decoded != token else token
    return _seen_cluster(token, keep_accents)


@lru_cache(maxsize=8192)
def _seen_cluster(cluster: str, keep_accents: bool = False) -> str:
    """One character and its combining marks, as a reader reads it."""
    if len(cluster) == 1 and " " <= cluster <= "~":
        return cluster
    if cluster.isspace():
        return "" if cluster in _UNSEEN_SPACES else " "
    seen = []
    composed = unicodedata.normalize("NFKC", cluster)
    for char in composed if keep_accents else unicodedata.normalize("NFKD", composed):
        if char.isspace():
            if char not in _UNSEEN_SPACES:
                seen.append(" ")
        elif "\x20" <= char <= "\x7e":
            seen.append(char)
        elif unicodedata.category(char) in _DROPPED:
            continue  # invisible, or an accent (NFKD splits it from its letter)
        else:
            seen.append(_latin(char if keep_accents else unicodedata.normalize("NFC", char)))
    return "".join(seen)


@lru_cache(maxsize=8192)
def _latin(char: str) -> str:
    """The ASCII letter or digit *char* imitates, or *char* itself."""
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    for prototype in _confusables().get(char, ()):
        return prototype
    return char


@lru_cache(maxsize=1)
def _confusables() -> dict[str, tuple[str, ...]]:
    """Each character Unicode lists as confusable with printable ASCII, with the
    ASCII it imitates (loaded on first use: most exports never need it)."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, tuple[str, ...]] = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_forms = tuple(h["c"] for h in homoglyphs
                            if h["c"].isascii() and h["c"].isalnum())
        if ascii_forms:
            table[char] = ascii_forms
    return table
