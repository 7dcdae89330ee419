"""Lint findings as SARIF 2.1.0, the format code-scanning services read.

One run, the tool named ``guardrail`` with every lint code as a rule (so a viewer
can show each code's description even when it has no result), and one result per
finding, located by file, line and column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from .lint import LintFinding
from .lint_codes import CODES

__all__ = ["render_sarif", "SARIF_SCHEMA"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render_sarif(findings: Sequence[LintFinding], version: str) -> str:
    """A SARIF 2.1.0 log of *findings*, from guardrail *version*."""
    codes = list(CODES)
    rules = [{"id": code.id, "shortDescription": {"text": code.summary},
              "defaultConfiguration": {"level": code.severity}} for code in CODES.values()]
    results = [{
        "ruleId": f.code,
        "ruleIndex": codes.index(f.code),
        "level": f.severity,
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(f.file)},
            "region": {"startLine": f.line, "startColumn": f.column},
        }}],
    } for f in findings]
    log: dict[str, Any] = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "guardrail", "version": version,
                                "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


def _uri(file: str) -> str:
    """A relative path as a relative URI reference; an absolute one as a file: URI."""
    path = Path(file)
    return path.as_uri() if path.is_absolute() else quote(PurePath(file).as_posix())
