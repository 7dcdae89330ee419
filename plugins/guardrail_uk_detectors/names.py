"""Person names in the ways UK records write them.

Found: a forename and a surname (``Zsófia Kertész``, ``Wang Wei``, ``Jane Mary Smith``,
``Kemi Adeyemi-Jones``, ``JOHN SMITH``, ``sarah kowalczyk``), ``SMITH, John``, a title
or an operational role and a name (``Mrs Smith``, ``PC Jo Parry``, ``Cllr Amir Khan``,
``Dr. A. Patel``), a speaker label (``Marta: I saw him``), surnames in a list (``Nagy,
Keller and Ibarra``), one name after a cue (``my name is Marta``, ``the victim, Tyler,``,
``spoke to Kowalski``), and the whole value of a field named for a person.

This module finds names word by word, from a word that can start one; what a word is
lives in ``name_lexicon.py`` (over the lists of ``name_lists.py`` and the vocabulary of
``name_vocabulary.py``), and the finders that read a value's shape (speakers, lists,
addresses) in ``name_structures.py``.

Lists: forenames and surnames of the origins common in UK records, everyday English
words and UK places. A word that is no English word and follows a
known forename is taken for a surname (surname lists are never complete); a name
that is also an everyday word ("Hope", "Castle") needs more than itself.

What keeps precision up:

* a name never spans punctuation (``Willow Lane. Both ...`` is not "Lane Both");
* streets, places and organisations are not people: a pair followed by a street or
  organisation word (``Henry Wells Square``, ``John Lewis Partnership``), after a house
  number (``224 Albert Rise``), a known place (``Kings Langley``) or a place with a
  compass word (``Ashby East``);
* a name right after a senior public office (``Chief Constable Jane Smith``,
  ``Police and Crime Commissioner ...``) or before a role (``Sarah Taylor, Chief
  Constable``) is an official acting in public, and brands named after people
  (``John Lewis``) are not individuals: both score 0.3, below the default threshold;
* policies allowlist other public figures and place names that look like names.
"""

from __future__ import annotations

from itertools import chain, compress, count
from operator import and_, not_

from guardrail.plugin import Span

from .base import PatternDetector
from .name_lists import fold_accents, forenames, surnames
from .name_structures import NameStructures
from .name_text import (
    _alpha,
    _capitalised,
    _clean,
    _end_of,
    _is_ambiguous_field,
    _is_person_field,
    _is_place_field,
    _key,
    _Offsets,
    _span,
)
from .name_vocabulary import (
    _ADDRESSEE,
    _BOUNDARY,
    _CALENDAR,
    _CUE_ENDS,
    _CUES_BY_END,
    _FAMILY,
    _FUNCTION_WORDS,
    _JOINED,
    _LABEL_CUES,
    _LOWER,
    _LOWER_STOP,
    _LSOA_CODE,
    _MAKES,
    _NOT_PEOPLE,
    _NOT_PEOPLE_FIRST,
    _ORGANISATION,
    _PARTICLES,
    _PERSON_AFTER,
    _PERSON_BEFORE,
    _PLACE_AFTER_NAME,
    _PLACE_NAME_WORDS,
    _PLACE_PREPOSITIONS,
    _PLACE_WORDS,
    _PLACEHOLDERS,
    _QUOTED,
    _ROLE_AFTER,
    _ROLE_TITLES,
    _SENIOR_BEFORE,
    _STREET_NOT_SURNAME,
    _STREET_SET,
    _TITLE_WORDS,
    _TITLES,
    _WORD,
    _WORD_START,
)

__all__ = ["PersonNameDetector", "forenames", "surnames", "fold_accents"]



def _after_label(words: list[str], index: int) -> int:
    """Where a name after the cue at *index* starts: past a dash or a break of its own
    ("Complainant - Evance Kibet")."""
    at = index + 1
    if at < len(words) and words[at] in ("-", "|"):
        at += 1
    return at


# What _whole_value says of a person field's value that is a place's name.
_A_PLACE = Span(0, 0, 0.0)


class PersonNameDetector(NameStructures, PatternDetector):
    id = "person.name"
    confidence = 0.85
    description = ("Person names: forename and surname, title or role and name, speaker "
                   "labels, lists of surnames, a name after a cue, names in person fields")
    pattern = (rf"\b(?i:{_TITLES})\.? (?:[A-Z]\.? )*{_WORD}"
               rf"|\b[A-Z]\.? {_WORD}"
               rf"|\b[A-Z][A-Z'\-]+, {_WORD}"
               rf"|\b{_WORD}(?: {_WORD})+"
               rf"|\b{_WORD}(?:, {_WORD})*,? (?:and|&) {_WORD}"
               rf"|\b{_WORD}:"
               rf"|\b{_LOWER} {_LOWER}\b"
               rf"|(?i:name is|named|called|known as|aka|victim|suspect|witness|"
               rf"spoke to|spoke with|speak to|talked to|contacted|son|daughter|husband|wife|"
               rf"partner|friend|mum|dad|dear|hi|hello|regards|thanks|cheers|sincerely)"
               rf"[,:]?\s+(?:- )?{_WORD}")

    def wants_field(self, field: str) -> bool:
        """Values of person fields ("first_name": "Tyler") are checked even as one word."""
        return _is_person_field(field)

    # -- what a word is ------------------------------------------------------------------

    def find(self, text: str, field: str | None = None) -> list[Span]:
        """Names are found by lookup: split once, then only words that could start a name.

        A set intersection (in C) tells whether the text holds any forename, title,
        cue or initial at all; most values hold none and cost about a microsecond.
        """
        clean = _clean(text)
        words = clean.split()
        if not words:
            return []
        if field is not None and _is_person_field(field):
            whole = self._whole_value(clean, words, _is_ambiguous_field(field))
            if whole is _A_PLACE:
                return []  # "Milton Green" in a column called name: a ward, not a woman
            if whole is not None:
                return [whole]
        keys = clean.lower().split()
        if keys[:3] == ["on", "or", "near"] and "|" not in clean and len(keys) < 9:
            return []  # police.uk's anonymised location: a street or place, never a person
        if len(keys) != len(words):
            keys = [word.lower() for word in words]
        joined = "and" in keys
        if self._triggers.isdisjoint(keys) and self._surnames.isdisjoint(keys) and \
                not joined and ":" not in text and \
                " - " not in text and \
                _PERSON_AFTER.isdisjoint(keys) and _PERSON_BEFORE.isdisjoint(keys) and \
                _ADDRESSEE.search(text) is None:
            return []
        spans: list[Span] = []
        located = _Offsets(clean, words)
        quoted = '"' in text or "“" in text
        place_field = field is not None and _is_place_field(field)
        done = -1  # index of the last word of the previous name
        capital = [w[:1] in _WORD_START for w in words]
        indices = sorted(set(chain(
            compress(count(), map(and_, capital, map(self._triggers.__contains__, keys))),
            compress(count(), map(and_, capital, map(self._surnames.__contains__, keys))),
            compress(count(), map(and_, map(not_, capital),
                                  map(self._lower_triggers.__contains__, keys))))))
        for index in indices:
            if index <= done:
                continue
            found = self._name_at(words, keys, index)
            if found is None:
                continue
            first, last, confidence = found
            if first <= done:
                continue
            start = located.start_of(first)
            end = _end_of(words, last, located)
            if first != last and (_JOINED.match(text, start, end) is not None or
                                  "\n" in text[start:end]):
                continue  # mohamed_herbert@, John.Smith: an identifier; a name is on one line
            confidence = self._judge(words, first, last, clean[start:end], confidence,
                                     quoted, place_field)
            if confidence is None:
                continue
            spans.append(_span((start, end, confidence, None)))
            done = last
        if joined:
            spans = self._lists(words, keys, located, spans)
        if ":" in text or " - " in text:
            spans += self._speakers(text, spans)
        spans += self._unknown_pairs(words, keys, capital, located, spans)
        if "\n" in text or ", " in text:
            spans += self._addressees(text, spans)
        if spans:
            spans = [span for span in spans if not self._in_token(text, span.start, span.end)]
            spans.sort()
        return spans

    @staticmethod
    def _in_token(text: str, start: int, end: int) -> bool:
        """Is text[start:end] part of an email address or a handle (jane@, j_smith)?"""
        before, after = text[start - 1:start], text[end:end + 1]
        return (before.isalnum() or before in ("@", "_")) and before != "" or \
            after.isalnum() or after in ("@", "_")

    def _name_at(self, words: list[str], keys: list[str],
                 index: int) -> tuple[int, int, float] | None:
        """(first word, last word, confidence) of a name found from *index*, if any."""
        word = words[index]
        key = _key(word)
        if key in _TITLE_WORDS or key in _ROLE_TITLES:
            found = self._after_title(words, index)
            if found is not None:
                return found
        if (key in _CUE_ENDS or keys[index] in _CUE_ENDS) and self._may_follow_cue(words, index):
            found = self._after_cue(words, keys, index)
            if found is not None:
                return found
        if key in _FAMILY:
            return self._family(words, index)
        if len(key) == 1:
            return self._initial(words, index)
        if key not in self._forenames:
            if index and words[index - 1][:1] in _WORD_START:
                return self._unknown_forename(words, index)
            return None
        if word.endswith("|"):
            return None  # a speaker label ("Marta:") is found by _speakers
        if index + 1 >= len(words):
            return self._upper_surname_first(words, index) or \
                self._unknown_forename(words, index)
        return self._pair(words, index) or self._upper_surname_first(words, index) or \
            self._unknown_forename(words, index)

    def _pair(self, words: list[str], index: int) -> tuple[int, int, float] | None:
        """Forename [middle name or initial] surname, in Title, UPPER or lower case."""
        word, nxt = words[index], words[index + 1]
        first = _key(word)
        if word.endswith(_BOUNDARY) and not (len(word) == 2 and word[1] == "."):
            return None
        if word.islower():
            return self._lower_pair(words, index)
        if _key(nxt) in _PARTICLES and not nxt.endswith(_BOUNDARY):
            at = index + 1
            while at < min(index + 3, len(words) - 1) and _key(words[at]) in _PARTICLES and \
                    not words[at].endswith(_BOUNDARY):
                at += 1
            if _capitalised(words[at]) and _alpha(words[at]) and \
                    _key(words[at]) not in _PARTICLES and \
                    _key(words[at]) not in self._everyday:
                return index, at, 0.8  # Ahmed bin Laden, Jan van der Berg
            return None
        if not _capitalised(nxt) or word.isupper() != nxt.isupper() and len(nxt) > 2:
            return None
        last = index + 1
        # forename middle-name surname, or forename initial surname
        if index + 2 < len(words) and not nxt.endswith("|") and _capitalised(words[index + 2]) \
                and (len(nxt.rstrip(".")) == 1 or
                     (_key(nxt) in self._forenames and not nxt.endswith("."))):
            third = self._surname_like(words[index + 2])
            if third is not None and (self._listed(_key(words[index + 2])) or
                                      len(nxt.rstrip(".")) == 1):
                last = index + 2
        if last == index + 1:
            sure = self._surname_like(nxt)
            if sure is None:
                return None
            before = _key(words[index - 1]) if index else ""
            if sure < 0.85 and (first in _MAKES or first in self._name_words or
                                before in _PLACE_PREPOSITIONS):
                return None  # Kia Sportage, "around Long Chaulden": no surname a list knows
            if first in self._everyday:
                return None  # On Saturday, Hope Castle: a word that may be a name
            if first in self._name_words and _key(nxt) in self._name_words and \
                    not word.isupper():
                return None  # Amber Green, May Day: two names that are both words
            return index, last, min(sure, self.confidence)
        return index, last, self.confidence

    def _lower_pair(self, words: list[str], index: int) -> tuple[int, int, float] | None:
        """sarah kowalczyk: lower case, both words names and neither an everyday word."""
        first, nxt = _key(words[index]), words[index + 1]
        second = _key(nxt)
        if not nxt.islower() or first in _LOWER_STOP or second in _LOWER_STOP or \
                first in self._name_words or second in self._name_words or \
                first in self._everyday or not _alpha(nxt) or second in self._everyday or \
                second in self._places or second not in self._surnames or \
                second in _STREET_SET or second in _ORGANISATION:
            return None
        return index, index + 1, 0.7

    def _upper_surname_first(self, words: list[str], index: int) -> tuple[int, int, float] | None:
        """SMITH, John and SMITH John: an upper-case surname, then the forename."""
        if index == 0:
            return None
        before, word = words[index - 1], words[index]
        if before.rstrip("|").isupper() and len(before.rstrip("|")) > 1 and \
                _key(before) in self._surnames and _capitalised(word) and not word.isupper() \
                and not before.endswith("."):
            return index - 1, index, self.confidence
        return None

    def _unknown_forename(self, words: list[str], index: int) -> tuple[int, int, float] | None:
        """Advay Prakash, KIJANA MOHAMED: a word that is no English word, then a listed
        surname (forename lists are never complete either)."""
        if index == 0:
            return None
        before, word = words[index - 1], words[index]
        key, first = _key(word), _key(before)
        if before.endswith(_BOUNDARY) or not _capitalised(before) or \
                before.isupper() != word.isupper() or not _alpha(before) or \
                len(first) < 3 or first in self._everyday or self._listed(first) or \
                first in self._places or first in self._place_starts or \
                first in _TITLE_WORDS or first in _ROLE_TITLES or first in _SENIOR_BEFORE or \
                first in _MAKES or first in _PLACE_WORDS or first in _ORGANISATION:
            return None
        if not _capitalised(word) or not self._name_word(key) or key not in self._surnames or \
                key in self._name_words or \
                key in _ORGANISATION or key in _STREET_SET or key in _PLACE_WORDS:
            return None
        start = index - 1
        if index >= 2 and _capitalised(words[index - 2]) and \
                not words[index - 2].endswith(_BOUNDARY):
            if self._may_be_name(words[index - 2], True) and \
                    _key(words[index - 2]) not in self._name_words:
                start = index - 2  # Ayinke Ogunbamigbe Balogun
            elif not (word.isupper() and words[index - 2].isupper()):
                return None  # inside a run of capitalised words: a title or an organisation
        return start, index, 0.7

    def _after_title(self, words: list[str], index: int) -> tuple[int, int, float] | None:
        """Mr Smith, Mrs J. Smith, Dr John Smith, PC Jo Parry, Det Sgt Priya Patel."""
        word = words[index]
        if word.endswith("|") or not (_capitalised(word) or word.islower() and
                                      _key(word) in _TITLE_WORDS):
            return None
        if _key(word) in _ROLE_TITLES and not (word.isupper() or word[1:].islower()):
            return None
        last = index + 1
        senior = False
        while last < len(words) - 1 and (_key(words[last]) in _ROLE_TITLES or
                                          _key(words[last]) in _SENIOR_BEFORE or
                                          words[last].isdigit()) and \
                not words[last - 1].endswith("|"):
            senior |= _key(words[last]) in _SENIOR_BEFORE
            last += 1  # Det Sgt, PC 1234, Detective Chief Inspector
        if last >= len(words):
            return None
        # A title is part of the name (Mrs Smith); a rank or role is not (PC Jo Parry).
        first = index if _key(word) in _TITLE_WORDS else last
        while last < len(words) - 1 and len(words[last].rstrip(".")) == 1 and \
                words[last][0].isupper():
            last += 1  # initials
        name = words[last]
        key = _key(name)
        if not (_capitalised(name) and _alpha(name)) or key in _TITLE_WORDS or \
                key in _ROLE_TITLES or key in _STREET_NOT_SURNAME or key in _ORGANISATION:
            return None
        confidence = 0.9 if key not in self._everyday else 0.6
        if last < len(words) - 1 and not name.endswith(_BOUNDARY) and \
                _capitalised(words[last + 1]) and key not in self._everyday:
            if self._surname_like(words[last + 1]) is not None:
                last += 1  # Mr John Smith, PC Demian Shmorhun
        before = _key(words[index - 1]) if index else ""
        if before in _SENIOR_BEFORE or senior:
            confidence = 0.3  # Chief Constable, Detective Chief Inspector
        return first, last, confidence

    def _may_follow_cue(self, words: list[str], index: int) -> bool:
        """Cheap test first: can the word after a cue start a name at all? ("to the" no)"""
        at = _after_label(words, index)
        if at >= len(words):
            return False
        word = words[at]
        key = _key(word)
        if word[:1] in _WORD_START:
            return key not in self._everyday and key not in _FUNCTION_WORDS
        return key in self._lower_triggers

    def _cue_strength(self, words: list[str], index: int) -> str | None:
        """"strong", "weak" or None: does a cue phrase end at *index*?"""
        end_key = _key(words[index])
        found = None
        for phrase, size, strength in _CUES_BY_END.get(end_key, ()):
            if index + 1 >= size and (size == 1 or " ".join(
                    _key(w) for w in words[index - size + 1:index + 1]) == phrase):
                found = strength if found != "strong" else found
        if found == "weak" and end_key in _LABEL_CUES and (
                words[index].endswith("|") or words[index + 1:index + 2] == ["-"]):
            return "strong"  # "Complainant: Evance Kibet", a form's label
        return found

    def _after_cue(self, words: list[str], keys: list[str],
                   index: int) -> tuple[int, int, float] | None:
        """A name after a cue: "my name is Marta", "the victim, Tyler,", "her son Kai",
        "Reporting person: Osvalds Jaunzems", "called harry ntim back"."""
        strength = self._cue_strength(words, index)
        if strength is None or words[index].endswith("."):
            return None
        at = _after_label(words, index)
        if at >= len(words) or _key(words[at]) in _TITLE_WORDS:
            return None  # "spoke to Mr Smith": the title path has it
        strong = strength == "strong"
        lower = words[at].islower()
        if _key(words[at]) in self._forenames and at + 1 < len(words) and \
                not words[at].endswith(_BOUNDARY):
            pair = self._pair(words, at)
            if pair is not None:
                return pair[0], pair[1], max(pair[2], 0.8)
        last = at - 1
        while last + 1 < len(words) and last - at < 2 and \
                (last < at or not words[last].endswith(_BOUNDARY)):
            word = words[last + 1]
            if word.islower() != lower or not self._may_be_name(word, strong or lower) or \
                    (lower and last >= at and _key(word) in self._name_words):
                break
            last += 1
        if last < at:
            return None
        keys_run = [_key(w) for w in words[at:last + 1]]
        nxt = words[last + 1] if last + 1 < len(words) and not words[last].endswith("|") else ""
        if any(c.isdigit() for c in nxt) or _key(nxt) in _PLACE_NAME_WORDS or \
                " ".join(keys_run) in self._places or \
                f"{' '.join(keys_run)} {_key(nxt)}" in self._place_or_start:
            return None  # "to WIAFE 908238", "to Kingston upon Hull"
        listed = [self._name_word(k) for k in keys_run]
        if lower:
            # lower case wants a listed forename first (marta, harry), never a word
            if keys_run[0] not in self._forenames or not listed[0] or \
                    keys_run[0] in _LOWER_STOP or len(keys_run[0]) < 3:
                return None
            return at, last, 0.75
        if words[at].isupper() and len(keys_run[0]) < 3:
            return None
        if not strong and last == at and keys_run[0] in self._name_words:
            return None  # "to LOSS of data", "spoke to Will": a word first
        if any(listed) or strong or last > at:
            return at, last, 0.8 if any(listed) else 0.75 if strong else 0.7
        return None

    def _initial(self, words: list[str], index: int) -> tuple[int, int, float] | None:
        """J. Smith, J Smith: an initial and a listed surname."""
        word = words[index]
        if index + 1 >= len(words) or not word[:1].isupper():
            return None
        nxt = words[index + 1]
        if not (_capitalised(nxt) and not nxt.isupper() and len(nxt.rstrip("|.")) > 2):
            return None
        key = _key(nxt)
        if key not in self._surnames or key in self._everyday or key in self._name_words:
            return None  # "B. List on the Title Page"
        return index, index + 1, 0.7 if word.endswith(".") else 0.6

    def _judge(self, words: list[str], index: int, last: int, value: str,
               confidence: float, quoted: bool = False,
               place_field: bool = False) -> float | None:
        """Veto streets, places and organisations, and mark officials and brands; None
        drops the candidate."""
        before = _key(words[index - 1]) if index else ""
        after = _key(words[last + 1]) if last + 1 < len(words) else ""
        final = words[last]
        ended = final.endswith(_BOUNDARY)
        capital_after = last + 1 < len(words) and words[last + 1][:1] in _WORD_START
        if not ended and (after in _STREET_SET or capital_after and (
                after in _ORGANISATION or after in _PLACE_AFTER_NAME)):
            return None  # Henry Wells Square, Sarah Jones Solicitors, Ashby East
        first = _key(words[index])
        if _key(final) in _STREET_NOT_SURNAME and first not in _TITLE_WORDS:
            return None  # Willow Lane, Albert Rise
        if before[:1].isdigit():
            return None  # 224 Albert Rise
        if _LSOA_CODE.match(after):
            return None  # "St Albans 001B": an LSOA is its local authority and a code
        if before == "near" and index >= 3 and _key(words[index - 3]) == "on":
            return None  # police.uk's "On or near Long Chaulden" names a street
        keys = [_key(w) for w in value.split()]
        joined = " ".join(keys)
        if joined in self._places or (len(keys) > 1 and keys[-1] in _PLACE_WORDS) or \
                (not ended and joined in self._place_starts and
                 f"{joined} {after}" in self._place_or_start):
            return None  # Kings Langley, Hemel Hempstead, Royal Wootton Bassett
        if not ended and after and f"{keys[-1]} {after}" in self._place_or_start:
            return None  # "Boxmoor | Hemel Hempstead": the last word begins a place
        if keys[-1] in _STREET_SET and first not in _TITLE_WORDS and \
                (before in _PLACE_PREPOSITIONS or first in self._name_words or place_field):
            return None  # "on Willow Hill", "Hazel Green" in a ward column: a street or estate
        if ended and final.endswith("|") and first not in _TITLE_WORDS and \
                " ".join(_key(w) for w in words[last + 1:last + 3]) in self._places:
            return None  # "Long Chaulden, Hemel Hempstead": a street, then its town
        if keys[-1] in _CALENDAR and after[:1].isdigit():
            return None  # DOB June 24
        if first in _NOT_PEOPLE_FIRST and joined in _NOT_PEOPLE:
            return 0.3
        if first not in _TITLE_WORDS and (before in _SENIOR_BEFORE or before in _ROLE_TITLES and
                                          index > 1 and _key(words[index - 2]) in _SENIOR_BEFORE):
            return 0.3  # an official in a public office ("Commissioner David Lloyd",
            # "Chief Inspector Ruth Hale")
        if after in _ROLE_AFTER and ended and final.endswith("|"):
            return 0.3  # Sarah Taylor, Chief Constable, said
        if quoted and before in _ROLE_TITLES and _QUOTED.intersection(
                _key(w) for w in words[last + 1:last + 14]):
            return 0.3  # Sergeant Alison Booth said: "..." - quoted in a public statement
        return confidence

    def _whole_value(self, clean: str, words: list[str], ambiguous: bool) -> Span | None:
        """A person field holding one to four name words: the whole value is a name.

        Titles and roles ("Cllr Gareth Davies", "Chief Inspector ...") go through the
        ordinary path, where officials score low; placeholders ("Withheld") are no one;
        places ("Ashby East", "Castle and Priory") are not people. A field called just
        ``name`` may name anything, so there a listed name must be among the words.
        A place is :data:`_A_PLACE`: nothing in the value is then a name.
        """
        bare = [w.rstrip("|.") for w in words]
        if not 1 <= len(bare) <= 4 or not all(w.replace("-", "").replace("'", "").isalpha()
                                              for w in bare if len(w) > 1):
            return None
        keys = [_key(w) for w in bare]
        if any(k in _TITLE_WORDS or k in _ROLE_AFTER for k in keys) or \
                " ".join(keys) in _PLACEHOLDERS or keys[0] in _PLACEHOLDERS:
            return None
        if self._is_place(keys, ambiguous):
            return _A_PLACE
        listed = any(self._name_word(k) for k in keys)
        if ambiguous and not listed:
            return None
        if not listed and not all(w[:1].isupper() for w in bare):
            return None
        if not listed and any(k in self._everyday for k in keys):
            return None
        start = len(clean) - len(clean.lstrip())
        end = len(clean.rstrip(" |."))
        return Span(start, end, 0.85 if listed else 0.7)
