"""Person names: a title and a name, a forename and surname pair, or a name in a person field.

Name lists: US Census 1990 forenames and surnames (public domain, via the
``names`` package) plus hand-curated UK names; see ``data/build_name_lists.py``.

What keeps precision up:

* a pair never spans punctuation (``Willow Lane. Both ...`` is not "Lane Both");
* a pair followed by a street word, or after a house number, is a street
  (``Henry Wells Square``, ``224 Albert Rise``);
* a name right before or after a public role (``Chief Constable Jane Smith``,
  ``Sarah Taylor, Chief Constable``) is an official acting in public, and well-known
  brands named after people (``John Lewis``) are not individuals: both score 0.3,
  below the default threshold;
* policies allowlist public figures and place names that look like names.

In a field whose name says it holds a person (``victim``, ``first_name``, ``contact``),
a lone forename or surname, or a lower-case name, counts too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property, lru_cache, partial
from importlib import resources
from itertools import compress, count

from guardrail.plugin import Span

from .addresses import STREET_WORDS
from .base import PatternDetector

__all__ = ["PersonNameDetector", "forenames", "surnames", "fold_accents"]

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Revd|MR|MRS|MS|MISS|DR)"
# Capitalised words, accented ones included (Zoë, Łukasz): the gate must let them in.
_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'\-]+"
_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady",
                          "lord", "rev", "revd"})
_ROLE_BEFORE = frozenset({
    "constable", "superintendent", "inspector", "sergeant", "sgt", "detective", "det", "pc",
    "pcso", "dc", "ds", "di", "dci", "dsi", "dcs", "councillor", "cllr", "commissioner",
    "mayor", "minister", "secretary", "mp", "msp", "mla", "chair", "chairman", "chairwoman",
    "ceo", "executive", "director", "head", "leader", "spokesperson", "spokesman",
    "spokeswoman", "officer", "judge", "justice", "magistrate", "president", "king", "queen",
    "prince", "princess", "saint", "st", "coroner", "governor", "chancellor", "baroness",
})
_ROLE_AFTER = _ROLE_BEFORE | {"chief", "deputy", "assistant", "mp", "msp", "qc", "kc", "obe",
                              "mbe", "cbe"}
# People's names that are far more often brands, shops, pubs or places.
_NOT_PEOPLE = frozenset({
    "john lewis", "ted baker", "laura ashley", "ann summers", "charles dickens", "paul smith",
    "karen millen", "ralph lauren", "calvin klein", "hugo boss", "tommy hilfiger",
    "ben sherman", "jack daniels", "ronald mcdonald", "marks spencer", "harvey nichols",
    "william hill", "john menzies", "james bond", "florence nightingale", "winston churchill",
    "isaac newton", "william shakespeare", "jane austen", "queen victoria", "prince albert",
    "king george", "mary rose", "victoria cross", "george cross", "martin luther", "st john",
})
_PLACEHOLDERS = frozenset({
    "withheld", "anonymous", "anon", "unknown", "none", "n/a", "na", "not known", "not given",
    "redacted", "declined", "refused", "private", "confidential", "tbc", "tba", "various",
    "staff", "resident", "residents", "member of public", "the caller", "caller", "public",
    "not recorded", "not stated", "no name", "nobody", "null", "nil", "blank", "test",
})
_NOT_PEOPLE_FIRST = frozenset(name.split()[0] for name in _NOT_PEOPLE)
_STREET_SET = frozenset(w.lower() for w in STREET_WORDS.split("|"))
# Street words that are seldom surnames: "Willow Lane" is a street, "Martin Hill" a man.
_STREET_NOT_SURNAME = _STREET_SET - {"hill", "green", "wood", "hall", "field", "fields", "bank",
                                     "cross", "park", "gate", "mill", "marsh", "lea", "brook",
                                     "dale", "mount", "meadows", "yard", "side", "row", "end"}
_WORD_RUN = re.compile(r"\S+")
_OPENING_QUOTE = re.compile(r"(?<![^\W_])'")  # blanked: same length, offsets stay right
_PERSON_FIELD = re.compile(
    r"(?:^|_)(?:name|names|forename|forenames|surname|firstname|lastname|fullname|"
    r"maiden|complainant|victim|suspect|witness|offender|perpetrator|contact|"
    r"person|people|caller|informant|reporter|applicant|tenant|resident|occupant|owner|driver|"
    r"keeper|kin|client|patient|pupil|student|customer|member|author|signatory|attendee|"
    r"attendees|participant|guest|visitor|child|parent|guardian|carer|spouse|partner|"
    r"employee|staff|officer|volunteer|claimant|defendant|respondent)$"
)
_NOT_PERSON_FIELD = re.compile(
    r"(?:street|road|ward|lsoa|msoa|place|area|location|town|city|county|district|business|"
    r"company|organisation|organization|org|file|product|team|force|category|site|station|"
    r"school|file|host|user|display|brand|shop|venue|premises|event|operation|project)"
)
# Punctuation becomes a space, or "|" where it ends a phrase, with the same length so
# offsets still hold. Done on UTF-8 bytes: a C table lookup, ~10x faster than
# str.translate. Apostrophes and hyphens stay (O'Brien, Smith-Jones), and so do full
# stops, which end sentences except after titles and initials.
_SPACES = b"()[]{}\"/\\<>*_=+&#@~`^"
_BREAKS = b",;:!?|"
_PUNCTUATION = bytes.maketrans(_SPACES + _BREAKS, b" " * len(_SPACES) + b"|" * len(_BREAKS))
_BOUNDARY = ("|", ".")


_span = partial(tuple.__new__, Span)  # all in C: cheaper than Span(...), one per name


def _accent_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    table.update({ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o", ord("Ø"): "O", ord("đ"): "d",
                  ord("Đ"): "D", ord("ß"): "s", ord("æ"): "a", ord("Æ"): "A", ord("œ"): "o",
                  ord("Œ"): "O", ord("“"): " ", ord("”"): " ", ord("‘"): " ", ord("«"): " ",
                  ord("»"): " ", ord("’"): "'"})
    return table


_ACCENTS = _accent_table()


def fold_accents(text: str) -> str:
    """ASCII letters for accented ones, one for one (Zoë -> Zoe, Łukasz -> Lukasz)."""
    return text.translate(_ACCENTS)


def _load(name: str) -> frozenset[str]:
    text = resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if line)


@lru_cache(maxsize=1)
def forenames() -> frozenset[str]:
    return _load("forenames.txt")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return _load("surnames.txt")


class _Offsets:
    """Where each word of ``text.split()`` starts, found in order and only as far as asked:
    each word is searched for from the end of the previous one, so an earlier copy of
    the same word is never taken for it."""

    def __init__(self, text: str, words: list[str]) -> None:
        self._text, self._words = text, words
        self._known = -1  # index of the last word located
        self._end = 0  # where that word ends
        self._starts: list[int] = []

    def start_of(self, index: int) -> int:
        find, words = self._text.find, self._words
        while self._known < index:
            self._known += 1
            start = find(words[self._known], self._end)
            self._starts.append(start)
            self._end = start + len(words[self._known])
        return self._starts[index]


@lru_cache(maxsize=65536)
def _key(token: str) -> str:
    """Lookup form of a word: lower case, possessive, apostrophes and breaks dropped."""
    token = token.lower().rstrip("|.")
    if "'" in token:
        if token.endswith("'s"):
            token = token[:-2]
        token = token.replace("'", "")
    return token


@lru_cache(maxsize=1)
def _starts() -> frozenset[str]:
    """Words that can start a name, as written: forenames, titles, UPPER surnames
    followed by a comma ("SMITH, John"), and initials. Built once per process."""
    starts: set[str] = set()
    for name in forenames():
        forms = _written_forms(name)
        starts |= forms | {f + "'s" for f in forms}
    for title in _TITLE_WORDS:
        starts |= {title.title(), title.upper(), title.title() + ".", title.upper() + "."}
    for name in surnames():
        upper = {f for f in _written_forms(name) if f.isupper()}
        starts |= upper | {f + "|" for f in upper}
    starts |= {c + suffix for c in "BCDEFGHJKLMNOPQRSTUVWXYZ" for suffix in ("", ".")}
    return frozenset(starts)


def _written_forms(name: str) -> set[str]:
    """How a listed (lower-case, apostrophe-free) name is written: Title, UPPER, O'Brien."""
    forms = {name.title(), name.upper()}
    if len(name) > 3 and name[0] == "o" and name[1] not in "aeiou":
        forms |= {"O'" + name[1:].title(), "O'" + name[1:].upper()}
    for prefix in ("mc", "mac"):
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            rest = name[len(prefix):]
            forms.add(prefix.title() + rest.title())
    return forms


class PersonNameDetector(PatternDetector):
    id = "person.name"
    confidence = 0.85
    description = "Person names: title + name, forename + surname, names in person fields"
    pattern = (rf"\b{_TITLES}\.? (?:[A-Z]\.? )*{_WORD}"
               rf"|\b(?:[A-Z]\.? )?{_WORD}(?: {_WORD})+"
               rf"|\b[A-Z][A-Z'\-]+, {_WORD}")

    # The lists (and the set of ~250,000 written forms) load on first use, so a policy
    # that does not run this detector does not pay for them.
    @cached_property
    def _forenames(self) -> frozenset[str]:
        return forenames()

    @cached_property
    def _surnames(self) -> frozenset[str]:
        return surnames()

    @cached_property
    def _starts(self) -> frozenset[str]:
        return _starts()

    def wants_field(self, field: str) -> bool:
        """Values of person fields ("first_name": "Tyler") are checked even as one word."""
        return _is_person_field(field)

    def find(self, text: str, field: str | None = None) -> list[Span]:
        """Names are found by lookup: split once, then only words that could start a name.

        A set intersection (in C) tells whether the text holds any forename, title,
        initial or upper-case surname at all; most values hold none and cost about a
        microsecond.
        """
        clean = text.encode("utf-8", "surrogatepass").translate(_PUNCTUATION) \
            .decode("utf-8", "surrogatepass")
        if not clean.isascii():
            clean = fold_accents(clean)
        if "'" in clean:  # an opening quote is not part of the word: 'Daniel Evans'
            clean = _OPENING_QUOTE.sub(" ", clean)
        words = clean.split()
        if field is not None and _is_person_field(field):
            whole = self._whole_value(text, clean, words)
            if whole is not None:
                return [whole]
        if not words or self._starts.isdisjoint(words):
            return []
        spans: list[Span] = []
        located = _Offsets(clean, words)
        done = -1  # index of the last word of the previous name
        last_word = len(words) - 1
        starts = self._starts
        for index in list(compress(count(), map(starts.__contains__, words))):
            if index <= done or index >= last_word:
                continue
            found = self._name_at(words, index)
            if found is None:
                continue
            last, confidence = found
            start = located.start_of(index)
            end = located.start_of(last) + len(words[last])
            trimmed = words[last].rstrip("|.'")
            end -= len(words[last]) - len(trimmed)
            if trimmed.endswith("'s"):
                end -= 2
            confidence = self._judge(words, index, last, clean[start:end], confidence)
            if confidence is None:
                continue
            spans.append(_span((start, end, confidence, None)))
            done = last
        return spans

    def _name_at(self, words: list[str], index: int) -> tuple[int, float] | None:
        """(index of the last word, confidence) of a name starting at *index*, if any."""
        word = words[index]
        first = _key(word)
        nxt = words[index + 1]
        if first in _TITLE_WORDS and not word.endswith("|"):
            # Mr Smith / Mrs J. Smith / Dr John Smith
            last = index + 1
            while last < len(words) - 1 and len(words[last].rstrip(".")) == 1 and \
                    words[last][0].isupper():
                last += 1
            name = words[last]
            if not (name[:1].isupper() and name.rstrip("|.").replace("-", "").replace("'", "")
                    .isalpha()) or _key(name) in _TITLE_WORDS or _key(name) in _STREET_SET:
                return None
            if last < len(words) - 1 and not name.endswith(_BOUNDARY) and \
                    _key(name) in self._forenames and words[last + 1][:1].isupper() and \
                    _key(words[last + 1]) in self._surnames:
                last += 1  # Mr John Smith
            return last, 0.9
        if word.endswith("|"):
            # SMITH, John: an upper-case surname, a comma, a forename
            if word[:-1].isupper() and first in self._surnames and nxt[:1].isupper() and \
                    _key(nxt) in self._forenames:
                return index + 1, self.confidence
            return None
        if word.endswith("."):
            if len(word) == 2 and nxt[:1].isupper() and _key(nxt) in self._surnames and \
                    len(nxt.rstrip("|.")) > 1:
                return index + 1, 0.7  # J. Smith
            return None
        if len(word) == 1:
            if nxt[:1].isupper() and not nxt.isupper() and _key(nxt) in self._surnames and \
                    len(nxt.rstrip("|.")) > 2:
                return index + 1, 0.6  # J Smith
            return None
        if word.isupper() and len(word) > 1 and first in self._surnames and \
                nxt[:1].isupper() and not nxt.isupper() and _key(nxt) in self._forenames:
            return index + 1, self.confidence  # SMITH John
        if first not in self._forenames or not nxt[:1].isupper():
            return None
        second = _key(nxt)
        if index + 2 < len(words) and second in self._forenames and \
                not nxt.endswith(_BOUNDARY) and words[index + 2][:1].isupper() and \
                _key(words[index + 2]) in self._surnames:
            return index + 2, self.confidence  # forename middle-name surname
        if second in self._surnames:
            return index + 1, self.confidence
        return None

    def _judge(self, words: list[str], index: int, last: int, value: str,
               confidence: float) -> float | None:
        """Veto streets, and mark officials and brands; None drops the candidate."""
        before = _key(words[index - 1]) if index else ""
        after = _key(words[last + 1]) if last + 1 < len(words) else ""
        final = words[last]
        if after in _STREET_SET and not final.endswith(_BOUNDARY):
            return None  # Henry Wells Square, Holly Bush Lane
        first = _key(words[index])
        if _key(final) in _STREET_NOT_SURNAME and first not in _TITLE_WORDS:
            return None  # Willow Lane, Albert Rise
        if before[:1].isdigit():
            return None  # 224 Albert Rise
        if first in _NOT_PEOPLE_FIRST and \
                " ".join(_key(w) for w in value.split()) in _NOT_PEOPLE:
            return 0.3
        if before in _ROLE_BEFORE:
            return 0.3  # an official named in their public role ("Commissioner, David Lloyd")
        if after in _ROLE_AFTER and final.endswith("|"):
            return 0.3  # Sarah Taylor, Chief Constable, said
        return confidence

    def _whole_value(self, text: str, clean: str, words: list[str]) -> Span | None:
        """A person field holding one to four name words: the whole value is a name.

        Titles and roles ("Cllr Gareth Davies", "Chief Inspector ...") go through the
        ordinary path, where officials score low; placeholders ("Withheld") are no one.
        """
        bare = [w.rstrip("|.") for w in words]
        if not 1 <= len(bare) <= 4 or not all(w.replace("-", "").replace("'", "").isalpha()
                                              for w in bare if len(w) > 1):
            return None
        keys = [_key(w) for w in bare]
        if any(k in _TITLE_WORDS or k in _ROLE_AFTER for k in keys) or \
                " ".join(keys) in _PLACEHOLDERS or keys[0] in _PLACEHOLDERS:
            return None
        listed = any(k in self._forenames or k in self._surnames for k in keys)
        if not listed and not all(w[:1].isupper() for w in bare):
            return None
        start = len(clean) - len(clean.lstrip())
        end = len(clean.rstrip(" |."))
        return Span(start, end, 0.85 if listed else 0.7)


@lru_cache(maxsize=1024)
def _is_person_field(field: str) -> bool:
    """Does the field's own name (its last key) end with a person word, and no enclosing
    key say it is a place? ``victim``, ``complainant_name`` yes; ``complainant_address``,
    ``location.street.name`` no."""
    lowered = re.sub(r"\[[^\]]*\]", "", field.lower())
    leaf = re.sub(r"[^a-z0-9]+", "_", lowered.rsplit(".", 1)[-1]).strip("_")
    whole = re.sub(r"[^a-z0-9]+", "_", lowered).strip("_")
    return bool(_PERSON_FIELD.search(leaf)) and not _NOT_PERSON_FIELD.search(whole)
