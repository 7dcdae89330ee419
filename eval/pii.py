"""Realistic UK personal data for the accuracy evaluation, each value tagged with the
detectors that should report it.

Values are written the way they turn up in real exports and leaks: names in every
case and order, addresses with and without town and postcode, phone numbers in the
half-dozen ways people type them. Identifiers are valid the way issued ones are
(NHS mod 11, Luhn, HMRC NINO prefixes, DVLA mark formats, Royal Mail postcode
shapes), computed here from the published rules rather than from the detectors.
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import phonenumbers
from faker import Faker

__all__ = ["V", "tag", "join", "Person", "People", "ean13"]

T = TypeVar("T")

NAME = "person.name"
ADDRESS = "uk.street_address"
POSTCODE = "uk.postcode"
PHONE = "uk.phone"
EMAIL = "email"
NINO = "uk.nino"
NHS = "uk.nhs_number"
CARD = "payment_card"
DOB = "uk.date_of_birth"
VRM = "uk.vehicle_registration"
IP = "network.ip_address"


@dataclass(frozen=True)
class V:
    """A value placed in a payload and the detectors that should report it."""

    value: object
    detectors: frozenset[str] = frozenset()


def tag(value: object, *detectors: str) -> V:
    return V(value, frozenset(detectors))


def join(*parts: object) -> V:
    """Concatenate text and tagged values; the result carries every part's detectors."""
    text: list[str] = []
    found: set[str] = set()
    for part in parts:
        if isinstance(part, V):
            text.append(str(part.value))
            found |= part.detectors
        else:
            text.append(str(part))
    return V("".join(text), frozenset(found))


# Names the Faker en_GB lists under-represent: the UK's South Asian, Polish, Romanian,
# West African, Irish, Welsh and Scottish names (ONS most common names, 2011 Census).
EXTRA_FORENAMES = (
    "Mohammed Muhammad Aisha Fatima Priya Rajesh Amir Imran Nadia Zainab Oluwaseun Chidi "
    "Adebayo Ngozi Kwame Ama Piotr Agnieszka Kacper Zofia Andrei Ioana Siobhan Niamh Aoife "
    "Ciaran Callum Rhys Dylan Cerys Eilidh Hamish Kieran Jodie Chantelle Shannon Tyler "
    "Kayleigh Leon Reece Jayden Harvey Alfie Freya Isla Poppy Maisie Yusuf Bilal Hannah"
).split()
EXTRA_SURNAMES = (
    "Khan Begum Patel Singh Kaur Ahmed Hussain Ali Rahman Islam Akhtar Chowdhury Iqbal Malik "
    "Shah Sharma Gupta Nowak Kowalski Wisniewski Lewandowski Popescu Ionescu Okafor Adeyemi "
    "Mensah Owusu Nguyen Chen Wong O'Brien O'Connor O'Neill McDonald MacLeod McCarthy Murphy "
    "Kelly Doherty Evans Llewellyn Pritchard Campbell Fraser"
).split()
TITLES = {"M": ("Mr",), "F": ("Mrs", "Ms", "Miss")}

# Town -> postcode districts that serve it (Royal Mail).
TOWNS = {
    "Hemel Hempstead": ("HP1", "HP2", "HP3"), "St Albans": ("AL1", "AL3", "AL4"),
    "Watford": ("WD17", "WD18", "WD19", "WD24", "WD25"), "Berkhamsted": ("HP4",),
    "Tring": ("HP23",), "Kings Langley": ("WD4",), "Harpenden": ("AL5",),
    "Luton": ("LU1", "LU2", "LU3", "LU4"), "Dunstable": ("LU5", "LU6"),
    "Stevenage": ("SG1", "SG2"), "Welwyn Garden City": ("AL7", "AL8"), "Hatfield": ("AL10",),
    "Aylesbury": ("HP19", "HP20", "HP21"), "Milton Keynes": ("MK6", "MK9", "MK10"),
    "Chesham": ("HP5",), "Leeds": ("LS6", "LS8", "LS11"), "Manchester": ("M14", "M20", "M8"),
    "Birmingham": ("B11", "B23", "B29"), "Cardiff": ("CF5", "CF14", "CF24"),
    "Glasgow": ("G20", "G31", "G42"), "London": ("E17", "N15", "SE15", "SW2", "W12", "NW10"),
}
STREET_ROOTS = (
    "Church Station Victoria Park Mill London High Manor Queens Kings Albert Grange New School "
    "Springfield Windsor Highfield York Beech Oak Cedar Chestnut Willow Orchard Meadow Hillside "
    "Alexandra Cotterells Adeyfield Belswains Longlands Jupiter Saturn Coleridge Tennyson Milton "
    "Wordsworth Chaucer Lawn Fishery Northridge Galley Ebberns Heath Bury Glebe Vicarage Poplar"
).split()
STREET_SUFFIXES = ("Road", "Road", "Road", "Street", "Street", "Lane", "Avenue", "Close", "Close",
                   "Drive", "Way", "Crescent", "Gardens", "Court", "Place", "Grove", "Terrace",
                   "Hill", "Rise", "Mews", "View", "Walk")
ONE_WORD_STREETS = ("Marlowes", "Queensway", "Broadway", "The Parade", "Longlands", "The Avenue",
                    "The Crescent", "Highbarns", "Cotterells", "The Dell")
HOUSE_NAMES = ("Rose Cottage", "The Old Rectory", "Orchard House", "Ivy Cottage", "The Barn",
               "Meadow View", "Hillcrest", "The Lodge")
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "hotmail.co.uk", "hotmail.com", "yahoo.co.uk",
                 "outlook.com", "btinternet.com", "icloud.com", "live.co.uk", "sky.com",
                 "virginmedia.com", "aol.com", "googlemail.com")
# (area code without the trunk 0, subscriber number length) for real UK geographic codes.
AREA_CODES = (("1442", 6), ("1442", 6), ("1727", 6), ("1923", 6), ("1582", 6), ("1438", 6),
              ("1707", 6), ("1296", 6), ("1908", 6), ("1223", 6), ("1865", 6), ("20", 8),
              ("20", 8), ("121", 7), ("161", 7), ("113", 7), ("117", 7), ("141", 7),
              ("29", 8), ("131", 7), ("114", 7), ("115", 7), ("116", 7), ("118", 7))
CAR_MAKES = ("Ford Fiesta", "Ford Focus", "Vauxhall Corsa", "Vauxhall Astra", "VW Golf",
             "VW Polo", "BMW 3 Series", "Audi A3", "Nissan Qashqai", "Toyota Yaris",
             "Mercedes Sprinter", "Ford Transit", "Kia Sportage", "Range Rover Evoque",
             "Honda CBR125", "Peugeot 208", "Mini Cooper", "Skoda Octavia")
COLOURS = ("black", "white", "silver", "grey", "blue", "red", "dark blue", "green")

_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # Royal Mail: never C, I, K, M, O, V
_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # HMRC NIM39110: not D, F, I, Q, U, V
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # ... and not O in second place
_NINO_UNUSED = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
_DVLA_AREA = "ABCDEFGHKLMNOPRSTVWXY"  # first letter of a memory tag
_DVLA_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"  # random letters: never I or Q
_DVLA_TAG = "ABCDEFGHJKLMNOPRSTUVWXY"  # memory tag and area letters: no I, Q or Z
_DVLA_YEAR = "ABCDEFGHJKLMNPRSTVWXY"  # prefix/suffix year letters: no I, O, Q, U, Z


@dataclass
class Person:
    forename: str
    surname: str
    sex: str
    middle: str | None
    dob: _dt.date
    house: str
    street: str
    town: str
    postcode: str
    phone: str = ""
    email: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class People:
    """A seeded source of people and identifiers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)

    # -- choices --------------------------------------------------------------------

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- people ---------------------------------------------------------------------

    def person(self) -> Person:
        sex = self.pick("MF")
        if self.chance(0.2):
            forename = self.pick(EXTRA_FORENAMES)
        else:
            forename = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
        surname = self.pick(EXTRA_SURNAMES) if self.chance(0.2) else self.fake.last_name()
        middle = None
        if self.chance(0.15):
            middle = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
        town = self.pick(tuple(TOWNS))
        dob = _dt.date(1940, 1, 1) + _dt.timedelta(days=self.rng.randrange(0, 68 * 365))
        p = Person(forename, surname, sex, middle, dob, self.house_number(), self.street(),
                   town, self.postcode(town))
        p.phone = self.phone_number()
        p.email = self.email_for(p)
        return p

    def name(self, p: Person, style: str | None = None) -> V:
        """The person's name written one of the ways exports and notes write names."""
        style = style or self.pick(
            ("full",) * 8 + ("caps_comma",) * 2 + ("caps_first",) * 2 + ("title",) * 2
            + ("title_initial", "upper", "upper", "lower", "middle", "initial"))
        f, s = p.forename, p.surname
        title = self.pick(TITLES[p.sex])
        text = {
            "full": f"{f} {s}",
            "caps_comma": f"{s.upper()}, {f}",
            "caps_first": f"{s.upper()} {f}",
            "title": f"{title} {s}",
            "title_initial": f"{title} {f[0]} {s}",
            "upper": f"{f} {s}".upper(),
            "lower": f"{f} {s}".lower(),
            "middle": f"{f} {p.middle or self.fake.first_name()} {s}",
            "initial": f"{f[0]}. {s}",
        }[style]
        return tag(text, NAME)

    # -- addresses ------------------------------------------------------------------

    def house_number(self) -> str:
        n = self.rng.randint(1, 180) if self.chance(0.85) else self.rng.randint(181, 420)
        roll = self.rng.random()
        if roll < 0.08:
            return f"{n}{self.pick('abc')}"
        if roll < 0.18:
            return f"Flat {self.rng.randint(1, 24)}, {n}"
        return str(n)

    def street(self) -> str:
        if self.chance(0.12):
            return self.pick(ONE_WORD_STREETS)
        root = self.fake.last_name() if self.chance(0.2) else self.pick(STREET_ROOTS)
        return f"{root} {self.pick(STREET_SUFFIXES)}"

    def postcode(self, town: str) -> str:
        district = self.pick(TOWNS[town])
        inward = f"{self.rng.randint(1, 9)}{self.pick(_INWARD_LETTERS)}{self.pick(_INWARD_LETTERS)}"
        return f"{district} {inward}"

    def address(self, p: Person, style: str | None = None) -> V:
        """A street address; with a postcode the value also carries uk.postcode."""
        style = style or self.pick(("line", "line", "town", "full", "full", "full_nocomma",
                                    "upper", "multiline", "house_name"))
        line = f"{p.house} {p.street}"
        if style == "line":
            return tag(line, ADDRESS)
        if style == "town":
            return tag(f"{line}, {p.town}", ADDRESS)
        if style == "full":
            return tag(f"{line}, {p.town}, {p.postcode}", ADDRESS, POSTCODE)
        if style == "full_nocomma":
            return tag(f"{line} {p.town} {p.postcode}", ADDRESS, POSTCODE)
        if style == "upper":
            return tag(f"{line}, {p.town} {p.postcode}".upper(), ADDRESS, POSTCODE)
        if style == "multiline":
            return tag(f"{line}\n{p.town}\n{p.postcode}", ADDRESS, POSTCODE)
        return tag(f"{self.pick(HOUSE_NAMES)}, {p.street}, {p.town} {p.postcode}",
                   ADDRESS, POSTCODE)

    # -- contact details ------------------------------------------------------------

    def phone_number(self) -> str:
        """A national significant number (no trunk 0) from an allocated GB range."""
        while True:
            if self.chance(0.6):
                nsn = "7" + self.pick("123456789") + "".join(
                    self.pick("0123456789") for _ in range(8))
            else:
                area, length = self.pick(AREA_CODES)
                nsn = area + self.pick("2345678") + "".join(
                    self.pick("0123456789") for _ in range(length - 1))
            number = phonenumbers.parse("+44" + nsn)
            if phonenumbers.is_valid_number_for_region(number, "GB"):
                return nsn

    def phone(self, p: Person | None = None, style: str | None = None) -> V:
        nsn = p.phone if p else self.phone_number()
        if nsn.startswith("7"):
            head, tail = nsn[:4], nsn[4:]
        elif nsn.startswith(("20", "29")):
            head, tail = nsn[:2], nsn[2:6] + " " + nsn[6:]
        elif nsn.startswith(("11", "121", "131", "141", "161")):
            head, tail = nsn[:3], nsn[3:6] + " " + nsn[6:]
        else:
            head, tail = nsn[:4], nsn[4:]
        style = style or self.pick(("plain",) * 5 + ("compact",) * 3 + ("intl", "intl_compact",
                                   "0044", "intl_zero", "dash", "brackets", "groups"))
        compact_tail = tail.replace(" ", "")
        text = {
            "plain": f"0{head} {tail}",
            "compact": f"0{nsn}",
            "intl": f"+44 {head} {tail}",
            "intl_compact": f"+44{nsn}",
            "0044": f"0044 {head} {tail}",
            "intl_zero": f"+44 (0){head} {tail}",
            "dash": f"0{head}-{compact_tail}",
            "brackets": f"(0{head}) {tail}",
            "groups": f"0{head} {compact_tail[:3]} {compact_tail[3:]}",
        }[style]
        return tag(text, PHONE)

    def email_for(self, p: Person) -> str:
        f, s = p.forename.lower(), p.surname.lower().replace("'", "")
        if self.chance(0.25):
            return self.fake.free_email()
        local = self.pick((f"{f}.{s}", f"{f}{s}{self.rng.randint(1, 99)}", f"{f[0]}{s}",
                           f"{s}{f[0]}{self.rng.randint(60, 99)}", f"{f}_{s}",
                           f"{f}.{s}{self.rng.randint(1, 9)}"))
        return f"{local}@{self.pick(EMAIL_DOMAINS)}"

    def email(self, p: Person, upper: bool = False) -> V:
        return tag(p.email.upper() if upper else p.email, EMAIL)

    def ip(self) -> V:
        return tag(self.fake.ipv4_public(), IP)

    # -- identifiers ----------------------------------------------------------------

    def nhs_digits(self) -> str:
        """A 10-digit NHS number in England's issued ranges, mod 11 check digit."""
        while True:
            body = str(self.pick((4, 4, 6, 7))) + "".join(self.pick("0123456789") for _ in range(8))
            total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
            check = 11 - total % 11
            if check == 11:
                check = 0
            if check != 10:
                return body + str(check)

    def nhs(self, style: str | None = None) -> V:
        d = self.nhs_digits()
        style = style or self.pick(("spaced", "spaced", "compact", "dashed"))
        text = {"spaced": f"{d[:3]} {d[3:6]} {d[6:]}", "compact": d,
                "dashed": f"{d[:3]}-{d[3:6]}-{d[6:]}"}[style]
        return tag(text, NHS)

    def failing_nhs(self) -> str:
        """Ten digits that are not an NHS number (the mod 11 check fails)."""
        while True:
            d = str(self.rng.randint(1, 9)) + "".join(self.pick("0123456789") for _ in range(9))
            total = sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1), strict=True))
            check = (11 - total % 11) % 11
            if check == 10 or str(check) != d[9]:
                return d

    def nino(self, style: str | None = None) -> V:
        while True:
            prefix = self.pick(_NINO_FIRST) + self.pick(_NINO_SECOND)
            if prefix not in _NINO_UNUSED:
                break
        digits = "".join(self.pick("0123456789") for _ in range(6))
        suffix = self.pick("ABCD")
        style = style or self.pick(("spaced", "spaced", "compact", "compact", "lower"))
        text = {"spaced": f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}",
                "compact": f"{prefix}{digits}{suffix}",
                "lower": f"{prefix}{digits}{suffix}".lower()}[style]
        return tag(text, NINO)

    def card_digits(self) -> str:
        kind = self.pick(("visa", "visa", "visa", "mc", "mc", "mc2", "amex"))
        if kind == "visa":
            head, length = "4" + "".join(self.pick("0123456789") for _ in range(5)), 16
        elif kind == "mc":
            head, length = "5" + self.pick("12345") + "".join(
                self.pick("0123456789") for _ in range(4)), 16
        elif kind == "mc2":
            head, length = str(self.rng.randint(2221, 2720)) + "".join(
                self.pick("0123456789") for _ in range(2)), 16
        else:
            head, length = "3" + self.pick("47") + "".join(
                self.pick("0123456789") for _ in range(4)), 15
        body = head + "".join(self.pick("0123456789") for _ in range(length - len(head) - 1))
        return body + _luhn_digit(body)

    def card(self, style: str | None = None) -> V:
        d = self.card_digits()
        style = style or self.pick(("spaced", "spaced", "compact", "dashed"))
        if len(d) == 15:
            groups = [d[:4], d[4:10], d[10:]]
        else:
            groups = [d[i:i + 4] for i in range(0, len(d), 4)]
        text = {"spaced": " ".join(groups), "compact": d, "dashed": "-".join(groups)}[style]
        return tag(text, CARD)

    def masked_card(self) -> str:
        last = self.card_digits()[-4:]
        return self.pick((f"**** **** **** {last}", f"XXXX-XXXX-XXXX-{last}",
                          f"************{last}", f"ending {last}"))

    # -- dates ----------------------------------------------------------------------

    def date_text(self, day: _dt.date, style: str | None = None) -> str:
        style = style or self.pick(("slash", "slash", "slash", "short", "iso", "dots",
                                    "words", "words_ord", "abbr"))
        return {
            "slash": day.strftime("%d/%m/%Y"),
            "short": day.strftime("%d/%m/%y"),
            "iso": day.isoformat(),
            "dots": day.strftime("%d.%m.%Y"),
            "words": f"{day.day} {day.strftime('%B %Y')}",
            "words_ord": f"{day.day}{_ordinal(day.day)} {day.strftime('%b %Y')}",
            "abbr": f"{day.day} {day.strftime('%b')} {day.year}",
        }[style]

    def dob_phrase(self, p: Person) -> V:
        """A date of birth with the words people put round it."""
        day = self.date_text(p.dob)
        lead = self.pick(("DOB ", "DOB: ", "D.O.B. ", "dob ", "born ", "date of birth ",
                          "b. ", "(DOB ", "Date of birth: "))
        tail = ")" if lead.startswith("(") else ""
        return join(lead, tag(day, DOB), tail)

    def incident_date(self, year: int = 2026) -> _dt.date:
        return _dt.date(year, 1, 1) + _dt.timedelta(days=self.rng.randrange(0, 300))

    # -- vehicles -------------------------------------------------------------------

    def registration(self) -> str:
        roll = self.rng.random()
        if roll < 0.8:
            letters = "".join(self.pick(_DVLA_LETTERS) for _ in range(3))
            age = self.pick([f"{y:02d}" for y in range(2, 27)] + [str(y) for y in range(51, 77)])
            mark = f"{self.pick(_DVLA_AREA)}{self.pick(_DVLA_TAG)}{age} {letters}"
        elif roll < 0.93:
            letters = "".join(self.pick(_DVLA_TAG) for _ in range(3))
            mark = f"{self.pick(_DVLA_YEAR)}{self.rng.randint(1, 999)} {letters}"
        else:
            letters = "".join(self.pick(_DVLA_TAG) for _ in range(3))
            mark = f"{letters} {self.rng.randint(1, 999)}{self.pick(_DVLA_YEAR)}"
        return mark.replace(" ", "") if self.chance(0.3) else mark

    def vehicle_phrase(self) -> V:
        """A registration with the words around it that say it is a vehicle."""
        reg = tag(self.registration(), VRM)
        car = f"{self.pick(COLOURS)} {self.pick(CAR_MAKES)}"
        return self.pick((
            join("vehicle reg ", reg),
            join("a ", car, ", reg ", reg),
            join(car, " ", reg),
            join("VRM ", reg),
            join("car ", reg),
            join("driving a ", car, " (", reg, ")"),
            join(reg, " (", car, ")"),
            join("registered keeper of ", reg),
            join("van ", reg),
        ))


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def ean13(body12: str) -> str:
    """A valid EAN-13 barcode for 12 digits (GS1 weights 1, 3)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
