"""Whatever a plugin raises, or however long it runs, the run blocks and names it.

One plugin (``tests/data/plugins/guardrail-faulty``) registers one of everything and
fails where and how ``GUARDRAIL_FAULT_SITE`` and ``GUARDRAIL_FAULT`` say, quoting the
payload where it can. The payload plants a postcode, which no output may repeat.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import fake_distribution, run_guardrail

from guardrail import Guardrail, Limits, PluginFault, UsageError
from guardrail.cli import cli
from guardrail.engine import table_walk
from guardrail.engine.worker import can_fork
from guardrail.host.registry import Registry, load_registry, make_plugin_manager

PLUGIN = Path(__file__).parent / "data" / "plugins" / "guardrail-faulty"
POSTCODE = "HP3 9QT"
PAYLOAD = f"month,notes\n2026-01,Moved to {POSTCODE} last week\n"
FAULTS = ["SystemExit(0)", "SystemExit(1)", "KeyboardInterrupt", "GeneratorExit",
          "RuntimeError", "MemoryError", "RecursionError"]
# What each site's fault is reported as: what the plugin was, and where it was called.
ROLES = {
    "format.sniff": "format 'faulty', sniff()",
    "format.read": "format 'faulty', read()",
    "format.redact": "format 'faulty', redact()",
    "detector.find": "detector 'test.faulty', find()",
    "detector.wants_field": "detector 'test.faulty', wants_field()",
    "reporter.render": "reporter 'faulty', render()",
    "hook.before_check": "hook guardrail_before_check, guardrail_before_check()",
    "hook.after_check": "hook guardrail_after_check, guardrail_after_check()",
}


@pytest.fixture(autouse=True)
def ctrl_c_as_at_a_terminal() -> Iterator[None]:
    """Ctrl-C as an interactive run has it: Python's own handler. A test run started in
    the background (``nohup``, ``cmd &``) inherits SIGINT ignored, where Ctrl-C does
    nothing at all, by design of the shell."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _interruptible() -> None:
    """For a child process: Ctrl-C as at a terminal (see ``ctrl_c_as_at_a_terminal``)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def faulty() -> Iterator[ModuleType]:
    """The plugin module, importable, and a distribution that declares it (on sys.path
    only for tests that install it: see ``installed``)."""
    sys.path.insert(0, str(PLUGIN))
    try:
        import guardrail_faulty

        yield guardrail_faulty
    finally:
        sys.path.remove(str(PLUGIN))


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site folder in which the plugin is installed as ``guardrail-faulty 1.0``."""
    return fake_distribution(tmp_path_factory.mktemp("site"), "guardrail-faulty", "1.0",
                             "faulty", "guardrail_faulty")


@pytest.fixture
def installed(dist: Path, faulty: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin installed for this process: the CLI finds it through entry points."""
    monkeypatch.syspath_prepend(str(dist))


@pytest.fixture
def fault(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the plugin fail at *site* with *kind* (read when the plugin is called)."""

    def set_fault(site: str, kind: str, **extra: str) -> None:
        monkeypatch.setenv("GUARDRAIL_FAULT_SITE", site)
        monkeypatch.setenv("GUARDRAIL_FAULT", kind)
        for name, value in extra.items():
            monkeypatch.setenv(f"GUARDRAIL_FAULT_{name.upper()}", value)

    return set_fault


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    path = tmp_path / "leak.csv"
    path.write_text(PAYLOAD, encoding="utf-8")
    return path


def _registry(faulty: ModuleType) -> Registry:
    return load_registry(make_plugin_manager(plugins=[("faulty", faulty)]))


def _cli_args(site: str, payload: Path) -> list[str]:
    """The command that reaches *site*: a check, or a redaction for a writer."""
    base = ["-p", "asb-public-web"]
    if site == "format.redact":
        return ["redact", *base, "-o", str(payload.with_name("out.faulty")),
                str(payload.rename(payload.with_suffix(".faulty")))]
    if site == "format.read":
        return ["check", *base, "--jobs", "1", str(payload.rename(payload.with_suffix(".faulty")))]
    if site == "format.sniff":  # no extension anyone knows: every format sniffs
        return ["check", *base, "--jobs", "1", str(payload.rename(payload.with_suffix(".dat")))]
    report = ["--report", "faulty"] if site == "reporter.render" else []
    return ["check", *base, "--jobs", "1", *report, str(payload)]


def _call_api(site: str, registry: Registry, tmp_path: Path) -> Any:
    guard = Guardrail.from_policy("asb-public-web", registry)
    data = PAYLOAD.encode()
    if site == "format.redact":
        source = tmp_path / "leak.faulty"
        source.write_bytes(data)
        return guard.redact(source, tmp_path / "out.faulty", format="faulty")
    if site == "format.sniff":
        return guard.check(data)
    if site == "format.read":
        return guard.check(data, format="faulty")
    if site == "reporter.render":
        return guard.render(guard.check(data, format="csv"), io.StringIO(), "faulty")
    return guard.check(data, format="csv")


# -- every fault, at every site: a block that names the plugin and quotes nothing -----


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("site", list(ROLES))
def test_the_cli_blocks_naming_the_plugin(site: str, kind: str, installed: None,
                                          fault: Callable[..., None], payload: Path) -> None:
    fault(site, kind)
    result = CliRunner().invoke(cli, _cli_args(site, payload))
    assert result.exit_code == 4, result.output
    assert result.stderr == (
        f"guardrail: error: plugin 'faulty' from guardrail-faulty 1.0 ({ROLES[site]} in "
        f"guardrail_faulty) raised {kind.split('(')[0]}; the check stopped and nothing may "
        "be published. Set GUARDRAIL_DEBUG=1 for the traceback\n")
    assert POSTCODE not in result.output
    assert not payload.with_name("out.faulty").exists()


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("site", list(ROLES))
def test_the_api_raises_a_plugin_fault(site: str, kind: str, faulty: ModuleType,
                                       fault: Callable[..., None], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    fault(site, kind)
    with pytest.raises(PluginFault) as caught:
        _call_api(site, _registry(faulty), tmp_path)
    error = caught.value
    assert (error.plugin, error.fault, error.exit_code) == ("faulty", kind.split("(")[0], 4)
    assert str(error).startswith(f"plugin 'faulty' ({ROLES[site]} in guardrail_faulty) "
                                 f"raised {error.fault};")
    # Not in the message, nor in a traceback a server would log, nor on the terminal.
    shown = "".join(traceback.format_exception(error)) + "".join(capsys.readouterr())
    assert POSTCODE not in shown
    assert not (tmp_path / "out.faulty").exists()


@pytest.mark.parametrize("kind", FAULTS)
def test_a_policy_pack_that_fails_to_register_stops_every_run(
        kind: str, installed: None, faulty: ModuleType, fault: Callable[..., None]) -> None:
    fault("policies.register", kind)
    result = CliRunner().invoke(cli, ["policies"])
    assert result.exit_code == 4
    name = kind.split("(")[0]
    assert result.stderr == (
        f"guardrail: error: plugin 'faulty' from guardrail-faulty 1.0 raised {name} while "
        "registering policies; fix or uninstall it. Set GUARDRAIL_DEBUG=1 for the "
        "traceback\n")
    manager = make_plugin_manager(entry_points=False, plugins=[("faulty", faulty)])
    with pytest.raises(PluginFault, match=f"^plugin 'faulty' raised {name} while registering"):
        load_registry(manager)


def test_a_detector_exiting_0_cannot_allow_a_leaky_file(dist: Path, tmp_path: Path,
                                                       payload: Path) -> None:
    """The bug of issue 10, in a real process: exit 0 and nothing printed."""
    result = run_guardrail("check", "-p", "asb-public-web", str(payload), text=True,
                           env=_env(dist, "detector.find", "SystemExit(0)"), timeout=120)
    assert result.returncode == 4
    assert "plugin 'faulty' from guardrail-faulty 1.0 (detector 'test.faulty'" in result.stderr
    assert POSTCODE not in result.stdout + result.stderr


def test_a_reader_failing_as_it_is_cleaned_up_quotes_nothing(dist: Path,
                                                             tmp_path: Path) -> None:
    """A reader whose generators raise when closed, after a detector stopped the check:
    nobody could catch that, and Python would print its text on stderr."""
    payload = tmp_path / "leak.faulty"
    payload.write_text(PAYLOAD, encoding="utf-8")
    env = _env(dist, "detector.find,format.cleanup", "RuntimeError", on=POSTCODE)
    result = run_guardrail("check", "-p", "asb-public-web", str(payload), text=True, env=env,
                           timeout=120)
    assert result.returncode == 4
    assert result.stderr == (
        "guardrail: error: plugin 'faulty' from guardrail-faulty 1.0 (detector 'test.faulty', "
        "find() in guardrail_faulty) raised RuntimeError; the check stopped and nothing may "
        "be published. Set GUARDRAIL_DEBUG=1 for the traceback\n")
    assert POSTCODE not in result.stdout


def test_the_cli_shows_only_the_type_of_an_error_nobody_could_catch(
        capsys: pytest.CaptureFixture[str]) -> None:
    from guardrail.cli import _unraisable

    error = RuntimeError(f"closing {POSTCODE}")
    _unraisable(types.SimpleNamespace(exc_type=RuntimeError, exc_value=error,
                                      exc_traceback=None, err_msg=None, object=None))
    assert capsys.readouterr().err == ("guardrail: warning: RuntimeError ignored while "
                                       "cleaning up. Set GUARDRAIL_DEBUG=1 for the "
                                       "traceback.\n")


def test_a_reader_stopped_half_way_is_closed_at_once(faulty: ModuleType,
                                                     fault: Callable[..., None],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The same through the API: the reader is closed while the check stops, so nothing
    is left for Python to print later."""
    fault("detector.find,format.cleanup", "RuntimeError", on=POSTCODE)
    guard = Guardrail.from_policy("asb-public-web", _registry(faulty))
    with pytest.raises(PluginFault, match="detector 'test.faulty'"):
        guard.check(PAYLOAD.encode(), format="faulty")
    gc.collect()
    assert capsys.readouterr() == ("", "")


def test_debug_prints_the_traceback(installed: None, fault: Callable[..., None],
                                    payload: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fault("detector.find", "RuntimeError")
    monkeypatch.setenv("GUARDRAIL_DEBUG", "1")
    result = CliRunner().invoke(cli, _cli_args("detector.find", payload))
    assert result.exit_code == 4
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: cannot handle" in result.stderr


# -- the scanning worker -------------------------------------------------------------


@pytest.fixture
def worker_payload(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A table large enough to start the worker after its first batch."""
    monkeypatch.setattr(table_walk, "_BATCH", 64)
    monkeypatch.setattr(table_walk, "_POOL_AFTER_ROWS", 64)
    rows = [f"2026-01,Note {n} moved to {POSTCODE}" for n in range(2000)]
    return ("month,notes\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.skipif(not can_fork(), reason="worker processes need fork")
@pytest.mark.parametrize("kind", ["SystemExit(0)", "KeyboardInterrupt", "RuntimeError"])
def test_a_fault_in_the_scanning_worker_blocks_naming_the_plugin(
        kind: str, faulty: ModuleType, fault: Callable[..., None],
        worker_payload: bytes) -> None:
    fault("detector.find", kind, only_pid=f"!{os.getpid()}")  # in the worker only
    guard = Guardrail.from_policy("asb-public-web", _registry(faulty))
    with pytest.raises(PluginFault) as caught:
        guard.check(worker_payload, format="csv", jobs=2)
    assert str(caught.value).startswith(
        "plugin 'faulty' (detector 'test.faulty', find() in guardrail_faulty) raised "
        f"{kind.split('(')[0]};")
    assert POSTCODE not in str(caught.value)
    assert _workers_stopped()


@pytest.mark.skipif(not can_fork(), reason="worker processes need fork")
def test_a_detector_stuck_in_the_worker_is_stopped_and_named(
        faulty: ModuleType, fault: Callable[..., None], worker_payload: bytes) -> None:
    fault("detector.find", "loop", only_pid=f"!{os.getpid()}")
    guard = Guardrail.from_policy("asb-public-web", _registry(faulty))
    start = time.monotonic()
    with pytest.raises(PluginFault) as caught:
        guard.check(worker_payload, format="csv", jobs=2, limits=Limits(max_seconds=2))
    assert time.monotonic() - start < 10
    assert caught.value.fault == "time limit"
    assert str(caught.value).startswith(
        "plugin 'faulty' (detector 'test.faulty', find() in guardrail_faulty) was still "
        "running when the check's time limit of 2 s ran out")
    assert _workers_stopped()


def _workers_stopped() -> bool:
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


# -- the time budget --------------------------------------------------------------


def _env(dist: Path, site: str, kind: str, **extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(dist), str(PLUGIN), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "GUARDRAIL_FAULT_SITE": site,
           "GUARDRAIL_FAULT": kind}
    env.update({f"GUARDRAIL_FAULT_{name.upper()}": value for name, value in extra.items()})
    return env


@pytest.mark.parametrize("kind", ["loop", "sleep"])
def test_the_cli_stops_a_detector_that_overruns(kind: str, dist: Path, payload: Path) -> None:
    start = time.monotonic()
    result = run_guardrail("check", "-p", "asb-public-web", "--time-limit", "1", str(payload),
                           text=True, env=_env(dist, "detector.find", kind), timeout=60)
    assert time.monotonic() - start < 10
    assert result.returncode == 4, result.stderr
    assert result.stderr == (
        "guardrail: error: plugin 'faulty' from guardrail-faulty 1.0 (detector "
        "'test.faulty', find() in guardrail_faulty) was still running when the check's "
        "time limit of 1 s ran out; nothing may be published. If the payload is genuine, "
        "raise the limit with --time-limit\n")
    assert result.stdout == ""


def _in_thread(call: Callable[[], Any]) -> BaseException | None:
    """What *call* raised when run in a thread other than the main one."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: B036 - whatever it is, the test looks at it
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    return raised[0] if raised else None


@pytest.mark.parametrize("thread", ["main thread", "other thread"])
@pytest.mark.parametrize(("site", "kind"), [("detector.find", "loop"),
                                            ("detector.find", "sleep"),
                                            ("format.read", "loop")])
def test_the_api_stops_a_plugin_that_overruns(site: str, kind: str, thread: str,
                                              faulty: ModuleType, fault: Callable[..., None],
                                              tmp_path: Path) -> None:
    fault(site, kind)
    guard = Guardrail.from_policy("asb-public-web", _registry(faulty))
    data, name = PAYLOAD.encode(), "csv" if site.startswith("detector") else "faulty"

    def check() -> Any:
        return guard.check(data, format=name, limits=Limits(max_seconds=1))

    start = time.monotonic()
    if thread == "main thread":
        with pytest.raises(PluginFault) as caught:
            check()
        error: BaseException | None = caught.value
    else:
        error = _in_thread(check)
    assert time.monotonic() - start < 10
    assert isinstance(error, PluginFault)
    assert (error.plugin, error.fault, error.exit_code) == ("faulty", "time limit", 4)
    assert str(error).startswith(f"plugin 'faulty' ({ROLES[site]} in guardrail_faulty) was "
                                 "still running when the check's time limit of 1 s ran out")
    _assert_signals_restored()


def test_a_check_within_its_time_leaves_no_handler_behind(guard: Guardrail) -> None:
    decision = guard.check(PAYLOAD.encode(), format="csv", limits=Limits(max_seconds=30))
    assert decision.verdict == "block"
    _assert_signals_restored()


def test_no_time_limit(installed: None, payload: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "-p", "asb-public-web", "--time-limit", "0",
                                      str(payload)])
    assert result.exit_code == 1


def _assert_signals_restored() -> None:
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# -- the user's Ctrl-C ----------------------------------------------------------------


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, "the plugin was never reached"
        time.sleep(0.02)


@pytest.mark.parametrize("command", ["check", "redact"])
def test_ctrl_c_blocks_and_writes_nothing(command: str, dist: Path, payload: Path,
                                          tmp_path: Path) -> None:
    mark = tmp_path / "reached"
    out = tmp_path / "out.csv"
    extra = ["-o", str(out)] if command == "redact" else []
    process = subprocess.Popen(
        [sys.executable, "-m", "guardrail", command, "-p", "asb-public-web", *extra,
         str(payload)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=_env(dist, "detector.find", "sleep", mark=str(mark)), preexec_fn=_interruptible)
    try:
        _wait_for(mark)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 4
    assert stderr == ("guardrail: interrupted before the check finished; nothing may be "
                      "published.\n")
    assert POSTCODE not in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leak.csv", "reached"]


def test_ctrl_c_reaches_an_api_caller_as_keyboard_interrupt(
        faulty: ModuleType, fault: Callable[..., None], tmp_path: Path) -> None:
    """The user's Ctrl-C is not a plugin's fault: the caller gets it, and no decision."""
    mark = tmp_path / "reached"
    fault("detector.find", "sleep", mark=str(mark))
    guard = Guardrail.from_policy("asb-public-web", _registry(faulty))

    def press_ctrl_c() -> None:
        _wait_for(mark)
        os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    with pytest.raises(KeyboardInterrupt) as caught:
        guard.check(PAYLOAD.encode(), format="csv", limits=Limits(max_seconds=60))
    presser.join()
    assert not isinstance(caught.value, PluginFault)
    _assert_signals_restored()


def test_the_programs_own_interrupt_handler_is_not_blamed_on_a_plugin(
        faulty: ModuleType, fault: Callable[..., None], tmp_path: Path) -> None:
    """A program with its own SIGINT handler keeps it; what it raises is its own."""
    mark = tmp_path / "reached"
    fault("detector.find", "sleep", mark=str(mark))
    guard = Guardrail.from_policy("asb-public-web", _registry(faulty))

    def stop(number: int, frame: Any) -> None:
        raise KeyboardInterrupt("the program stops")

    def press_ctrl_c() -> None:
        _wait_for(mark)
        os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, stop)
    try:
        presser = threading.Thread(target=press_ctrl_c)
        presser.start()
        with pytest.raises(KeyboardInterrupt, match="the program stops"):
            guard.check(PAYLOAD.encode(), format="csv", limits=Limits(max_seconds=60))
        presser.join()
        assert signal.getsignal(signal.SIGINT) is stop
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_check_from_another_thread_is_the_same_check(guard: Guardrail) -> None:
    alone = guard.check(PAYLOAD.encode(), format="csv")
    results: list[Any] = []
    for _ in range(3):  # the helper thread is reused
        assert _in_thread(lambda: results.append(guard.check(PAYLOAD.encode(),
                                                             format="csv"))) is None
    assert [d.to_dict()["findings"] for d in results] == [alone.to_dict()["findings"]] * 3
    error = _in_thread(lambda: guard.check(PAYLOAD.encode(), format="nope"))
    assert isinstance(error, UsageError) and "unknown format 'nope'" in str(error)

