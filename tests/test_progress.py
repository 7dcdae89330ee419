"""Progress: the core's listener (bytes of the size, records, file i of n) and the
CLI's bar on a real pseudo-terminal, silent on a pipe and with --quiet."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import guardrail.contract.progress as progress_module
from guardrail import Guardrail
from guardrail.cli import cli
from guardrail.contract.payload import Payload
from guardrail.contract.progress import Meter, Progress

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "examples" / "asb-export-clean.csv"
POLICY = "asb-public-web"
PERSON_FILE = "jane.smith@example.com.csv"  # a name that holds personal data


def _large_csv(folder: Path, copies: int = 200) -> Path:
    header, *rows = CLEAN.read_text(encoding="utf-8").splitlines(keepends=True)
    path = folder / "large.csv"
    path.write_text(header + "".join(rows) * copies, encoding="utf-8")
    return path


def _assert_monotone(seen: list[Progress]) -> None:
    for before, after in zip(seen, seen[1:], strict=False):
        assert after.bytes_read >= before.bytes_read
        assert after.records >= before.records


def test_a_file_reports_its_bytes_of_its_size_and_its_records(plain_guard: Guardrail,
                                                              tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setattr(progress_module, "INTERVAL", 0.0)  # every chunk reports
    path = _large_csv(tmp_path)
    size = path.stat().st_size
    seen: list[Progress] = []
    decision = plain_guard.check(str(path), progress=seen.append)
    assert decision.files[0].records == 61 * 200
    assert len(seen) > 10  # the file is read in many chunks, each one reported
    assert all((p.file, p.files, p.label, p.total_bytes) == (1, 1, str(path), size)
               for p in seen)
    _assert_monotone(seen)
    assert (seen[0].bytes_read, seen[0].records, seen[0].done) == (0, 0, False)
    assert all(p.bytes_read <= size for p in seen)
    assert 0 < seen[-2].records < 61 * 200  # records counted while reading
    assert seen[-1] == Progress(1, 1, str(path), size, size, 12200, done=True)
    assert [p.done for p in seen].count(True) == 1


def test_throttled_by_default_to_a_few_reports(plain_guard: Guardrail, tmp_path: Path) -> None:
    path = _large_csv(tmp_path)
    seen: list[Progress] = []
    plain_guard.check(str(path), progress=seen.append)
    assert seen[0].bytes_read == 0 and seen[-1].bytes_read == path.stat().st_size
    assert len(seen) < 20  # not one per chunk: at most one each 0.1 s, plus start and end


def test_stdin_and_streams_have_no_known_size(plain_guard: Guardrail) -> None:
    data = CLEAN.read_bytes()
    seen: list[Progress] = []
    decision = plain_guard.check(io.BytesIO(data), progress=seen.append)
    assert decision.allowed
    assert {p.total_bytes for p in seen} == {None}
    _assert_monotone(seen)
    assert seen[-1] == Progress(1, 1, "<stream>", len(data), None, 61, done=True)


def test_stdin_under_the_cli_is_named_as_the_report_names_it(plain_guard: Guardrail,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    data = CLEAN.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    seen: list[Progress] = []
    plain_guard.check("-", progress=seen.append)
    assert seen[-1] == Progress(1, 1, "<stdin>", len(data), None, 61, done=True)


def test_a_folder_reports_file_i_of_n(plain_guard: Guardrail, tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv", "c.csv"):
        (tmp_path / name).write_bytes(CLEAN.read_bytes())
    seen: list[Progress] = []
    decision = plain_guard.check(str(tmp_path), progress=seen.append)
    done = [p for p in seen if p.done]
    assert [(p.file, p.files, p.label) for p in done] == [
        (n, 3, f.file) for n, f in enumerate(decision.files, 1)]
    assert [f.file for f in decision.files] == [str(tmp_path / n)
                                                for n in ("a.csv", "b.csv", "c.csv")]
    assert [p.file for p in seen] == sorted(p.file for p in seen)
    assert all(p.bytes_read == p.total_bytes == len(CLEAN.read_bytes()) for p in done)


def test_a_personal_file_name_is_shown_as_the_decision_shows_it(guard: Guardrail,
                                                                tmp_path: Path) -> None:
    path = tmp_path / PERSON_FILE
    path.write_bytes(CLEAN.read_bytes())
    seen: list[Progress] = []
    decision = guard.check(str(path), progress=seen.append)
    assert decision.files[0].file == "<payload 1>"
    assert {p.label for p in seen} == {"<payload 1>"}
    assert "jane" not in repr(seen)


def test_records_given_in_memory_report_when_done(plain_guard: Guardrail) -> None:
    seen: list[Progress] = []
    plain_guard.check([{"ward": "Abbey"}, {"ward": "Brent"}], progress=seen.append)
    assert seen == [Progress(1, 1, "<records>", 0, None, 2, done=True)]


def test_redact_reports_the_bytes_it_read(plain_guard: Guardrail, tmp_path: Path) -> None:
    seen: list[Progress] = []
    result = plain_guard.redact(str(CLEAN), tmp_path / "out.csv", progress=seen.append)
    size = CLEAN.stat().st_size
    assert seen[0].total_bytes == size
    assert seen[-1] == Progress(1, 1, str(CLEAN), size, size, result.decision.files[0].records,
                                done=True)


def test_nobody_listening_reads_the_file_unwrapped() -> None:
    with Payload(CLEAN).open_binary() as handle:
        assert type(handle.raw) is io.FileIO  # type: ignore[attr-defined]


# --- the CLI -----------------------------------------------------------------------------

def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARDRAIL_")}
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{ROOT / 'plugins'}"
    env["GUARDRAIL_LOG"] = "off"
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    env["COLUMNS"], env["LINES"] = "160", "40"  # as the pty says; a worker's own may differ
    return env


def _run_on_a_terminal(*args: str) -> tuple[int, bytes, bytes]:
    """Run the CLI with stderr on a pseudo-terminal (160 columns) and stdout on a pipe."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "guardrail", *args], cwd=ROOT,
                               env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=slave)
    os.close(slave)
    err = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            err.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = process.communicate(timeout=120)
    reader.join(timeout=30)
    os.close(master)
    return process.returncode, out, bytes(err)


def _run_on_pipes(*args: str) -> tuple[int, bytes, bytes]:
    done = subprocess.run([sys.executable, "-m", "guardrail", *args], cwd=ROOT, env=_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_a_terminal_shows_the_bar_on_stderr_and_stdout_is_the_report_alone() -> None:
    args = ("check", "-p", POLICY, "examples/asb-export-clean.csv")
    code, out, err = _run_on_a_terminal(*args)
    piped = _run_on_pipes(*args)
    assert piped == (0, out, b"")  # a pipe gets nothing on stderr; stdout is the same
    assert code == 0
    text = err.decode("utf-8")
    assert "examples/asb-export-clean.csv" in text
    assert "61 records" in text and "records/s" in text
    assert "5.0/5.0 KiB" in text
    assert out.startswith(b"ALLOWED: publishable to 'public-web'\n")


def test_quiet_shows_nothing_on_a_terminal() -> None:
    code, out, err = _run_on_a_terminal("check", "-q", "-p", POLICY,
                                        "examples/asb-export-clean.csv")
    assert (code, err) == (0, b"")
    assert out.startswith(b"ALLOWED")


def test_a_folder_on_a_terminal_counts_files(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_bytes(CLEAN.read_bytes())
    (tmp_path / PERSON_FILE).write_bytes(CLEAN.read_bytes())
    code, out, err = _run_on_a_terminal("check", "-p", POLICY, str(tmp_path))
    text = err.decode("utf-8")
    assert code == 0
    assert "guardrail: checking 3 files (0 left out" in text
    assert "3/3 files" in text and "<payload 3>" in text
    assert "jane" not in text and b"jane" not in out
    code, _, err = _run_on_a_terminal("check", "--quiet", "-p", POLICY, str(tmp_path))
    assert (code, err) == (0, b"")


def test_publish_shows_the_bar_then_its_report(tmp_path: Path) -> None:
    target = tmp_path / "site" / "clean.csv"
    target.parent.mkdir()
    code, out, err = _run_on_a_terminal("publish", "-p", POLICY, str(CLEAN), str(target))
    text = err.decode("utf-8")
    assert (code, out) == (0, b"")
    assert "records/s" in text and text.rstrip().endswith(f"published to {target}")
    assert target.read_bytes() == CLEAN.read_bytes()


def test_without_a_terminal_nothing_extra_and_rich_is_not_imported(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(CLEAN.read_bytes())
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from guardrail.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['check', '-q', '-p', {POLICY!r}, {str(tmp_path)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('rich' in sys.modules, 'checking' in r.output)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "False False\n"), done.stderr
    result = CliRunner().invoke(cli, ["check", "-p", POLICY, str(CLEAN)])
    assert result.exit_code == 0
    assert result.output.startswith("ALLOWED")
    assert "records/s" not in result.output


def test_redact_on_a_terminal_shows_the_bar_and_quiet_does_not(tmp_path: Path) -> None:
    out_path = tmp_path / "copy.csv"
    code, out, err = _run_on_a_terminal("redact", "-p", POLICY, "-o", str(out_path),
                                        str(CLEAN))
    text = err.decode("utf-8")
    assert (code, out) == (0, b"")
    assert "61 records" in text and "records/s" in text
    assert text.rstrip().endswith("REDACTED: 0 values replaced or removed; the copy passes "
                                  f"the policy and was written to {out_path}")
    code, _, err = _run_on_a_terminal("redact", "-q", "-p", POLICY, "-o", str(out_path),
                                      str(CLEAN))
    assert code == 0 and b"records/s" not in err


def test_counted_records_still_close_the_readers_generator() -> None:
    closed: list[bool] = []

    def rows() -> Iterator[list[str]]:
        try:
            yield from (["a"], ["b"], ["c"])
        finally:
            closed.append(True)

    meter = Meter(lambda p: None, 1, 1, "x")
    counted = meter.count(rows())
    assert next(iter(counted)) == ["a"] and meter.records == 1
    counted.close()  # type: ignore[attr-defined]
    assert closed == [True]
