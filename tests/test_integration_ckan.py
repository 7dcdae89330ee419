"""guardrail_ckan: the upload check on a real werkzeug FileStorage here, and inside real
CKAN 2.12.0 in a venv of its own.

CKAN pins Flask, SQLAlchemy and more, so it never goes into the interpreter that runs
the rest of the suite: tests/test_integration_ckan_inside.py runs in a venv built from
tests/data/ckan-requirements.txt plus this checkout (editable), kept under
~/.cache/guardrail-tests/ and rebuilt when the pins change (about a minute, once).
``GUARDRAIL_CKAN_PYTHON`` names a ready interpreter instead. Where the venv cannot be
built (no package index), the test skips and says why.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from guardrail import Gate, UsageError

werkzeug = pytest.importorskip("werkzeug.datastructures")

from guardrail_ckan.uploads import UNREADABLE, gate_from_config, judge, uploaded  # noqa: E402

ROOT = Path(__file__).parent.parent
INSIDE = Path(__file__).parent / "test_integration_ckan_inside.py"
CLEAN = b"month,ward,category\r\n2026-08,Adeyfield East,Nuisance\r\n"
LEAKY = b"month,ward,complainant_email\r\n2026-08,Adeyfield East,dh@example.com\r\n"


def _storage(body: bytes, filename: str = "asb.csv",
             content_type: str = "application/vnd.ms-excel") -> object:
    # Browsers on Windows send CSV as application/vnd.ms-excel: the extension decides.
    return werkzeug.FileStorage(io.BytesIO(body), filename=filename,
                                content_type=content_type)


def test_the_package_imports_without_ckan() -> None:
    run = subprocess.run(
        [sys.executable, "-c", "import guardrail_ckan, guardrail_ckan.uploads, sys; "
         "print('ckan' in sys.modules)"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'plugins'}"})
    assert run.returncode == 0, run.stderr
    assert run.stdout == "False\n"


def test_a_leaky_file_is_found_and_the_stream_is_rewound() -> None:
    storage = _storage(LEAKY)
    upload = uploaded({"upload": storage})
    assert upload is not None
    decision = judge(Gate("uk-content-scan"), upload)
    assert [(f.rule, f.record, f.field, f.evidence) for f in decision.findings] == [
        ("uk.field.contact", 0, "complainant_email", "d***@e******.c**")]
    assert Gate.blocks(decision)
    assert storage.stream.read() == LEAKY  # CKAN's uploader still gets every byte


def test_a_clean_file_passes_untouched() -> None:
    storage = _storage(CLEAN)
    upload = uploaded({"upload": storage})
    assert upload is not None
    assert not Gate.blocks(judge(Gate("uk-content-scan"), upload))
    assert storage.stream.read() == CLEAN


def test_a_stream_that_cannot_seek_is_read_and_put_back_whole() -> None:
    class OneWay(io.RawIOBase):
        def __init__(self, body: bytes) -> None:
            self.body = io.BytesIO(body)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            data = self.body.read(len(buffer))
            buffer[:len(data)] = data
            return len(data)

    storage = werkzeug.FileStorage(OneWay(CLEAN), filename="asb.csv")
    upload = uploaded({"upload": storage})
    assert upload is not None and not Gate.blocks(judge(Gate("uk-content-scan"), upload))
    assert storage.stream.read() == CLEAN


def test_a_link_or_an_empty_file_field_uploads_nothing() -> None:
    assert uploaded({"url": "https://example.org/asb.csv"}) is None
    assert uploaded({"url": "https://example.org/asb.csv", "upload": ""}) is None


def test_an_upload_that_is_not_a_file_is_refused() -> None:
    with pytest.raises(ValueError, match="could not read this upload"):
        uploaded({"upload": 42})
    assert "upload" in UNREADABLE


def test_settings_come_from_the_ckan_guardrail_keys() -> None:
    gate = gate_from_config({"ckan.guardrail.policy": "asb-public-web",
                             "ckan.guardrail.destination": "partner-portal",
                             "ckan.guardrail.mode": "audit"})
    assert (gate.destination, gate.mode) == ("partner-portal", "audit")
    with pytest.raises(UsageError, match="set ckan.guardrail.policy"):
        gate_from_config({})


REQUIREMENTS = Path(__file__).parent / "data" / "ckan-requirements.txt"


def _ckan_python() -> str:
    """An interpreter with CKAN 2.12.0 and this checkout installed: built once."""
    if os.environ.get("GUARDRAIL_CKAN_PYTHON"):
        return os.environ["GUARDRAIL_CKAN_PYTHON"]
    pins = REQUIREMENTS.read_bytes()
    tag = hashlib.sha256(pins + str(ROOT).encode()).hexdigest()[:12]
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = home / "guardrail-tests" / f"ckan-{tag}"
    python = folder / "bin" / "python"
    if (folder / "ready").exists():
        return str(python)
    shutil.rmtree(folder, ignore_errors=True)
    venv.create(folder, with_pip=True)
    for step in (["-r", str(REQUIREMENTS)], ["-e", str(ROOT)]):
        run = subprocess.run([str(python), "-m", "pip", "install", "-q",
                              "--disable-pip-version-check", *step],
                             capture_output=True, text=True, timeout=900)
        if run.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip(f"could not build the CKAN venv ({' '.join(step)}): "
                        f"{run.stderr.strip().splitlines()[-1:]}")
    (folder / "ready").write_text("ok\n")
    return str(python)


def test_inside_real_ckan() -> None:
    python = _ckan_python()
    run = subprocess.run(
        # addopts cleared: this checkout's (-n auto) names xdist, which the venv lacks
        [python, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "-p", "no:ckan", "-p", "no:ckan_fixtures", "-W", "ignore::DeprecationWarning",
         str(INSIDE)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'plugins'}"})
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout
