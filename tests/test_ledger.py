"""The decision log: what an entry holds, the chain, and what verify names (real SQLite)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest
from helpers import CLEAN_EXPORT, LEAKY_EXPORT

from guardrail import Guardrail
from guardrail.host.hookspecs import hookimpl
from guardrail.host.registry import load_registry, make_plugin_manager
from guardrail.ledger import (
    GENESIS,
    DecisionLog,
    Filters,
    LogError,
    chain_hash,
    record_decision,
    resolve_log_path,
    select,
    verify_log,
)
from guardrail.ledger.location import default_log_path
from guardrail.ledger.schema import SCHEMA
from guardrail.ledger.verify import Verification


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def log(tmp_path: Path) -> DecisionLog:
    return DecisionLog(tmp_path / "log" / "decisions.sqlite")


@pytest.fixture
def filled(guard: Guardrail, log: DecisionLog) -> DecisionLog:
    """Five decisions: leaky, clean, leaky (audit), clean bytes, leaky stream."""
    guard.check(LEAKY_EXPORT, log=log)
    guard.check(CLEAN_EXPORT, log=log)
    guard.check(LEAKY_EXPORT, mode="audit", log=log)
    guard.check(CLEAN_EXPORT.read_bytes(), format="csv", log=log)
    with LEAKY_EXPORT.open("rb") as stream:
        guard.check(stream, format="csv", log=log)
    return log


def _edit(log: DecisionLog, sql: str, *params: object) -> None:
    conn = sqlite3.connect(log.path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_an_entry_holds_the_decision_masked(guard: Guardrail, log: DecisionLog) -> None:
    decision = guard.check(LEAKY_EXPORT, log=log)
    [entry] = list(log.entries())
    c = entry.content
    assert entry.seq == 1 and entry.prev_hash == GENESIS
    assert entry.hash == chain_hash(c, GENESIS)
    assert c["policy"] == {"name": "asb-public-web", "version": "1.0.0",
                           "sha256": guard.policy.sha256}
    assert (c["destination"], c["mode"], c["verdict"], c["exit_code"]) == \
        ("public-web", "enforce", "block", 1)
    assert c["payloads"] == [{"name": str(LEAKY_EXPORT), "format": "csv", "records": 61,
                              "sha256": _sha(LEAKY_EXPORT)}]
    assert c["counts"]["by_rule"] == decision.to_dict()["counts"]["by_rule"]
    assert c["counts"]["blocking"] == decision.blocking_count
    assert c["findings"] == [f.to_dict() for f in decision.findings]
    first = c["findings"][0]
    assert first["evidence"] != "" and "*" in first["evidence"]
    assert c["time"].endswith("+00:00")


def test_payload_sha256_of_the_bytes_checked(filled: DecisionLog) -> None:
    payloads = [e.content["payloads"][0] for e in filled.entries()]
    assert [p["sha256"] for p in payloads] == [
        _sha(LEAKY_EXPORT), _sha(CLEAN_EXPORT), _sha(LEAKY_EXPORT), _sha(CLEAN_EXPORT),
        _sha(LEAKY_EXPORT)]
    assert [p["name"] for p in payloads][3] == "<bytes>"


def test_records_have_no_payload_hash(guard: Guardrail, log: DecisionLog) -> None:
    guard.check([{"case_ref": "ASB/1", "month": "2026-01"}], log=log)
    assert "sha256" not in log.head().content["payloads"][0]  # type: ignore[union-attr]


def test_no_log_unless_asked(guard: Guardrail, log: DecisionLog, monkeypatch) -> None:
    monkeypatch.delenv("GUARDRAIL_LOG", raising=False)
    guard.check(CLEAN_EXPORT)
    monkeypatch.setenv("GUARDRAIL_LOG", "off")
    guard.check(CLEAN_EXPORT)
    assert not log.exists()
    monkeypatch.setenv("GUARDRAIL_LOG", str(log.path))
    guard.check(CLEAN_EXPORT)
    guard.check(CLEAN_EXPORT, log=False)
    assert [e.seq for e in log.entries()] == [1]


def test_a_whole_log_verifies(filled: DecisionLog) -> None:
    result = verify_log(filled)
    assert (result.ok, result.entries, result.last_seq) == (True, 5, 5)
    assert result.last_hash == filled.head().hash  # type: ignore[union-attr]


def test_missing_and_empty_logs_verify(tmp_path: Path) -> None:
    missing = DecisionLog(tmp_path / "none.sqlite")
    assert verify_log(missing).ok and verify_log(missing).entries == 0
    assert not missing.exists()  # reading never creates it
    empty = tmp_path / "empty.sqlite"
    conn = sqlite3.connect(empty)
    conn.executescript(SCHEMA)  # what the first append creates
    conn.close()
    assert verify_log(DecisionLog(empty)) == Verification(0)


def test_verify_names_an_edited_entry(filled: DecisionLog) -> None:
    row = next(filled.rows("WHERE seq = 3"))
    content = json.loads(row[1])
    content["verdict"] = "allow"
    _edit(filled, "UPDATE decisions SET content = ?, verdict = 'allow' WHERE seq = 3",
          json.dumps(content))
    result = verify_log(filled)
    assert (result.bad_seq, result.entries) == (3, 2)
    assert result.problem == "entry 3: its content does not match its hash (edited)"


def test_verify_names_an_edited_column(filled: DecisionLog) -> None:
    _edit(filled, "UPDATE decisions SET verdict = 'allow' WHERE seq = 1")
    assert verify_log(filled).problem == \
        "entry 1: its indexed columns differ from its content (edited)"


def test_verify_names_a_deleted_entry(filled: DecisionLog) -> None:
    _edit(filled, "DELETE FROM decisions WHERE seq = 2")
    assert verify_log(filled).problem == \
        "entry 3: entry 2 before it deleted (sequence numbers jump)"
    _edit(filled, "DELETE FROM decisions WHERE seq = 1")
    assert verify_log(filled).problem == \
        "entry 3: entries 1 to 2 before it deleted (sequence numbers jump)"


def test_verify_names_a_reordered_pair(filled: DecisionLog) -> None:
    _edit(filled, "UPDATE decisions SET seq = -1 WHERE seq = 2")
    _edit(filled, "UPDATE decisions SET seq = 2 WHERE seq = 4")
    _edit(filled, "UPDATE decisions SET seq = 4 WHERE seq = -1")
    result = verify_log(filled)
    assert result.bad_seq == 2
    assert result.problem == "entry 2: it was written as entry 4 (reordered)"


def test_verify_names_a_changed_prev_hash(filled: DecisionLog) -> None:
    _edit(filled, "UPDATE decisions SET prev_hash = ? WHERE seq = 4", "f" * 64)
    assert verify_log(filled).problem == (
        "entry 4: its previous-entry hash does not match entry 3 (edited chain, or "
        "entries before it replaced)")


def test_a_rewritten_chain_passes_alone_but_not_against_a_kept_head(
        filled: DecisionLog) -> None:
    head = filled.head()
    assert head is not None
    _edit(filled, "DELETE FROM decisions WHERE seq = 5")  # the newest entry removed
    gone = verify_log(filled)  # the log remembers the highest entry it wrote
    assert (gone.ok, gone.bad_seq, gone.entries, gone.last_seq) == (False, None, 4, 4)
    assert gone.problem == ("1 entry was deleted from the end (the log wrote up to entry "
                            "5; it ends at entry 4)")
    # whoever can write the file can rewrite that memory too: what a chain cannot see
    _edit(filled, "UPDATE decisions_written SET seq = 4")
    assert verify_log(filled).ok
    result = verify_log(filled, (5, head.hash))
    assert result.problem == ("entry 5: the head you kept is missing (log ends at entry 4;"
                              " newest entries deleted)")
    assert verify_log(filled, (4, "0" * 64)).problem == \
        "entry 4: its hash is not the head you kept (rewritten)"


def test_select_filters(filled: DecisionLog) -> None:
    # an audit decision keeps enforce's verdict (what would have been blocked)
    assert [e.seq for e in select(filled, Filters(verdict="block"))] == [1, 3, 5]
    assert [e.seq for e in select(filled, Filters(verdict="allow"))] == [2, 4]
    assert [e.seq for e in select(filled, Filters(limit=2))] == [4, 5]
    assert [e.seq for e in select(filled, Filters(since="2000-01-01"))] == [1, 2, 3, 4, 5]
    assert list(select(filled, Filters(until="2000-01-01"))) == []
    assert list(select(filled, Filters(policy="other"))) == []
    assert len(list(select(filled, Filters(destination="public-web")))) == 5


def test_csv_export(filled: DecisionLog) -> None:
    from guardrail.ledger.query import CSV_COLUMNS, write_csv
    out = io.StringIO()
    assert write_csv(select(filled, Filters()), out) == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["verdict"], r["mode"], r["exit_code"]) for r in rows] == [
        ("block", "enforce", "1"), ("allow", "enforce", "0"), ("block", "audit", "0"),
        ("allow", "enforce", "0"), ("block", "enforce", "1")]
    assert rows[0]["payload_sha256"] == _sha(LEAKY_EXPORT)


def test_no_raw_value_in_the_log_file(filled: DecisionLog) -> None:
    filled.close()
    with LEAKY_EXPORT.open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    values = {row[col] for row in people
              for col in ("complainant_name", "complainant_address", "postcode") if row[col]}
    assert len(values) > 100
    stored = b"".join(p.read_bytes() for p in filled.path.parent.iterdir())
    assert stored.count(b"HP3 ***") > 0  # evidence is there, masked
    leaked = sorted(v for v in values if v.encode("utf-8") in stored)
    assert leaked == []


def test_location_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GUARDRAIL_LOG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    assert default_log_path(project / "sub") == \
        tmp_path / "state" / "guardrail" / "decisions.sqlite"
    (project / ".guardrail").mkdir()
    assert default_log_path(project / "sub") == project / ".guardrail" / "decisions.sqlite"
    assert resolve_log_path(default=False) is None
    assert resolve_log_path("x.sqlite") == Path("x.sqlite")
    assert resolve_log_path("x.sqlite", disabled=True) is None
    monkeypatch.setenv("GUARDRAIL_LOG", "OFF")
    assert resolve_log_path() is None
    monkeypatch.setenv("GUARDRAIL_LOG", str(tmp_path / "env.sqlite"))
    assert resolve_log_path() == tmp_path / "env.sqlite"


def test_unwritable_log_raises_in_enforce_and_warns_in_audit(
        guard: Guardrail, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = DecisionLog(blocker / "decisions.sqlite")
    with pytest.raises(LogError) as caught:
        guard.check(CLEAN_EXPORT, log=bad)
    assert caught.value.decision is not None and caught.value.decision.allowed
    assert caught.value.exit_code == 4
    assert str(blocker / "decisions.sqlite") in caught.value.message
    assert "--no-log" in caught.value.message
    decision = guard.check(CLEAN_EXPORT, mode="audit", log=bad)
    assert decision.allowed
    assert "guardrail: warning: cannot write the decision log" in capsys.readouterr().err


class _Forwarder:
    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []

    @hookimpl
    def guardrail_decision_logged(self, entry):  # noqa: ANN001, ANN201 - a plugin's hook
        self.seen.append((entry.seq, entry.content["verdict"]))


class _Broken:
    @hookimpl
    def guardrail_decision_logged(self, entry):  # noqa: ANN001, ANN201
        raise ConnectionError("webhook down: Daniel Hughes")


class _Quitter:
    @hookimpl
    def guardrail_decision_logged(self, entry):  # noqa: ANN001, ANN201
        raise SystemExit(0)


def test_a_failing_listener_changes_nothing(log: DecisionLog, capsys) -> None:
    first, last = _Forwarder(), _Forwarder()
    # pluggy calls the last registered first: the broken ones sit between the two
    pm = make_plugin_manager(plugins=[("first-forwarder", first), ("broken-webhook", _Broken()),
                                      ("quitter", _Quitter()), ("last-forwarder", last)])
    guard = Guardrail.from_policy("asb-public-web", load_registry(pm))
    decision = guard.check(LEAKY_EXPORT, log=log)
    assert decision.verdict == "block" and decision.exit_code == 1
    assert first.seen == last.seen == [(1, "block")]
    assert [e.seq for e in log.entries()] == [1]
    err = capsys.readouterr().err
    assert ("guardrail: warning: decision listener plugin 'broken-webhook' raised "
            "ConnectionError for log entry 1; the decision is in the local log and the "
            "verdict stands.") in err
    assert "plugin 'quitter' raised SystemExit" in err
    assert "Daniel" not in err


def test_record_decision_returns_the_entry(guard: Guardrail, log: DecisionLog) -> None:
    decision = guard.check(CLEAN_EXPORT)
    entry = record_decision(decision, log, guard.registry.pm)
    assert entry is not None and entry.seq == 1 and verify_log(log).ok


def test_gate_decisions_are_logged_in_audit_too(guard: Guardrail, log: DecisionLog) -> None:
    from guardrail import Gate
    gate = Gate(guard, mode="audit", log=log)
    decision = gate.check(LEAKY_EXPORT.read_bytes(), media_type="text/csv", name="asb.csv")
    assert (decision.verdict, decision.exit_code) == ("block", 0)
    gate.refuse("the body is larger than 16 MiB", name="big.csv")
    first, second = log.entries()
    assert (first.content["mode"], first.verdict, first.content["exit_code"]) == \
        ("audit", "block", 0)
    assert first.content["payloads"][0]["name"] == "asb.csv"
    assert first.content["payloads"][0]["sha256"] == _sha(LEAKY_EXPORT)
    assert second.content["payloads"][0]["error_kind"] == "payload"
    assert second.verdict == "block"


def test_a_log_removed_while_open_is_started_again(guard: Guardrail, tmp_path: Path) -> None:
    path = tmp_path / "decisions.sqlite"
    guard.check(CLEAN_EXPORT, log=path)
    for leftover in tmp_path.glob("decisions.sqlite*"):
        leftover.unlink()
    guard.check(LEAKY_EXPORT, log=path)  # the same shared, open log
    assert [(e.seq, e.verdict) for e in DecisionLog(path).entries()] == [(1, "block")]
