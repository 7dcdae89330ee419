"""What a word is, to the name detector: a listed name, an everyday word, a place, a
role. The word lists behind it load on first use, so a policy that does not run the
detector never pays for them."""

from __future__ import annotations

from functools import cached_property, lru_cache

from .name_lists import everyday_words, forenames, name_words, places, surnames
from .name_text import (
    _alpha,
    _capitalised,
    _key,
)
from .name_vocabulary import (
    _CALENDAR,
    _CUE_ENDS,
    _FAMILY,
    _FUNCTION_WORDS,
    _LOWER_STOP,
    _MAKES,
    _ORGANISATION,
    _PLACE_WORDS,
    _QUOTED,
    _ROLE_TITLES,
    _SENIOR_BEFORE,
    _STREET_NOT_SURNAME,
    _STREET_SET,
    _TITLE_WORDS,
)


@lru_cache(maxsize=1)
def _triggers() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case keys of the words that can start a name or point at one, (when the
    word is capitalised, when it is not). Capitalised: forenames (also as a speaker
    label, "marta|"), titles, roles, cue words and initials (surnames, which start a
    name after a forename no list knows, are their own set). In lower case: forenames
    that are no everyday word ("sarah", not "will"), titles and cue words. Built once."""
    names = forenames()
    cues = set(_CUE_ENDS) | {"name", "spoke", "spoken", "speaking", "talked", "known", "met"}
    cues |= {cue + "|" for cue in _CUE_ENDS} | _FAMILY | {w + "|" for w in _FAMILY}
    for word in _TITLE_WORDS | _ROLE_TITLES | _SENIOR_BEFORE:
        cues |= {word, word + "."}
    capital = set(names) | {name + "|" for name in names} | cues
    capital |= {c + suffix for c in "bcdefghjklmnopqrstuvwxyz" for suffix in ("", ".")}
    lower = (names - name_words() - _LOWER_STOP) | cues
    return frozenset(capital), frozenset(lower)


class NameLexicon:
    """The lists and the tests on one word that the finders share."""

    @cached_property
    def _forenames(self) -> frozenset[str]:
        return forenames()

    @cached_property
    def _surnames(self) -> frozenset[str]:
        return surnames()

    @cached_property
    def _everyday(self) -> frozenset[str]:
        return everyday_words()

    @cached_property
    def _name_words(self) -> frozenset[str]:
        return name_words()

    @cached_property
    def _places(self) -> frozenset[str]:
        return places()

    @cached_property
    def _triggers(self) -> frozenset[str]:
        return _triggers()[0]

    @cached_property
    def _lower_triggers(self) -> frozenset[str]:
        return _triggers()[1]

    @cached_property
    def _place_or_start(self) -> frozenset[str]:
        return self._places | self._place_starts

    @cached_property
    def _place_starts(self) -> frozenset[str]:
        """Leading words of places of several words ("hemel" of "hemel hempstead",
        "royal wootton" of "royal wootton bassett")."""
        starts = set()
        for place in self._places:
            words = place.split(" ")
            starts.update(" ".join(words[:n]) for n in range(1, len(words)))
        return frozenset(starts)

    def _listed(self, key: str) -> bool:
        return key in self._forenames or key in self._surnames

    def _name_word(self, key: str) -> bool:
        """A listed name that is not also an everyday word, nor a place unless a forename
        ("Lee", "Keith" are people first)."""
        return (key in self._forenames or key in self._surnames) and \
            key not in self._everyday and (key not in self._places or key in self._forenames)

    def _surname_like(self, word: str) -> float | None:
        """How surely *word* (after a forename) is a surname: listed, hyphenated parts
        listed, or a capitalised word that is no English word; None if it is not."""
        key = _key(word)
        if not _alpha(word) or key in _TITLE_WORDS or key in _STREET_NOT_SURNAME or \
                key in _ORGANISATION or key in _PLACE_WORDS or \
                (key in _STREET_SET and key not in self._surnames):
            return None
        if self._listed(key):
            return 0.85 if key not in self._everyday else 0.6
        if "-" in key:
            parts = [p for p in key.split("-") if p]
            if len(parts) < 2 or any(p in self._everyday or p in self._places for p in parts):
                return None
            return 0.85 if any(self._listed(p) for p in parts) else 0.75
        if key in self._everyday or key in self._places or key in self._place_starts or \
                len(key) < 3:
            return None
        return 0.7  # a word that is no English word after a forename: Kowalczyk, Dvorak

    # -- finding -------------------------------------------------------------------------

    def _may_be_name(self, word: str, unknown_ok: bool) -> bool:
        """Could *word* be (part of) a name after a cue? Listed names yes, everyday words,
        places and roles no; a word in no list only when the cue is strong."""
        key = _key(word)
        if not _alpha(word) or not (_capitalised(word) or word.islower()) or \
                key in _TITLE_WORDS or key in _ROLE_TITLES or key in _PLACE_WORDS or \
                key in _STREET_SET or key in _ORGANISATION or key in self._everyday or \
                (key in self._places and key not in self._forenames) or key in _QUOTED or \
                key in _CALENDAR or key in _FUNCTION_WORDS or \
                (word.isupper() and len(key) < 4 and not unknown_ok):
            return False
        if self._listed(key):
            return True
        return unknown_ok and len(key) > 2

    def _unknown_word(self, word: str, key: str) -> bool:
        """A capitalised word that no list knows: no name, word, place or role."""
        return _alpha(word) and len(key) > 2 and not self._listed(key) and \
            key not in self._everyday and key not in self._places and \
            key not in self._place_starts and key not in _TITLE_WORDS and \
            key not in _ROLE_TITLES and key not in _ORGANISATION and \
            key not in _PLACE_WORDS and key not in _STREET_SET and key not in _MAKES and \
            key not in _SENIOR_BEFORE

    def _is_place(self, keys: list[str], ambiguous: bool = False) -> bool:
        """Ward, street, town and organisation names: "Ashby East", "Kings Langley",
        "Castle and Priory", "Leverstock Green", "Hertfordshire Constabulary". In a field
        that may name anything (``name``), a place within the value ("Melton Mowbray
        Citizens Advice", "Leslie and Long Whatton") or a place alone that is no forename
        ("Felton"; "Dudley" and "Lee" may be people: fail closed) is one."""
        if len(keys) > 1 and " ".join(keys) in self._places:
            return True
        if ambiguous and any(" ".join(keys[i:j]) in self._places
                             for i in range(len(keys)) for j in range(i + 2, len(keys) + 1)):
            return True
        if any(k in _PLACE_WORDS or k in _STREET_NOT_SURNAME or k in _ORGANISATION
               for k in keys):
            return True
        if len(keys) > 1 and keys[-1] in _STREET_SET:
            return True
        if len(keys) == 1:
            return keys[0] in self._places and keys[0] not in self._forenames
        return False
