"""Every text format reads UTF-8 with or without a BOM, UTF-16 with a BOM and a named
encoding; undecodable bytes block with their offset, never their content."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

# Each payload holds one personal value (a name field or a name in prose) and an accent,
# so a wrong decoding would show in the findings.
PAYLOADS = {
    "csv": "month,complainant_name\n2026-01,Zoë Quackenbush\n",
    "tsv": "month\tcomplainant_name\n2026-01\tZoë Quackenbush\n",
    "json": '[{"month": "2026-01", "complainant_name": "Zoë Quackenbush"}]',
    "ndjson": '{"month": "2026-01", "complainant_name": "Zoë Quackenbush"}\n'
              '{"month": "2026-02"}\n',
    "yaml": "- month: 2026-01\n  complainant_name: Zoë Quackenbush\n",
    "xml": "<cases><case><month>2026-01</month>"
           "<complainant_name>Zoë Quackenbush</complainant_name></case>"
           "<case><month>2026-02</month></case></cases>",
    "text": "Report for 2026-01\nComplainant: Mrs Zoë Quackenbush\n",
    "markdown": "# Report\n\n| month | complainant_name |\n|---|---|\n"
                "| 2026-01 | Zoë Quackenbush |\n",
}
ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16 (LE, BOM)": lambda text: text.encode("utf-16"),
    "utf-16-be with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}


def _found(decision) -> list[tuple[str, str]]:
    return sorted({(f.field.split(".")[-1], f.evidence) for f in decision.findings
                   if "Q" in f.evidence})


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("fmt", list(PAYLOADS))
def test_each_format_reads_each_encoding(guard, tmp_path: Path, fmt: str, encoding: str):
    path = tmp_path / f"payload.{fmt}"
    path.write_bytes(ENCODINGS[encoding](PAYLOADS[fmt]))
    decision = guard.check(path, format=fmt)
    assert decision.files[0].error is None, decision.files[0].error
    found = _found(decision)
    assert found, decision.findings
    # decoded right: the masked name keeps its shape (a wrong decoding changes lengths)
    assert all("Z** Q**********" in evidence or evidence == "Q**********"
               for _, evidence in found), found


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "ndjson", "yaml", "text", "markdown"])
def test_a_named_encoding_is_used(guard, tmp_path: Path, fmt: str):
    path = tmp_path / f"payload.{fmt}"
    path.write_bytes(PAYLOADS[fmt].encode("cp1252"))
    assert guard.check(path, format=fmt).files[0].error is not None  # not UTF-8
    decision = guard.check(path, format=fmt, encoding="cp1252")
    assert decision.files[0].error is None
    assert _found(decision)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "ndjson", "yaml", "xml", "text",
                                 "markdown"])
def test_undecodable_bytes_block_naming_the_byte_offset(guard, tmp_path: Path, fmt: str):
    body = PAYLOADS[fmt].encode("utf-8")
    offset = body.index("ë".encode()) + 1  # cut the accent in half: \xc3 then garbage
    path = tmp_path / f"payload.{fmt}"
    path.write_bytes(body[:offset - 1] + b"\xc3\x28" + body[offset + 1:])
    decision = guard.check(path, format=fmt)
    assert decision.exit_code == 3
    error = decision.files[0].error
    assert f"byte {offset - 1}" in error, error
    assert "Quackenbush" not in error


@pytest.mark.parametrize("fmt", ["ndjson", "json", "csv"])
def test_undecodable_bytes_in_a_stream_block_as_unreadable(guard, fmt: str):
    """A stream cannot be peeked again once read: the error must not need to (it was an
    internal error, exit 4, for NDJSON on stdin; found by the fuzzing campaign)."""
    import io
    payload = {"ndjson": b'{"month": "2026-01"}\n{"ward": "\xff\xfe"}\n',
               "json": b'[{"month": "2026-01"}, {"ward": "\xff\xfe"}]',
               "csv": b"month,ward\n2026-01,\xff\xfe\n"}[fmt]
    decision = guard.check(io.BytesIO(payload), format=fmt)
    assert decision.exit_code == 3
    assert [f.error_kind for f in decision.files] == ["payload"]
