"""Shared test fixtures."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import NO_DETECTORS

from guardrail import Guardrail, PolicyError, PolicyProblem


@pytest.fixture(autouse=True)
def _no_guardrail_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own GUARDRAIL_* choices (a policy, a destination, debug output)
    must not change what a test sees."""
    for name in ("GUARDRAIL_POLICY", "GUARDRAIL_DESTINATION", "GUARDRAIL_MODE",
                 "GUARDRAIL_DEBUG", "GUARDRAIL_JOBS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session", autouse=True)
def _decision_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every decision the suite makes (the CLI logs by default) goes to one temporary
    log per test session, never the user's ~/.local/state; subprocesses inherit it.
    XDG_STATE_HOME too, for the tests that run the CLI without GUARDRAIL_* variables."""
    folder = tmp_path_factory.mktemp("decision-log")
    path = folder / "decisions.sqlite"
    chosen = {"GUARDRAIL_LOG": str(path), "XDG_STATE_HOME": str(folder / "state")}
    before = {name: os.environ.get(name) for name in chosen}
    os.environ.update(chosen)
    yield path
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def guard() -> Guardrail:
    """The shipped ASB policy (field rules and every detector), freshly loaded."""
    return Guardrail.from_policy("asb-public-web")


@pytest.fixture
def plain_guard() -> Guardrail:
    """asb-public-web without content detectors, freshly loaded."""
    return Guardrail.from_policy(NO_DETECTORS)


@pytest.fixture
def uk() -> Guardrail:
    """The shipped generic UK policy (uk-personal-data) with every detector, freshly loaded."""
    return Guardrail.from_policy("uk-personal-data")


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[..., Path]:
    """Write a policy given as a (dedented) YAML string under tmp_path; returns its path."""

    def write(text: str, name: str = "policy.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def _problems_of(policy: Path | str) -> tuple[PolicyProblem, ...]:
    with pytest.raises(PolicyError) as caught:
        Guardrail.from_policy(policy)
    return caught.value.problems


@pytest.fixture
def problems_of() -> Callable[[Path | str], tuple[PolicyProblem, ...]]:
    """Load a policy that must be refused; the problems it was refused for."""
    return _problems_of
