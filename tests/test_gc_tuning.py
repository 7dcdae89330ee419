"""The collector threshold is raised during a check and restored after, even on errors."""

from __future__ import annotations

import gc

import pytest

from guardrail.engine.gc_tuning import fewer_collections


@pytest.fixture
def default_threshold():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_raised_while_checks_run_and_restored_by_the_last(default_threshold) -> None:
    with fewer_collections():
        assert gc.get_threshold()[0] == 20_000
        with fewer_collections():  # a concurrent check
            assert gc.get_threshold()[0] == 20_000
        assert gc.get_threshold()[0] == 20_000
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_after_an_error(default_threshold) -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_disabled_or_higher_threshold_is_left_alone(default_threshold) -> None:
    gc.set_threshold(0)
    with fewer_collections():
        assert gc.get_threshold()[0] == 0
    gc.set_threshold(100_000, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 100_000
    assert gc.get_threshold() == (100_000, 10, 10)


def _threshold_while_reading(**options) -> list[int]:
    """The collector's first threshold while a check of a small CSV reads it."""
    from guardrail import Guardrail

    guard = Guardrail.from_policy("uk-personal-data")
    during = []
    real = guard.registry.formats["csv"].read

    def read(payload, read_options):
        during.append(gc.get_threshold()[0])
        return real(payload, read_options)

    guard.registry.formats["csv"].read = read
    guard.check(b"notes\nhello\n", format="csv", **options)
    return during


def test_a_check_runs_with_the_raised_threshold_when_asked(default_threshold) -> None:
    assert _threshold_while_reading(tune_gc=True) == [20_000]
    assert gc.get_threshold() == (700, 10, 10)


def test_a_library_check_leaves_the_collector_alone(default_threshold) -> None:
    """A web server calling check() must not have its process-wide settings changed."""
    assert _threshold_while_reading() == [700]


def test_the_cli_checks_with_the_raised_threshold(default_threshold, tmp_path,
                                                  monkeypatch) -> None:
    from click.testing import CliRunner

    from guardrail.cli import cli
    from guardrail.engine import gc_tuning

    seen = []
    real = gc_tuning.fewer_collections

    def spy(enabled=True):
        seen.append(enabled)
        return real(enabled)

    monkeypatch.setattr("guardrail.runner.fewer_collections", spy)
    payload = tmp_path / "ok.csv"
    payload.write_text("month\n2026-01\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "-p", "uk-personal-data", str(payload)])
    assert result.exit_code == 1, result.output  # month is not classified by this policy
    assert seen == [True]
