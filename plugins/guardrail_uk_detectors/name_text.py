"""Reading text for names: punctuation as breaks, lookup keys, word offsets, and the
field names that say a value is a person's."""

from __future__ import annotations

import re
from functools import lru_cache, partial

from guardrail.plugin import Span

from .name_lists import fold_accents
from .name_vocabulary import (
    _AMBIGUOUS_FIELD,
    _NOT_PERSON_FIELD,
    _OPENING_QUOTE,
    _PERSON_FIELD,
    _PUNCTUATION,
    _WORD_START,
)


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


def _clean(text: str) -> str:
    """The text with punctuation as spaces or breaks and accents folded, same length."""
    clean = text.encode("utf-8", "surrogatepass").translate(_PUNCTUATION) \
        .decode("utf-8", "surrogatepass")
    if not clean.isascii():
        clean = fold_accents(clean)
    if "'" in clean:  # an opening quote is not part of the word: 'Daniel Evans'
        clean = _OPENING_QUOTE.sub(" ", clean)
    return clean


_span = partial(tuple.__new__, Span)  # all in C: cheaper than Span(...), one per name


def _overlaps(spans: list[Span], start: int, end: int) -> bool:
    """Does text[start:end] overlap a name already found?"""
    return any(span.start < end and start < span.end for span in spans)


def _end_of(words: list[str], last: int, located: _Offsets) -> int:
    """Where the name ending with word *last* ends: breaks, quotes and a possessive off."""
    end = located.start_of(last) + len(words[last])
    trimmed = words[last].rstrip("|.'")
    end -= len(words[last]) - len(trimmed)
    if trimmed.endswith("'s"):
        end -= 2
    return end


def _capitalised(word: str) -> bool:
    return word[:1] in _WORD_START


def _alpha(word: str) -> bool:
    bare = word.rstrip("|.")
    return len(bare) > 1 and bare.replace("-", "").replace("'", "").isalpha()


def _field_words(field: str) -> tuple[str, str]:
    """(the field's own name, its whole path) in lower case, indices dropped and
    punctuation as "_": ``"Victim.Name[2]"`` is ``("name", "victim_name")``."""
    lowered = re.sub(r"\[[^\]]*\]", "", field.lower())
    leaf = re.sub(r"[^a-z0-9]+", "_", lowered.rsplit(".", 1)[-1]).strip("_")
    return leaf, re.sub(r"[^a-z0-9]+", "_", lowered).strip("_")


@lru_cache(maxsize=1024)
def _is_person_field(field: str) -> bool:
    """Does the field's own name (its last key) end with a person word, and no enclosing
    key say it is a place? ``victim``, ``complainant_name`` yes; ``complainant_address``,
    ``location.street.name`` no."""
    leaf, whole = _field_words(field)
    return bool(_PERSON_FIELD.search(leaf)) and not _NOT_PERSON_FIELD.search(whole)


@lru_cache(maxsize=1024)
def _is_ambiguous_field(field: str) -> bool:
    """``name`` alone may be a ward's, a street's or a product's."""
    return _field_words(field)[0] in _AMBIGUOUS_FIELD


_PLACE_FIELD = re.compile(r"(?:^|_)(?:ward|wards|lsoa|msoa|district|borough|parish|town|city|"
                          r"county|street|road|area|place|locality|neighbourhood|estate|"
                          r"constituency|region|village)(?:_?(?:name|nm|desc))?$")


@lru_cache(maxsize=1024)
def _is_place_field(field: str) -> bool:
    """``ward``, ``WD24NM``-like ``ward_name``, ``lsoa_name``: a column of place names,
    where "Hazel Green" is a ward before it is a woman."""
    return bool(_PLACE_FIELD.search(_field_words(field)[0]))
