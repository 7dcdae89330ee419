"""Post case statistics to a portal's API with httpx or requests: a body carrying
personal data is never sent."""

import os
import sys

import httpx
import requests
from guardrail_http import GuardrailAdapter, GuardrailHook

import guardrail

URL = os.environ.get("PORTAL_URL", "https://portal.example.org/api/cases")
ROWS = {
    "clean": [{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance"}],
    "leaky": [{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance",
               "complainant_name": "Daniel Hughes"}],
}


def post_with_httpx(rows):
    hook = GuardrailHook("asb-public-web", destination="public-web")
    with httpx.Client(event_hooks={"request": [hook]}) as client:
        return client.post(URL, json=rows).status_code


def post_with_requests(rows):
    adapter = GuardrailAdapter("asb-public-web", destination="public-web")
    with requests.Session() as session:
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session.post(URL, json=rows).status_code


if __name__ == "__main__":
    client, which = sys.argv[1], sys.argv[2]
    post = post_with_httpx if client == "httpx" else post_with_requests
    try:
        print("sent, status", post(ROWS[which]))
    except guardrail.PublishBlocked as blocked:
        print(blocked)  # masked: never the name itself
        sys.exit(1)
