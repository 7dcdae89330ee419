"""``df.guardrail``: check, enforce and the guarded writers of pandas and polars frames.

Every writer writes through ``guardrail.open_for_publish``: a leaky frame leaves no
file (and an existing one untouched), a clean one is written byte for byte as the
library writes it directly, and audit mode writes both while the after-check hook sees
the would-be block. docs/integrations.md's example is run as a user would run it.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import guardrail_dataframes
import pandas as pd
import polars as pl
import pytest
from guardrail_dataframes.policies import guardrail_for
from loopback import Recorder

from guardrail import Guardrail, Limits, PublishBlocked, UsageError
from guardrail.host.registry import load_registry, make_plugin_manager

EXAMPLE = Path(__file__).parent.parent / "examples" / "integrations" / "dataframes.py"
CLEAN = {"month": ["2026-08", "2026-06"], "ward": ["Adeyfield East", "Boxmoor"],
         "count": [12, 40]}
LEAKY = {**CLEAN, "complainant_name": ["Daniel Hughes", "Jack Davies"]}
RAW = ("Daniel", "Hughes", "Jack", "Davies")
EXPECTED = [("uk.field.person_name", 0, "complainant_name", "D***** H*****"),
            ("uk.field.person_name", 1, "complainant_name", "J*** D*****")]




@pytest.fixture(scope="module", autouse=True)
def accessors() -> None:
    guardrail_dataframes.register_pandas()
    guardrail_dataframes.register_polars()


@pytest.fixture()
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture()
def guard(recorder) -> Guardrail:
    """asb-public-web with a fresh plugin manager that records every decision."""
    registry = load_registry(make_plugin_manager(plugins=[("recorder", recorder)]))
    return Guardrail.from_policy("asb-public-web", registry)


def found(decision) -> list[tuple[str, int | None, str, str]]:
    return sorted((f.rule, f.record, f.field, f.evidence) for f in decision.findings)


def assert_no_raw(text: str) -> None:
    for raw in RAW:
        assert raw not in text


# -- writers: (frame maker, guarded writer, direct writer, file name) ---------------------

PANDAS_WRITERS = {
    "to_csv": (lambda f, p, **k: f.guardrail.to_csv(p, index=False, **k),
               lambda f, p: f.to_csv(p, index=False), "out.csv"),
    "to_csv-tsv": (lambda f, p, **k: f.guardrail.to_csv(p, sep="\t", index=False, **k),
                   lambda f, p: f.to_csv(p, sep="\t", index=False), "out.tsv"),
    "to_json": (lambda f, p, **k: f.guardrail.to_json(p, orient="records", **k),
                lambda f, p: f.to_json(p, orient="records"), "out.json"),
    "to_json-lines": (
        lambda f, p, **k: f.guardrail.to_json(p, orient="records", lines=True, **k),
        lambda f, p: f.to_json(p, orient="records", lines=True), "out.ndjson"),
    "to_parquet": (lambda f, p, **k: f.guardrail.to_parquet(p, index=False, **k),
                   lambda f, p: f.to_parquet(p, index=False), "out.parquet"),
}
POLARS_WRITERS = {
    "write_csv": (lambda f, p, **k: f.guardrail.write_csv(p, **k),
                  lambda f, p: f.write_csv(p), "out.csv"),
    "write_json": (lambda f, p, **k: f.guardrail.write_json(p, **k),
                   lambda f, p: f.write_json(p), "out.json"),
    "write_ndjson": (lambda f, p, **k: f.guardrail.write_ndjson(p, **k),
                     lambda f, p: f.write_ndjson(p), "out.ndjson"),
    "write_parquet": (lambda f, p, **k: f.guardrail.write_parquet(p, **k),
                      lambda f, p: f.write_parquet(p), "out.parquet"),
}
WRITERS = {**{name: (pd.DataFrame, *how) for name, how in PANDAS_WRITERS.items()},
           **{name: (pl.DataFrame, *how) for name, how in POLARS_WRITERS.items()}}


@pytest.mark.parametrize("name", WRITERS)
def test_a_clean_frame_is_written_as_the_library_writes_it(guard, recorder, tmp_path,
                                                           name) -> None:
    make, guarded, direct, file = WRITERS[name]
    frame = make(CLEAN)
    decision = guarded(frame, tmp_path / file, policy=guard, destination="public-web")
    assert decision.allowed and decision.files[0].records == 2
    direct(frame, tmp_path / f"direct-{file}")
    assert (tmp_path / file).read_bytes() == (tmp_path / f"direct-{file}").read_bytes()
    assert recorder.seen == [("enforce", "allow")]


@pytest.mark.parametrize("name", WRITERS)
def test_a_leaky_frame_writes_nothing_and_leaves_a_file_untouched(guard, recorder, tmp_path,
                                                                 name) -> None:
    make, guarded, _, file = WRITERS[name]
    with pytest.raises(PublishBlocked) as blocked:
        guarded(make(LEAKY), tmp_path / file, policy=guard, destination="public-web")
    assert list(tmp_path.iterdir()) == []
    assert [(f.record, f.field) for f in blocked.value.decision.findings] == [
        (0, "complainant_name"), (1, "complainant_name")]
    assert_no_raw(str(blocked.value) + repr(blocked.value.decision.findings))
    (tmp_path / file).write_bytes(b"yesterday's publication")
    with pytest.raises(PublishBlocked):
        guarded(make(LEAKY), tmp_path / file, policy=guard, destination="public-web")
    assert (tmp_path / file).read_bytes() == b"yesterday's publication"
    assert [p.name for p in tmp_path.iterdir()] == [file]
    assert recorder.seen == [("enforce", "block"), ("enforce", "block")]


@pytest.mark.parametrize("name", WRITERS)
def test_audit_mode_writes_and_the_hook_sees_the_would_be_block(guard, recorder, tmp_path,
                                                                name) -> None:
    make, guarded, direct, file = WRITERS[name]
    frame = make(LEAKY)
    decision = guarded(frame, tmp_path / file, policy=guard, destination="public-web",
                       check_mode="audit")
    assert decision.verdict == "block" and decision.exit_code == 0
    direct(frame, tmp_path / f"direct-{file}")
    assert (tmp_path / file).read_bytes() == (tmp_path / f"direct-{file}").read_bytes()
    assert recorder.seen == [("audit", "block")]


def test_excel_workbooks_are_checked_and_written_only_if_allowed(guard, tmp_path) -> None:
    target = tmp_path / "out.xlsx"
    with pytest.raises(PublishBlocked) as blocked:
        pd.DataFrame(LEAKY).guardrail.to_excel(target, index=False, policy=guard)
    assert list(tmp_path.iterdir()) == []
    assert [(f.record, f.field) for f in blocked.value.decision.findings] == [
        (0, "complainant_name"), (1, "complainant_name")]
    decision = pd.DataFrame(CLEAN).guardrail.to_excel(target, index=False, policy=guard)
    assert decision.allowed
    # A workbook records when it was made, so its bytes differ from one write to the
    # next: what it holds is compared instead.
    assert pd.read_excel(target, engine="openpyxl").to_dict("list") == CLEAN


@pytest.mark.skipif(find_spec("xlsxwriter") is not None, reason="xlsxwriter is installed")
def test_polars_excel_needs_xlsxwriter_and_says_so(guard, tmp_path) -> None:
    with pytest.raises(UsageError, match="pip install xlsxwriter"):
        pl.DataFrame(CLEAN).guardrail.write_excel(tmp_path / "out.xlsx", policy=guard)
    assert list(tmp_path.iterdir()) == []


def test_the_index_pandas_writes_is_checked_too(guard, tmp_path) -> None:
    # to_csv writes the index by default, as an unnamed column no policy lists
    with pytest.raises(PublishBlocked) as blocked:
        pd.DataFrame(CLEAN).guardrail.to_csv(tmp_path / "out.csv", policy=guard)
    assert [(f.rule, f.record) for f in blocked.value.decision.findings][:1] == [
        ("field.unclassified", 0)]
    assert list(tmp_path.iterdir()) == []


def test_what_cannot_be_read_is_refused_in_audit_mode_too(guard, recorder, tmp_path) -> None:
    tiny = {"limits": Limits(max_file_bytes=10)}
    with pytest.raises(PublishBlocked) as blocked:
        pd.DataFrame(CLEAN).guardrail.to_csv(tmp_path / "out.csv", index=False, policy=guard,
                                             check_mode="audit", check_options=tiny)
    assert blocked.value.decision.exit_code == 3
    assert list(tmp_path.iterdir()) == []


def test_options_a_checked_file_cannot_honour_are_refused(guard, tmp_path) -> None:
    frame = pd.DataFrame(CLEAN)
    with pytest.raises(UsageError, match="cannot take mode='a'"):
        frame.guardrail.to_csv(tmp_path / "out.csv", mode="a", policy=guard)
    with pytest.raises(UsageError, match="cannot take compression='gzip'"):
        frame.guardrail.to_csv(tmp_path / "out.csv", compression="gzip", policy=guard)
    assert list(tmp_path.iterdir()) == []


# -- check and enforce ----------------------------------------------------------------

@pytest.mark.parametrize("make", [pd.DataFrame, pl.DataFrame], ids=["pandas", "polars"])
def test_check_and_enforce_on_the_accessor(guard, recorder, make) -> None:
    leaky = make(LEAKY)
    decision = leaky.guardrail.check(guard, destination="public-web")
    assert found(decision) == EXPECTED
    with pytest.raises(PublishBlocked) as blocked:
        leaky.guardrail.enforce(guard)
    assert found(blocked.value.decision) == EXPECTED
    assert_no_raw(str(blocked.value))
    audited = leaky.guardrail.enforce(guard, mode="audit")
    assert audited.verdict == "block" and audited.exit_code == 0
    assert make(CLEAN).guardrail.enforce(policy=guard, destination="internal").allowed
    assert recorder.seen == [("enforce", "block"), ("enforce", "block"), ("audit", "block"),
                             ("enforce", "allow")]


def test_a_policy_named_is_loaded_once(tmp_path) -> None:
    assert guardrail_for("asb-public-web") is guardrail_for("asb-public-web")
    frame = pd.DataFrame(CLEAN)
    assert frame.guardrail.check("asb-public-web").allowed
    guard = guardrail_for("asb-public-web")
    assert guardrail_for(guard) is guard
    with pytest.raises(UsageError, match="'nowhere'"):
        frame.guardrail.check("asb-public-web", destination="nowhere")


def test_accessors_exist_only_once_registered() -> None:
    code = ("import pandas as pd, polars as pl, guardrail, guardrail_dataframes\n"
            "guardrail.Guardrail.from_policy('asb-public-web').check(pd.DataFrame())\n"
            "before = hasattr(pd.DataFrame(), 'guardrail'), hasattr(pl.DataFrame(), "
            "'guardrail')\n"
            "guardrail_dataframes.register_pandas(); guardrail_dataframes.register_pandas()\n"
            "guardrail_dataframes.register_polars(); guardrail_dataframes.register_polars()\n"
            "print(before, hasattr(pd.DataFrame(), 'guardrail'), "
            "hasattr(pl.DataFrame(), 'guardrail'))")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(False, False) True True"


# -- the documented example -----------------------------------------------------------

def _example(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True,
                          text=True, timeout=120)


def test_the_example_publishes_a_clean_frame(tmp_path) -> None:
    target = tmp_path / "cases.csv"
    run = _example("clean", str(target))
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"published {target}\n"
    assert target.read_bytes() == b"month,ward,category,count\n2026-08,Adeyfield East,Nuisance,12\n"


def test_the_example_leaves_nothing_for_a_leaky_frame(tmp_path) -> None:
    target = tmp_path / "cases.csv"
    run = _example("leaky", str(target))
    assert run.returncode == 1
    assert run.stdout == ("BLOCKED: 1 finding may not go to 'public-web' "
                          "(fields: complainant_name)\n")
    assert_no_raw(run.stdout + run.stderr)
    assert list(tmp_path.iterdir()) == []
