"""The words and shapes that say what a word near a name is: titles, ranks, cues,
places, organisations, and the punctuation a name never spans.

Kept apart from the detector so the rules read as data: a policy reviewer can see
which words make "Ashby East" a ward and "PC Jo Parry" a person.
"""

from __future__ import annotations

import re

from .addresses import STREET_WORDS

# Capitalised words, accented ones included (Zoë, Łukasz): the gate must let them in.
_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'\-]+"
_LOWER = r"[a-zß-öø-ÿ][a-zß-öø-ÿ'\-]+"
_TITLES = (r"mr|mrs|ms|miss|mx|dr|prof|sir|dame|lady|lord|rev|revd|messrs|pc|wpc|dc|ds|di|dci"
           r"|sgt|pcso|cllr|insp|det")
_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady",
                          "lord", "rev", "revd", "messrs", "mstr", "master"})
# Ranks and roles that are written before a name like a title: the person is named
# in the course of a case, not as a public figure.
_ROLE_TITLES = frozenset({"pc", "wpc", "dc", "ds", "di", "dci", "sgt", "pcso", "cllr", "insp",
                          "det", "sergeant", "constable", "detective", "councillor",
                          "inspector", "officer", "nurse", "sister", "father", "canon",
                          "imam", "rabbi", "pastor", "cpl", "pte", "lt", "capt"})
# Offices whose holders are public figures: a name right after one scores 0.3.
_SENIOR_BEFORE = frozenset({
    "chief", "deputy", "assistant", "superintendent", "supt", "dsi", "dcs", "commissioner",
    "mayor", "minister", "secretary", "mp", "msp", "mla", "chair", "chairman", "chairwoman",
    "ceo", "executive", "director", "head", "leader", "spokesperson", "spokesman",
    "spokeswoman", "judge", "justice", "magistrate", "president", "king", "queen", "prince",
    "princess", "saint", "st", "coroner", "governor", "chancellor", "baroness",
})
_ROLE_AFTER = _SENIOR_BEFORE | _ROLE_TITLES | {"mp", "msp", "qc", "kc", "obe", "mbe", "cbe"}
# A single name after these is a person: "my name is Marta", "spoke to Kowalski".
# Strong cues take a capitalised word that is in no list; weak ones want a listed name.
_STRONG_CUES = {"name is": 2, "names": 1, "named": 1, "called": 1, "known as": 2, "aka": 1,
                "alias": 1, "i'm": 1, "im": 1, "son": 1, "daughter": 1, "husband": 1,
                "wife": 1, "partner": 1, "boyfriend": 1, "girlfriend": 1, "brother": 1,
                "sister": 1, "nephew": 1, "niece": 1, "grandson": 1, "granddaughter": 1,
                "stepson": 1, "stepdaughter": 1, "ex-partner": 1, "mum": 1, "dad": 1,
                "mother": 1, "father": 1, "dear": 1, "hi": 1, "hello": 1, "thanks": 1,
                "regards": 1, "cheers": 1, "sincerely": 1, "wishes": 1}
_WEAK_CUES = {
    "victim": 1, "suspect": 1, "witness": 1, "complainant": 1, "caller": 1, "informant": 1,
    "offender": 1, "perpetrator": 1, "spoke to": 2, "spoke with": 2, "speak to": 2,
    "speaking to": 2, "spoken to": 2, "talked to": 2, "contacted": 1, "visited": 1,
    "met with": 2, "interviewed": 1, "arrested": 1, "informed": 1, "told": 1, "asked": 1,
    "neighbour": 1, "neighbor": 1, "friend": 1, "uncle": 1, "aunt": 1,
    "carer": 1, "tenant": 1, "resident": 1, "love": 1,
    "reporting person": 2, "prepared by": 2, "reported by": 2, "reviewed by": 2,
    "signed by": 2, "completed by": 2, "taken by": 2, "statement of": 2, "name": 1,
    "signed": 1, "applicant": 1, "occupier": 1, "driver": 1, "owner": 1, "keeper": 1,
    "present": 1, "from": 1, "to": 1, "cc": 1, "parent": 1, "guardian": 1, "pupil": 1,
    "patient": 1, "client": 1, "subject": 1, "contact": 1,
}
# Labels of a form: followed by a colon they are as strong as "my name is".
_LABEL_CUES = frozenset({"victim", "suspect", "witness", "complainant", "caller", "informant",
                         "offender", "perpetrator", "tenant", "resident", "person", "by",
                         "name", "signed", "contact", "applicant", "occupier", "driver",
                         "owner", "keeper", "attendee", "present", "from", "to", "cc",
                         "parent", "guardian", "pupil", "patient", "client", "subject"})
_CUES_BY_END: dict[str, list[tuple[str, int, str]]] = {}
for _phrases, _strength in ((_WEAK_CUES, "weak"), (_STRONG_CUES, "strong")):
    for _phrase, _size in _phrases.items():
        _CUES_BY_END.setdefault(_phrase.rsplit(" ", 1)[-1], []).append(
            (_phrase, _size, _strength))
_CUE_ENDS = frozenset(phrase.rsplit(" ", 1)[-1] for phrase in (*_STRONG_CUES, *_WEAK_CUES))
# People's names that are far more often brands, shops, pubs or places.
_NOT_PEOPLE = frozenset({
    "john lewis", "ted baker", "laura ashley", "ann summers", "charles dickens", "paul smith",
    "karen millen", "ralph lauren", "calvin klein", "hugo boss", "tommy hilfiger",
    "ben sherman", "jack daniels", "ronald mcdonald", "marks spencer", "harvey nichols",
    "william hill", "john menzies", "james bond", "florence nightingale", "winston churchill",
    "isaac newton", "william shakespeare", "jane austen", "queen victoria", "prince albert",
    "king george", "mary rose", "victoria cross", "george cross", "martin luther", "st john",
    "dr martens", "dr oetker", "mr kipling", "mrs brown", "mr muscle",
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
# Words that make a name an organisation's or a building's: "Sarah Jones Solicitors".
_ORGANISATION = frozenset({
    "ltd", "limited", "plc", "llp", "llc", "inc", "co", "sons", "associates", "partners",
    "partnership", "group", "solicitors", "school", "academy", "college", "university",
    "hospital", "surgery", "practice", "centre", "center", "trust", "foundation", "church",
    "chapel", "mosque", "temple", "club", "fc", "hotel", "inn", "arms", "tavern", "pub", "bar",
    "restaurant", "cafe", "shop", "store", "stores", "house", "hall", "library", "museum",
    "gallery", "theatre", "cinema", "station", "airport", "services", "council", "society",
    "union", "estates", "homes", "motors", "garage", "court", "building", "primary",
    "infant", "infants", "junior", "nursery", "ward", "unit", "clinic", "pharmacy", "stadium",
    "bridge", "tower", "memorial", "institute", "fund", "award", "prize", "lecture", "way",
    "police", "constabulary", "fire", "rescue", "authority", "nhs", "ambulance", "service",
})
# Words that make a name a place: ward names ("Ashby East", "Castle and Priory").
_PLACE_WORDS = frozenset({
    "east", "west", "north", "south", "central", "rural", "urban", "town", "village", "ward",
    "upper", "lower", "outer", "inner", "north-east", "north-west", "south-east",
    "south-west", "northeast", "northwest", "southeast", "southwest", "city", "county",
    "borough", "district", "parish", "valley", "heath", "moor", "common", "forest", "vale",
    "estate", "marsh", "bay", "island", "isle", "docks", "quarter", "harbour", "hamlet",
    "and", "with", "on", "upon", "under", "in", "by", "the", "of",
})
# Vehicle makes and brands that are also forenames: "Kia Sportage" is a car.
_MAKES = frozenset({"kia", "mercedes", "lexus", "jaguar", "mini", "seat", "smart", "tesla",
                    "honda", "toyota", "nissan", "mazda", "subaru", "suzuki", "hyundai",
                    "skoda", "dacia", "porsche", "ferrari", "lotus", "volvo", "audi", "fiat",
                    "alfa", "cupra", "genesis", "polestar", "iveco", "opel", "nokia", "dell",
                    "asus", "acer", "oppo", "vivo", "xiaomi", "huawei", "zara", "primark",
                    "lidl", "aldi", "tesco", "asda", "morrisons", "boots", "argos", "greggs"})
# Words after which an official is quoted in public: "PC Jo Parry said".
_QUOTED = frozenset({"said", "says", "added", "commented", "explained", "urged", "warned",
                     "stated", "told", "appealed", "thanked", "praised", "welcomed"})
_PLACE_NAME_WORDS = _PLACE_WORDS - {"and", "with", "on", "in", "by", "the", "of"}
_PLACE_AFTER_NAME = _PLACE_NAME_WORDS - {"upon", "under"}  # "Ashby East", not "Ashby upon"
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del",
                        "della", "dos", "das", "bin", "ibn", "bint", "al", "el", "ul", "ap",
                        "ter", "ten", "st"})
_LIST_JOINS = frozenset({"and"})
# Lower-case names are read only when neither word is a word people write in lower case.
_LOWER_STOP = frozenset({"an", "the", "and", "to", "of", "in", "on", "at", "by", "for", "it",
                         "is", "be", "as", "or", "no", "so", "do", "he", "she", "we", "my",
                         "will", "may", "can", "mark", "bill", "pat", "sue", "rob", "guy",
                         "art", "don", "sky", "dawn", "bob", "jack", "ken", "max", "ray",
                         "chase", "hunter", "grant", "lee", "long", "young", "rose", "sam"})
_WORD_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
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
# Field names that may hold a person's name or anything else's ("name" in a ward table).
_AMBIGUOUS_FIELD = frozenset({"name", "names", "full_name", "fullname"})
# Punctuation becomes a space, or "|" where it ends a phrase, with the same length so
# offsets still hold. Done on UTF-8 bytes: a C table lookup, ~10x faster than
# str.translate. Apostrophes and hyphens stay (O'Brien, Smith-Jones), and so do full
# stops, which end sentences except after titles and initials.
_SPACES = b"()[]{}\"/\\<>*_=+&#@~`^"
_BREAKS = b",;:!?|"
_PUNCTUATION = bytes.maketrans(_SPACES + _BREAKS, b" " * len(_SPACES) + b"|" * len(_BREAKS))
_BOUNDARY = ("|", ".")

# A speaker label first on its line: "Marta: ...", "[21:04] Milan: ...", "12/03/2026,
# 21:04 - Kai: ...", "Keji - I don't ...", "Umar said: ...".
_SPEAKER = re.compile(
    r"(?m)^[ \t]*(?:\[[^\]\n]{1,24}\][ \t]*|\d{1,2}/\d{1,2}/\d{2,4},?[ \t]+\d{1,2}:\d{2}"
    r"(?::\d{2})?[ \t]*-[ \t]*|\(?\d{1,2}[:.]\d{2}(?::\d{2})?\)?[ \t]+(?:-[ \t]+)?)?"
    r"([^\W\d_][\w'\-]*(?:[ \t][^\W\d_][\w'\-]*){0,2})"
    r"(?:[ \t]*:(?=[ \t]*[\"'“A-Za-z]|[ \t]*$)|[ \t]+-[ \t]+(?=[\"'“A-Za-z])|[ \t]+said:)"
)
# Surnames in no list often end like these (Yarkova, Okhrimenko, Kowalczyk, Papadopoulos).
_SURNAME_ENDINGS = ("ova", "eva", "ovna", "enko", "chuk", "czyk", "wicz", "ski", "ska", "sky",
                    "skiy", "skyi", "escu", "oglu", "oglou", "poulos", "opoulou", "akis",
                    "idis", "iadis", "shvili", "dze", "yan", "ian", "ovic", "evic", "sson",
                    "ovich", "evich", "etti", "elli", "ucci", "ienė", "aite", "ytė", "auskas",
                    "avicius", "inen")
_PLACE_PREPOSITIONS = frozenset({"on", "in", "at", "near", "along", "around", "off", "via",
                                 "outside", "behind", "opposite", "towards", "into"})
_CALENDAR = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                       "sunday", "january", "february", "march", "april", "may", "june",
                       "july", "august", "september", "october", "november", "december"})
# A list followed by one of these is one body: "Bennett, Griffiths and Davies has agreed".
_SINGULAR = frozenset({"has", "is", "was", "does", "ltd", "limited", "llp", "plc"})
# Two capitalised words in no list and no dictionary are a name where a person is
# expected: after these words, or before these.
_PERSON_BEFORE = frozenset({"by", "to", "from", "about", "with", "that", "shows", "say", "says",
                            "believed", "taken", "called", "named", "as", "for", "against",
                            "between", "and", "of", "saw", "met", "told", "asked", "visited"})
_PERSON_AFTER = frozenset({"was", "is", "has", "had", "said", "says", "agreed", "came", "moved",
                           "kicking", "lives", "lived", "reported", "arrested", "refused",
                           "seen", "left", "told", "called", "who", "and", "were", "shouted",
                           "threatened", "admitted", "denied", "attended", "complained",
                           "regarding", "after", "about", "will", "would", "did"})
# The first line of an address: a name, then a house number and a street.
_ADDRESSEE = re.compile(
    r"(?m)^[ \t]*([A-Z][\w'\-]+(?:[ \t][A-Za-z][\w'\-]+){1,3})(?:,[ \t]*|[ \t]*\n[ \t]*)"
    r"(?:(?:Flat|Apartment|Apt|Unit)[ \t][0-9A-Z]+,?[ \t])?[0-9]{1,4}[A-Za-z]?,?[ \t][A-Z]"
)
_FAMILY = frozenset({"family", "familys", "household", "brothers", "sisters", "twins"})

_LSOA_CODE = re.compile(r"[0-9]{3}[a-z]$")  # after lower-casing: "Dacorum 001b"
# Words joined by "_", "." or "@" are a handle or an address, not a name as written.
_JOINED = re.compile(r"[^\W_]+(?:[._@]+[^\W_]+)+$")
# English's closed classes: pronouns, determiners, prepositions, conjunctions and
# auxiliaries. Some are names too ("You", "Such"), never after a cue or as a label.
_FUNCTION_WORDS = frozenset("""
a an the this that these those you he she it we they me him her us them my your his its
our their mine yours hers ours theirs myself yourself himself herself itself ourselves
themselves and or but nor if then than so such of to in on at by for with from as into
onto upon about above below after before between through during without within under
over is are was were be been being have has had do does did shall should would could
must might not no yes all any each every some more most other only also very just here
there when where who whom whose what which why how because while although though
""".split())

# A word with a capital inside it after two small letters is an identifier (ValueError,
# KeyError, DataFrame), unless it opens as names with an inner capital do (MacLeod,
# McDonald, FitzGerald, VanDyke, DeShawn, DiMaggio, LaToya, LeBron).
_CAMEL_CASE = re.compile(r"^(?!Mac|Mc|Fitz|Van|Von|De|Di|La|Le)\w*?[a-z]{2}[A-Z]")
