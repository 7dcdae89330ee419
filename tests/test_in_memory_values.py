"""Values a caller hands over in memory are read, not skipped: an adversarial run
found bytes (a YAML case's !!binary, an API caller's record) let through unscanned."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from guardrail import Guardrail

POLICY = Path(__file__).parent.parent / "examples" / "policy-guide" / "asb-export.yaml"


@pytest.fixture(scope="module")
def guard() -> Guardrail:
    return Guardrail.from_policy(POLICY)


@pytest.mark.parametrize("value", [
    b"Call 07700 900123",
    bytearray(b"Call 07700 900123"),
    memoryview(b"Call 07700 900123"),
    np.str_("Call 07700 900123"),
    b"Call 07700 900123 \xff\xfe",  # undecodable bytes do not hide the readable ones
], ids=["bytes", "bytearray", "memoryview", "numpy-str", "bytes-with-junk"])
def test_a_phone_number_in_any_text_like_value_blocks(guard: Guardrail, value) -> None:
    decision = guard.check([{"month": "2026-11", "outcome": value}], None, "public-web")
    assert [(f.record, f.field, f.rule, f.evidence) for f in decision.findings] == [
        (0, "outcome", "uk.phone", "***** ******")]
    assert "900123" not in str(decision.to_dict())


def test_a_whole_decimal_is_read_as_its_digits(guard: Guardrail) -> None:
    as_int = guard.check([{"month": "2026-11", "outcome": 9434765919}], None, "public-web")
    as_decimal = guard.check([{"month": "2026-11", "outcome": Decimal("9434765919")}],
                             None, "public-web")
    assert [(f.rule, f.evidence) for f in as_decimal.findings] == \
        [(f.rule, f.evidence) for f in as_int.findings] != []


def test_a_case_file_binary_value_is_checked(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from guardrail.cli import cli

    (tmp_path / "case.yaml").write_text(
        f"policy: {POLICY}\ncases:\n  - name: bytes value\n    destination: public-web\n"
        "    records:\n      - {month: 2026-11, outcome: !!binary Q2FsbCAwNzcwMCA5MDAxMjM=}\n"
        "    decision: block\n    findings:\n"
        "      - {record: 0, field: outcome, rule: uk.phone}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(tmp_path / "case.yaml")])
    assert result.exit_code == 0, result.output
