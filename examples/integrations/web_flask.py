"""A Flask site whose every response is checked by guardrail before it leaves."""

import sys

from flask import Flask, jsonify
from waitress import create_server

from guardrail_web import GuardrailWSGI

app = Flask(__name__)


@app.get("/cases.json")
def cases():
    return jsonify([{"month": "2026-08", "ward": "Adeyfield East", "category": "Nuisance"}])


@app.get("/complaints.json")  # a view that forgot which fields are public
def complaints():
    return jsonify([{"month": "2026-08", "ward": "Adeyfield East",
                     "complainant_name": "Daniel Hughes"}])


app.wsgi_app = GuardrailWSGI(app.wsgi_app, policy="asb-public-web",
                             destination="public-web")

if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    server = create_server(app, host="127.0.0.1", port=port)
    print(f"serving on http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()
