"""``guardrail check FOLDER``: every file in the tree, chosen by globs, summarised per file.

The folder is real (files on disk under tmp_path); the check runs through the CLI and
the API as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import helpers
import pytest
from report_plugins import invoke, report_registry

from guardrail import Guardrail
from guardrail.sources import InFolder, Refused
from guardrail.tree import Selection, expand_folders, glob_matches, scan_folder

HERE = Path(__file__).parent
GOLDEN = HERE / "data" / "reports"
POLICY = str(helpers.NO_DETECTORS)
PNG = b"\x89PNG\r\n\x1a\n\x00\x01\x02\x00\x01\x02\x00\xff\xfe"  # no format claims it


def _formats() -> str:
    return ", ".join(sorted(report_registry().formats))


def _cannot_tell() -> str:
    return ("cannot tell the format (unknown extension and the content matched no format); "
            f"pass --format with one of: {_formats()}; if it is not meant to be checked, "
            "leave it out with --exclude GLOB")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """site/: a clean export, a leaky one under pages/, an image no format reads, a
    leaky draft under drafts/ (to exclude) and a hidden .git folder; the working
    folder is tmp_path so reports name files site/..."""
    root = tmp_path / "site"
    (root / "pages").mkdir(parents=True)
    (root / "drafts").mkdir()
    (root / ".git").mkdir()
    shutil.copy(helpers.CLEAN_EXPORT, root / "clean.csv")
    shutil.copy(helpers.LEAKY_EXPORT, root / "pages" / "leaky.csv")
    shutil.copy(helpers.LEAKY_EXPORT, root / "drafts" / "notes.csv")
    (root / "logo.png").write_bytes(PNG)
    (root / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def test_a_folder_is_checked_file_by_file_and_summarised_per_file_and_rule(site: Path):
    result = invoke("check", "--policy", POLICY, "site", "--exclude", "drafts",
                    "--max-findings", "1")
    assert result.exit_code == 3  # an unreadable file blocks, as a payload error
    assert result.stderr == ("guardrail: checking 3 files (2 left out: hidden, or by "
                             "--include/--exclude)\n")
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        f"BLOCKED: site/logo.png could not be checked: {_cannot_tell()}",
        lines[1],
        "",
        "  site/clean.csv: csv, 61 records, ok",
        f"  site/logo.png: ?, 0 records, UNREADABLE: {_cannot_tell()}",
        "  site/pages/leaky.csv: csv, 61 records, BLOCKED (305 findings)",
    ]
    assert lines[1].startswith("policy asb-no-detectors 1.0.0 (sha256 ")
    assert lines[6:15] == [
        "",
        "Findings by rule and field:",
        "  rule                  field                level             action     count",
        "  asb.field.internal    case_ref             internal          block         61",
        "  uk.field.address      postcode             personal          block         61",
        "  uk.field.free_text    notes                personal          block         61",
        "  uk.field.name_like    complainant_address  personal          block         61",
        "  uk.field.person_name  complainant_name     personal          block         61",
        "  (5 of 305 findings listed in detail; counts are exact)",
    ]
    assert "drafts" not in result.stdout and ".git" not in result.stdout


def test_without_the_unreadable_file_the_folder_blocks_on_findings(site: Path):
    result = invoke("check", "--policy", POLICY, "site", "--exclude", "drafts/**",
                    "--exclude", "*.png", "--report", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(f["file"], f["records"]) for f in report["files"]] == [
        ("site/clean.csv", 61), ("site/pages/leaky.csv", 61)]
    assert report["counts"]["blocking"] == 305


def test_include_narrows_and_exclude_wins(site: Path):
    result = invoke("check", "--policy", POLICY, "site", "--include", "**/*.csv",
                    "--exclude", "pages")
    assert result.exit_code == 1  # drafts/notes.csv is included, pages/ excluded
    assert "  site/drafts/notes.csv: csv, 61 records, BLOCKED (305 findings)" in result.stdout
    assert "site/clean.csv: csv, 61 records, ok" in result.stdout
    assert "pages" not in result.stdout and "logo" not in result.stdout
    assert result.stderr == ("guardrail: checking 2 files (3 left out: hidden, or by "
                             "--include/--exclude)\n")


def test_a_folder_with_nothing_to_check_is_a_usage_error(site: Path):
    result = invoke("check", "--policy", POLICY, "site", "--include", "*.xlsx")
    assert result.exit_code == 2
    assert result.stderr == ("guardrail: error: no file to check in the folder site (5 left "
                             "out: hidden, or by --include/--exclude); check the globs\n")


@pytest.mark.parametrize(("glob", "path", "matches"), [
    ("*.csv", "clean.csv", True),
    ("*.csv", "pages/leaky.csv", True),     # no '/': a name at any depth
    ("pages/*.csv", "pages/leaky.csv", True),
    ("pages/*.csv", "pages/old/leaky.csv", False),  # '*' stays in one folder
    ("pages/**", "pages/old/leaky.csv", True),
    ("**/*.csv", "clean.csv", True),        # '**/' spans zero folders too
    ("**/old/*.csv", "pages/old/a.csv", True),
    ("drafts", "drafts", True),
    ("drafts", "pages/drafts", True),
    ("drafts", "drafts2", False),
    ("page?.csv", "page1.csv", True),
    ("page[0-9].csv", "pagex.csv", False),
    ("page[!0-9].csv", "pagex.csv", True),
    ("a+b(1).csv", "a+b(1).csv", True),     # regex characters are literal
])
def test_glob_semantics(glob: str, path: str, matches: bool):
    assert glob_matches(glob, path) is matches


def test_hidden_files_are_left_out_unless_asked_and_git_always(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref\n", encoding="utf-8")
    (tmp_path / ".well-known").mkdir()
    (tmp_path / ".well-known" / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "b.csv").write_text("a\n1\n", encoding="utf-8")
    plain = scan_folder(tmp_path)
    assert [os.fspath(s) for s in plain.sources] == [str(tmp_path / "b.csv")]
    assert plain.left_out == 2
    hidden = scan_folder(tmp_path, Selection(hidden=True))
    assert [os.fspath(s) for s in hidden.sources] == [
        str(tmp_path / ".well-known" / "a.json"), str(tmp_path / "b.csv")]
    assert hidden.left_out == 1  # .git


def test_symlinks_out_of_the_tree_block_and_inside_are_checked_once(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("name\nx\n", encoding="utf-8")
    root = tmp_path / "site"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.csv").write_text("a\n1\n", encoding="utf-8")
    (root / "linked-out.csv").symlink_to(outside / "secret.csv")
    (root / "linked-dir").symlink_to(outside)
    (root / "linked-in").symlink_to(root / "real")
    (root / "alias.csv").symlink_to(root / "real" / "a.csv")
    (root / "dangling.csv").symlink_to(tmp_path / "gone.csv")
    sources = scan_folder(root).sources
    found = [(type(s).__name__, os.fspath(s) if isinstance(s, InFolder) else s.name)
             for s in sources]
    assert found == [
        ("InFolder", str(root / "alias.csv")),
        ("Refused", str(root / "dangling.csv")),
        ("Refused", str(root / "linked-dir")),
        ("Refused", str(root / "linked-out.csv")),
        ("InFolder", str(root / "real" / "a.csv")),
    ]
    assert all(s.reason.startswith("a symlink to a ") for s in sources
               if isinstance(s, Refused))


def test_the_api_checks_a_folder_file_by_file(site: Path):
    guard = Guardrail.from_policy(POLICY, report_registry())
    decision = guard.check(site / "pages")
    assert [(f.file, f.records, f.error) for f in decision.files] == [
        (str(site / "pages" / "leaky.csv"), 61, None)]
    assert decision.blocking_count == 305
    chosen = expand_folders(site, Selection(exclude=("drafts", "*.png"))).sources
    decision = guard.check(chosen)
    assert [f.file for f in decision.files] == [str(site / "clean.csv"),
                                                str(site / "pages" / "leaky.csv")]


def test_many_files_list_the_blocked_first_and_count_the_clean(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "site"
    root.mkdir()
    for n in range(22):
        shutil.copy(helpers.CLEAN_EXPORT, root / f"month-{n:02d}.csv")
    shutil.copy(helpers.LEAKY_EXPORT, root / "zz-leaky.csv")
    (root / "aa-logo.png").write_bytes(PNG)
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--policy", POLICY, "site")
    lines = result.stdout.splitlines()
    summary = lines[3:lines.index("Findings by rule and field:") - 1]
    golden = (GOLDEN / "folder-summary.txt").read_text(encoding="utf-8")
    assert "\n".join(summary) + "\n" == golden.replace("{formats}", _formats())


def test_globs_without_a_folder_are_a_usage_error(site: Path):
    result = invoke("check", "--policy", POLICY, "site/clean.csv", "--exclude", "*.png")
    assert result.exit_code == 2
    assert result.stderr == ("guardrail: error: --include, --exclude and --hidden choose "
                             "files in a folder, and no path given is a folder: give the "
                             "folder, or drop them\n")


def test_output_file_holds_the_report_and_stdout_stays_empty(site: Path):
    result = invoke("check", "--policy", POLICY, "site/pages", "--report", "sarif",
                    "--output", "scan.sarif")
    assert (result.exit_code, result.stdout) == (1, "")
    log = json.loads((site.parent / "scan.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["properties"]["findingsTotal"] == 305
