"""An export job that publishes a pandas DataFrame as CSV only if the policy allows it."""

import sys

import guardrail_dataframes
import pandas as pd

import guardrail

guardrail_dataframes.register_pandas()  # gives every DataFrame df.guardrail

FRAMES = {
    "clean": pd.DataFrame({"month": ["2026-08"], "ward": ["Adeyfield East"],
                           "category": ["Nuisance"], "count": [12]}),
    "leaky": pd.DataFrame({"month": ["2026-08"], "ward": ["Adeyfield East"],
                           "category": ["Nuisance"], "complainant_name": ["Daniel Hughes"]}),
}

if __name__ == "__main__":
    which, path = sys.argv[1], sys.argv[2]
    frame = FRAMES[which]
    try:
        frame.guardrail.to_csv(path, index=False, policy="asb-public-web",
                               destination="public-web")
        print("published", path)
    except guardrail.PublishBlocked as blocked:
        print(blocked.decision.summary())  # masked: never the name itself
        sys.exit(1)
