"""guardrail_logging through the standard logging module: what a handler writes once the
filter has masked or dropped a record carrying personal data."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from guardrail_logging import UNCHECKED, PersonalDataFilter

from guardrail import Guardrail, UsageError

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "integrations" / "logging_filter.py"
RAW = ("daniel", "hughes", "Daniel", "Hughes", "07700", "900123", "9QT")


class Captured:
    """A logger whose one handler, filtered, writes to a string."""

    def __init__(self, log_filter: PersonalDataFilter, name: str) -> None:
        self.filter = log_filter
        self.out = io.StringIO()
        self.handler = logging.StreamHandler(self.out)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        self.handler.addFilter(log_filter)
        self.records: list[logging.LogRecord] = []
        self.log = logging.getLogger(name)
        self.log.propagate = False
        self.log.setLevel(logging.DEBUG)
        self.log.addHandler(self.handler)

    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()

    def close(self) -> None:
        self.log.removeHandler(self.handler)


@pytest.fixture(params=["mask", "drop"])
def action(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def capture(request: pytest.FixtureRequest) -> Iterator[Captured]:
    action = getattr(request, "param", "mask")
    captured = Captured(PersonalDataFilter("uk-content-scan", action=action),
                        f"guardrail.test.{request.node.name}")
    yield captured
    captured.close()


LEAKY = [
    (("complaint from %s", "daniel.hughes@example.com"), "complaint from d***@e******.c**"),
    (("call back on 07700 900123",), "call back on ***** ******"),
    (("%s rang about the noise", "Daniel Hughes"), "D***** H***** rang about the noise"),
    (("noise reported at %(postcode)s", {"postcode": "HP3 9QT"}),
     "noise reported at HP3 ***"),
    (("from %s (%s) at %s", "Daniel Hughes", "daniel.hughes@example.com", "HP3 9QT"),
     "from D***** H***** (d***@e******.c**) at HP3 ***"),
]


@pytest.mark.parametrize(("call", "masked"), LEAKY, ids=["email-in-args", "phone-in-msg",
                                                          "name", "postcode-mapping", "all"])
def test_a_leaky_message_is_masked_in_place(capture: Captured, call: tuple, masked: str) -> None:
    capture.log.info(*call)
    assert capture.lines() == [f"INFO {masked}"]
    assert capture.filter.masked == 1 and capture.filter.dropped == 0


@pytest.mark.parametrize("capture", ["drop"], indirect=True)
def test_a_leaky_message_is_dropped_and_counted(capture: Captured) -> None:
    for call, _ in LEAKY:
        capture.log.warning(*call)
    capture.log.warning("case %s closed", "ASB-1042")
    assert capture.lines() == ["WARNING case ASB-1042 closed"]
    assert capture.filter.dropped == len(LEAKY) and capture.filter.masked == 0


def test_masking_twice_changes_nothing_more(capture: Captured) -> None:
    second = logging.StreamHandler(io.StringIO())
    second.addFilter(capture.filter)  # a record passes every handler's filters
    capture.log.addHandler(second)
    capture.log.info("from %s at %s", "daniel.hughes@example.com", "HP3 9QT")
    capture.log.removeHandler(second)
    assert capture.lines() == ["INFO from d***@e******.c** at HP3 ***"]
    assert second.stream.getvalue() == "from d***@e******.c** at HP3 ***\n"
    assert capture.filter.masked == 1  # the masked text holds nothing to mask


def test_a_masked_record_keeps_no_raw_value(capture: Captured) -> None:
    seen: list[logging.LogRecord] = []
    capture.handler.emit = seen.append  # type: ignore[method-assign]
    capture.log.info("complaint from %s", "daniel.hughes@example.com")
    [record] = seen
    assert record.msg == "complaint from d***@e******.c**" and record.args is None
    assert record.getMessage() == record.msg


def test_a_clean_message_is_untouched(capture: Captured, action: str) -> None:
    capture.filter.action = action
    seen: list[logging.LogRecord] = []
    emit = capture.handler.emit
    capture.handler.emit = lambda record: (seen.append(record), emit(record))  # type: ignore
    args = ("ASB-1042", "Adeyfield East")
    capture.log.info("case %s closed for ward %s", *args)
    assert capture.lines() == ["INFO case ASB-1042 closed for ward Adeyfield East"]
    assert seen[0].msg == "case %s closed for ward %s" and seen[0].args == args
    assert (capture.filter.masked, capture.filter.dropped) == (0, 0)


def test_an_exception_traceback_is_masked(capture: Captured) -> None:
    try:
        raise ValueError("no reply on 07700 900123")
    except ValueError:
        capture.log.exception("callback to %s failed", "daniel.hughes@example.com")
    lines = capture.lines()
    assert lines[0] == "ERROR callback to d***@e******.c** failed"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-2:] == ['    raise ValueError("no reply on ***** ******")',
                          "ValueError: no reply on ***** ******"]
    assert not any(raw in capture.out.getvalue() for raw in RAW)


def test_a_traceback_alone_can_carry_the_value(capture: Captured) -> None:
    seen: list[logging.LogRecord] = []
    capture.handler.emit = seen.append  # type: ignore[method-assign]
    try:
        raise KeyError("daniel.hughes@example.com")
    except KeyError:
        capture.log.exception("lookup failed")
    [record] = seen
    assert record.exc_info is None  # no handler can format the raw exception again
    assert record.exc_text is not None
    assert record.exc_text.endswith("KeyError: 'd***@e******.c**'")
    assert record.getMessage() == "lookup failed"


def test_stack_text_is_masked(capture: Captured) -> None:
    def lookup() -> str:  # the stack shows this source line, value and all
        return capture.log.info("looking up", stack_info=True) or "daniel.hughes@example.com"
    lookup()
    text = capture.out.getvalue()
    assert 'stack_info=True) or "d***@e******.c**"' in text
    assert "daniel" not in text and capture.filter.masked == 1


@pytest.mark.parametrize("capture", ["mask", "drop"], indirect=True)
def test_a_record_that_cannot_be_checked_fails_closed(capture: Captured) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("Daniel Hughes")

    capture.log.info("caller %s", Unprintable())
    capture.log.info("count %d", "Daniel Hughes")  # an argument of the wrong type
    if capture.filter.action == "mask":
        assert capture.lines() == [f"INFO {UNCHECKED}"] * 2
        assert capture.filter.masked == 2
    else:
        assert capture.lines() == [] and capture.filter.dropped == 2
    assert "Daniel" not in capture.out.getvalue()


def test_a_named_filter_judges_only_its_loggers_records() -> None:
    log_filter = PersonalDataFilter(action="drop", name="cases")
    assert log_filter.filter(logging.makeLogRecord({"name": "cases.export",
                                                     "msg": "from HP3 9QT"})) is False
    assert log_filter.filter(logging.makeLogRecord({"name": "billing",
                                                     "msg": "from HP3 9QT"})) is True


def test_a_destination_that_may_receive_personal_data_masks_nothing() -> None:
    log_filter = PersonalDataFilter(Guardrail.from_policy("uk-content-scan"),
                                    destination="internal")
    record = logging.makeLogRecord({"msg": "from %s", "args": ("HP3 9QT",)})
    assert log_filter.filter(record) is True and record.getMessage() == "from HP3 9QT"


def test_the_policy_chooses_detectors_thresholds_and_allowed_terms(tmp_path: Path) -> None:
    policy = tmp_path / "logs.yaml"
    policy.write_text(
        "apiVersion: guardrail/v1\nkind: Policy\nmetadata: {name: logs, version: '1'}\n"
        "extends: uk-content-scan\ndetectors:\n  skip: [uk.postcode]\n"
        "  allow: [Daniel Hughes]\n", encoding="utf-8")
    log_filter = PersonalDataFilter(policy)
    record = logging.makeLogRecord({"msg": "%s (MP) visited HP3 9QT; ring 07700 900123",
                                    "args": ("Daniel Hughes",)})
    assert log_filter.filter(record) is True
    assert record.getMessage() == "Daniel Hughes (MP) visited HP3 9QT; ring ***** ******"


def test_bad_settings_fail_when_the_filter_is_built() -> None:
    with pytest.raises(UsageError, match="action must be 'mask' or 'drop'"):
        PersonalDataFilter(action="redact")


def test_the_filter_is_cheap_on_clean_lines() -> None:
    import time

    log_filter = PersonalDataFilter()
    record = logging.makeLogRecord({"msg": "case %s closed for ward %s after %d days",
                                    "args": ("ASB-1042", "Adeyfield East", 12)})
    start = time.perf_counter()
    for _ in range(1000):
        log_filter.filter(record)
    assert (time.perf_counter() - start) / 1000 < 0.001  # well under a millisecond


# -- the documented example, run as a user would ---------------------------------------

def _run(action: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(ROOT), str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, str(EXAMPLE), action], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": path})


def test_the_example_masks() -> None:
    run = _run("mask")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:4] == ["INFO case ASB-1042 closed for ward Adeyfield East",
                         "INFO complaint from d***@e******.c** about noise at HP3 ***",
                         "ERROR callback failed",
                         "Traceback (most recent call last):"]
    assert lines[-2:] == ['    raise ValueError("no reply on ***** ******")',
                          "ValueError: no reply on ***** ******"]
    assert not any(raw in run.stdout + run.stderr for raw in RAW)


def test_the_example_drops() -> None:
    run = _run("drop")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "INFO case ASB-1042 closed for ward Adeyfield East\n"


def _recorded(guard: Guardrail) -> list[tuple[str, str, list[tuple[str, str]]]]:
    seen: list[tuple[str, str, list[tuple[str, str]]]] = []

    class Recorder:
        from guardrail import hookimpl

        @hookimpl
        def guardrail_after_check(self, context, decision):
            seen.append((context.mode, decision.verdict,
                         [(f.rule, f.evidence) for f in decision.findings]))

    guard.registry.pm.register(Recorder(), name="recorder")
    return seen


@pytest.mark.parametrize("mode", ["enforce", "audit"])
def test_each_flagged_record_reaches_the_after_check_hook(mode: str) -> None:
    guard = Guardrail.from_policy("uk-content-scan")
    seen = _recorded(guard)
    capture = Captured(PersonalDataFilter(guard, mode=mode), f"hooked-{mode}")
    capture.log.info("case %s closed", "ASB-1042")
    capture.log.info("callback to %s", "daniel.hughes@example.com")
    assert seen == [(mode, "block", [("email", "d***@e******.c**")])]
    if mode == "audit":
        assert capture.lines() == ["INFO case ASB-1042 closed",
                                   "INFO callback to daniel.hughes@example.com"]
        assert (capture.filter.flagged, capture.filter.masked) == (1, 0)
    else:
        assert capture.lines() == ["INFO case ASB-1042 closed",
                                   "INFO callback to d***@e******.c**"]
        assert (capture.filter.flagged, capture.filter.masked) == (0, 1)


def test_a_record_that_cannot_be_read_is_refused_to_the_hook() -> None:
    guard = Guardrail.from_policy("uk-content-scan")
    seen = _recorded(guard)
    capture = Captured(PersonalDataFilter(guard), "hooked-broken")
    capture.log.info("%d cases", "not a number")
    assert capture.lines() == [f"INFO {UNCHECKED}"]
    assert seen == [("enforce", "block", [])]


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(UsageError, match="mode must be 'enforce' or 'audit'"):
        PersonalDataFilter(mode="dry-run")


def test_a_dropped_record_is_masked_for_every_other_handler() -> None:
    """Records are shared by a logger's handlers: one this filter drops may still reach
    another handler, which must not see (or fail on) the raw values."""
    dropping = Captured(PersonalDataFilter(action="drop"), "guardrail.test.shared-drop")
    other = io.StringIO()
    unfiltered = logging.StreamHandler(other)
    dropping.log.addHandler(unfiltered)
    try:
        dropping.log.info("callback to %s", "daniel.hughes@example.com")
    finally:
        dropping.log.removeHandler(unfiltered)
        dropping.close()
    assert dropping.lines() == [] and dropping.filter.dropped == 1
    assert other.getvalue() == "callback to d***@e******.c**\n"
