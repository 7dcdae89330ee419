"""The word lists behind person names: forenames, surnames, everyday words and places.

Built by ``data/build_name_lists.py`` from names-dataset (forenames and surnames of
the origins common in UK records), the US Census 1990 lists, SCOWL and wordfreq
(everyday English words) and GeoNames (places in the UK, Ireland and the Crown
dependencies). Every entry is lower-case ASCII with accents folded and apostrophes
dropped (``O'Brien`` is ``obrien``), which is how the detector looks words up.

Memory: about 30 MB for the four sets, loaded on first use (a policy that does not
run the name detector never pays for them).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

__all__ = ["forenames", "surnames", "everyday_words", "name_words", "places", "fold_accents"]


def _accent_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    table.update({ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o", ord("Ø"): "O", ord("đ"): "d",
                  ord("Đ"): "D", ord("ß"): "s", ord("æ"): "a", ord("Æ"): "A", ord("œ"): "o",
                  ord("Œ"): "O", ord("ı"): "i", ord("“"): " ", ord("”"): " ", ord("‘"): " ",
                  ord("«"): " ", ord("»"): " ", ord("’"): "'", ord("ʼ"): "'"})
    return table


_ACCENTS = _accent_table()


def fold_accents(text: str) -> str:
    """ASCII letters for accented ones, one for one (Zoë -> Zoe, Łukasz -> Lukasz), so
    offsets into the folded text are offsets into the original."""
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


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """Common lower-case English words that are not common names ("castle", "hope",
    "reported"; never "john", "will" or "smith")."""
    return _load("everyday_words.txt")


@lru_cache(maxsize=1)
def name_words() -> frozenset[str]:
    """Common names that are also everyday words ("will", "long", "grace", "hunter")."""
    return _load("name_words.txt")


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Populated places, as lower-case words joined by single spaces ("kings langley")."""
    return _load("places.txt")
