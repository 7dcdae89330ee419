"""Redaction: the copy holds the policy's action for every finding, or nothing is written."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import signal
import stat
import types
from pathlib import Path

import pytest

from guardrail import Guardrail, PluginFault, UsageError, hookimpl
from guardrail.contract.protocols import Limits
from guardrail.host.registry import load_registry, make_plugin_manager
from guardrail.masking import is_redacted, mask_text

CASES = (
    "month,ward,complainant_name,notes,ethnicity,count\n"
    "2026-01,Boxmoor,Zebedee Quackenbush,Noise from the flat; call 07700 900123,White,7\n"
    "2026-02,Apsley,,Litter on the green,,2\n"
    "2026-03,Boxmoor,,Dog fouling,,9\n"
)


def _policy(write_policy, actions: str, extra: str = "") -> Path:
    return write_policy(f"""\
        apiVersion: guardrail/v1
        kind: Policy
        metadata: {{name: redact-test, version: "1"}}
        extends: asb-public-web
        destinations:
          public-web:
            max_level: public
            actions: {{{actions}}}
        fields:
          - id: test.notes_are_prose
            name: [notes]
            level: public
        {extra}
        """)


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text(CASES, encoding="utf-8")
    return path


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_redact_replaces_fields_and_found_spans_and_the_copy_passes(write_policy, payload,
                                                                    tmp_path):
    guard = Guardrail.from_policy(_policy(
        write_policy, "internal: redact, personal: redact, special-category: drop"))
    out = tmp_path / "out.csv"
    result = guard.redact(payload, out)
    assert result.written and result.exit_code == 0, result.reason
    assert _rows(out) == [
        ["month", "ward", "complainant_name", "notes", "count"],
        ["2026-01", "Boxmoor", "[REDACTED]",
         "Noise from the flat; call [REDACTED]", "7"],
        ["2026-02", "Apsley", "", "Litter on the green", "[REDACTED]"],  # asb.small_count
        ["2026-03", "Boxmoor", "", "Dog fouling", "9"],
    ]
    assert result.verification is not None and result.verification.allowed
    assert guard.check(out).allowed  # the copy passes on its own
    assert result.decision.files[0].records == 3
    assert result.changed == 4  # name, phone, small count, and the ethnicity cell dropped
    rules = {(f.record, f.field, f.rule, f.action) for f in result.decision.findings}
    assert (0, "ethnicity", "uk.field.special_category", "drop") in rules
    assert (0, "notes", "uk.phone", "redact") in rules
    # the report masks what it found, as a check does
    assert "Quackenbush" not in repr(result.decision.to_dict())


def test_mask_keeps_the_first_character_of_each_word(write_policy, payload, tmp_path):
    guard = Guardrail.from_policy(_policy(
        write_policy, "internal: mask, personal: mask, special-category: mask"))
    out = tmp_path / "out.csv"
    assert guard.redact(payload, out).written
    rows = _rows(out)
    assert rows[1] == ["2026-01", "Boxmoor", "Z****** Q**********",
                       "Noise from the flat; call ***** ******", "W****", "7"]
    assert rows[2][5] == "*"  # a one-digit small count leaves no digit behind
    assert guard.check(out).allowed


def test_hash_is_keyed_hmac_sha256_and_needs_a_key(write_policy, payload, tmp_path,
                                                    monkeypatch):
    guard = Guardrail.from_policy(_policy(
        write_policy, "internal: hash, personal: hash, special-category: drop"))
    out = tmp_path / "out.csv"
    result = guard.redact(payload, out, hash_key=b"s3cret")
    assert result.written, result.reason
    expected = "hmac-sha256:" + hmac.new(b"s3cret", b"Zebedee Quackenbush",
                                         hashlib.sha256).hexdigest()
    assert _rows(out)[1][2] == expected
    assert guard.check(out).allowed
    # the environment variable is the default key
    monkeypatch.setenv("GUARDRAIL_HASH_KEY", "s3cret")
    again = tmp_path / "again.csv"
    assert guard.redact(payload, again).written
    assert _rows(again)[1][2] == expected
    # no key: a usage error, and nothing written
    monkeypatch.delenv("GUARDRAIL_HASH_KEY")
    missing = tmp_path / "missing.csv"
    with pytest.raises(UsageError, match="GUARDRAIL_HASH_KEY"):
        guard.redact(payload, missing)
    assert not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.csv", "cases.csv",
                                                           "out.csv", "policy.yaml"]


def test_drop_removes_the_column_and_the_json_key(write_policy, tmp_path):
    guard = Guardrail.from_policy(_policy(
        write_policy, "internal: drop, personal: drop, special-category: drop"))
    source = tmp_path / "cases.json"
    source.write_text(json.dumps([
        {"month": "2026-01", "ward": "Boxmoor", "complainant_name": "Zebedee Quackenbush",
         "notes": "Noise; call 07700 900123", "count": 7},
        {"month": "2026-02", "ward": "Apsley", "count": 9},
    ]), encoding="utf-8")
    out = tmp_path / "out.json"
    assert guard.redact(source, out).written
    assert json.loads(out.read_text(encoding="utf-8")) == [
        {"month": "2026-01", "ward": "Boxmoor", "count": 7},
        {"month": "2026-02", "ward": "Apsley", "count": 9},
    ]


def test_block_action_writes_nothing_and_keeps_the_old_file(guard, payload, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("previous export\n", encoding="utf-8")
    result = guard.redact(payload, out)  # asb-public-web: every action is block
    assert not result.written
    assert result.exit_code == 1
    assert "'block'" in result.reason
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "out.csv"]


def test_unreadable_payload_writes_nothing(write_policy, tmp_path):
    guard = Guardrail.from_policy(_policy(write_policy, "personal: redact"))
    source = tmp_path / "bad.csv"
    source.write_text('month,ward\n2026-01,"Boxmoor\n', encoding="utf-8")
    result = guard.redact(source, tmp_path / "out.csv")
    assert result.exit_code == 3
    assert result.reason.startswith("bad.csv could not be read: line 2: malformed CSV") or \
        "malformed CSV" in result.reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "policy.yaml"]


def _guard_with(policy: Path, name: str, module: object) -> Guardrail:
    import guardrail_csv
    import guardrail_policies
    import guardrail_uk_detectors

    pm = make_plugin_manager(entry_points=False, plugins=[
        ("csv", guardrail_csv), ("uk", guardrail_uk_detectors),
        ("policies", guardrail_policies), (name, module)])
    return Guardrail.from_policy(policy, load_registry(pm))


class _CarelessFormat:
    """A writer that ignores the redactor: its copy still holds the data."""

    name = "careless"
    extensions = (".careless",)
    description = "test"

    def sniff(self, head: bytes) -> int:
        return 0

    def read(self, payload, options):
        import guardrail_csv
        return guardrail_csv.CsvFormat("x", (), ",", "").read(payload, options)

    def redact(self, payload, options, redactor, out) -> None:
        with payload.open_binary() as stream:
            out.write(stream.read())


class _FailingFormat(_CarelessFormat):
    name = "failing"

    def redact(self, payload, options, redactor, out) -> None:
        out.write(b"month,ward\n2026-01,Box")
        raise RuntimeError("disk went away")


def _plugin(fmt: object) -> object:
    @hookimpl
    def guardrail_register_formats(register) -> None:
        register(fmt)
    return types.SimpleNamespace(guardrail_register_formats=guardrail_register_formats)


def test_a_copy_that_still_fails_the_policy_is_not_written(write_policy, payload, tmp_path):
    guard = _guard_with(_policy(write_policy, "personal: redact, special-category: redact, "
                                              "internal: redact"),
                        "careless", _plugin(_CarelessFormat()))
    out = tmp_path / "out.csv"
    result = guard.redact(payload, out, format="careless")
    assert not result.written and result.exit_code == 1
    assert result.verification is not None and not result.verification.allowed
    assert result.reason.startswith("the redacted copy still fails the policy (BLOCKED:")
    # The copy is read from a file with no name yet; reports call it what it would be.
    assert [f.file for f in result.verification.files] == [str(out)]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "policy.yaml"]


def test_a_writer_that_fails_half_way_leaves_no_partial_file(write_policy, payload, tmp_path):
    guard = _guard_with(_policy(write_policy, "personal: redact"), "failing",
                        _plugin(_FailingFormat()))
    out = tmp_path / "out.csv"
    out.write_text("previous export\n", encoding="utf-8")
    with pytest.raises(PluginFault) as caught:
        guard.redact(payload, out, format="failing")
    assert caught.value.exit_code == 4
    assert str(caught.value).startswith("plugin 'failing' (format 'failing', redact() in "
                                        "test_redaction) raised RuntimeError;")
    assert "disk went away" not in str(caught.value)  # faults never quote anything
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "out.csv",
                                                           "policy.yaml"]


def test_a_format_without_a_writer_is_a_usage_error(write_policy, payload, tmp_path):
    class ReadOnly(_CarelessFormat):
        name = "readonly"
        redact = None  # type: ignore[assignment]

    fmt = ReadOnly()
    del_attr = types.SimpleNamespace(name="readonly", extensions=(), description="",
                                     sniff=fmt.sniff, read=fmt.read)
    guard = _guard_with(_policy(write_policy, "personal: redact"), "readonly",
                        _plugin(del_attr))
    with pytest.raises(UsageError, match="format 'readonly' cannot write redacted copies; "
                                         "formats that can: csv, tsv"):
        guard.redact(payload, tmp_path / "out.csv", format="readonly")
    assert not (tmp_path / "out.csv").exists()


def test_warn_and_waived_findings_are_left_as_they_are(write_policy, payload, tmp_path):
    guard = Guardrail.from_policy(_policy(
        write_policy, "internal: redact, personal: warn, special-category: redact",
        extra="""exceptions:
          - field: ethnicity
            reason: agreed for this test
            approved_by: DPO
            expires: 2999-01-01
        """))
    out = tmp_path / "out.csv"
    result = guard.redact(payload, out)
    assert result.written, result.reason
    assert _rows(out)[1] == ["2026-01", "Boxmoor", "Zebedee Quackenbush",
                             "Noise from the flat; call 07700 900123", "White", "7"]


def test_tsv_ndjson_and_json_in_an_object_round_trip(write_policy, tmp_path):
    guard = Guardrail.from_policy(_policy(
        write_policy, "internal: redact, personal: redact, special-category: redact"))
    tsv = tmp_path / "cases.tsv"
    tsv.write_text("month\tcomplainant_name\tnotes\n2026-01\tAnn Other\tcall 07700 900123\n",
                   encoding="utf-8")
    ndjson = tmp_path / "cases.ndjson"
    ndjson.write_text('{"month": "2026-01", "complainant_name": "Ann Other"}\n\n'
                      '{"month": "2026-02", "notes": "at SW1A 1AA"}\n', encoding="utf-8")
    nested = tmp_path / "cases.json"
    nested.write_text(json.dumps({"month": "2026-03", "cases": [
        {"month": "2026-01", "complainant_name": "Ann Other"}]}), encoding="utf-8")
    for source in (tsv, ndjson, nested):
        out = tmp_path / f"out{source.suffix}"
        result = guard.redact(source, out)
        assert result.written, (source, result.reason)
        assert guard.check(out).allowed
    with (tmp_path / "out.tsv").open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle, delimiter="\t")) == [
            ["month", "complainant_name", "notes"],
            ["2026-01", "[REDACTED]", "call [REDACTED]"]]
    lines = (tmp_path / "out.ndjson").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"month": "2026-01", "complainant_name": "[REDACTED]"},
        {"month": "2026-02", "notes": "at [REDACTED]"}]
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == {
        "month": "2026-03",
        "cases": [{"month": "2026-01", "complainant_name": "[REDACTED]"}]}


def test_check_accepts_redaction_output_and_nothing_that_merely_looks_like_it(
        write_policy, tmp_path):
    def allowed(actions: str, value: str, column: str = "complainant_name") -> bool:
        guard = Guardrail.from_policy(_policy(write_policy, actions))
        return guard.check(f"month,{column}\n2026-01,{value}\n".encode(),
                           format="csv").allowed

    token = "hmac-sha256:" + "ab" * 32
    assert allowed("personal: redact", "[REDACTED]")
    assert allowed("personal: mask", "Z****** Q**********")
    assert allowed("personal: hash", token)
    # the shape of another action's output is not enough
    assert not allowed("personal: redact", token)
    assert not allowed("personal: hash", "Z****** Q**********")
    # nothing that merely looks like redaction output
    assert not allowed("personal: mask", "Z")  # an initial is still a clue
    assert not allowed("personal: mask", "Zebedee Q**********")
    assert not allowed("personal: mask", "Z*_e*_b*_e*")  # spells a name
    assert not allowed("personal: hash", "hmac-sha256:abc")
    assert not allowed("personal: redact", "[redacted] Zebedee")
    # a field whose action is not hash does not accept hash-shaped values
    assert not allowed("personal: redact", "hmac-sha256:9434765919" + "0" * 54,
                       column="nhs_number")


def test_masking_is_idempotent_so_a_masked_value_is_recognised():
    for text in ("Zebedee Quackenbush", "07700 900123", "1980-01-02", "HP3 9AB", "J"):
        masked = mask_text(text)
        assert mask_text(masked) == masked
        assert is_redacted(masked)
    assert mask_text("J. Smith") == "*. S****"


def test_cli_redact_writes_to_stdout_and_reports_on_stderr(write_policy, payload, tmp_path):
    from click.testing import CliRunner

    from guardrail.cli import cli

    policy = _policy(write_policy, "internal: redact, personal: redact, "
                                   "special-category: redact")
    runner = CliRunner()
    result = runner.invoke(cli, ["redact", "--policy", str(policy), str(payload), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "2026-01,Boxmoor,[REDACTED],Noise from the flat; call [REDACTED],[REDACTED],7")
    assert result.stderr.splitlines()[-1].startswith("REDACTED: 4 values replaced")
    assert "Quackenbush" not in result.stderr
    # the report is about the original, and says so; nothing is left to do
    assert result.stderr.startswith("REDACT: what the original held; the copy replaces")
    assert result.stderr.splitlines()[1].startswith("BLOCKED: 4 findings")
    assert "What to do next" not in result.stderr
    assert '"mode": "redact"' in runner.invoke(cli, [
        "redact", "--policy", str(policy), "--report", "json", str(payload), "-o",
        str(tmp_path / "y.csv")]).stderr
    blocked = runner.invoke(cli, ["redact", "--policy", "asb-public-web", str(payload),
                                  "-o", str(tmp_path / "x.csv")])
    assert blocked.exit_code == 1
    assert blocked.stderr.splitlines()[-1].startswith("NOT WRITTEN: the policy's action")
    assert not (tmp_path / "x.csv").exists()


def test_payload_over_the_file_size_limit_blocks(plain_guard, tmp_path):
    body = b"month,ward\n" + b"2026-01,Boxmoor\n" * 100
    expected = ("the payload exceeds the file size limit of 1,000 bytes; the payload is "
                "blocked. If it is genuine, raise the limit with --max-file-size")
    path = tmp_path / "big.csv"
    path.write_bytes(body)
    for source in (path, body, io.BytesIO(body)):
        decision = plain_guard.check(source, format="csv", limits=Limits(max_file_bytes=1000))
        assert decision.exit_code == 3
        assert decision.files[0].error == expected
    assert plain_guard.check(path, limits=Limits(max_file_bytes=len(body))).allowed


def test_cli_limit_flags_take_sizes_with_units(tmp_path):
    from click.testing import CliRunner

    from guardrail.cli import cli

    path = tmp_path / "big.csv"
    path.write_bytes(b"month,ward\n" + b"2026-01,Boxmoor\n" * 100)
    runner = CliRunner()
    small = runner.invoke(cli, ["check", "-p", "asb-public-web", "--max-file-size", "1K",
                                str(path)])
    assert small.exit_code == 3
    assert "file size limit of 1,024 bytes" in small.stdout
    assert runner.invoke(cli, ["check", "-p", "asb-public-web", "--max-file-size", "2k",
                               str(path)]).exit_code == 0
    bad = runner.invoke(cli, ["check", "-p", "asb-public-web", "--max-file-size", "lots",
                              str(path)])
    assert bad.exit_code == 2
    assert "'lots' is not a size; write e.g. 500000, 64M or 2G" in bad.stderr


def test_a_value_found_only_once_its_neighbour_is_redacted_is_redacted_too(write_policy,
                                                                           tmp_path):
    # Next to "12 Council Road" the phone detector is unsure of the number (a council's
    # line?); once the address is redacted it is sure. The redactor re-checks what it
    # wrote, so the copy does not fail its own check.
    guard = Guardrail.from_policy(_policy(write_policy, "internal: redact, personal: redact"))
    source = tmp_path / "cases.csv"
    source.write_text('month,notes\n2026-01,"Noise at 12 Council Road, call 07700 900111"\n',
                      encoding="utf-8")
    out = tmp_path / "out.csv"
    result = guard.redact(source, out)
    assert result.written, result.reason
    assert _rows(out)[1] == ["2026-01", "Noise at [REDACTED], call [REDACTED]"]
    assert [(f.field, f.rule) for f in result.decision.findings] == [
        ("notes", "uk.street_address")]  # what the payload held, reported once


def test_whole_floats_hash_like_the_integer_a_csv_would_hold(write_policy, tmp_path):
    guard = Guardrail.from_policy(_policy(write_policy, "internal: hash, personal: hash"))
    source = tmp_path / "cases.json"
    source.write_text('[{"month": "2026-01", "complainant_name": 7700900123.0}]',
                      encoding="utf-8")
    out = tmp_path / "out.json"
    assert guard.redact(source, out, hash_key=b"k").written
    token = "hmac-sha256:" + hmac.new(b"k", b"7700900123", hashlib.sha256).hexdigest()
    assert json.loads(out.read_text(encoding="utf-8")) == [
        {"month": "2026-01", "complainant_name": token}]


class _KilledFormat(_CarelessFormat):
    """Writes part of a copy, then the process is told to stop (a deploy, a timeout)."""

    name = "killed"

    def redact(self, payload, options, redactor, out) -> None:
        out.write(b"month,ward\n2026-01,Box")
        out.flush()
        os.kill(os.getpid(), signal.SIGTERM)


def test_a_terminated_redaction_leaves_no_unchecked_copy(write_policy, payload, tmp_path):
    guard = _guard_with(_policy(write_policy, "personal: redact"), "killed",
                        _plugin(_KilledFormat()))
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped:
        guard.redact(payload, tmp_path / "out.csv", format="killed")
    assert stopped.value.code == 128 + signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "policy.yaml"]
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is put back


def test_a_new_copy_gets_the_usual_file_mode(write_policy, payload, tmp_path):
    guard = Guardrail.from_policy(_policy(write_policy, "internal: redact, personal: redact, "
                                                        "special-category: redact"))
    previous = os.umask(0o022)
    try:
        assert guard.redact(payload, tmp_path / "out.csv").written
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o644


def test_an_output_that_is_a_folder_is_a_usage_error(write_policy, payload, tmp_path):
    guard = Guardrail.from_policy(_policy(write_policy, "personal: redact"))
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match="it exists and is not a regular file"):
        guard.redact(payload, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "out", "policy.yaml"]


def test_the_copy_may_not_replace_the_payload_it_is_made_from(write_policy, payload, tmp_path):
    guard = Guardrail.from_policy(_policy(write_policy, "personal: redact"))
    with pytest.raises(UsageError, match="it is the input being read"):
        guard.redact(payload, tmp_path / "." / "cases.csv")
    assert payload.read_text(encoding="utf-8") == CASES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "policy.yaml"]
