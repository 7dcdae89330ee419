"""An export job that writes its CSV through guardrail: the file appears only if allowed."""

import csv
import sys

import guardrail

ROWS = {
    "clean": [{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance"}],
    "leaky": [{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance",
               "complainant_name": "Daniel Hughes"}],
}


def export(rows, path):
    with guardrail.open_for_publish(path, "w", newline="", policy="asb-public-web",
                                    destination="public-web") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    which, path = sys.argv[1], sys.argv[2]
    try:
        export(ROWS[which], path)
        print("published", path)
    except guardrail.PublishBlocked as blocked:
        print(blocked.decision.summary())  # masked: never the name itself
        sys.exit(1)
