"""docs/integrations.md's Datasette example, run as a user would: `datasette serve` with
the example metadata, in its own process, on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("datasette")

EXAMPLE = Path(__file__).parent.parent / "examples" / "integrations" / "datasette.sh"
LISTENING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "asb.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("create table incidents (month text, ward text, category text)")
        conn.execute("insert into incidents values ('2026-08', 'Adeyfield East', 'Nuisance')")
        conn.execute("create table complaints (name text, email text)")
        conn.execute("insert into complaints values ('Daniel Hughes', 'dh@example.com')")
        conn.commit()
    return path


@contextlib.contextmanager
def serving(db: Path) -> Iterator[str]:
    env = {**os.environ, "PORT": "0",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    process = subprocess.Popen(["sh", str(EXAMPLE), str(db)], env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            found = LISTENING.search(line)
            if found:
                yield found.group(1)
                return
            assert line, "datasette stopped before it listened"
        raise AssertionError("datasette did not start within 60 s")
    finally:
        process.terminate()
        process.wait(30)


def test_the_example_serves_public_data_and_holds_back_personal_data(db: Path) -> None:
    with serving(db) as url, httpx.Client(base_url=url, timeout=60) as client:
        clean = client.get("/asb/incidents.csv")
        index = client.get("/")
        page = client.get("/asb/complaints")
        leaky = client.get("/asb/complaints.csv?_stream=on")
    assert clean.status_code == 200
    assert clean.content == (b"rowid,month,ward,category\r\n"
                             b"1,2026-08,Adeyfield East,Nuisance\r\n")
    assert index.status_code == 200 and "Anti-social behaviour in Dacorum" in index.text
    assert page.status_code == leaky.status_code == 451
    assert leaky.text == (
        "This response was held back by guardrail. BLOCKED: 2 findings may not go to "
        "'public-web' (fields: email, name)\n"
        "Ask the site's owner to remove or redact the data, or to change the policy.\n")
    assert page.text.startswith("This response was held back by guardrail. BLOCKED: ")
    assert "Daniel" not in page.text and "Hughes" not in page.text
