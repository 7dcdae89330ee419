"""Open-data files in their published shapes, clean and with something planted.

* data.police.uk street-level crime CSV (the archive's columns, in order);
* a ward-level aggregate CSV (ward_code, ward_name, month, category, count);
* a council statistics HTML page (a table of wards and counts, a paragraph of commentary);
* a police press-release JSON naming only a senior officer in a public role.

Clean files must be allowed. A leaky file is the clean one with one or two planted
items (a resident's name, address, phone, email, date of birth, plate...), labelled
by detector; the scorer counts a leaky file caught when it is blocked.
"""

from __future__ import annotations

import csv
import html
import io
import json

from world import World

CRIME_TYPES = ["Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson",
               "Drugs", "Other theft", "Possession of weapons", "Public order", "Robbery",
               "Shoplifting", "Theft from the person", "Vehicle crime",
               "Violence and sexual offences", "Other crime"]
OUTCOMES = ["Investigation complete; no suspect identified", "Unable to prosecute suspect",
            "Under investigation", "Status update unavailable", "Awaiting court outcome",
            "Offender given a caution", "Local resolution", "Court result unavailable",
            "Further investigation is not in the public interest"]
FORCES = ["West Yorkshire Police", "Greater Manchester Police", "Avon and Somerset Constabulary",
          "Thames Valley Police", "Merseyside Police", "Kent Police", "Northumbria Police",
          "Devon & Cornwall Police", "South Wales Police", "Metropolitan Police Service"]


def _plant(w: World) -> tuple[str, list[str]]:
    """A sentence a careless export would carry, and the detectors that should catch it."""
    p = w.person(w.pick(["en_GB", "pl_PL", "ro_RO", "en_IN", "en_NG", "lt_LT", "en_PK",
                         "pt_PT", "tr_TR", "en_IE"]))
    kind = w.rng.randint(0, 5)
    if kind == 0:
        return f"Victim {p.full} of {w.address_line()}", ["person.name", "uk.street_address"]
    if kind == 1:
        phone, _ = w.ids.phone()
        return f"Complainant {p.full}, tel {phone}", ["person.name", "uk.phone"]
    if kind == 2:
        written, _ = w.ids.date_written(w.ids.birth_date())
        return f"Suspect {p.full} (DOB {written})", ["person.name", "uk.date_of_birth"]
    if kind == 3:
        return f"Reported by {p.first} at {w.email(p)}", ["person.name", "email"]
    if kind == 4:
        return f"Vehicle {w.ids.plate()} belonging to {p.full}", ["uk.vehicle_registration",
                                                                  "person.name"]
    return f"{p.full}, {w.address_line()}, {w.ids.postcode()}", ["person.name",
                                                                 "uk.street_address", "uk.postcode"]


def police_uk_csv(w: World, leaky: bool) -> tuple[str, list[str], str, list[str]]:
    force = w.pick(FORCES)
    month = f"20{w.rng.randint(23, 25)}-{w.rng.randint(1, 12):02d}"
    lsoas = [(f"E01{w.ids.digits(6)}", w.lsoa()) for _ in range(12)]
    rows = []
    for _ in range(w.rng.randint(40, 150)):
        crime = w.pick(CRIME_TYPES)
        code, name = w.pick(lsoas)
        asb = crime == "Anti-social behaviour"
        rows.append([("" if asb else "".join(w.pick("0123456789abcdef") for _ in range(64))),
                     month, force, force, f"{w.rng.uniform(-3.2, 0.2):.6f}",
                     f"{w.rng.uniform(50.5, 54.9):.6f}", w.police_location(), code, name, crime,
                     "" if asb else w.pick(OUTCOMES), ""])
    planted, detectors = [], []
    if leaky:
        text, detectors = _plant(w)
        row = w.rng.randrange(len(rows))
        column = w.pick([11, 11, 6])  # Context, or pasted into Location
        rows[row][column] = text if column == 11 else f"{rows[row][6]} - {text}"
        planted = [text]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                     "Location", "LSOA code", "LSOA name", "Crime type",
                     "Last outcome category", "Context"])
    writer.writerows(rows)
    return out.getvalue(), detectors, "; ".join(planted), []


def ward_csv(w: World, leaky: bool) -> tuple[str, list[str], str, list[str]]:
    wards = [(f"E05{w.ids.digits(6)}", w.ward()) for _ in range(w.rng.randint(8, 25))]
    month = f"20{w.rng.randint(23, 25)}-{w.rng.randint(1, 12):02d}"
    rows = [[code, name, month, crime, w.rng.randint(0, 120)]
            for code, name in wards for crime in w.rng.sample(CRIME_TYPES, 4)]
    detectors, planted = [], ""
    if leaky:
        planted, detectors = _plant(w)
        row = w.rng.randrange(len(rows))
        if w.chance(0.5):
            rows[row][1] = f"{rows[row][1]} ({planted})"
        else:
            rows[row][3] = f"{rows[row][3]} - {planted}"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ward_code", "ward_name", "month", "category", "count"])
    writer.writerows(rows)
    return out.getvalue(), detectors, planted, []


def council_html(w: World, leaky: bool) -> tuple[str, list[str], str, list[str]]:
    council = w.pick([f"{w.town()} Borough Council", f"{w.subdivision()} Council",
                      f"{w.town()} City Council"])
    wards = [(w.ward(), w.rng.randint(3, 240)) for _ in range(w.rng.randint(6, 18))]
    top = max(wards, key=lambda x: x[1])[0]
    quarter = w.pick(["April to June", "July to September", "October to December"])
    rows = "\n".join(f"<tr><td>{html.escape(n)}</td><td>{c}</td></tr>" for n, c in wards)
    commentary = (f"Reports of anti-social behaviour across the borough fell by "
                  f"{w.rng.randint(2, 30)}% in {quarter}. {html.escape(top)} again recorded the "
                  f"highest number of reports, mostly related to noise and off-road bikes. The "
                  f"Community Safety Partnership will continue joint patrols with "
                  f"{html.escape(w.organisation()[0])} and residents can report concerns online.")
    detectors, planted = [], ""
    if leaky:
        planted, detectors = _plant(w)
        commentary += f" {html.escape(planted)} raised the matter at the ward forum."
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(council)} - anti-social behaviour statistics</title></head>
<body>
<h1>Anti-social behaviour statistics, {quarter}</h1>
<p>{commentary}</p>
<table>
<thead><tr><th>Ward</th><th>Reports</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>Published by {html.escape(council)} Community Safety Team. Figures are provisional.</p>
</body></html>
"""
    return page, detectors, planted, []


def press_release(w: World, leaky: bool) -> tuple[str, list[str], str, list[str]]:
    """The quote's attribution names a senior officer in a public role (see README)."""
    officer = w.person(w.pick(["en_GB", "en_GB", "en_IE", "en_IN", "en_NG"]))
    role = w.pick(["Chief Superintendent", "Superintendent", "Chief Constable",
                   "Detective Chief Inspector", "Assistant Chief Constable"])
    town = w.town()
    age = w.rng.randint(16, 70)
    body = [f"Officers arrested a {age}-year-old man from {town} on suspicion of burglary "
            f"after a series of break-ins on {w.street()}.",
            "He has been released on bail while enquiries continue.",
            "Anyone with information is asked to call 101"
            + (" or Crimestoppers anonymously on 0800 555 111." if w.chance(0.5) else ".")]
    detectors, planted = [], ""
    if leaky:
        planted, detectors = _plant(w)
        body.insert(1, planted + ".")
    doc = {"title": f"Arrest after burglaries in {town}",
           "published": w.ids.recent_date().isoformat(),
           "force": w.pick(FORCES), "body": body,
           "quote": {"text": "We will keep working with the community to keep the area safe.",
                     "attribution": f"{role} {officer.full}"},
           "tags": ["burglary", town.lower()]}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n", detectors, planted, [officer.full]


KINDS = [("police-uk-street", "csv", police_uk_csv), ("ward-aggregate", "csv", ward_csv),
         ("council-stats", "html", council_html), ("press-release", "json", press_release)]
PER_KIND = 6
