"""What each kind of export looks like: must-block leaks and must-allow publications.

A scenario builds the records of one payload. Leaves that hold personal data are
:class:`~pii.V` values naming the detectors that should report them; everything
else is a plain value. Leaks hide personal data where real ones do: in free-text
notes, in columns called ``info`` or ``col7``, in nested JSON objects and arrays.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pii import EMAIL, People, Person, V, ean13, join, tag
from public import (
    ASB_TYPES,
    CLEAN_NOTES,
    CRIME_TYPES,
    FORCE,
    OUTCOMES,
    PATHS,
    POLICE_UK_STREETS,
    STREETS,
    USER_AGENTS,
    WARDS,
)

__all__ = ["Built", "Scenario", "BLOCK", "ALLOW"]


@dataclass
class Built:
    """One payload's records; JSON payloads may wrap them in a document."""

    records: list[dict[str, Any]]
    document: dict[str, Any] | None = None  # records go under document[records_key]
    records_key: str = "data"


@dataclass(frozen=True)
class Scenario:
    name: str
    formats: tuple[str, ...]
    build: Callable[[People, int, str], Built]
    count: int  # payloads to write


# -- shared bits --------------------------------------------------------------------


def case_ref(g: People) -> str:
    return f"ASB/2026/{g.rng.randint(1, 9999):06d}"


def crime_ref(g: People) -> str:
    return f"41/{g.rng.randint(10000, 99999)}/26"


def officer(g: People) -> str:
    return g.pick(("PC", "PC", "PCSO", "PS")) + f" {g.rng.randint(100, 4999)}"


def day_text(day: _dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def lsoa(g: People) -> tuple[str, str]:
    n = g.rng.randint(1, 24)
    return f"E0102{3600 + n * 4 + g.rng.randint(0, 3)}", f"Dacorum {n:03d}{g.pick('ABCDE')}"


def ward_code(ward: str) -> str:
    return f"E0500{4675 + WARDS.index(ward)}"


def pii_note(g: People, p: Person, q: Person) -> V:
    """A case-note line that names, locates or identifies someone."""
    options: list[Callable[[], V]] = [
        lambda: join("Caller ", g.name(p), " of ", g.address(p),
                     " reports loud music from the neighbouring property most nights."),
        lambda: join(g.name(p), " rang again about youths gathering outside ",
                     g.address(p, "line"), ". Wants a call back on ", g.phone(p), "."),
        lambda: join("Complainant ", g.name(p), " (", g.phone(p), ") says the dog next door "
                     "barks all day when left alone. Advised to keep a diary."),
        lambda: join("Car repeatedly parked across the dropped kerb outside ",
                     g.address(p, "line"), ", ", g.vehicle_phrase(), "."),
        lambda: join("Spoke to ", g.name(p), " by phone. Email for updates: ", g.email(p), "."),
        lambda: join("Reported by ", g.name(p), ", ", g.dob_phrase(p),
                     ", verbally abused by a neighbour on the stairwell."),
        lambda: join("Suspect named locally as ", g.name(q), ", believed to be living at ",
                     g.address(q, "full"), "."),
        lambda: join("Victim ", g.name(p), " (NHS no ", g.nhs(),
                     ") taken to Watford General, discharged the same day."),
        lambda: join("Ongoing dispute between ", g.name(p), " and ", g.name(q),
                     " over a shared fence. Both parties spoken to."),
        lambda: join("Text message received from ", g.phone(p),
                     ": they are at it again, please send someone"),
        lambda: join("Resident at ", g.address(p, "full"), " reports drug dealing from a car, ",
                     g.vehicle_phrase(), "."),
        lambda: join("Informant asked not to be named (", g.name(p), ", tel ", g.phone(p), ")."),
        lambda: join("Closure letter sent to ", g.name(p), " at ", g.address(p, "full"), "."),
        lambda: join(g.name(p), " paid the fixed penalty over the phone, card ", g.card(), "."),
        lambda: join("NI number ", g.nino(), " given by ", g.name(p), " for the housing referral."),
        lambda: join("Mum ", g.name(p), " says her son was threatened outside the shop. "
                     "Contact on ", g.phone(p), " or ", g.email(p), "."),
        lambda: join("Neighbour at ", g.address(q, "line"), " shouting abuse at ", g.name(p),
                     " and her children."),
        lambda: join("Pls call back ", g.name(p), " ", g.phone(p), " after 5pm"),
    ]
    return g.pick(options)()


def note(g: People, share: float) -> V | str:
    """A note that names someone with probability *share*, otherwise a clean one."""
    if g.chance(share):
        return pii_note(g, g.person(), g.person())
    return g.pick(CLEAN_NOTES)


def ensure_one(records: list[dict[str, Any]], key: str, make: Callable[[], V]) -> None:
    """A leak has at least one leaked value: put one in record 0 if chance left none."""
    if not any(_has_label(r) for r in records):
        records[0][key] = make()


def _has_label(value: Any) -> bool:
    if isinstance(value, V):
        return bool(value.detectors)
    if isinstance(value, dict):
        return any(_has_label(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_label(v) for v in value)
    return False


# -- must-block ---------------------------------------------------------------------


def asb_cases(g: People, n: int, fmt: str) -> Built:
    """A case-management export: the details column is where people end up."""
    details = g.pick(("details", "notes", "Details", "case_notes", "summary"))
    share = g.pick((0.3, 0.5, 0.8))
    records = []
    for _ in range(n):
        records.append({
            "case_ref": case_ref(g), "date_reported": day_text(g.incident_date()),
            "ward": g.pick(WARDS), "category": g.pick(ASB_TYPES),
            details: note(g, share), "status": g.pick(("Open", "Closed", "Referred", "Monitoring")),
            "officer": officer(g),
        })
    ensure_one(records, details, lambda: pii_note(g, g.person(), g.person()))
    return Built(records)


HIDDEN = ("info", "col7", "details", "extra", "misc", "Column1", "data", "field_12", "other")


def hidden_columns(g: People, n: int, fmt: str) -> Built:
    """A partner spreadsheet whose personal columns lost their headers on the way."""
    a, b = g.rng.sample(HIDDEN, 2)
    records = []
    for _ in range(n):
        p = g.person()
        first, second = _hidden_who(g, p), _hidden_how(g, p)
        records.append({
            "ref": case_ref(g), "date": day_text(g.incident_date()), "ward": g.pick(WARDS),
            "type": g.pick(ASB_TYPES), a: first if g.chance(0.85) else "",
            b: second if g.chance(0.7) else "", "outcome": g.pick(("NFA", "Advice", "CPW", "CPN")),
        })
    ensure_one(records, a, lambda: g.name(g.person(), "caps_comma"))
    return Built(records)


def _hidden_who(g: People, p: Person) -> V:
    return g.pick((
        lambda: g.name(p, "caps_comma"),
        lambda: g.name(p, "caps_first"),
        lambda: join(g.name(p), " / ", g.phone(p)),
        lambda: join(g.name(p, "caps_comma"), ", ", g.address(p, "town")),
    ))()


def _hidden_how(g: People, p: Person) -> V:
    return g.pick((
        lambda: g.phone(p),
        lambda: g.address(p, g.pick(("full", "upper", "full_nocomma"))),
        lambda: join(g.dob_phrase(p), "; ", g.phone(p)),
        lambda: g.email(p),
        lambda: join("mob ", g.phone(p), " email ", g.email(p)),
    ))()


def _party(g: People, role: str) -> dict[str, Any]:
    p = g.person()
    party: dict[str, Any] = {"role": role, "name": g.name(p)}
    if g.chance(0.4):
        party["dob"] = tag(p.dob.isoformat(), "uk.date_of_birth")
    contact: dict[str, Any] = {}
    if g.chance(0.7):
        contact["phone"] = g.phone(p)
    if g.chance(0.5):
        contact["email"] = g.email(p)
    if contact:
        party["contact"] = contact
    if g.chance(0.7):
        party["address"] = {"line1": tag(f"{p.house} {p.street}", "uk.street_address"),
                            "town": p.town, "postcode": tag(p.postcode, "uk.postcode")}
    return party


def case_management(g: People, n: int, fmt: str) -> Built:
    """Nested cases: parties, their contact details and addresses, and action logs."""
    records = []
    for _ in range(n):
        parties = [_party(g, "complainant")]
        if g.chance(0.6):
            parties.append(_party(g, g.pick(("subject", "witness", "subject"))))
        actions = [{"date": g.incident_date().isoformat(), "by": officer(g),
                    "note": note(g, 0.3)} for _ in range(g.rng.randint(1, 3))]
        records.append({"case_id": case_ref(g), "opened": g.incident_date().isoformat(),
                        "ward": g.pick(WARDS), "category": g.pick(ASB_TYPES),
                        "status": g.pick(("open", "closed")), "parties": parties,
                        "actions": actions})
    if fmt == "json" and g.chance(0.5):
        exporter = g.person()
        by: Any = tag(f"{exporter.forename[0].lower()}.{exporter.surname.lower()}"
                      "@herts.police.uk".replace("'", ""), EMAIL) if g.chance(0.5) \
            else "svc_asb_export"
        document = {"export": {"system": "ECINS", "generated": "2026-03-14T09:00:00Z",
                               "exported_by": by}, "cases": None}
        return Built(records, document, "cases")
    return Built(records)


def contact_centre(g: People, n: int, fmt: str) -> Built:
    """Call logs from the 101 line: the caller block and a free-text summary."""
    records = []
    for i in range(n):
        p = g.person()
        withheld = g.chance(0.25)
        caller: dict[str, Any] = {
            "name": "Withheld" if withheld else g.name(p),
            "number": "Withheld" if withheld or g.chance(0.2) else g.phone(p),
        }
        when = _dt.datetime(2026, 3, 1, 8) + _dt.timedelta(minutes=g.rng.randint(0, 40000))
        records.append({"call_id": f"C-{when:%Y%m%d}-{i:04d}",
                        "received": f"{when:%Y-%m-%dT%H:%M:%SZ}",
                        "channel": g.pick(("101", "101", "online", "999")), "caller": caller,
                        "summary": note(g, 0.4), "tags": [g.pick(ASB_TYPES).lower()]})
    return Built(records)


def referrals(g: People, n: int, fmt: str) -> Built:
    """Safeguarding and health referrals: NHS numbers and dates of birth."""
    nested = fmt in ("json", "ndjson") and g.chance(0.6)
    records = []
    for i in range(n):
        p = g.person()
        nhs = g.nhs() if g.chance(0.85) else ""
        dob = tag(g.date_text(p.dob, g.pick(("slash", "iso", "slash"))), "uk.date_of_birth")
        reason = g.pick((
            "Repeat victim of ASB, low mood, GP asked to review.",
            "Hoarding concerns raised by the housing officer.",
            "Self-neglect; referred to adult social care.",
            "Frequent caller to 101, possible dementia.",
        )) if g.chance(0.7) else join("Neighbour ", g.name(g.person()),
                                       " is helping with shopping; contact on ", g.phone(), ".")
        if nested:
            records.append({"referral_id": f"REF-2026-{i + 1:04d}",
                            "received": g.incident_date().isoformat(),
                            "patient": {"name": g.name(p), "nhs_no": nhs, "date_of_birth": dob,
                                        "address": g.address(p, "full")},
                            "gp_practice": g.pick(("Parkwood Surgery", "Highfield Surgery",
                                                   "The Colonnades Surgery", "Haverfield Surgery")),
                            "reason": reason})
        else:
            records.append({"referral_id": f"REF-2026-{i + 1:04d}",
                            "received": day_text(g.incident_date()), "patient_name": g.name(p),
                            g.pick(("nhs_number", "NHS No", "nhs")): nhs,
                            g.pick(("dob", "DOB", "date_of_birth")): dob, "reason": reason})
    return Built(records)


def payments(g: People, n: int, fmt: str) -> Built:
    """Fine and fee payments; some systems log the full card number."""
    all_full = g.chance(0.6)
    column = g.pick(("card_number", "pan", "card", "payment_card"))
    records = []
    for _ in range(n):
        p = g.person()
        card: Any = g.card() if all_full or g.chance(0.15) else g.masked_card()
        records.append({"txn_id": f"TXN{g.rng.randint(100000, 999999)}",
                        "date": g.incident_date().isoformat(),
                        "amount": f"£{g.pick((50, 75, 100, 150, 65))}.00", "payer": g.name(p),
                        column: card, "reference": f"FPN{g.rng.randint(1000000, 9999999)}",
                        "notes": g.pick(("", "", "Paid by phone", "Refunded in part"))})
    ensure_one(records, column, g.card)
    return Built(records)


def staff_records(g: People, n: int, fmt: str) -> Built:
    """An HR extract: NI numbers, dates of birth, home addresses."""
    records = []
    for _ in range(n):
        p = g.person()
        rec: dict[str, Any] = {
            "employee_no": f"E{g.rng.randint(1000, 99999):05d}", "name": g.name(p),
            "ni_number": g.nino(), "dob": tag(g.date_text(p.dob, "slash"), "uk.date_of_birth"),
            "role": g.pick(("PCSO", "Police Officer", "Call Handler", "Analyst", "Admin Officer")),
            "start_date": g.incident_date(g.rng.randint(2005, 2025)).isoformat(),
        }
        if fmt == "csv":
            rec["address"] = g.address(p, g.pick(("full", "town", "line")))
            rec["mobile"] = g.phone(p)
        else:
            rec["home"] = {"address": {"line1": tag(f"{p.house} {p.street}", "uk.street_address"),
                                       "town": p.town, "postcode": tag(p.postcode, "uk.postcode")},
                           "mobile": g.phone(p), "personal_email": g.email(p)}
        records.append(rec)
    return Built(records)


def parking(g: People, n: int, fmt: str) -> Built:
    """Penalty charge notices: registration marks, keepers, and the warden's notes."""
    column = g.pick(("vrm", "vehicle_reg", "registration", "VRM", "Reg No", "plate"))
    records = []
    for _ in range(n):
        p = g.person()
        rec: dict[str, Any] = {
            "pcn": f"DC{g.rng.randint(10000000, 99999999)}",
            "issued": f"{g.incident_date().isoformat()} {g.rng.randint(8, 19):02d}:"
                      f"{g.rng.randint(0, 59):02d}",
            "location": g.pick(("Marlowes multi-storey", "Water Gardens car park",
                                "Hillfield Road", "Combe Street", "Queensway")),
            column: tag(g.registration(), "uk.vehicle_registration"),
            "make": g.pick(("Ford", "Vauxhall", "VW", "BMW", "Toyota", "Kia")),
            "contravention": g.pick(("01 Parked in a restricted street", "11 Parked without "
                                     "payment", "12 Parked in a residents' bay", "30 Overstayed")),
        }
        if g.chance(0.5):
            rec["keeper"] = g.name(p)
            rec["keeper_address"] = g.address(p, "full")
        if g.chance(0.25):
            rec["warden_notes"] = join("Driver returned and became abusive, ",
                                       g.vehicle_phrase(), " left before the PCN was served.")
        records.append(rec)
    return Built(records)


def web_logs(g: People, n: int, fmt: str) -> Built:
    """Access logs from the public reporting site: client IPs, and emails in query strings."""
    records = []
    start = _dt.datetime(2026, 3, 12, 9)
    for _ in range(n):
        when = start + _dt.timedelta(seconds=g.rng.randint(0, 36000))
        path: Any = g.pick(PATHS)
        if g.chance(0.12):
            p = g.person()
            path = join("/account/reset?email=", tag(p.email.replace("@", "%40"), EMAIL))
        rec: dict[str, Any] = {
            "timestamp": f"{when:%Y-%m-%dT%H:%M:%SZ}", "client_ip": g.ip(),
            "method": g.pick(("GET", "GET", "GET", "POST")), "path": path,
            "status": g.pick(("200", "200", "200", "304", "404", "302")),
            "bytes": str(g.rng.randint(200, 90000)), "user_agent": g.pick(USER_AGENTS),
        }
        if fmt == "ndjson" and g.chance(0.2):
            p = g.person()
            rec["event"] = join("user ", g.email(p), " logged in")
        records.append(rec)
    return Built(records)


def statements(g: People, n: int, fmt: str) -> Built:
    """Witness statements: long narratives with names, homes, vehicles and birth dates."""
    records = []
    for _ in range(n):
        w, s = g.person(), g.person()
        parts: list[Any] = ["I am the above named person. "]
        when = g.incident_date()
        parts += [f"On {when:%A} {when.day} {when:%B} at about {g.rng.randint(18, 23)}:"
                  f"{g.pick(('00', '15', '30', '45'))} I was at my home address, ",
                  g.address(w, g.pick(("full", "town"))), ", when I heard shouting. "]
        if g.chance(0.6):
            parts += ["I looked out and saw a man I know as ", g.name(s)]
            if g.chance(0.6):
                parts += [" (", g.pick(("born ", "DOB ", "d.o.b. ")),
                          tag(g.date_text(s.dob), "uk.date_of_birth"), ")"]
            parts += [" kicking the door of ", g.vehicle_phrase(), ". "]
        else:
            parts += ["I saw a group of four or five youths, I did not recognise any of them. "]
        if g.chance(0.5):
            parts += ["My mobile number is ", g.phone(w), ". "]
        parts += ["I am willing to attend court."]
        rec: dict[str, Any] = {"statement_id": f"ST/{g.rng.randint(100, 999)}/26",
                               "taken_by": officer(g), "witness": g.name(w), "text": join(*parts)}
        records.append(rec)
    return Built(records)


def web_forms(g: People, n: int, fmt: str) -> Built:
    """Online report forms stored as label/value pairs."""
    records = []
    for _ in range(n):
        p = g.person()
        anonymous = g.chance(0.2)
        fields: list[dict[str, Any]] = [
            {"label": "Your name", "value": "Prefer not to say" if anonymous else g.name(p)},
            {"label": "Email address", "value": "" if anonymous else g.email(p)},
            {"label": "Telephone", "value": "" if anonymous or g.chance(0.3) else g.phone(p)},
            {"label": "Where did it happen?", "value": g.pick((
                "Outside the bus station on Marlowes", "The park behind Adeyfield shops",
                "Car park at Jarman Fields", "Stairwell of the flats on Queensway"))},
            {"label": "What happened?", "value": note(g, 0.3)},
        ]
        records.append({"submission_id": f"F{g.rng.randint(100000, 999999)}",
                        "submitted_at": f"{g.incident_date().isoformat()}T"
                                        f"{g.rng.randint(7, 22):02d}:12:00Z",
                        "form": "report-asb", "fields": fields})
    return Built(records)


def tenancy(g: People, n: int, fmt: str) -> Built:
    """A housing provider's arrears and ASB list."""
    records = []
    for _ in range(n):
        p = g.person()
        records.append({"tenancy_ref": f"T{g.rng.randint(10000, 99999)}", "tenant": g.name(p),
                        "property": g.address(p, g.pick(("full", "town", "line", "upper"))),
                        "arrears": f"£{g.rng.randint(0, 3000)}.{g.rng.randint(0, 99):02d}",
                        "contact": g.phone(p) if g.chance(0.7) else "",
                        "asb_flag": g.pick(("Y", "N", "N")), "comments": note(g, 0.2)})
    return Built(records)


def mailing_list(g: People, n: int, fmt: str) -> Built:
    """Newsletter subscribers to neighbourhood alerts."""
    records = []
    for i in range(n):
        p = g.person()
        postcode = p.postcode if g.chance(0.8) else p.postcode.replace(" ", "")
        records.append({"subscriber_id": str(1000 + i),
                        "name": g.name(p, g.pick(("full", "lower"))),
                        "email": g.email(p, upper=g.chance(0.1)),
                        "postcode": tag(postcode, "uk.postcode"),
                        "ward_alerts": g.pick(WARDS), "joined": g.incident_date(2025).isoformat()})
    return Built(records)


# -- must-allow ---------------------------------------------------------------------


def _latlong(g: People) -> tuple[str, str]:
    return f"{g.rng.uniform(51.725, 51.785):.6f}", f"{g.rng.uniform(-0.52, -0.42):.6f}"


def _crime_id(g: People) -> str:
    return hashlib.sha256(str(g.rng.random()).encode()).hexdigest()


def police_uk_street(g: People, n: int, fmt: str) -> Built:
    """A police.uk street-level crime download, exactly as published."""
    month = f"2026-{g.rng.randint(1, 9):02d}"
    records = []
    for _ in range(n):
        crime = g.pick(CRIME_TYPES)
        asb = crime == "Anti-social behaviour"
        lat, lon = _latlong(g)
        code, name = lsoa(g)
        records.append({
            "Crime ID": "" if asb else _crime_id(g),
            "Month": month, "Reported by": FORCE, "Falls within": FORCE,
            "Longitude": lon, "Latitude": lat,
            "Location": f"On or near {g.pick(POLICE_UK_STREETS)}",
            "LSOA code": code, "LSOA name": name, "Crime type": crime,
            "Last outcome category": "" if asb else g.pick(OUTCOMES), "Context": "",
        })
    return Built(records)


def police_uk_api(g: People, n: int, fmt: str) -> Built:
    """The police.uk API's street-level crimes, as JSON."""
    month = f"2026-{g.rng.randint(1, 9):02d}"
    records = []
    for _ in range(n):
        crime = g.pick(CRIME_TYPES)
        asb = crime == "Anti-social behaviour"
        lat, lon = _latlong(g)
        records.append({
            "category": crime.lower().replace(" ", "-"), "location_type": "Force",
            "location": {"latitude": lat,
                         "street": {"id": g.rng.randint(1500000, 1700000),
                                    "name": f"On or near {g.pick(POLICE_UK_STREETS)}"},
                         "longitude": lon},
            "context": "",
            "outcome_status": None if asb else {"category": g.pick(OUTCOMES), "date": month},
            "persistent_id": "" if asb else _crime_id(g),
            "id": g.rng.randint(110000000, 120000000), "location_subtype": "", "month": month,
        })
    return Built(records)


def ward_counts(g: People, n: int, fmt: str) -> Built:
    """Counts by ward and month, small numbers suppressed."""
    records = []
    months = [f"2026-{m:02d}" for m in range(1, 10)]
    for _ in range(n):
        ward = g.pick(WARDS)
        count = g.rng.randint(0, 140)
        shown: Any = count if fmt in ("json", "ndjson") else str(count)
        if 0 < count < 5:
            shown = "<5"
        records.append({"month": g.pick(months), "ward": ward, "ward_code": ward_code(ward),
                        "category": g.pick(ASB_TYPES), "count": shown})
    return Built(records)


def asb_log_clean(g: People, n: int, fmt: str) -> Built:
    """An ASB case log prepared for publication: references, dates, places, no people."""
    records = []
    for _ in range(n):
        code, _name = lsoa(g)
        day = g.incident_date()
        summary = g.pick(CLEAN_NOTES)
        if g.chance(0.2):
            summary = f"{summary} Linked to {case_ref(g)}."
        records.append({
            "case_ref": case_ref(g), "incident_date": day_text(day),
            "reported": f"{day_text(day + _dt.timedelta(days=g.rng.randint(0, 3)))} "
                        f"{g.rng.randint(0, 23):02d}:{g.rng.randint(0, 59):02d}",
            "ward": g.pick(WARDS), "lsoa_code": code, "category": g.pick(ASB_TYPES),
            "crime_ref": crime_ref(g) if g.chance(0.3) else "",
            "outcome": g.pick(("Advice given", "CPW issued", "No further action",
                               "Referred to housing", "Closed")),
            "team": g.pick(("Dacorum SNT", "Hemel Hempstead SNT", "Tring and Berkhamsted SNT")),
            "summary": summary,
        })
    return Built(records)


ROLES = ("Chief Constable", "Deputy Chief Constable", "Superintendent", "Chief Inspector",
         "Inspector", "Detective Inspector", "Detective Sergeant", "Sergeant", "PC",
         "Police and Crime Commissioner")
QUOTES = (
    "We know how much anti-social behaviour affects people's lives and we will not tolerate it.",
    "I would urge anyone who saw what happened, or who has dashcam footage, to get in touch.",
    "Our officers will continue to patrol the area and I want to reassure residents.",
    "This result shows what we can achieve when we work with partners and the community.",
)
CRIMESTOPPERS = ("\n\nYou can also stay 100% anonymous by contacting the independent charity "
                 "Crimestoppers on 0800 555 111 or through their untraceable online form at "
                 "crimestoppers-uk.org.")


def _official(g: People) -> str:
    return f"{g.pick(ROLES)} {g.fake.first_name()} {g.fake.last_name()}"


def press_release_body(g: People, crimestoppers: bool) -> str:
    day = g.incident_date()
    street = g.pick(STREETS)
    report = (f"\n\nAnyone with information is asked to contact police online at "
              f"herts.police.uk/report, speak to an operator via online web chat or call 101, "
              f"quoting crime reference {crime_ref(g)}.")
    kind = g.rng.randint(0, 3)
    if kind == 0:
        crime = g.pick(("robbery", "assault", "burglary"))
        body = (f"Officers are appealing for witnesses after a {crime}"
                f" on {street} in Hemel Hempstead on {day:%A} {day.day} {day:%B}.\n\n"
                f"It happened at around {g.rng.randint(1, 11)}pm when a man in his twenties was "
                f"approached by two men who demanded his phone.\n\n"
                f"{_official(g)} said: \"{g.pick(QUOTES)}\"" + report)
    elif kind == 1:
        age = g.rng.randint(17, 60)
        body = (f"A {age}-year-old man from {g.pick(('Hemel Hempstead', 'Watford', 'Luton'))} "
                f"has been arrested on suspicion of possession with intent to supply following "
                f"a warrant on {street} on {day.day} {day:%B} {day.year}. He has been released "
                f"on bail while enquiries continue.\n\n{_official(g)} said: \"{g.pick(QUOTES)}\""
                + report)
    elif kind == 2:
        body = (f"Two teenagers, aged {g.rng.randint(14, 15)} and {g.rng.randint(16, 17)}, were "
                f"arrested on {day.day} {day:%B} {day.year} after a window was smashed at a shop "
                f"on {street}. Both have been released under investigation.\n\n"
                f"{_official(g)} said: \"{g.pick(QUOTES)}\"" + report)
    else:
        body = (f"Dacorum Safer Neighbourhood Team held a week of action around {street} from "
                f"{day.day} to {(day + _dt.timedelta(days=6)).day} {day:%B}. Officers made "
                f"{g.rng.randint(2, 9)} arrests and seized {g.rng.randint(5, 40)} wraps of "
                f"suspected cannabis. Reports of anti-social behaviour in the town centre fell by "
                f"{g.rng.randint(5, 30)}% compared with the same month last year.\n\n"
                f"{_official(g)} said: \"{g.pick(QUOTES)}\"\n\nCouncillor {g.fake.first_name()} "
                f"{g.fake.last_name()}, Portfolio Holder for Community Safety at Dacorum Borough "
                f"Council, said: \"We are proud to support this work.\"")
    return body + (CRIMESTOPPERS if crimestoppers else "")


def press_releases(g: People, n: int, fmt: str) -> Built:
    """A force news feed: officials named in their public role, nobody else."""
    crimestoppers = g.chance(0.35)
    records = []
    for i in range(n):
        day = g.incident_date()
        records.append({"id": 4000 + g.rng.randint(0, 999) * 10 + i,
                        "published": f"{day.isoformat()}T{g.rng.randint(8, 17):02d}:30:00Z",
                        "title": g.pick(("Appeal for witnesses after robbery in Hemel Hempstead",
                                         "Man arrested after drugs warrant",
                                         "Week of action in Hemel Hempstead town centre",
                                         "Teenagers arrested after criminal damage")),
                        "body": press_release_body(g, crimestoppers),
                        "tags": ["Dacorum", g.pick(("appeal", "arrest", "operation"))]})
    return Built(records)


PRODUCTS = ("Steel toe-cap boots size 9", "Hi-vis vest XL", "LED torch 500 lumen",
            "Body-worn camera mount", "Nitrile gloves box of 100", "Traffic cone 750mm",
            "Evidence bags A4 pack of 50", "Car phone holder", "Van roof rack bars",
            "Radio battery pack", "First aid kit BS 8599-1", "Breathalyser mouthpieces x250")


def products(g: People, n: int, fmt: str) -> Built:
    """A stores catalogue: SKUs, EAN-13 barcodes, prices."""
    records = []
    for _ in range(n):
        ean = ean13("50" + "".join(g.pick("0123456789") for _ in range(10)))
        records.append({
            "sku": g.pick((f"{g.pick(('HV', 'PPE', 'EQ', 'VH'))}-{g.rng.randint(100, 99999):05d}",
                           f"{g.pick('ABCDEFGHKMNPRSTX')}{g.pick('ABCDEFGHKMNPRSTX')}"
                           f"{g.rng.randint(100, 9999)}-{g.pick(('BLK', 'YEL', 'S', 'M', 'L'))}")),
            "ean": int(ean) if fmt in ("json", "ndjson") and g.chance(0.5) else ean,
            "description": g.pick(PRODUCTS),
            "unit_price": f"{g.rng.randint(1, 300)}.{g.rng.randint(0, 99):02d}",
            "stock": str(g.rng.randint(0, 900)), "supplier": g.fake.company(),
        })
    return Built(records)


def lsoa_stats(g: People, n: int, fmt: str) -> Built:
    """Crime and population statistics by LSOA."""
    records = []
    for _ in range(n):
        code, name = lsoa(g)
        population = g.rng.randint(1200, 2600)
        crimes = g.rng.randint(20, 400)
        records.append({"lsoa_code": code, "lsoa_name": name, "ward": g.pick(WARDS),
                        "population": str(population), "households": str(population // 2),
                        "crimes_2025": str(crimes),
                        "rate_per_1000": f"{crimes * 1000 / population:.1f}",
                        "change": f"{g.rng.uniform(-30, 30):+.1f}%",
                        "imd_decile": str(g.rng.randint(1, 10))})
    return Built(records)


def invoices(g: People, n: int, fmt: str) -> Built:
    """Spending over £500: ten-digit invoice numbers that are not NHS numbers."""
    records = []
    for _ in range(n):
        amount = g.rng.randint(500, 250000)
        records.append({"invoice_no": g.failing_nhs(), "supplier": g.fake.company(),
                        "po_number": f"PO-2026-{g.rng.randint(1, 99999):05d}",
                        "cost_centre": f"CC{g.rng.randint(1000, 9999)}",
                        "amount": f"£{amount:,}.{g.rng.randint(0, 99):02d}",
                        "date": day_text(g.incident_date()),
                        "description": g.pick(("Grounds maintenance", "CCTV maintenance contract",
                                               "Fleet fuel cards", "Interpreting services",
                                               "Custody catering", "Vehicle recovery"))})
    return Built(records)


def incidents(g: People, n: int, fmt: str) -> Built:
    """An incident log: references, when it happened, where, what was done."""
    records = []
    for _ in range(n):
        day = g.incident_date()
        hour = g.rng.randint(0, 23)
        records.append({"incident_ref": f"INC-{day:%Y%m%d}-{g.rng.randint(1, 999):04d}",
                        "cad": f"CAD {g.rng.randint(1, 999):04d} {day:%d/%m/%y}",
                        "occurred": f"{day_text(day)} {hour:02d}:{g.rng.randint(0, 59):02d}",
                        "reported": (day + _dt.timedelta(days=g.rng.randint(0, 2))).isoformat(),
                        "location": f"{g.pick(STREETS)}, Hemel Hempstead",
                        "type": g.pick(ASB_TYPES), "priority": g.pick(("P1", "P2", "P3", "P4")),
                        "attended_by": officer(g), "outcome": g.pick(CLEAN_NOTES)})
    return Built(records)


def collisions(g: People, n: int, fmt: str) -> Built:
    """Road traffic collisions (STATS19 style)."""
    records = []
    for _ in range(n):
        day = g.incident_date()
        records.append({"accident_index": f"2026410{g.rng.randint(100000, 999999)}",
                        "date": day_text(day),
                        "time": f"{g.rng.randint(0, 23):02d}:{g.rng.randint(0, 59):02d}",
                        "road": g.pick(("A41", "A414", "A4147", "A4146", "B487", "M1 J8",
                                        "Unclassified")),
                        "severity": g.pick(("Slight", "Slight", "Serious", "Fatal")),
                        "vehicles": str(g.rng.randint(1, 4)),
                        "casualties": str(g.rng.randint(1, 3)),
                        "speed_limit": g.pick(("30", "40", "60", "70")),
                        "light": g.pick(("Daylight", "Darkness - lights lit")),
                        "weather": g.pick(("Fine no high winds", "Raining no high winds"))})
    return Built(records)


def _agenda(g: People) -> list[tuple[str, str]]:
    return [
        ("ASB figures", f"Reports fell {g.rng.randint(2, 20)}% in the quarter; Boxmoor and "
                        "Grovehill remain the busiest wards."),
        ("Town centre", "The Marlowes public spaces protection order was renewed for three years."),
        ("Funding", f"The board agreed £{g.rng.randint(5, 60)},000 for youth outreach."),
        ("Any other business", "None."),
    ]


def meetings(g: People, n: int, fmt: str) -> Built:
    """Minutes of a public partnership meeting. Councillors are named after "Cllr" like
    any person after a rank (issue 11: a policy that publishes minutes allowlists
    them); a senior officer named in a senior office is not reported."""
    records = []
    for _ in range(n):
        day = g.incident_date()
        chair = f"Cllr {g.fake.first_name()} {g.fake.last_name()}"
        records.append({
            "meeting": "Dacorum Community Safety Partnership Board", "date": day.isoformat(),
            "chair": V(chair, {"person.name"}),
            "attendees": [V(chair, {"person.name"}),
                          f"Chief Inspector {g.fake.first_name()} {g.fake.last_name()}",
                          V(f"Councillor {g.fake.first_name()} {g.fake.last_name()}",
                            {"person.name"}),
                          "Community Safety Manager, Dacorum Borough Council",
                          "Hertfordshire Fire and Rescue Service"],
            "items": [{"item": k + 1, "title": t, "minute": m}
                      for k, (t, m) in enumerate(g.rng.sample(_agenda(g), 3))],
        })
    return Built(records)


def service_stats(g: People, n: int, fmt: str) -> Built:
    """Monthly contact-centre performance figures."""
    records = []
    for m in range(n):
        month = f"{2024 + m // 12}-{m % 12 + 1:02d}"
        calls = g.rng.randint(9000, 16000)
        records.append({"month": month, "service": "101 non-emergency", "calls": calls,
                        "answered": calls - g.rng.randint(100, 900),
                        "answered_within_10_min": f"{g.rng.uniform(70, 95):.1f}%",
                        "avg_wait_seconds": g.rng.randint(60, 600),
                        "online_reports": g.rng.randint(800, 2500)})
    return Built(records)


BLOCK = (
    Scenario("asb_cases", ("csv", "tsv", "json", "ndjson"), asb_cases, 14),
    Scenario("hidden_columns", ("csv", "tsv"), hidden_columns, 10),
    Scenario("case_management", ("json", "ndjson"), case_management, 10),
    Scenario("contact_centre", ("ndjson", "json"), contact_centre, 8),
    Scenario("referrals", ("csv", "json", "ndjson", "tsv"), referrals, 8),
    Scenario("payments", ("csv", "tsv", "json"), payments, 7),
    Scenario("staff_records", ("json", "ndjson", "csv"), staff_records, 7),
    Scenario("parking", ("csv", "tsv", "ndjson"), parking, 8),
    Scenario("web_logs", ("csv", "tsv", "ndjson"), web_logs, 8),
    Scenario("statements", ("tsv", "ndjson", "json"), statements, 8),
    Scenario("web_forms", ("json", "ndjson"), web_forms, 7),
    Scenario("tenancy", ("csv", "json", "tsv"), tenancy, 7),
    Scenario("mailing_list", ("csv", "tsv"), mailing_list, 6),
)

ALLOW = (
    Scenario("police_uk_street", ("csv",), police_uk_street, 10),
    Scenario("police_uk_api", ("json", "ndjson"), police_uk_api, 8),
    Scenario("ward_counts", ("csv", "tsv", "json"), ward_counts, 9),
    Scenario("asb_log_clean", ("csv", "tsv", "ndjson", "json"), asb_log_clean, 12),
    Scenario("press_releases", ("json", "ndjson"), press_releases, 8),
    Scenario("products", ("csv", "tsv", "json"), products, 8),
    Scenario("lsoa_stats", ("csv", "tsv"), lsoa_stats, 7),
    Scenario("invoices", ("csv", "json", "ndjson"), invoices, 8),
    Scenario("incidents", ("ndjson", "json", "csv"), incidents, 8),
    Scenario("collisions", ("csv", "tsv"), collisions, 6),
    Scenario("meetings", ("json", "ndjson"), meetings, 5),
    Scenario("service_stats", ("ndjson", "json", "csv"), service_stats, 5),
)

