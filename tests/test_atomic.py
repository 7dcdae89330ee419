"""guardrail.atomic: a file is written whole or not at all, and no temporary file outlives
its run; another live run's temporary file is never removed."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guardrail import UsageError
from guardrail.atomic import STALE_AFTER, AtomicFile, atomic_output, remove_stale, unnamed
from guardrail.atomic import file as atomic_file
from guardrail.atomic.names import host_tag, parse, temp_name
from guardrail.atomic.stale import hold_lock

LINUX = sys.platform.startswith("linux")
needs_tmpfile = pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="no O_TMPFILE")


@pytest.fixture
def named(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a platform or file system without unnamed temporary files."""
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@needs_tmpfile
def test_the_copy_has_no_name_until_it_is_committed(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with AtomicFile(target) as out:
        out.stream.write(b"a,b\n1,2\n")
        assert out.unnamed
        assert out.finish().read_bytes() == b"a,b\n1,2\n"  # read back, to be checked
        assert _names(tmp_path) == []
        out.commit()
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert _names(tmp_path) == ["out.csv"]


@pytest.mark.parametrize("mode", ["unnamed", "named"])
def test_an_error_leaves_nothing_and_the_old_file_untouched(tmp_path: Path, mode: str,
                                                            request: pytest.FixtureRequest
                                                            ) -> None:
    if mode == "named":
        request.getfixturevalue("named")
    target = tmp_path / "out.csv"
    for existing in (None, b"previous export\n"):
        if existing is not None:
            target.write_bytes(existing)
        with pytest.raises(RuntimeError), atomic_output(target) as stream:
            stream.write(b"half a ")
            stream.flush()
            raise RuntimeError("disk went away")
        assert _names(tmp_path) == ([] if existing is None else ["out.csv"])
        assert existing is None or target.read_bytes() == existing


@pytest.mark.parametrize("mode", ["unnamed", "named"])
def test_a_new_file_gets_the_umask_mode_and_a_replaced_one_keeps_its_own(
        tmp_path: Path, mode: str, request: pytest.FixtureRequest) -> None:
    if mode == "named":
        request.getfixturevalue("named")
    previous = os.umask(0o027)
    try:
        with atomic_output(tmp_path / "new.csv") as stream:
            stream.write(b"new\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640
    old = tmp_path / "old.csv"
    old.write_bytes(b"old\n")
    old.chmod(0o604)
    inode = old.stat().st_ino
    with atomic_output(old) as stream:
        stream.write(b"replaced\n")
    assert old.read_bytes() == b"replaced\n"
    assert stat.S_IMODE(old.stat().st_mode) == 0o604
    assert old.stat().st_ino != inode  # renamed into place, not rewritten in place
    assert _names(tmp_path) == ["new.csv", "old.csv"]


def test_without_o_tmpfile_the_copy_has_a_marked_locked_name(tmp_path: Path,
                                                             named: None) -> None:
    target = tmp_path / "out.csv"
    with AtomicFile(target) as out:
        assert not out.unnamed and out.temp_path is not None
        (temp,) = _names(tmp_path)
        assert temp.startswith(".out.csv.guardrail-tmp.")
        assert parse(temp) is not None and parse(temp).pid == os.getpid()
        assert remove_stale(tmp_path, "out.csv", stale_after=0) == []  # its writer is here
        out.stream.write(b"x\n")
        assert out.finish() == tmp_path / temp
        out.commit()
    assert _names(tmp_path) == ["out.csv"]


@needs_tmpfile
@pytest.mark.parametrize("refusal", [errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL,
                                     errno.EACCES])
def test_a_file_system_that_refuses_unnamed_files_gets_the_named_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusal: int) -> None:
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(refusal, os.strerror(refusal))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    if refusal == errno.EACCES:  # a real problem, not a missing feature: said, not hidden
        with pytest.raises(UsageError, match="cannot write to .*Permission denied"):
            AtomicFile(tmp_path / "out.csv")
    else:
        with AtomicFile(tmp_path / "out.csv") as out:
            assert not out.unnamed
            out.stream.write(b"x\n")
            out.commit()
        assert (tmp_path / "out.csv").read_bytes() == b"x\n"
    assert _names(tmp_path) == ([] if refusal == errno.EACCES else ["out.csv"])


@needs_tmpfile
def test_a_failed_rename_over_the_target_removes_the_marked_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"previous export\n")

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    with AtomicFile(target) as out:
        out.stream.write(b"new\n")
        monkeypatch.setattr(os, "replace", failing)
        with pytest.raises(UsageError, match="cannot write .*Input/output error"):
            out.commit()
    assert _names(tmp_path) == ["out.csv"]
    assert target.read_bytes() == b"previous export\n"


def test_stdout_gets_the_whole_copy_at_commit_and_the_folder_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    monkeypatch.chdir(tmp_path)
    with AtomicFile("-") as out:
        out.stream.write(b"a,b\n")
        assert capsysbinary.readouterr().out == b""
        out.commit()
    assert capsysbinary.readouterr().out == b"a,b\n"
    with pytest.raises(RuntimeError), atomic_output("-") as stream:
        stream.write(b"half")
        raise RuntimeError
    assert capsysbinary.readouterr().out == b""
    assert _names(tmp_path) == []


def test_what_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "cases.csv"
    source.write_bytes(b"a\n")
    (tmp_path / "folder").mkdir()
    with pytest.raises(UsageError, match="it is the input being read"):
        AtomicFile(source, inputs=[b"bytes", "-", source])
    with pytest.raises(UsageError, match="exists and is not a regular file"):
        AtomicFile(tmp_path / "folder")
    with pytest.raises(UsageError, match="folder .* does not exist"):
        AtomicFile(tmp_path / "missing" / "out.csv")
    assert _names(tmp_path) == ["cases.csv", "folder"]


def test_a_symlinked_target_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "out.csv").write_bytes(b"old\n")
    (tmp_path / "out.csv").symlink_to(tmp_path / "real" / "out.csv")
    with atomic_output(tmp_path / "out.csv") as stream:
        stream.write(b"new\n")
    assert (tmp_path / "out.csv").is_symlink()
    assert (tmp_path / "real" / "out.csv").read_bytes() == b"new\n"


@pytest.mark.skipif(os.name != "posix", reason="PIDs and locks as on POSIX")
def test_stale_copies_go_and_live_or_unknown_ones_stay(tmp_path: Path) -> None:
    def make(name: str, age: float = 0.0) -> str:
        path = tmp_path / name
        path.write_bytes(b"half a copy")
        if age:
            os.utime(path, (time.time() - age, time.time() - age))
        return name

    tag, dead = host_tag(), _dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.05)
        gone = {
            make(f".out.csv.guardrail-tmp.{dead}-{tag}.0123abcd"),  # its writer died
            make(f".x.guardrail-tmp.{dead}-{tag}.0123abcd"),  # any target's
            make(f".out.csv.guardrail-tmp.{dead}-0badc0de.0123abcd", STALE_AFTER + 60),
            make(".out.csv.k3j5h2_a.tmp", STALE_AFTER + 60),  # guardrail 0.1's
        }
        if LINUX:  # the PID now belongs to a process younger than the file
            gone.add(make(f".out.csv.guardrail-tmp.{sleeper.pid}-{tag}.4567cdef", 3600))
        kept = {
            make(f".out.csv.guardrail-tmp.{sleeper.pid}-{tag}.0123abcd"),  # alive
            make(f".out.csv.guardrail-tmp.{dead}-0badc0de.89abcdef"),  # another machine's
            make(".out.csv.z9y8x7w6.tmp"),  # 0.1's, maybe still being written
            make(".other.csv.k3j5h2_a.tmp", STALE_AFTER + 60),  # 0.1's for another target
            make(f"out.csv.guardrail-tmp.{dead}-{tag}.0123abcd"),  # not ours: no dot
            make("notes.txt", STALE_AFTER + 60),
        }
        held = tmp_path / make(f".held.guardrail-tmp.{dead}-{tag}.0123abcd")
        with held.open("rb") as handle:  # a writer holding its lock is alive, whatever
            hold_lock(handle.fileno())  # its name says
            assert sorted(remove_stale(tmp_path, "out.csv")) == sorted(gone)
        assert set(_names(tmp_path)) == kept | {held.name}
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.skipif(not LINUX, reason="SIGKILL and /proc")
def test_a_concurrent_run_spares_a_live_copy_and_the_next_removes_a_killed_one(
        tmp_path: Path, named: None) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import os, sys\n"
         "del os.O_TMPFILE\n"
         "from guardrail.atomic import AtomicFile\n"
         "out = AtomicFile(sys.argv[1]).__enter__()\n"
         "out.stream.write(b'half a copy'); out.finish()\n"
         "print(out.temp_path.name, flush=True); sys.stdin.read()\n",
         str(tmp_path / "out.csv")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        theirs = writer.stdout.readline().strip()  # type: ignore[union-attr]
        with atomic_output(tmp_path / "out.csv") as stream:  # the run beside it
            stream.write(b"ours\n")
        assert _names(tmp_path) == sorted([theirs, "out.csv"])
    finally:
        writer.kill()
        writer.wait()
    with atomic_output(tmp_path / "out.csv") as stream:  # the next run
        stream.write(b"next\n")
    assert _names(tmp_path) == ["out.csv"]


def test_temporary_names_fit_and_are_recognised(tmp_path: Path) -> None:
    long = "é" * 120 + ".csv"  # 244 bytes: the marked name must stay under 255
    name = temp_name(long)
    assert len(os.fsencode(name)) <= 255
    assert parse(name) == parse(temp_name("out.csv")) is not None
    with atomic_output(tmp_path / long) as stream:
        stream.write(b"x")
    assert _names(tmp_path) == [long]


def test_a_committed_file_cannot_be_committed_again(tmp_path: Path) -> None:
    with AtomicFile(tmp_path / "out.csv") as out:
        out.commit()
        with pytest.raises(ValueError, match="already committed or discarded"):
            out.finish()


@needs_tmpfile
def test_unnamed_files_are_refused_quietly_only_for_missing_support(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        fd = unnamed.open_unnamed(folder)
        assert fd is not None
        os.close(fd)
        monkeypatch.setattr(atomic_file, "open_unnamed", lambda fd: None)
        with AtomicFile(tmp_path / "out.csv") as out:
            assert not out.unnamed
    finally:
        os.close(folder)
