"""Several processes writing one decision log at once, and a writer killed mid-append."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from helpers import CLEAN_EXPORT, LEAKY_EXPORT, run_guardrail

from guardrail.ledger import DecisionLog, verify_log

ROOT = Path(__file__).parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT), str(ROOT / "plugins"), *filter(None, [os.environ.get("PYTHONPATH")])])}

# A writer: appends decisions named writer<W>-<i> (COUNT of them, or forever when 0).
WRITER = textwrap.dedent("""
    import itertools, sys
    from guardrail.decision import Decision, FileResult
    from guardrail.ledger import DecisionLog
    path, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    log = DecisionLog(path)
    for i in (itertools.count() if count == 0 else range(count)):
        log.append(Decision(policy={"name": "p", "version": "1", "sha256": "0" * 64},
                            destination="public-web", mode="enforce",
                            files=[FileResult(file=f"writer{writer}-{i}", format="csv",
                                              records=i, sha256="a" * 64)],
                            findings=[], counts={}))
        if i == 0:
            print("started", flush=True)
""")


def _writer(log: Path, name: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(log), name, str(count)],
                            env=ENV, stdout=subprocess.PIPE, text=True)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "decisions.sqlite"
    writers = [_writer(path, str(w), 40) for w in range(4)]
    for proc in writers:
        assert proc.wait(timeout=120) == 0
    log = DecisionLog(path)
    entries = list(log.entries())
    assert [e.seq for e in entries] == list(range(1, 161))
    names = sorted(e.content["payloads"][0]["name"] for e in entries)
    assert names == sorted(f"writer{w}-{i}" for w in range(4) for i in range(40))
    # each writer's own entries keep its order
    for w in range(4):
        mine = [int(e.content["payloads"][0]["name"].split("-")[1]) for e in entries
                if e.content["payloads"][0]["name"].startswith(f"writer{w}-")]
        assert mine == list(range(40))
    result = verify_log(log)
    assert (result.ok, result.entries) == (True, 160)


def test_concurrent_cli_checks_all_logged(tmp_path: Path) -> None:
    path = tmp_path / "decisions.sqlite"
    procs = [subprocess.Popen([sys.executable, "-m", "guardrail", "check", "-p",
                               "asb-public-web", "--log", str(path), str(payload)],
                              env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for payload in (LEAKY_EXPORT, CLEAN_EXPORT, LEAKY_EXPORT, CLEAN_EXPORT)]
    assert sorted(p.wait(timeout=120) for p in procs) == [0, 0, 1, 1]
    log = DecisionLog(path)
    assert sorted(e.verdict for e in log.entries()) == ["allow", "allow", "block", "block"]
    verified = run_guardrail("log", "verify", "--log", str(path), env=ENV, text=True)
    assert verified.returncode == 0
    assert verified.stdout.startswith(f"{path}: 4 entries, chain intact; head 4:")


def test_a_writer_killed_mid_append_leaves_a_valid_log(tmp_path: Path) -> None:
    path = tmp_path / "decisions.sqlite"
    for round_ in range(3):
        proc = _writer(path, str(round_), 0)
        assert proc.stdout is not None and proc.stdout.readline() == "started\n"
        time.sleep(0.2 + 0.15 * round_)  # somewhere inside an append loop
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        proc.stdout.close()
    log = DecisionLog(path)
    result = verify_log(log)
    assert result.ok and result.entries >= 3
    keys = {"seq", "time", "policy", "destination", "mode", "verdict", "payloads", "counts",
            "findings", "waivers_used"}
    for entry in log.entries():
        assert keys <= set(entry.content)
        assert entry.content["payloads"][0]["sha256"] == "a" * 64
    # and the next writer carries on the chain
    assert _writer(path, "after", 1).wait(timeout=60) == 0
    after = verify_log(log)
    assert after.ok and after.entries == result.entries + 1
