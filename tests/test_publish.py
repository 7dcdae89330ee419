"""guardrail.open_for_publish: a file reaches its place only if the policy allows it.

Each test writes through the real atomic writer into a real folder and looks at what
is in the folder afterwards: the target, and nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from loopback import Recorder

import guardrail
from guardrail import Guardrail, PublishBlocked, UsageError
from guardrail.host.registry import load_registry, make_plugin_manager

CLEAN = "ward,month,count\nBoxmoor,2026-01,12\nGadebridge,2026-01,7\n"
LEAKY = "ward,month,notes\nBoxmoor,2026-01,Called Jane Smith on 07700 900123\n"
OLD = "ward,count\nBoxmoor,3\n"


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_clean_file_is_put_in_place_byte_for_byte(tmp_path):
    target = tmp_path / "wards.csv"
    with guardrail.open_for_publish(target, policy="uk-content-scan") as out:
        out.write(CLEAN)
        assert not target.exists()  # nothing is visible while it is written
    assert target.read_text(encoding="utf-8") == CLEAN
    assert listing(tmp_path) == ["wards.csv"]
    assert out.decision is not None and out.decision.verdict == "allow"
    assert out.closed


def test_bytes_are_written_as_given(tmp_path):
    target = tmp_path / "wards.csv"
    data = CLEAN.replace("\n", "\r\n").encode("utf-8")
    with guardrail.open_for_publish(target, "wb", policy="uk-content-scan") as out:
        out.write(data[:10])
        out.writelines([data[10:]])
    assert target.read_bytes() == data


def test_a_blocked_file_leaves_nothing_and_says_where(tmp_path):
    target = tmp_path / "wards.csv"
    with pytest.raises(PublishBlocked) as raised:
        with guardrail.open_for_publish(target, policy="uk-content-scan") as out:
            out.write(LEAKY)
    assert listing(tmp_path) == []
    decision = raised.value.decision
    assert [(f.file, f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (str(target), 0, "notes", "person.name", "J*** S****")]
    assert "07700" not in str(raised.value) and "Jane" not in str(raised.value)


def test_a_blocked_file_leaves_the_old_target_untouched(tmp_path):
    target = tmp_path / "wards.csv"
    target.write_text(OLD, encoding="utf-8")
    out = guardrail.open_for_publish(target, policy="uk-content-scan")
    out.write(LEAKY)
    with pytest.raises(PublishBlocked):
        out.close()
    assert target.read_text(encoding="utf-8") == OLD
    assert listing(tmp_path) == ["wards.csv"]
    out.close()  # closing again does nothing


def test_a_failing_job_publishes_nothing(tmp_path):
    target = tmp_path / "wards.csv"
    target.write_text(OLD, encoding="utf-8")
    with pytest.raises(RuntimeError, match="export failed"):
        with guardrail.open_for_publish(target, policy="uk-content-scan") as out:
            out.write(CLEAN)
            raise RuntimeError("export failed")
    assert target.read_text(encoding="utf-8") == OLD
    assert listing(tmp_path) == ["wards.csv"]
    assert out.decision is None  # never checked


def test_audit_mode_writes_and_reports_what_enforce_would_block(tmp_path):
    target = tmp_path / "wards.csv"
    with guardrail.open_for_publish(target, policy="uk-content-scan",
                                    check_mode="audit") as out:
        out.write(LEAKY)
    assert target.read_text(encoding="utf-8") == LEAKY
    assert out.decision.mode == "audit"
    assert (out.decision.verdict, out.decision.exit_code) == ("block", 0)


def test_an_unreadable_file_is_never_written_even_in_audit_mode(tmp_path):
    target = tmp_path / "cases.json"
    with pytest.raises(PublishBlocked) as raised:
        with guardrail.open_for_publish(target, policy="uk-content-scan",
                                        check_mode="audit") as out:
            out.write('[{"ward": "Boxmoor", ')  # cut short
    assert raised.value.decision.exit_code == 3
    assert listing(tmp_path) == []


def test_the_target_extension_chooses_the_format(tmp_path):
    # "x" alone in a JSON string is fine; the same bytes under .csv are a CSV header.
    target = tmp_path / "out.json"
    with guardrail.open_for_publish(target, policy="uk-content-scan") as out:
        out.write('[{"ward": "Boxmoor", "count": 12}]')
    assert out.decision.files[0].format == "json"
    assert target.exists()


def test_the_destination_decides(tmp_path):
    internal = "ward,case_ref\nBoxmoor,ASB/2026/000001\n"
    with pytest.raises(PublishBlocked):
        with guardrail.open_for_publish(tmp_path / "a.csv", policy="asb-public-web") as out:
            out.write(internal)
    with guardrail.open_for_publish(tmp_path / "b.csv", policy="asb-public-web",
                                    destination="partner-portal") as out:
        out.write(internal)
    assert listing(tmp_path) == ["b.csv"]


def test_bad_arguments_fail_before_anything_is_written(tmp_path):
    with pytest.raises(UsageError, match="mode must be"):
        guardrail.open_for_publish(tmp_path / "a.csv", "a", policy="uk-content-scan")
    with pytest.raises(UsageError, match="check_mode must be"):
        guardrail.open_for_publish(tmp_path / "a.csv", policy="uk-content-scan",
                                   check_mode="dry")
    with pytest.raises(UsageError, match="no destination 'nowhere'"):
        guardrail.open_for_publish(tmp_path / "a.csv", policy="uk-content-scan",
                                   destination="nowhere")
    with pytest.raises(UsageError, match="give a path"):
        guardrail.open_for_publish("-", policy="uk-content-scan")
    assert listing(tmp_path) == []


def test_writing_after_close_is_an_error(tmp_path):
    out = guardrail.open_for_publish(tmp_path / "a.csv", policy="uk-content-scan")
    out.write(CLEAN)
    out.close()
    with pytest.raises(ValueError, match="closed"):
        out.write(CLEAN)




def test_the_after_check_hook_sees_each_decision(tmp_path):
    recorder = Recorder()
    registry = load_registry(make_plugin_manager(plugins=[("recorder", recorder)]))
    guard = Guardrail.from_policy("uk-content-scan", registry)
    with guardrail.open_for_publish(tmp_path / "a.csv", policy=guard) as out:
        out.write(CLEAN)
    with guardrail.open_for_publish(tmp_path / "b.csv", policy=guard,
                                    check_mode="audit") as out:
        out.write(LEAKY)
    assert recorder.seen == [("enforce", "allow"), ("audit", "block")]


# -- guardrail publish SRC DEST ----------------------------------------------------------

def publish(*args: str):
    from click.testing import CliRunner

    from guardrail.cli import cli

    return CliRunner().invoke(cli, ["publish", "--policy", "uk-content-scan", *args],
                              catch_exceptions=False)


def test_publish_copies_a_clean_file(tmp_path):
    source, target = tmp_path / "src.csv", tmp_path / "site" / "wards.csv"
    source.write_text(CLEAN, encoding="utf-8")
    target.parent.mkdir()
    result = publish(str(source), str(target))
    assert result.exit_code == 0
    assert target.read_bytes() == source.read_bytes()
    assert result.stderr.splitlines()[-1] == f"published to {target}"
    assert listing(target.parent) == ["wards.csv"]


def test_publish_refuses_a_leaky_file_and_writes_nothing(tmp_path):
    source, site = tmp_path / "src.csv", tmp_path / "site"
    source.write_text(LEAKY, encoding="utf-8")
    site.mkdir()
    (site / "wards.csv").write_text(OLD, encoding="utf-8")
    result = publish(str(source), str(site / "wards.csv"))
    assert result.exit_code == 1
    assert (site / "wards.csv").read_text(encoding="utf-8") == OLD
    assert listing(site) == ["wards.csv"]
    assert result.stderr.splitlines()[-1] == "nothing published"
    assert "J*** S****" in result.stderr
    assert "Jane" not in result.stderr and "07700" not in result.stderr


def test_publish_in_audit_mode_publishes_and_reports(tmp_path):
    source, target = tmp_path / "src.csv", tmp_path / "out.csv"
    source.write_text(LEAKY, encoding="utf-8")
    result = publish("--mode", "audit", "--report", "json", str(source), str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == LEAKY
    assert '"decision": "block"' in result.stderr and '"mode": "audit"' in result.stderr


def test_publish_needs_a_readable_source_and_another_target(tmp_path):
    source = tmp_path / "src.csv"
    missing = publish(str(source), str(tmp_path / "out.csv"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    source.write_text(CLEAN, encoding="utf-8")
    same = publish(str(source), str(source))
    assert same.exit_code == 2 and "a target other than its source" in same.stderr
    assert listing(tmp_path) == ["src.csv"]


# -- @guardrail.guard ----------------------------------------------------------------

def test_guard_returns_a_clean_payload_and_refuses_a_leaky_one():
    @guardrail.guard(policy="uk-content-scan")
    def export(text: str) -> bytes:
        """Build the export."""
        return text.encode("utf-8")

    assert export(CLEAN) == CLEAN.encode("utf-8")
    assert export.__name__ == "export" and export.__doc__ == "Build the export."
    with pytest.raises(PublishBlocked) as raised:
        export(LEAKY)
    assert [(f.record, f.field, f.rule) for f in raised.value.decision.findings] == [
        (0, "notes", "person.name")]


def test_guard_checks_the_file_a_function_returns(tmp_path):
    @guardrail.guard(policy="uk-content-scan")
    def export(text: str) -> Path:
        path = tmp_path / "wards.csv"
        path.write_text(text, encoding="utf-8")
        return path

    assert export(CLEAN) == tmp_path / "wards.csv"
    with pytest.raises(PublishBlocked):
        export(LEAKY)


def test_guard_reads_a_generator_of_records_once_and_returns_them():
    calls = []

    @guardrail.guard(policy="uk-content-scan")
    def export():
        calls.append(1)
        yield {"ward": "Boxmoor", "count": 12}
        yield {"ward": "Gadebridge", "count": 7}

    assert export() == [{"ward": "Boxmoor", "count": 12}, {"ward": "Gadebridge", "count": 7}]
    assert calls == [1]


def test_guard_rewinds_a_stream_and_refuses_one_it_cannot_rewind():
    import io

    @guardrail.guard(policy="uk-content-scan", format="csv")
    def export(stream):
        return stream

    stream = export(io.BytesIO(CLEAN.encode("utf-8")))
    assert stream.read() == CLEAN.encode("utf-8")  # open, and read from where it was
    text = io.StringIO("heading\n" + CLEAN)
    text.readline()
    assert export(text).read() == CLEAN
    with pytest.raises(PublishBlocked):
        export(io.StringIO(LEAKY))

    class Pipe(io.RawIOBase):
        def readable(self):
            return True

    with pytest.raises(UsageError, match="cannot be rewound"):
        export(Pipe())


def test_guard_text_is_a_payload_not_a_path():
    @guardrail.guard(policy="uk-content-scan", format="csv")
    def export() -> str:
        return LEAKY

    with pytest.raises(PublishBlocked):
        export()


def test_guard_in_audit_mode_returns_and_the_hook_sees_the_block():
    recorder = Recorder()
    registry = load_registry(make_plugin_manager(plugins=[("recorder", recorder)]))
    checker = Guardrail.from_policy("uk-content-scan", registry)

    @guardrail.guard(policy=checker, mode="audit", format="csv")
    def export() -> bytes:
        return LEAKY.encode("utf-8")

    assert export() == LEAKY.encode("utf-8")
    assert recorder.seen == [("audit", "block")]


def test_guard_wraps_async_export_functions():
    import asyncio

    @guardrail.guard(policy="uk-content-scan", format="csv")
    async def export(text: str) -> bytes:
        return text.encode("utf-8")

    assert asyncio.run(export(CLEAN)) == CLEAN.encode("utf-8")
    with pytest.raises(PublishBlocked):
        asyncio.run(export(LEAKY))


def test_guard_refuses_bad_settings_when_it_decorates():
    with pytest.raises(UsageError, match="mode must be"):
        guardrail.guard(policy="uk-content-scan", mode="dry")
    with pytest.raises(UsageError, match="no destination"):
        guardrail.guard(policy="uk-content-scan", destination="nowhere")


def test_a_file_written_in_another_encoding_is_read_in_it(tmp_path):
    target = tmp_path / "wards.csv"
    text = "ward,note\nBoxmoor,£12 grant – spent\n"
    with guardrail.open_for_publish(target, policy="uk-content-scan",
                                    encoding="cp1252") as out:
        out.write(text)
    assert target.read_bytes() == text.encode("cp1252")
    assert out.decision.verdict == "allow"


def test_a_writer_never_closed_leaves_nothing(tmp_path):
    import gc

    out = guardrail.open_for_publish(tmp_path / "a.csv", policy="uk-content-scan")
    out.write(CLEAN)
    del out
    gc.collect()
    assert listing(tmp_path) == []
