"""Synthetic UK identifiers to plant in exports: each valid by the rules a detector checks.

Nothing here is anybody's data: postcodes are built from the Royal Mail letter rules,
phone numbers come from Ofcom's ranges reserved for drama, NHS numbers carry a valid
mod 11 check digit on random digits, NINOs follow HMRC's prefix rules on random
digits, e-mail addresses use the RFC 2606 example domains, and names are common UK
forenames and surnames put together at random. The lists are embedded (not taken from
Faker) so the CI slice draws the same values on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

__all__ = ["Identifier", "KINDS", "identifiers", "postcodes", "phones", "emails",
           "nhs_numbers", "ninos", "names", "FORENAMES", "SURNAMES", "nhs_check_digit"]

FORENAMES = (
    "Margaret", "Susan", "Sarah", "Rebecca", "Claire", "Laura", "Karen", "Nicola", "Gemma",
    "Jessica", "Emma", "Charlotte", "Janet", "Deborah", "Hannah", "Patricia", "Joanne",
    "Sophie", "Victoria", "Elizabeth", "Helen", "Samantha", "Rachel", "Sharon", "Amanda",
    "Catherine", "Eleanor", "Olivia", "Amelia", "Grace", "David", "Michael", "James",
    "Robert", "Andrew", "Richard", "Stephen", "Christopher", "Daniel", "Matthew", "Thomas",
    "Benjamin", "Oliver", "George", "Harry", "Jack", "William", "Edward", "Jonathan",
    "Graham", "Kevin", "Gareth", "Owen", "Callum", "Declan", "Rhys", "Alistair", "Nigel",
    "Trevor", "Priya",
)
SURNAMES = (
    "Thompson", "Wilkinson", "Harper", "Burgess", "Bailey", "Jennings", "Holland",
    "Higgins", "Rhodes", "Hancock", "Howells", "Fowler", "Parker", "Bentley", "Barnett",
    "Manning", "Holloway", "Hartley", "Tomlinson", "Howard", "Collins", "Townsend",
    "Hammond", "Tucker", "Hamilton", "Ferguson", "Hooper", "Reeves", "Barlow",
    "Cunningham", "Hopkins", "Nicholson", "Archer", "Glover", "Gibson", "Spencer", "Webb",
    "Whitehouse", "Robinson", "Atkinson", "Pritchard", "Davies", "Evans", "Hughes",
    "Morgan", "Griffiths", "Lloyd", "Jenkins", "Campbell", "Murray", "Fraser", "Kennedy",
    "Sullivan", "Brennan", "Patel", "Chowdhury", "Okafor", "Kowalski", "Abbott", "Dawson",
)

# Outward codes as written in real postcodes, by shape (Royal Mail rules).
_AREAS_1 = "BEGLMNSW"  # one-letter areas
_AREAS_2 = ("HP", "SW", "NW", "SE", "EC", "WC", "LS", "CF", "EH", "BS", "OX", "CB", "RG",
            "AL", "SG", "LU", "NG", "LE", "CV", "YO", "PL", "TR", "BN", "GU", "ME")
_A9A_AREAS = "ENW"  # W1A, E1W, N1C
_A9A_LETTERS = "ABCDEFGHJKPSTUW"
_AA9A_AREAS = ("EC", "SW", "WC", "SE", "NW")
_AA9A_LETTERS = "ABEHMNPRVWXY"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Ofcom's drama ranges: (how the number is written before its last digits, digits left).
_DRAMA = ("07700 900", "01632 960", "020 7946 0", "0113 496 0", "0161 496 0", "0121 496 0",
          "0117 496 0", "0131 496 0", "0141 496 0", "0191 498 0", "029 2018 0", "028 9018 0")
_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BAD = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


@dataclass(frozen=True)
class Identifier:
    """One planted identifier.

    :param kind: ``postcode``, ``phone``, ``email``, ``nhs_number``, ``nino`` or ``name``.
    :param value: as written in the export.
    :param parts: where a person would cut it in two (outward and inward code, forename
        and surname): what the split mutations put in two cells or two items.
    :param rule: the detector that must find it.
    """

    kind: str
    value: str
    parts: tuple[str, str]
    rule: str

    def masked(self) -> str:
        """A description safe to print or commit: the kind and the shape, never the value."""
        shape = "".join("9" if c.isdigit() else "A" if c.isalpha() else c for c in self.value)
        return f"{self.kind} shaped {shape}"


def _letters(alphabet: str) -> st.SearchStrategy[str]:
    return st.sampled_from(alphabet)


@st.composite
def postcodes(draw: st.DrawFn) -> Identifier:
    """A full postcode of any of the six shapes, spaced as Royal Mail writes it."""
    shape = draw(st.sampled_from(("AA9", "A9", "AA99", "A99", "A9A", "AA9A")))
    digit = draw(st.integers(1, 9))
    if shape == "A9":
        outward = f"{draw(_letters(_AREAS_1))}{digit}"
    elif shape == "A99":
        outward = f"{draw(_letters(_AREAS_1))}{digit}{draw(st.integers(0, 9))}"
    elif shape == "A9A":
        outward = f"{draw(_letters(_A9A_AREAS))}{digit}{draw(_letters(_A9A_LETTERS))}"
    elif shape == "AA9":
        outward = f"{draw(st.sampled_from(_AREAS_2))}{digit}"
    elif shape == "AA99":
        outward = f"{draw(st.sampled_from(_AREAS_2))}{digit}{draw(st.integers(0, 9))}"
    else:
        outward = f"{draw(st.sampled_from(_AA9A_AREAS))}{digit}{draw(_letters(_AA9A_LETTERS))}"
    inward = f"{draw(st.integers(0, 9))}{draw(_letters(_INWARD_LETTERS))}" \
             f"{draw(_letters(_INWARD_LETTERS))}"
    return Identifier("postcode", f"{outward} {inward}", (outward, inward), "uk.postcode")


@st.composite
def phones(draw: st.DrawFn) -> Identifier:
    """A number from Ofcom's drama ranges, national or +44 form."""
    prefix = draw(st.sampled_from(_DRAMA))
    left = 11 - len(prefix.replace(" ", ""))  # a UK number has 11 digits with its 0
    tail = "".join(str(draw(st.integers(0, 9))) for _ in range(left))
    value = prefix + tail
    if draw(st.booleans()):
        value = "+44 " + value[1:]
    head, _, rest = value.rpartition(" ")
    return Identifier("phone", value, (head, rest), "uk.phone")


def nhs_check_digit(nine: str) -> int | None:
    """The mod 11 check digit of nine digits, or None when the total leaves 10 (unused)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return None if check == 10 else check % 11


@st.composite
def nhs_numbers(draw: st.DrawFn) -> Identifier:
    """A 3-3-4 NHS number in the ranges found without an NHS word nearby (4xx, 6xx, 7xx)."""
    while True:
        nine = draw(st.sampled_from("467")) + "".join(
            str(draw(st.integers(0, 9))) for _ in range(8))
        check = nhs_check_digit(nine)
        if check is not None:
            break
    digits = nine + str(check)
    value = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return Identifier("nhs_number", value, (value[:7], value[8:]), "uk.nhs_number")


@st.composite
def ninos(draw: st.DrawFn) -> Identifier:
    """A National Insurance number with an issued prefix, written ``AB 12 34 56 C``."""
    while True:
        prefix = draw(_letters(_NINO_FIRST)) + draw(_letters(_NINO_SECOND))
        if prefix not in _NINO_BAD:
            break
    digits = "".join(str(draw(st.integers(0, 9))) for _ in range(6))
    value = f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {draw(_letters('ABCD'))}"
    return Identifier("nino", value, (value[:8], value[9:]), "uk.nino")


@st.composite
def names(draw: st.DrawFn) -> Identifier:
    """A forename and a surname."""
    forename, surname = draw(st.sampled_from(FORENAMES)), draw(st.sampled_from(SURNAMES))
    return Identifier("name", f"{forename} {surname}", (forename, surname), "person.name")


@st.composite
def emails(draw: st.DrawFn) -> Identifier:
    """forename.surname (or initial and surname) at an RFC 2606 example domain."""
    forename, surname = draw(st.sampled_from(FORENAMES)), draw(st.sampled_from(SURNAMES))
    local = draw(st.sampled_from((f"{forename}.{surname}", f"{forename[0]}{surname}",
                                  f"{forename}{draw(st.integers(1, 99))}"))).lower()
    domain = draw(st.sampled_from(("example.com", "example.org", "example.net")))
    return Identifier("email", f"{local}@{domain}", (local, f"@{domain}"), "email")


KINDS = {"postcode": postcodes, "phone": phones, "email": emails, "nhs_number": nhs_numbers,
         "nino": ninos, "name": names}


def identifiers(kinds: tuple[str, ...] = tuple(KINDS)) -> st.SearchStrategy[Identifier]:
    """Any identifier of *kinds*."""
    return st.one_of(*(KINDS[kind]() for kind in kinds))
