"""Things the case families are made of: people, places built the way ONS and
police.uk build theirs, streets, organisations, addresses and contact details."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from ids import Ids
from sources import Names, Person, Places, fold

STREET_WORDS = ["High", "Station", "Church", "Mill", "Park", "Victoria", "Queen's", "King's",
                "Main", "School", "North", "South", "West", "East", "Green", "Manor", "Chapel",
                "Bridge", "Castle", "Market", "Albert", "Windsor", "Grange", "Meadow", "Orchard",
                "Springfield", "Highfield", "Beech", "Oak", "Elm", "Ash", "Willow", "Cedar",
                "Holly", "Hawthorn", "Rectory", "Vicarage", "Priory", "Abbey", "Forge",
                "Wellington", "Nelson", "Churchill", "Cromwell", "Gladstone", "Shakespeare",
                "Milton", "Darwin", "Stephenson", "Brunel", "Tennyson", "Byron", "Kingsley",
                "Hamilton", "Marlborough", "Clarence", "Alexandra", "St John's", "St Mary's"]
STREET_TYPES = ["Road", "Street", "Lane", "Close", "Way", "Avenue", "Drive", "Crescent",
                "Grove", "Gardens", "Place", "Terrace", "Court", "Walk", "Row", "Hill",
                "Rise", "Mews", "View", "Square"]
WARD_SUFFIXES = ["East", "West", "North", "South", "Central", "Rural", "Town", "Park",
                 "Green", "Village", "Without", "Hill", "Vale"]
WARD_PAIRS = [("Castle", "Priory"), ("Abbey", "Mill"), ("Church", "Chapel"),
              ("Bridge", "Market"), ("Forest", "Heath"), ("Harbour", "Docks"),
              ("Minster", "Mount"), ("Moor", "Fell"), ("St Peter's", "St Paul's"),
              ("Grange", "Manor")]
POLICE_UK_PLACES = ["Supermarket", "Parking Area", "Petrol Station", "Shopping Area",
                    "Nightclub", "Sports/Recreation Area", "Further/Higher Educational Building",
                    "Hospital", "Police Station", "Theatre/Concert Hall",
                    "Conference/Exhibition Centre",
                    "Bus/Coach Station", "Pedestrian Subway", "Park/Open Space"]
PUB_THINGS = ["Red Lion", "Royal Oak", "White Hart", "Crown", "Plough", "Swan", "Black Horse",
              "Rose and Crown", "Wheatsheaf", "Bell", "George", "King's Head", "Fox and Hounds",
              "Ship", "Coach and Horses", "Queen's Head", "Green Man", "Anchor"]
EMAIL_DOMAINS = ["gmail.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com", "outlook.com",
                 "icloud.com", "sky.com", "virginmedia.com", "live.co.uk", "aol.com",
                 "protonmail.com", "talktalk.net", "googlemail.com"]


@dataclass
class Entity:
    detector: str
    value: str
    field: str = "text"
    extra: dict = dataclasses.field(default_factory=dict)

    def label(self) -> dict:
        return {"field": self.field, "detector": self.detector, "value": self.value, **self.extra}


class World:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = Names(seed)
        self.places = Places()
        self.ids = Ids(self.rng)
        from faker import Faker

        self.company_faker = Faker("en_GB")
        self.company_faker.seed_instance(seed)

    def pick(self, seq):  # noqa: ANN001, ANN201
        return self.rng.choice(seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # places -------------------------------------------------------------------------
    def town(self) -> str:
        return self.pick(self.places.towns)

    def subdivision(self) -> str:
        return self.pick(self.places.subdivisions)

    def ward(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return f"{self.town()} {self.pick(WARD_SUFFIXES)}"
        if r < 0.65:
            return f"{self.town()} and {self.town()}"
        if r < 0.8:
            a, b = self.pick(WARD_PAIRS)
            return f"{a} and {b}"
        if r < 0.9:
            return f"{self.pick(STREET_WORDS)} {self.pick(['Park', 'Green', 'Ward', 'Fields'])}"
        return self.town()

    def lsoa(self) -> str:
        name = self.pick(self.places.subdivisions + self.places.towns[:400])
        return f"{name} {self.rng.randint(1, 240):03d}{self.pick('ABCDEFG')}"

    def street(self) -> str:
        base = self.pick(STREET_WORDS) if self.chance(0.6) else self.town()
        return f"{base} {self.pick(STREET_TYPES)}"

    def police_location(self) -> str:
        return "On or near " + (self.street() if self.chance(0.65) else self.pick(POLICE_UK_PLACES))

    def organisation(self) -> tuple[str, str]:
        kind = self.pick(["company", "nhs", "council", "school", "pub", "police", "charity"])
        town = self.town()
        if kind == "company":
            return self.company_faker.company(), kind
        if kind == "nhs":
            return self.pick([f"{town} Teaching Hospitals NHS Foundation Trust",
                              f"{town} and District NHS Trust",
                              f"{self.subdivision()} Community Health Services",
                              f"{town} Medical Centre", f"{town} Health Centre"]), kind
        if kind == "council":
            return self.pick([f"{town} City Council", f"{town} Borough Council",
                              f"{self.subdivision()} Council", f"{town} Town Council",
                              f"{town} Parish Council"]), kind
        if kind == "school":
            return self.pick([f"{town} Academy", f"{town} High School", f"{town} Primary School",
                              f"{town} College", f"{self.pick(STREET_WORDS)} Infant School",
                              f"{town} Church of England Primary School"]), kind
        if kind == "pub":
            return self.pick([f"The {self.pick(PUB_THINGS)}", f"The {town} Arms",
                              f"The {self.pick(PUB_THINGS)}, {town}"]), kind
        if kind == "police":
            return self.pick([f"{self.subdivision()} Police", f"{town} Police Station",
                              f"{town} Neighbourhood Policing Team"]), kind
        return self.pick([f"{town} Food Bank", f"{town} Citizens Advice",
                          f"{town} Community Trust", f"Friends of {town} Park"]), kind

    # people and their details -------------------------------------------------------
    def person(self, locale: str | None = None) -> Person:
        return self.names.person(locale)

    def house(self) -> str:
        r = self.rng.random()
        number = str(self.rng.randint(1, 240))
        if r < 0.1:
            number += self.pick("ABC")
        if r > 0.9:
            return f"Flat {self.rng.randint(1, 30)}, {number}"
        return number

    def address_line(self) -> str:
        return f"{self.house()} {self.street()}"

    def email(self, person: Person) -> str:
        first, last = (fold(person.first).lower().replace(" ", ""),
                       fold(person.last).lower().replace(" ", "").replace("'", ""))
        local = self.pick([f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}",
                           f"{first}_{last}", f"{first}{self.rng.randint(1, 99)}",
                           f"{last}.{first[0]}", f"{first}.{last}{self.rng.randint(60, 99)}"])
        return f"{local}@{self.pick(EMAIL_DOMAINS)}"

    def obfuscated_email(self, person: Person) -> str:
        plain = self.email(person)
        local, domain = plain.split("@")
        dot = domain.split(".")
        style = self.rng.randint(0, 5)
        if style == 0:
            return f"{local} at {' dot '.join(dot)}"
        if style == 1:
            return f"{local} [at] {' [dot] '.join(dot)}"
        if style == 2:
            return f"{local}(at){'(dot)'.join(dot)}"
        if style == 3:
            return f"{local} @ {' . '.join(dot)}"
        if style == 4:
            return f"{local} AT {' DOT '.join(dot)}"
        return f"{local}{{at}}{domain}"
