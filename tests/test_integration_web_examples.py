"""docs/integrations.md's web examples, started as a user would start them (their own
server, on an ephemeral loopback port) and asked by a real HTTP client."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

EXAMPLES = Path(__file__).parent.parent / "examples" / "integrations"
WITHHELD = (b"Withheld by guardrail: this response may not be published to 'public-web'. "
            b"The site's operator has the details in its log.\n")


@contextmanager
def running(example: str, ready: str, stream: str) -> Iterator[tuple[str, list[str]]]:
    """Start *example* on port 0; yield its URL (read from the line matching *ready* on
    *stream*) and, after it stops, the lines it logged."""
    process = subprocess.Popen([sys.executable, str(EXAMPLES / example), "0"], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[str] = []
    try:
        source = process.stdout if stream == "stdout" else process.stderr
        assert source is not None
        for line in source:
            found = re.search(ready, line)
            if found:
                break
        else:
            raise AssertionError(f"{example} did not start: {process.communicate()[1]}")
        yield found.group(1), lines
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
        lines.extend((out + err).splitlines())


def test_the_flask_example_withholds_the_leaky_view() -> None:
    with running("web_flask.py", r"serving on (http://\S+)", "stdout") as (url, log):
        clean = httpx.get(url + "/cases.json")
        leaky = httpx.get(url + "/complaints.json")
    assert clean.status_code == 200
    assert clean.content == b'[{"category":"Nuisance","month":"2026-08",' \
                            b'"ward":"Adeyfield East"}]\n'
    assert leaky.status_code == 451 and leaky.content == WITHHELD
    assert "Daniel" not in str(leaky.headers.raw)
    assert "guardrail withheld a response: BLOCKED: 1 finding may not go to 'public-web' " \
           "(fields: complainant_name)" in log
    assert not any("Daniel" in line or "Hughes" in line for line in log)


def test_the_starlette_example_withholds_the_streamed_export() -> None:
    with running("web_starlette.py", r"running on (http://\S+)", "stderr") as (url, log):
        clean = httpx.get(url + "/cases.json")
        leaky = httpx.get(url + "/export.csv")
    assert clean.status_code == 200
    assert clean.content == b'[{"month":"2026-08","ward":"Adeyfield East",' \
                            b'"category":"Nuisance"}]'
    assert leaky.status_code == 451 and leaky.content == WITHHELD
    assert "guardrail withheld a response: BLOCKED: 1 finding may not go to 'public-web' " \
           "(fields: complainant_name)" in log
    assert not any("Daniel" in line or "Hughes" in line for line in log)
