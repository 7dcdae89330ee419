"""The case families: sentence styles with many fillers, each labelled by what a reader
would call personal data (the "find" families) or would not (the "clean" families).

Each family builds one NDJSON record per call. Labels are (field, detector) with the
value as written, and for names the origin locale and kind (full, single, surnames).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sources import LOCALES, Person
from stdnum import luhn
from world import Entity, World

# -- people ------------------------------------------------------------------------

FULL_PROSE = [
    "I was walking home when {n} came up to me and started shouting.",
    "{n} was seen leaving the property at about 11pm.",
    "The complaint was made by {n} after the third incident this month.",
    "Neighbours say {n} has been playing loud music every night since June.",
    "Yesterday {n} reported that the car window had been smashed again.",
    "We have had several calls about {n} and the dog barking.",
    "The caller gave her name as {n} and asked for a call back.",
    "Following the meeting, {n} agreed to keep the gate locked.",
    "A letter was sent to {n} about the fly-tipping behind the garages.",
    "CCTV shows {n} kicking the door of the flat below.",
    "It is believed {n} moved out of the area in the spring.",
    "Witness statement taken from {n} regarding the assault outside the shop.",
    "Please pass this on to {n}, who was not at the meeting.",
    "{n}'s son has been missing school and hanging around the park.",
    "Landlord confirmed that {n} is the named tenant.",
    "The warning letter to {n} was hand delivered on Friday.",
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx", "PC", "DC", "Sgt", "DS", "PCSO", "Insp",
          "Cllr", "Rev", "Prof"]
TITLE_PROSE = [
    "{t} {n} attended and took a statement.",
    "Spoke with {t} {n}, who confirmed the times.",
    "{t} {n} will follow this up next week.",
    "Report completed by {t} {n} at 14:20.",
    "The resident, {t} {n}, says the noise starts after midnight.",
    "Letter addressed to {t} {n} returned unopened.",
    "Call handled by {t} {n}; caller to be updated.",
    "As {t} {n} explained, the fence was already damaged.",
]
SPEAKER = [
    "{n}: I saw him climb over the wall\nOfficer: what time was that?\n{n}: about ten",
    "{n}: they were shouting outside again last night",
    "[21:04] {n}: can you come round, he's back\n[21:05] {n}: please hurry",
    "{n} - I don't want to give a statement",
    "Officer: Who called it in?\n{n}: I did, from the upstairs window",
    "{n} said: \"I never touched the car.\"",
]
SURNAME_LIST = [
    "{a}, {b} and {c} were present.",
    "Apologies received from {a}, {b} and {c}.",
    "Present: {a}, {b}, {c}.",
    "Statements from {a} and {b} are still outstanding; {c} declined.",
    "The rota is {a}, then {b}, then {c}.",
]
LABELS = ["Reviewed by", "Contact", "Officer in case", "Complainant", "Reporting person",
          "Victim", "Suspect", "Witness", "Next of kin", "Tenant", "Caller", "Signed",
          "Prepared by", "Attendees", "Assigned to", "Name"]
LABEL_STYLES = ["{l}: {n}", "{l} - {n}", "{l}: {n} (by phone)", "{l}:\n{n}", "{l}: {n}.",
                "{l} = {n}"]
SINGLE_CUE = [
    ("my name is {n} and I live next door", "first"),
    ("Hi, it's {n} again from the flat upstairs", "first"),
    ("The victim, {n}, did not want to make a statement.", "first"),
    ("A man called {n} has been sleeping in the bus shelter.", "first"),
    ("Spoke to {n} on the phone, she will call back.", "first"),
    ("Her partner {n} was not home at the time.", "first"),
    ("Thanks {n}, I will pass that on.", "first"),
    ("Dear {n},\nThank you for your email about the parking.", "first"),
    ("The boy, known as {n}, was with a group of older lads.", "first"),
    ("Spoke to {n} at the door; he denied everything.", "last"),
    ("{t} {n} attended the scene.", "last"),
    ("The {n} family have lived there for years.", "last"),
    ("Complaint against {t} {n} upheld.", "last"),
    ("Regards,\n{n}", "first"),
]
NOTES_CASE = [
    "spoke to {n} at the door, no answer after that",
    "{n} SEEN LEAVING WITH TWO MALES",
    "VICTIM {n} REFUSED TREATMENT",
    "called {n} back, no reply",
    "NFA - {n} TO BE ADVISED",
    "suspect {n} arrested 22:10",
]
PUBLIC_ROLES = [
    "Chief Constable {n} said: \"Tackling anti-social behaviour remains a priority.\"",
    "Deputy Chief Constable {n} welcomed the inspection report.",
    "Assistant Chief Constable {n} will lead the review.",
    "Police and Crime Commissioner {n} has approved the budget.",
    "Chief Superintendent {n}, head of local policing, said the figures were encouraging.",
    "The council's chief executive, {n}, thanked residents for their patience.",
    "Leader of the Council, Cllr {n}, opened the new community centre.",
    "{n}, the Mayor of {p}, attended the ceremony.",
    "{n} MP has written to the Home Secretary about the closure.",
    "Superintendent {n} commented: \"We will not tolerate this behaviour.\"",
]


def _style(w: World, text: str) -> str:
    """A name as typed: usually as written, sometimes all lower or all upper case."""
    r = w.rng.random()
    return text.lower() if r < 0.06 else text.upper() if r < 0.12 else text


def _name(p: Person | list[Person], kind: str, value: str, **extra: object) -> Entity:
    people = p if isinstance(p, list) else [p]
    origins = sorted({x.origin for x in people})
    return Entity("person.name", value, extra={"origin": origins[0] if len(origins) == 1
                                               else "mixed", "kind": kind, **extra})


class Rotation:
    """Locales in turn, so every origin gets about the same number of cases."""

    def __init__(self) -> None:
        self.i = 0

    def __call__(self) -> str:
        locale = list(LOCALES)[self.i % len(LOCALES)]
        self.i += 1
        return locale


ROTATE = Rotation()


def name_full_prose(w: World) -> tuple[str, list[Entity]]:
    p = w.person(ROTATE())
    n = _style(w, p.full)
    return w.pick(FULL_PROSE).format(n=n), [_name(p, "full", n)]


def name_title(w: World) -> tuple[str, list[Entity]]:
    p = w.person(ROTATE())
    full = w.chance(0.6)
    n = p.full if full else p.last
    return (w.pick(TITLE_PROSE).format(t=w.pick(TITLES), n=n),
            [_name(p, "full" if full else "single", n)])


def name_speaker(w: World) -> tuple[str, list[Entity]]:
    p = w.person(ROTATE())
    full = w.chance(0.3)
    n = p.full if full else p.first
    return w.pick(SPEAKER).format(n=n), [_name(p, "full" if full else "single", n)]


def name_surnames(w: World) -> tuple[str, list[Entity]]:
    locale = ROTATE()
    people = [w.person(locale) for _ in range(3)]
    a, b, c = (x.last for x in people)
    return w.pick(SURNAME_LIST).format(a=a, b=b, c=c), [_name(people, "surnames", a, others=[b, c])]


def name_after_label(w: World) -> tuple[str, list[Entity]]:
    p = w.person(ROTATE())
    n = _style(w, p.full)
    return w.pick(LABEL_STYLES).format(l=w.pick(LABELS), n=n), [_name(p, "full", n)]


def name_single_cue(w: World) -> tuple[str, list[Entity]]:
    p = w.person(ROTATE())
    template, part = w.pick(SINGLE_CUE)
    n = p.first if part == "first" else p.last
    return (template.format(n=n, t=w.pick(["Mr", "Mrs", "Ms", "PC", "Dr"])),
            [_name(p, "single", n)])


def name_notes_case(w: World) -> tuple[str, list[Entity]]:
    p = w.person(ROTATE())
    template = w.pick(NOTES_CASE)
    upper = not any(c.islower() for c in template.replace("{n}", ""))
    n = p.full.upper() if upper else p.full.lower()
    return template.format(n=n), [_name(p, "full", n)]


def name_public_role(w: World) -> tuple[str, list[Entity]]:
    p = w.person(ROTATE())
    return (w.pick(PUBLIC_ROLES).format(n=p.full, p=w.town()),
            [_name(p, "full", p.full, public_role=True)])


# -- contact blocks and addresses ----------------------------------------------------


def contact_block(w: World) -> tuple[str, list[Entity]]:
    p = w.person(w.pick(list(LOCALES)))
    street, town, postcode = w.address_line(), w.town(), w.ids.postcode()
    phone, _ = w.ids.phone()
    email = w.email(p)
    lines = [p.full, street, town, postcode]
    ents = [_name(p, "full", p.full), Entity("uk.street_address", street),
            Entity("uk.postcode", postcode)]
    if w.chance(0.8):
        lines.append(w.pick(["", "Tel: ", "Mobile: ", "T "]) + phone)
        ents.append(Entity("uk.phone", phone))
    if w.chance(0.7):
        lines.append(w.pick(["", "Email: ", "E: "]) + email)
        ents.append(Entity("email", email))
    if w.chance(0.3):
        lines = [", ".join(lines[:4])] + lines[4:]
    return "\n".join(lines), ents


ADDRESS_PROSE = [
    "She lives at {a} with her two children.",
    "Damage reported to the front door of {a}.",
    "Youths gathering outside {a} most evenings.",
    "Please send the letter to {a}, {town}.",
    "The flat at {a} has been empty since March.",
]


def street_address_prose(w: World) -> tuple[str, list[Entity]]:
    a = w.address_line()
    text = w.pick(ADDRESS_PROSE).format(a=a, town=w.town())
    ents = [Entity("uk.street_address", a)]
    if w.chance(0.3):
        pc = w.ids.postcode()
        text = text.rstrip(".") + f", {pc}."
        ents.append(Entity("uk.postcode", pc))
    return text, ents


# -- identifiers ---------------------------------------------------------------------


def _identifier(w: World, detector: str | None = None) -> tuple[str, str, str, str]:
    """(detector, value, cue, form): a valid identifier with the cue a writer would use."""
    detector = detector or w.pick(list(IDENTIFIERS))
    return (detector, *IDENTIFIERS[detector](w))


def _dvla(w: World) -> tuple[str, str, str]:
    p = w.person(w.pick(list(LOCALES)))
    middle = w.person(p.origin).first if w.chance(0.4) else ""
    value = w.ids.driving_licence(p.last, p.first, w.ids.birth_date(), p.gender == "female",
                                  middle)
    return value, w.pick(["driving licence number", "driving licence no.", "DL number",
                          "licence number", "driver number"]), "dvla"


IDENTIFIERS: dict[str, Callable[[World], tuple[str, str, str]]] = {
    "uk.nhs_number": lambda w: (w.ids.nhs_written(w.ids.nhs()),
                                w.pick(["NHS number", "NHS no", "NHS No.", "NHS#"]), "nhs"),
    "uk.nino": lambda w: (w.ids.nino(), w.pick(["NI number", "National Insurance number",
                                                "NINO", "NI no."]), "nino"),
    "uk.vehicle_registration": lambda w: (w.ids.plate(), w.pick(["reg", "VRM", "registration",
                                                                 "number plate"]), "plate"),
    "uk.phone": lambda w: (lambda v: (v[0], w.pick(["tel", "phone", "mobile", "call"]),
                                      "phone " + v[1]))(w.ids.phone()),
    "uk.postcode": lambda w: (w.ids.postcode(), w.pick(["postcode", "post code"]), "postcode"),
    "network.ip_address": lambda w: ((w.ids.ipv4(), w.pick(["IP", "IP address", "from"]), "ipv4")
                                     if w.chance(0.35) else
                                     (lambda v: (v[0], w.pick(["IP", "IPv6", "client"]),
                                                 "ipv6 " + v[1]))(w.ids.ipv6())),
    "payment_card": lambda w: (lambda v: (v[0], w.pick(["card number", "card", "PAN",
                                                        "paid with card"]), "card " + v[1]))(
        w.ids.card()),
    "bank.iban": lambda w: (lambda v: (v[0], w.pick(["IBAN", "account", "bank details"]),
                                       "iban " + v[1]))(w.ids.iban()),
    "uk.passport": lambda w: (w.ids.passport(), w.pick(["passport number", "passport no.",
                                                        "Passport", "UK passport"]), "passport"),
    "uk.driving_licence": _dvla,
}
CUED_PROSE = [
    "Her {cue} is {v}.", "{cue}: {v}", "Please confirm the {cue} ({v}) before the visit.",
    "The {cue} given was {v} but it could not be checked.", "{cue} {v} noted on the form.",
    "Updated {cue} to {v} as requested.",
]
UNCUED_PROSE = [
    "Can you check {v} for me?", "I wrote down {v} on the back of the envelope.",
    "Seen again today, {v}.", "It was {v}, I'm fairly sure.", "{v} - see attached.",
    "Added {v} to the log.",
]
NEEDS_CUE = {"uk.passport"}  # nine bare digits are no passport number to a reader


def id_bare(w: World) -> tuple[dict, list[Entity]]:
    detector, value, _, form = _identifier(w, w.pick([d for d in IDENTIFIERS
                                                      if d not in NEEDS_CUE]))
    field = w.pick(["value", "ref", "col3", "text"])
    return {field: value}, [Entity(detector, value, field=field, extra={"form": form})]


def id_cued(w: World) -> tuple[str, list[Entity]]:
    detector, value, cue, form = _identifier(w)
    text = w.pick(CUED_PROSE).format(cue=cue, v=value)
    return text[0].upper() + text[1:], [Entity(detector, value, extra={"form": form})]


def id_uncued(w: World) -> tuple[str, list[Entity]]:
    detector, value, _, form = _identifier(w, w.pick([d for d in IDENTIFIERS
                                                      if d not in NEEDS_CUE]))
    return w.pick(UNCUED_PROSE).format(v=value), [Entity(detector, value, extra={"form": form})]


def email_plain_and_obfuscated(w: World) -> tuple[str, list[Entity]]:
    p = w.person(w.pick(list(LOCALES)))
    obfuscated = w.chance(0.6)
    e = w.obfuscated_email(p) if obfuscated else w.email(p)
    text = w.pick(["you can reach me on {e}", "email: {e}", "Send it to {e} please",
                   "my email is {e}", "({e})", "contact {e} if there are problems"]).format(e=e)
    return text, [Entity("email", e, extra={"form": "obfuscated" if obfuscated else "plain"})]


DOB_PROSE = [
    ("born on {d}", None), ("DOB {d}", None), ("D.O.B.: {d}", None),
    ("date of birth: {d}", None), ("Date of Birth {d}", None), ("(dob {d})", None),
    ("The child was born {d} and lives with her grandmother.", None),
    ("b. {d}", None), ("Birthday: {d}", None), ("He gave his date of birth as {d}.", None),
]


def dob_written(w: World) -> tuple[str, list[Entity]]:
    d = w.ids.birth_date()
    written, form = w.ids.date_written(d)
    template, _ = w.pick(DOB_PROSE)
    return template.format(d=written), [Entity("uk.date_of_birth", written, extra={"form": form})]


# -- must not find -------------------------------------------------------------------

PLACE_PROSE = [
    "Incidents in {x} rose by {k}% compared with last year.",
    "{x} recorded {k} reports of anti-social behaviour in March.",
    "The meeting will be held at {x} community hall.",
    "Residents of {x} are invited to the drop-in session.",
    "Patrols have been increased in {x} and the surrounding area.",
    "Figures for {x} are shown in the table below.",
    "{x}: {k} incidents",
]


def place_prose(w: World) -> tuple[str, list[Entity], str]:
    r = w.rng.random()
    x, kind = ((w.town(), "GeoNames place") if r < 0.35 else
               (w.subdivision(), "ISO 3166-2 subdivision") if r < 0.5 else
               (w.ward(), "ward") if r < 0.8 else (w.lsoa(), "LSOA"))
    return w.pick(PLACE_PROSE).format(x=x, k=w.rng.randint(2, 90)), [], kind


def place_in_name_field(w: World) -> tuple[dict, list[Entity], str]:
    r = w.rng.random()
    x, kind = ((w.ward(), "ward") if r < 0.4 else (w.town(), "GeoNames place") if r < 0.6 else
               (w.organisation()[0], "organisation") if r < 0.85 else (w.lsoa(), "LSOA"))
    return {"name": x, "count": w.rng.randint(0, 300)}, [], kind


def street_and_location(w: World) -> tuple[str, list[Entity], str]:
    r = w.rng.random()
    if r < 0.5:
        return w.police_location(), [], "police.uk location"
    street = w.street()
    text = w.pick(["Anti-social behaviour on {s}", "Road closed: {s} between 9am and 4pm",
                   "{s} is one of the streets covered by the order",
                   "Resurfacing of {s} starts on Monday"]).format(s=street)
    return text, [], "street name"


def street_then_number(w: World) -> tuple[str, list[Entity], str]:
    street = w.street()
    return w.pick(["{s} {k}", "{s}: {k}", "{s} {k} incidents", "{s} ({k})",
                   "Bus {k} now stops on {s}", "{s} {k}%"]).format(
        s=street, k=w.rng.randint(1, 60)), [], "street then number"


def organisation_prose(w: World) -> tuple[str, list[Entity], str]:
    org, kind = w.organisation()
    return w.pick(["Funding was provided by {o}.", "{o} has agreed to host the event.",
                   "Referral made to {o}.", "Delivered in partnership with {o}.",
                   "Contact {o} for more information.", "{o}"]).format(o=org), [], kind


def hex_and_codes(w: World) -> tuple[str, list[Entity], str]:
    colour = "#" + "".join(w.pick("0123456789abcdef") for _ in range(w.pick([3, 6])))
    if w.chance(0.3):
        colour = colour.upper()
    r = w.rng.random()
    if r < 0.5:
        return w.pick(["color: {c};", "background-color: {c}", "Use {c} for the header",
                       "fill=\"{c}\"", "{c}"]).format(c=colour), [], "colour"
    if r < 0.75:
        digest = "".join(w.pick("0123456789abcdef") for _ in range(w.pick([7, 12, 40, 64])))
        return w.pick(["commit {h}", "sha256: {h}", "Build {h} deployed",
                       "checksum {h}"]).format(h=digest), [], "hash"
    import uuid

    u = uuid.UUID(int=w.rng.getrandbits(128), version=4)
    return f"request id {u}", [], "uuid"


def versions_and_bad_ips(w: World) -> tuple[str, list[Entity], str]:
    r = w.rng.random()
    if r < 0.4:
        v = ".".join(str(w.rng.randint(0, 20)) for _ in range(w.pick([2, 3, 3, 4])))
        return w.pick(["version {v}", "Upgraded to v{v}", "Python {v}", "release {v} notes",
                       "firmware {v}", "Chrome/{v}"]).format(v=v), [], "version"
    if r < 0.7:
        octets = [w.rng.randint(0, 255) for _ in range(4)]
        octets[w.rng.randint(0, 3)] = w.rng.randint(256, 999)
        v = ".".join(map(str, octets))
        return w.pick(["{v}", "address {v} is invalid", "ip={v}"]).format(v=v), [], "bad IPv4 octet"
    v = ".".join(str(w.rng.randint(0, 255)) for _ in range(5))
    return w.pick(["{v}", "OID {v}", "section {v}"]).format(v=v), [], "five-part dotted"


def failing_checks(w: World) -> tuple[str, list[Entity], str]:
    kind = w.pick(["nhs", "card", "iban", "nino"])
    if kind == "nhs":
        v = w.ids.nhs_written(w.ids.nhs(valid=False))
        text = w.pick(["{v}", "ref {v}", "Reference number {v}"]).format(v=v)
        return text, [], "NHS-shaped, fails mod 11"
    if kind == "card":
        v, _ = w.ids.card(w.pick(["visa", "mastercard-5", "amex", "maestro"]), valid=False)
        text = w.pick(["{v}", "order {v}", "account ref {v}"]).format(v=v)
        return text, [], "card-shaped, fails Luhn"
    if kind == "iban":
        v, _ = w.ids.iban("GB", valid=False)
        return w.pick(["{v}", "ref {v}"]).format(v=v), [], "IBAN-shaped, fails mod 97"
    v = w.ids.nino(valid=False)
    return w.pick(["{v}", "code {v}"]).format(v=v), [], "NINO-shaped, prefix never issued"


def incident_dates(w: World) -> tuple[str, list[Entity], str]:
    written, form = w.ids.date_written(w.ids.recent_date())
    text = w.pick(["The incident happened on {d}.", "Offence date {d}", "Reported {d} at 14:20",
                   "Date: {d}", "Next meeting {d}", "Closed on {d}", "{d}"]).format(d=written)
    return text, [], form


def barcodes_and_refs(w: World) -> tuple[str, list[Entity], str]:
    r = w.rng.random()
    if r < 0.5:
        template, code = w.pick(["Barcode {v}", "EAN {v}", "{v}", "ISBN {v}"]), w.ids.ean13()
        while template == "{v}" and luhn.is_valid(code):  # alone, it could be a card: no label
            code = w.ids.ean13()
        return template.format(v=code), [], "EAN-13"
    ref = w.pick([f"CR/{w.rng.randint(100000, 999999)}/{w.rng.randint(21, 26)}",
                  f"{w.rng.randint(10, 99)}/{w.rng.randint(1000, 99999)}/{w.rng.randint(21, 26)}",
                  f"INC{w.ids.digits(7)}", f"Ticket #{w.ids.digits(6)}",
                  f"Order {w.ids.digits(10)}"])
    return w.pick(["{v}", "Crime reference {v}", "Log {v}"]).format(v=ref), [], "reference"


@dataclass(frozen=True)
class Family:
    name: str
    build: Callable[[World], tuple]
    count: int
    expect: str  # "find" or "clean"
    summary: str


FAMILIES = [
    Family("person.name/full name in prose", name_full_prose, 250, "find",
           "a full name in a sentence of a case note"),
    Family("person.name/after a title or rank", name_title, 200, "find",
           "Mr, Mrs, Dr, PC, DC, Sgt, Cllr... before a full name or a surname"),
    Family("person.name/speaker label", name_speaker, 160, "find",
           "chat and interview transcripts: 'Marta: I saw him'"),
    Family("person.name/surnames in a list", name_surnames, 120, "find",
           "'Nagy, Keller and Ibarra were present'"),
    Family("person.name/after a label", name_after_label, 160, "find",
           "'Reviewed by: Tomasz Wolski', 'Contact - ...'"),
    Family("person.name/single name with a cue", name_single_cue, 220, "find",
           "a first name or surname alone, after 'my name is', 'the victim,', 'spoke to'"),
    Family("person.name/lower or upper case in notes", name_notes_case, 120, "find",
           "terse notes typed all lower or ALL UPPER case"),
    Family("person.name/public role", name_public_role, 100, "find",
           "senior officers and officials named in their public role (see README)"),
    Family("contact block", contact_block, 150, "find",
           "name, street, town, postcode, phone, email on separate lines"),
    Family("street address in prose", street_address_prose, 100, "find",
           "a house number and street in a sentence"),
    Family("identifier/bare value", id_bare, 350, "find",
           "one identifier alone in a field"),
    Family("identifier/in prose with a cue", id_cued, 300, "find",
           "'Her NHS number is ...', 'passport number ...'"),
    Family("identifier/in prose without a cue", id_uncued, 200, "find",
           "an identifier in a sentence that does not say what it is"),
    Family("email/plain and obfuscated", email_plain_and_obfuscated, 120, "find",
           "'john at gmail dot com', 'jo [at] example [dot] org'"),
    Family("date of birth/written forms", dob_written, 150, "find",
           "a birth date after a cue, in nine written forms incl. US order"),
    Family("clean/places in prose", place_prose, 200, "clean",
           "GeoNames places, ISO 3166-2 subdivisions, ward and LSOA names in sentences"),
    Family("clean/place or organisation in a name field", place_in_name_field, 150, "clean",
           "{\"name\": <ward, place, organisation or LSOA>, \"count\": n}"),
    Family("clean/streets and police.uk locations", street_and_location, 120, "clean",
           "street names (many named after people) and 'On or near ...'"),
    Family("clean/street name then a number", street_then_number, 80, "clean",
           "'Mill Lane 12', 'Station Road: 4' (a count, not a house number)"),
    Family("clean/organisations", organisation_prose, 150, "clean",
           "Faker en_GB company(), NHS trusts, councils, schools, pubs, charities"),
    Family("clean/colours, hashes, ids", hex_and_codes, 80, "clean",
           "CSS colours, visible hex, commit hashes, UUIDs"),
    Family("clean/versions and bad IPv4", versions_and_bad_ips, 80, "clean",
           "version strings, octets over 255, five-part dotted numbers"),
    Family("clean/numbers failing their check", failing_checks, 120, "clean",
           "NHS-shaped failing mod 11, cards failing Luhn, IBANs failing mod 97, "
           "NINO never-issued prefixes"),
    Family("clean/dates without a birth cue", incident_dates, 100, "clean",
           "incident and meeting dates in the same written forms"),
    Family("clean/barcodes and references", barcodes_and_refs, 80, "clean",
           "EAN-13 with valid check digit, crime references, ticket numbers"),
]


def build_case(family: Family, w: World) -> dict:
    """One case: its NDJSON record, labels and, for clean cases, what the distractor is."""
    built = family.build(w)
    payload, entities = built[0], built[1]
    record = payload if isinstance(payload, dict) else {"text": payload}
    case = {"family": family.name, "record": record,
            "entities": [e.label() for e in entities]}
    if len(built) > 2:
        case["distractor"] = built[2]
    for e in case["entities"]:
        assert e["value"] in str(record[e["field"]]), (family.name, e)
    return case


__all__ = ["FAMILIES", "Family", "build_case"]
