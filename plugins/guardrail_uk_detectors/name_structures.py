"""Names found by the shape around them rather than by a starting word: speaker
labels, surnames in a list, "the X family", the name heading an address, and two
words no list knows where a person is expected."""

from __future__ import annotations

from itertools import compress, count
from operator import and_

from guardrail.plugin import Span

from .name_lexicon import NameLexicon
from .name_text import (
    _capitalised,
    _clean,
    _end_of,
    _key,
    _Offsets,
    _overlaps,
    _span,
)
from .name_vocabulary import (
    _ADDRESSEE,
    _BOUNDARY,
    _CAMEL_CASE,
    _LIST_JOINS,
    _ORGANISATION,
    _PARTICLES,
    _PERSON_AFTER,
    _PERSON_BEFORE,
    _SINGULAR,
    _SPEAKER,
    _STREET_SET,
    _SURNAME_ENDINGS,
    _TITLE_WORDS,
)


class NameStructures(NameLexicon):
    """Finders that read a whole value's shape; the detector runs them after its
    word-by-word pass, skipping what that pass already found."""

    def _family(self, words: list[str], index: int) -> tuple[int, int, float] | None:
        """The Sinha family, the de Paor household: a surname between "the" and "family"."""
        last = index - 1
        first = last
        while first - 1 > 0 and _key(words[first - 1]) in _PARTICLES:
            first -= 1
        if first < 1 or _key(words[first - 1]) != "the" or \
                not self._may_be_name(words[last], True) or not _capitalised(words[last]) or \
                words[last].endswith(_BOUNDARY):
            return None
        return first, last, 0.8 if self._name_word(_key(words[last])) else 0.7

    def _speakers(self, text: str, spans: list[Span]) -> list[Span]:
        """Speaker labels of a transcript or chat: the name before the colon."""
        found = []
        for match in _SPEAKER.finditer(text):
            start, end = match.span(1)
            if _overlaps(spans, start, end):
                continue
            names = _clean(match.group(1)).split()
            if names[-1] == "said" and len(names) > 1:
                names.pop()
                end = start + len(" ".join(match.group(1).split()[:-1]))
            if not all(_capitalised(w) and self._may_be_name(w, True) for w in names) or \
                    (len(names) == 1 and names[0].isupper() and len(names[0]) < 5):
                continue  # PAN:, IBAN:, VRM: are a form's labels
            if any(_CAMEL_CASE.search(w) for w in names):
                continue  # ValueError:, KeyError: an identifier (McDonald, DeShawn are not)
            listed = any(self._name_word(_key(w)) for w in names)
            if not listed and all(w.isupper() for w in names):
                continue  # ADDENDUM:, NOTE: a heading, not a speaker
            found.append(_span((start, end, 0.8 if listed else 0.75, None)))
        return found

    def _unknown_pairs(self, words: list[str], keys: list[str], capital: list[bool],
                       located: _Offsets, spans: list[Span]) -> list[Span]:
        """Omiros Sotiralis, NIDRA TATA: two words in no list and no dictionary, where a
        person is expected (after "by", "to", "shows"; before "was", "said", "'s")."""
        found = []
        shouting = all(capital)  # NOTES IN CAPITALS: every word starts with one
        forename, surname, everyday, place = (self._forenames, self._surnames, self._everyday,
                                              self._places)
        for index in compress(count(), map(and_, capital, capital[1:])):
            first, second = words[index], words[index + 1]
            second_key = keys[index + 1].rstrip("|.")
            if second_key in surname or second_key in forename or second_key in everyday or \
                    second_key in place or \
                    first.endswith(_BOUNDARY) or \
                    first.isupper() != second.isupper():
                continue
            before = keys[index - 1].rstrip("|.") if index else ""
            after = keys[index + 2].rstrip("|.") if index + 2 < len(words) else ""
            possessive = second.rstrip("|.").endswith("'s")
            suffixed = _key(second).endswith(_SURNAME_ENDINGS)
            if not (before in _PERSON_BEFORE or after in _PERSON_AFTER or possessive or
                    suffixed):
                continue
            if not shouting and index > 0 and _capitalised(words[index - 1]) and \
                    not words[index - 1].endswith(_BOUNDARY):
                continue
            if not shouting and index + 2 < len(words) and _capitalised(words[index + 2]) \
                    and not second.endswith(_BOUNDARY):
                continue
            pair = (_key(first), _key(second))
            if not (self._unknown_word(first, pair[0]) or suffixed and
                    pair[0] in self._forenames and pair[0] not in self._everyday) or \
                    not self._unknown_word(second, pair[1]) or \
                    " ".join(pair) in self._place_or_start:
                continue
            start = located.start_of(index)
            end = _end_of(words, index + 1, located)
            if _overlaps(spans, start, end):
                continue
            found.append(_span((start, end, 0.7 if suffixed else 0.6, None)))
        return found

    def _addressees(self, text: str, spans: list[Span]) -> list[Span]:
        """The name heading an address: "Esfandyar Saad\n120 Alvington Road"."""
        found = []
        for match in _ADDRESSEE.finditer(text):
            start, end = match.span(1)
            if _overlaps(spans, start, end):
                continue
            names = _clean(match.group(1)).split()
            keys = [_key(w) for w in names]
            if not all(self._may_be_name(w, True) for w in names) or \
                    not all(_capitalised(w) for w in names) or \
                    " ".join(keys) in self._place_or_start or \
                    keys[-1] in _STREET_SET or keys[0] in _TITLE_WORDS:
                continue
            found.append(_span((start, end, 0.75, None)))
        return found

    def _lists(self, words: list[str], keys: list[str], located: _Offsets,
               spans: list[Span]) -> list[Span]:
        """Surnames in a list: "Nagy, Keller and Ibarra", "Keller and Ibarra"."""
        taken = {(s.start, s.end) for s in spans}
        covered = [(s.start, s.end) for s in spans]
        for join in [i for i, k in enumerate(keys) if k in _LIST_JOINS]:
            if join == 0 or join + 1 >= len(words):
                continue
            items = [join + 1]
            at = join - 1
            if words[at].endswith("|"):
                if not words[at - 1:at] or not words[at].rstrip("|"):
                    continue
            items.insert(0, at)
            while at > 0 and words[at - 1].endswith("|") and _capitalised(words[at - 1]):
                at -= 1
                items.insert(0, at)
            if not all(self._list_item(words[i], i == items[-1]) for i in items):
                continue
            listed = [self._name_word(_key(words[i])) for i in items]
            if not any(listed) or (len(items) == 2 and not all(listed)):
                continue  # Boxmoor, Gadebridge and Grovehill: wards, not people
            after = _key(words[items[-1] + 1]) if items[-1] + 1 < len(words) else ""
            if (items[0] == 0 and not after) or after in _ORGANISATION or after in _SINGULAR:
                continue  # "Thomas, Harvey and Williams" alone, or "... LLP": a firm
            for i in items:
                start = located.start_of(i)
                end = _end_of(words, i, located)
                if (start, end) in taken or any(a <= start < b for a, b in covered):
                    continue
                taken.add((start, end))
                spans.append(_span((start, end, 0.75, None)))
        spans.sort()
        return spans

    def _list_item(self, word: str, last: bool) -> bool:
        bare = word.rstrip("|.") if last else word.rstrip("|")
        return _capitalised(bare) and not bare.isupper() and self._may_be_name(bare, True)
