"""Datasette guarded by guardrail_datasette: the real datasette package serves a real
SQLite file under uvicorn on loopback, and a real HTTP client reads every view."""

from __future__ import annotations

import contextlib
import gzip
import sqlite3
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

datasette_app = pytest.importorskip("datasette.app")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

import guardrail_datasette  # noqa: E402
from datasette import hookimpl as datasette_hookimpl  # noqa: E402
from datasette.plugins import pm as datasette_pm  # noqa: E402
from loopback import Recorder, uvicorn_client  # noqa: E402

from guardrail import UsageError  # noqa: E402

CLEAN = [("2026-08", "Adeyfield East", "Nuisance", 4), ("2026-08", "Boxmoor", "Personal", 2),
         ("2026-09", "Leverstock Green", "Environmental", 7)]
LEAKY = [("Daniel Hughes", "daniel.hughes@example.com", "HP3 9QD", "Loud music at night"),
         ("Sarah Patel", "s.patel@example.org", "HP1 1AA", "Dog barking")]
RAW = ["Daniel", "Hughes", "daniel.hughes", "HP3 9QD", "Sarah", "Patel", "s.patel", "HP1 1AA"]
SCAN = {"policy": "uk-content-scan", "destination": "public-web"}
TITLE = "Anti-social behaviour in Dacorum"  # see test_the_default_index_title


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "asb.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("create table incidents (month text, ward text, category text, "
                     "count integer)")
        conn.executemany("insert into incidents values (?, ?, ?, ?)", CLEAN)
        conn.execute("create table complaints (id integer primary key, name text, "
                     "email text, postcode text, notes text)")
        conn.executemany("insert into complaints (name, email, postcode, notes) "
                         "values (?, ?, ?, ?)", LEAKY)
        conn.execute("create table attachments (id integer primary key, data blob)")
        conn.execute("insert into attachments (data) values (?)",
                     (b"\x89PNG\r\n\x1a\n\x00\xffDaniel Hughes",))
        conn.commit()
    return path


def _datasette(db: Path, guard: dict[str, Any] | None = None) -> Any:
    metadata: dict[str, Any] = {"title": TITLE}
    if guard is not None:
        metadata["plugins"] = {"guardrail": guard}
    return datasette_app.Datasette([str(db)], metadata=metadata)


def served(ds: Any) -> Any:
    """*ds* (a Datasette or an ASGI app) under uvicorn on 127.0.0.1, an ephemeral port,
    and a client for it."""
    return uvicorn_client(ds.app() if isinstance(ds, datasette_app.Datasette) else ds)


def _listen(ds: Any) -> Recorder:
    seen = Recorder()
    gate = guardrail_datasette.gate_of(ds)
    assert gate is not None
    gate.guardrail.registry.pm.register(seen, name=f"seen-{id(seen)}")
    return seen


def _mask_cells(value: Any, column: str, table: str) -> Any:
    """The approach that leaks: mask every cell of the complaints table in HTML."""
    return "***" if table == "complaints" and column != "id" else None


@pytest.fixture
def masking() -> Iterator[None]:
    plugin = types.ModuleType("test_mask_cells")  # Datasette's plugins are modules
    plugin.render_cell = datasette_hookimpl(_mask_cells)  # type: ignore[attr-defined]
    datasette_pm.register(plugin, name="test-mask-cells")
    try:
        yield
    finally:
        datasette_pm.unregister(plugin)


LEAKY_VIEWS = ["/asb/complaints", "/asb/complaints.json", "/asb/complaints.csv",
               "/asb/complaints.csv?_stream=on", "/asb/complaints.json?_shape=objects",
               "/asb/complaints.json?_shape=array&_nl=on",
               "/asb/complaints?_size=max", "/asb/complaints.csv?_size=max&_dl=1",
               "/asb/complaints/1", "/asb/complaints/1.json",
               "/asb.json?sql=select+name,+email+from+complaints",
               "/asb.csv?sql=select+name,+email+from+complaints"]
CLEAN_VIEWS = ["/asb/incidents.csv", "/asb/incidents.csv?_stream=on",
               "/asb/incidents.json?_shape=array", "/asb/incidents.json?_shape=array&_nl=on",
               "/asb/incidents.csv?_size=max&_dl=1", "/asb/incidents/1.json?_shape=array"]


def test_render_cell_alone_leaks_through_json_and_csv(db: Path, masking: None) -> None:
    with served(_datasette(db)) as client:
        page = client.get("/asb/complaints")
        assert page.status_code == 200 and "Daniel Hughes" not in page.text
        assert "***" in page.text  # masked in HTML...
        for view in ("/asb/complaints.json", "/asb/complaints.csv"):
            leaked = client.get(view)  # ...and served raw everywhere else
            assert leaked.status_code == 200
            assert "Daniel Hughes" in leaked.text and "daniel.hughes@example.com" in leaked.text


@pytest.mark.parametrize("view", LEAKY_VIEWS)
def test_every_view_of_a_leaky_table_is_held_back(db: Path, view: str) -> None:
    ds = _datasette(db, SCAN)
    seen = _listen(ds)
    with served(ds) as client:
        response = client.get(view)
    assert response.status_code == 451
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("This response was held back by guardrail. BLOCKED: ")
    assert not [raw for raw in RAW if raw.lower() in response.text.lower()]
    (decision,) = seen.decisions
    assert decision.verdict == "block" and not decision.errors  # found, not unreadable
    assert {"person.name", "email"} <= {f.rule for f in decision.findings}
    assert all(f.evidence not in RAW for f in decision.findings)


def test_with_render_cell_masking_only_the_masked_html_goes_out(db: Path,
                                                                masking: None) -> None:
    with served(_datasette(db, SCAN)) as client:
        page = client.get("/asb/complaints")
        data = client.get("/asb/complaints.json")
        csv_view = client.get("/asb/complaints.csv")
    assert page.status_code == 200 and "***" in page.text
    assert not [raw for raw in RAW if raw.lower() in page.text.lower()]
    assert data.status_code == csv_view.status_code == 451
    assert not [raw for raw in RAW if raw.lower() in (data.text + csv_view.text).lower()]


def test_the_csv_findings_name_rule_record_and_field(db: Path) -> None:
    ds = _datasette(db, SCAN)
    seen = _listen(ds)
    with served(ds) as client:
        assert client.get("/asb/complaints.csv").status_code == 451
    (decision,) = seen.decisions
    assert [(f.rule, f.record, f.field, f.evidence) for f in decision.findings] == [
        ("person.name", 0, "name", "D***** H*****"),
        ("email", 0, "email", "d***@e******.c**"),
        ("uk.postcode", 0, "postcode", "HP3 ***"),
        ("person.name", 1, "name", "S**** P****"),
        ("email", 1, "email", "s***@e******.o**"),
        ("uk.postcode", 1, "postcode", "HP1 ***"),
    ]
    assert decision.destination == "public-web" and decision.mode == "enforce"


def test_a_clean_table_is_served_unchanged(db: Path) -> None:
    with served(_datasette(db)) as plain:
        expected = {view: plain.get(view) for view in CLEAN_VIEWS}
    ds = _datasette(db, SCAN)
    seen = _listen(ds)
    with served(ds) as guarded:
        for view in CLEAN_VIEWS:
            got = guarded.get(view)
            assert got.status_code == 200, (view, got.text)
            assert got.content == expected[view].content, view
            assert got.headers["content-type"] == expected[view].headers["content-type"]
        page = guarded.get("/asb/incidents")
        database = guarded.get("/asb")
        index = guarded.get("/")
    for response in (page, database, index):  # pages carry timings: compare what matters
        assert response.status_code == 200 and "held back" not in response.text
    assert "Leverstock Green" in page.text and "Powered by" in page.text
    assert {d.verdict for d in seen.decisions} == {"allow"}
    assert len(seen.decisions) == len(CLEAN_VIEWS) + 3


@pytest.mark.xfail(strict=True, reason="core detector: person.name reads Datasette's "
                   "default index title 'Datasette: <database>' as a name; set a title")
def test_the_default_index_title(db: Path) -> None:
    ds = datasette_app.Datasette([str(db)], metadata={"plugins": {"guardrail": SCAN}})
    with served(ds) as client:
        assert client.get("/").status_code == 200


def test_bundled_assets_pass_unchecked(db: Path) -> None:
    ds = _datasette(db, SCAN)
    seen = _listen(ds)
    with served(ds) as client:
        css = client.get("/-/static/app.css")
        icon = client.get("/favicon.ico")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert icon.status_code == 200
    assert seen.decisions == []


def test_audit_mode_serves_everything_and_the_hook_sees_the_would_be_block(db: Path) -> None:
    with served(_datasette(db)) as plain:
        expected = plain.get("/asb/complaints.csv").content
    ds = _datasette(db, {**SCAN, "mode": "audit"})
    seen = _listen(ds)
    with served(ds) as client:
        csv_view = client.get("/asb/complaints.csv")
        json_view = client.get("/asb/complaints.json")
        page = client.get("/asb/complaints")
    assert csv_view.status_code == json_view.status_code == page.status_code == 200
    assert csv_view.content == expected and "Daniel Hughes" in json_view.text
    assert [(d.mode, d.verdict, d.exit_code) for d in seen.decisions] == \
        [("audit", "block", 0)] * 3
    assert {f.field for f in seen.decisions[0].findings} == {"name", "email", "postcode"}


@pytest.mark.parametrize("mode", ["enforce", "audit"])
def test_a_response_over_the_cap_is_refused_in_both_modes(db: Path, mode: str) -> None:
    ds = _datasette(db, {**SCAN, "mode": mode, "max_bytes": 100})
    seen = _listen(ds)
    with served(ds) as client:
        response = client.get("/asb/incidents.csv?_stream=on")
    assert response.status_code == 451
    assert "exceeds the file size limit of 100 bytes" in response.text
    assert "Adeyfield" not in response.text
    assert [d.exit_code for d in seen.decisions] == [3]


@pytest.mark.parametrize("mode", ["enforce", "audit"])
def test_what_guardrail_cannot_read_is_refused_in_both_modes(db: Path, mode: str) -> None:
    ds = _datasette(db, {**SCAN, "mode": mode})
    seen = _listen(ds)
    with served(ds) as client:
        blob = client.get("/asb/attachments/1.blob?_blob_column=data")
    assert blob.status_code == 451
    assert "could not be checked" in blob.text and "Daniel" not in blob.text
    assert [d.exit_code for d in seen.decisions] == [3]


def test_a_status_and_pass_through_can_be_set(db: Path) -> None:
    ds = _datasette(db, {**SCAN, "status": 403, "pass_through": ["text/plain"]})
    with served(ds) as client:
        assert client.get("/asb/complaints.json").status_code == 403
        assert client.get("/asb/complaints.csv").status_code == 200  # CSV is text/plain


@pytest.mark.parametrize(("guard", "message"), [
    ({"policy": "uk-content-scan", "destinaton": "public-web"}, "unknown setting 'destinaton'"),
    ({"destination": "public-web"}, "needs 'policy'"),
    ({**SCAN, "destination": "nowhere"}, "has no destination 'nowhere'"),
    ({**SCAN, "mode": "dry-run"}, "mode must be 'enforce' or 'audit'"),
    ({**SCAN, "status": 200}, "status must be an HTTP error status"),
    ({**SCAN, "max_bytes": "10MB"}, "max_bytes must be a whole number"),
])
def test_bad_settings_stop_the_app_being_built(db: Path, guard: dict[str, Any],
                                               message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _datasette(db, guard).app()


def test_without_settings_the_plugin_does_nothing(db: Path) -> None:
    ds = _datasette(db)
    assert guardrail_datasette.gate_of(ds) is None
    with served(ds) as client:
        assert client.get("/asb/complaints.csv").status_code == 200


def test_a_compressed_response_is_refused(db: Path) -> None:
    body = gzip.compress(b"name,email\r\nDaniel Hughes,dh@example.com\r\n")

    async def compressed(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/csv"), (b"content-encoding", b"gzip")]})
        await send({"type": "http.response.body", "body": body})

    ds = _datasette(db, {**SCAN, "mode": "audit"})
    ds.app()  # builds the gate
    wrap = guardrail_datasette.asgi_wrapper(ds)
    with served(wrap(compressed)) as client:
        response = client.get("/export.csv")
    assert response.status_code == 451
    assert "could not be checked: cannot tell the format" in response.text


def test_a_long_clean_json_view_is_served(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.executemany("insert into incidents values (?, ?, ?, ?)", CLEAN * 100)
        conn.commit()
    with served(_datasette(db, SCAN)) as client:
        response = client.get("/asb/incidents.json?_shape=array&_size=max")
    assert response.status_code == 200, response.text


def test_a_head_request_learns_nothing_of_a_leaky_table(db: Path) -> None:
    with served(_datasette(db, SCAN)) as client:
        response = client.head("/asb/complaints.csv?_dl=1")
    assert response.status_code == 451 and response.content == b""
    assert "attachment" not in response.headers.get("content-disposition", "")
