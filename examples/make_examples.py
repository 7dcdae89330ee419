"""Regenerate the shipped example ASB exports (deterministic; names and addresses are made up).

    python examples/make_examples.py

The leaky export mirrors the seed incident: 61 cases with the names and
addresses of the people involved and free-text notes, exported with the
public columns. The clean export has only the published fields.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
FORENAMES = ["Aisha", "Ben", "Chloe", "Daniel", "Emma", "Farhan", "Grace", "Harry", "Isla",
             "Jack", "Kiran", "Leah", "Mohammed", "Niamh", "Oliver", "Priya", "Ryan", "Sophie",
             "Tom", "Zara"]
SURNAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hughes",
            "Iqbal", "Jones", "Khan", "Lewis", "Morgan", "Nowak", "O'Brien", "Patel", "Roberts",
            "Smith", "Taylor", "Walker"]
STREETS = ["Marlowes", "Queensway", "Bennetts End Road", "Leverstock Green Road", "Long Chaulden",
           "St Albans Road", "Warners End Road", "Belswains Lane", "Galley Hill", "Fletcher Way"]
WARDS = [("Adeyfield East", "E05004691", "E01023646", "Dacorum 012A"),
         ("Boxmoor", "E05004693", "E01023660", "Dacorum 016B"),
         ("Chaulden and Warners End", "E05004695", "E01023675", "Dacorum 010C"),
         ("Gadebridge", "E05004697", "E01023690", "Dacorum 007A"),
         ("Leverstock Green", "E05004702", "E01023720", "Dacorum 018D")]
CATEGORIES = ["Nuisance", "Personal", "Environmental"]
OUTCOMES = ["Advice given", "Community protection warning", "Referred to partner agency",
            "No further action", "Acceptable behaviour contract"]
NOTES = [
    "{name} reports youths gathering outside {number} {street} most evenings.",
    "Neighbour dispute; {name} of {number} {street} says music played after midnight.",
    "Caller {name} ({phone}) reports repeated verbal abuse from the family next door.",
    "Fly-tipping behind the garages on {street}; reported by {name}.",
    "{name} states she is afraid to leave the house; PCSO visit booked.",
]


def _person(rng: random.Random) -> dict[str, str]:
    number, street = rng.randint(1, 180), rng.choice(STREETS)
    district = rng.choice(["HP1", "HP2", "HP3"])
    return {
        "name": f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}",
        "address": f"{number} {street}, Hemel Hempstead",
        "postcode": f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        "phone": f"07700 900{rng.randint(100, 999)}",
        "number": str(number),
        "street": street,
    }


def main(cases: int = 61, seed: int = 2026) -> None:
    rng = random.Random(seed)
    leaky_cols = ["case_ref", "month", "category", "ward", "lsoa_code", "lsoa_name", "outcome",
                  "complainant_name", "complainant_address", "postcode", "notes"]
    clean_cols = ["month", "category", "ward", "lsoa_code", "lsoa_name", "outcome"]
    with (HERE / "asb-export-leaky.csv").open("w", newline="", encoding="utf-8") as leaky, \
         (HERE / "asb-export-clean.csv").open("w", newline="", encoding="utf-8") as clean:
        leaky_w, clean_w = csv.writer(leaky), csv.writer(clean)
        leaky_w.writerow(leaky_cols)
        clean_w.writerow(clean_cols)
        for index in range(cases):
            ward, _, lsoa_code, lsoa_name = rng.choice(WARDS)
            person = _person(rng)
            public = [f"2026-{rng.randint(1, 10):02d}", rng.choice(CATEGORIES), ward,
                      lsoa_code, lsoa_name, rng.choice(OUTCOMES)]
            note = rng.choice(NOTES).format(**person)
            leaky_w.writerow([f"ASB/2026/{4400 + index:06d}", *public, person["name"],
                              person["address"], person["postcode"], note])
            clean_w.writerow(public)


if __name__ == "__main__":
    main()
