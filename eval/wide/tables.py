"""CSV and JSON table cases: people, contact lists and identifiers in columns, and
tables of places and organisations under a column called ``name``.

A table's field is its header cell (CSV) or the path inside each record (JSON), as
guardrail reports them; every labelled cell is one (record, field, detector).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from families import IDENTIFIERS
from sources import LOCALES
from world import World

from guardrail.policy.paths import display_path  # labels name fields as reports do

Row = dict[str, object]
Label = dict[str, object]


def _people_table(w: World) -> tuple[list[Row], list[Label], dict]:
    locale = w.pick(list(LOCALES))
    header = w.pick([("name", "phone", "email"), ("Full name", "Tel", "Email address"),
                     ("contact", "mobile", "email"), ("Name", "Telephone", "E-mail")])
    rows, labels = [], []
    for i in range(w.rng.randint(4, 12)):
        p = w.person(locale)
        phone, form = w.ids.phone()
        rows.append({header[0]: p.full, header[1]: phone, header[2]: w.email(p)})
        labels += [{"record": i, "field": header[0], "detector": "person.name", "value": p.full,
                    "origin": locale, "kind": "full"},
                   {"record": i, "field": header[1], "detector": "uk.phone", "value": phone,
                    "form": "phone " + form},
                   {"record": i, "field": header[2], "detector": "email",
                    "value": rows[-1][header[2]]}]
    return rows, labels, {"origin": locale}


def _split_names(w: World) -> tuple[list[Row], list[Label], dict]:
    locale = w.pick(list(LOCALES))
    cols = w.pick([("forename", "surname"), ("first_name", "last_name"),
                   ("Given name", "Family name")])
    rows, labels = [], []
    for i in range(w.rng.randint(4, 12)):
        p = w.person(locale)
        rows.append({cols[0]: p.first, cols[1]: p.last, "ward": w.ward()})
        labels += [{"record": i, "field": cols[0], "detector": "person.name", "value": p.first,
                    "origin": locale, "kind": "single"},
                   {"record": i, "field": cols[1], "detector": "person.name", "value": p.last,
                    "origin": locale, "kind": "single"}]
    return rows, labels, {"origin": locale}


ID_COLUMNS = {"uk.nhs_number": "nhs_no", "uk.nino": "ni_number", "uk.vehicle_registration": "vrm",
              "uk.phone": "phone", "uk.postcode": "postcode", "network.ip_address": "ip",
              "payment_card": "card_number", "bank.iban": "iban", "uk.passport": "passport_number",
              "uk.driving_licence": "licence_number"}


def _identifier_table(w: World) -> tuple[list[Row], list[Label], dict]:
    detectors = w.rng.sample(sorted(ID_COLUMNS), 3)
    neutral = w.chance(0.3)  # col1, col2...: the values alone must say what they are
    columns = {d: (f"col{i + 1}" if neutral and d != "uk.passport" else ID_COLUMNS[d])
               for i, d in enumerate(detectors)}
    rows, labels = [], []
    for i in range(w.rng.randint(4, 12)):
        row: Row = {"id": i + 1}
        for d in detectors:
            value, _, form = IDENTIFIERS[d](w)
            row[columns[d]] = value
            labels.append({"record": i, "field": columns[d], "detector": d, "value": value,
                           "form": form})
        rows.append(row)
    return rows, labels, {}


def _dob_table(w: World) -> tuple[list[Row], list[Label], dict]:
    column = w.pick(["dob", "date_of_birth", "DOB", "Date of birth", "born"])
    rows, labels = [], []
    for i in range(w.rng.randint(4, 12)):
        written, form = w.ids.date_written(w.ids.birth_date())
        rows.append({"case": f"C{w.ids.digits(5)}", column: written})
        labels.append({"record": i, "field": column, "detector": "uk.date_of_birth",
                       "value": written, "form": form})
    return rows, labels, {}


def _places_table(w: World) -> tuple[list[Row], list[Label], dict]:
    kind = w.pick(["ward", "organisation", "place", "street"])
    make: Callable[[], str] = {"ward": w.ward, "organisation": lambda: w.organisation()[0],
                               "place": w.town, "street": w.street}[kind]
    rows = [{"code": f"E05{w.ids.digits(6)}", "name": make(), "incidents": w.rng.randint(0, 400)}
            for _ in range(w.rng.randint(5, 25))]
    return rows, [], {"distractor": kind}


def _incident_table(w: World) -> tuple[list[Row], list[Label], dict]:
    rows = []
    for _ in range(w.rng.randint(5, 20)):
        written, _ = w.ids.date_written(w.ids.recent_date())
        rows.append({"date": written, "location": w.police_location(), "lsoa": w.lsoa(),
                     "category": w.pick(["Burglary", "Vehicle crime", "Anti-social behaviour",
                                         "Criminal damage and arson", "Shoplifting"]),
                     "ref": f"{w.rng.randint(10, 99)}/{w.rng.randint(1000, 99999)}/25"})
    return rows, [], {"distractor": "incident table"}


TABLES = [
    ("table/people with contact details", _people_table, 24, True),
    ("table/forename and surname columns", _split_names, 24, True),
    ("table/identifier columns", _identifier_table, 30, True),
    ("table/dates of birth", _dob_table, 10, True),
    ("clean table/places, streets, organisations under 'name'", _places_table, 24, False),
    ("clean table/incidents with dates and locations", _incident_table, 12, False),
]


def render(rows: list[Row], labels: list[Label], fmt: str) -> tuple[str, list[Label]]:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue(), labels
    if fmt == "json":
        relabelled = [{**lab, "field": display_path((lab["field"],))} for lab in labels]
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n", relabelled
    # nested JSON: each row under "person" or "details"
    wrapped = [{"ref": f"R{i + 1:03d}", "details": row} for i, row in enumerate(rows)]
    relabelled = [{**lab, "field": display_path(("details", lab["field"]))} for lab in labels]
    return json.dumps(wrapped, ensure_ascii=False, indent=1) + "\n", relabelled
