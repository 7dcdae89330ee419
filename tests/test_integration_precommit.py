"""The pre-commit hooks in .pre-commit-hooks.yaml, run by the real ``pre-commit`` tool in
a throwaway git repository: a commit of a leaky data file is refused, a clean one lands.

pre-commit installs guardrail from a git repository into a virtualenv of its own, as it
does for a user; the repository here is a copy of this working tree, so the hooks under
test are the ones on disk. Building that environment takes a while, so one module-scoped
repository serves every test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PRE_COMMIT = shutil.which("pre-commit")
pytestmark = pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None,
                                reason="needs the pre-commit tool and git")
CLEAN = (ROOT / "examples" / "asb-export-clean.csv").read_bytes()
LEAKY = (ROOT / "examples" / "asb-export-leaky.csv").read_bytes()


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=True)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GUARDRAIL_"))}
    env.update(PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t", PYTHONPATH="")
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree's files, committed: what a user's
    `repo:` would point at."""
    repo = tmp_path_factory.mktemp("guardrail-hooks")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "hooks")
    return repo, _git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(tmp_path: Path, hook_repo: tuple[Path, str], home: Path, hook: str) -> Path:
    repo, rev = hook_repo
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n")
    subprocess.run([PRE_COMMIT, "install"], cwd=project, env=_env(home), check=True,
                   capture_output=True, timeout=120)
    _git(project, "add", ".pre-commit-config.yaml")
    subprocess.run(["git", "commit", "-q", "--no-verify", "-m", "hooks"], cwd=project,
                   env=_env(home), check=True, capture_output=True, timeout=120)
    return project


def _commit(project: Path, home: Path, name: str, data: bytes) -> subprocess.CompletedProcess:
    (project / name).write_bytes(data)
    _git(project, "add", name)
    return subprocess.run(["git", "commit", "-q", "-m", f"add {name}"], cwd=project,
                          env=_env(home), capture_output=True, text=True, timeout=900)


def _committed(project: Path) -> list[str]:
    shown = subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True)
    return shown.stdout.split()


def test_a_leaky_file_is_refused_and_a_clean_one_lands(tmp_path, hook_repo, home) -> None:
    project = _project(tmp_path, hook_repo, home, "guardrail-check")
    refused = _commit(project, home, "cases.csv", LEAKY)
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "guardrail check (block data files that break the policy)" in output
    assert "Failed" in output and "BLOCKED" in output
    assert "complainant_name" in output
    for raw in ("Daniel Hughes", "Galley Hill", "07700 900795", "HP3 9SY"):
        assert raw not in output
    assert _git(project, "log", "--format=%s").stdout == "hooks\n"  # nothing committed

    _git(project, "rm", "-q", "--cached", "cases.csv")
    landed = _commit(project, home, "summary.csv", CLEAN)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert _committed(project) == [".pre-commit-config.yaml", "summary.csv"]


def test_files_that_are_not_data_are_not_checked(tmp_path, hook_repo, home) -> None:
    project = _project(tmp_path, hook_repo, home, "guardrail-check")
    landed = _commit(project, home, "notes.py", b"# Daniel Hughes, 07700 900795\n")
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert "(no files to check)Skipped" in landed.stdout + landed.stderr


def test_the_audit_hook_reports_and_lets_the_commit_through(tmp_path, hook_repo,
                                                             home) -> None:
    project = _project(tmp_path, hook_repo, home, "guardrail-audit")
    landed = _commit(project, home, "cases.csv", LEAKY)
    output = landed.stdout + landed.stderr
    assert landed.returncode == 0, output
    assert "audit" in output.lower() and "complainant_name" in output
    assert "Daniel Hughes" not in output
    assert "cases.csv" in _committed(project)
