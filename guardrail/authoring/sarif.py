"""Lint findings as SARIF 2.1.0, the format code-scanning services read.

One run, the tool named ``guardrail`` with every lint code as a rule (so a viewer
can show each code's description even when it has no result), and one result per
finding, located by file, line and column. The envelope is shared with the ``sarif``
reporter (:mod:`guardrail.contract.sarif`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from guardrail.contract.sarif import SARIF_SCHEMA, sarif_log, sarif_uri

from .lint import LintFinding
from .lint_codes import CODES

__all__ = ["render_sarif", "SARIF_SCHEMA"]


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
            "artifactLocation": {"uri": sarif_uri(f.file)},
            "region": {"startLine": f.line, "startColumn": f.column},
        }}],
    } for f in findings]
    log = sarif_log(version, rules, results)
    return json.dumps(log, indent=2) + "\n"

