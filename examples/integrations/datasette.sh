#!/bin/sh
# Serve a SQLite file with Datasette; guardrail checks every response before it leaves.
# Usage: datasette.sh asb.db   (PORT=0 picks a free port)
exec datasette serve "$1" --metadata "$(dirname "$0")/datasette-metadata.yaml" \
    --host 127.0.0.1 --port "${PORT:-8001}"
