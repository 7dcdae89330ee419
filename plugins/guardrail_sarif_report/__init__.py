"""The ``sarif`` report: a check's decision as SARIF 2.1.0, for code-scanning services.

One run. The driver's rules are the rule ids the decision's findings use (and
``guardrail.unreadable`` / ``guardrail.internal-error`` for files that could not be
checked), each with what to do in its help text. Each listed finding is a result:

- level ``error`` when it blocks publication (in audit mode too: the run's
  ``properties.mode`` says nothing was blocked, and the levels show what enforce
  would stop), ``warning`` for a ``warn`` rule or one in audit (staged rollout),
  ``note`` for a finding an exception waived;
- its message holds the field and the core's masked evidence, never a raw value;
- its location is the file (relative to the working folder when under it) and, for
  line-based formats, the line;
- ``partialFingerprints`` hash the file, rule, field, section and record, never the
  value, so a CI service tracks a finding from one run to the next.

Counts are exact in ``properties``; results list what the decision lists (the first
``max_findings`` of each rule).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, TextIO

from guardrail import __version__
from guardrail.plugin import (
    Decision,
    FileResult,
    Finding,
    ReportOptions,
    hookimpl,
    sarif_log,
    sarif_uri,
)

__all__ = ["SarifReporter", "guardrail_register_reporters", "UNREADABLE", "INTERNAL"]

UNREADABLE = "guardrail.unreadable"
INTERNAL = "guardrail.internal-error"
FINGERPRINT = "guardrail/v1"
_UNCLASSIFIED = "field.unclassified"

_HELP = {
    UNREADABLE: ("A file that could not be checked",
                 "The file was not checked, so it blocks. If its format could not be told, "
                 "pass --format; if it is not meant to be published, leave it out of a folder "
                 "check with --exclude GLOB; if it is damaged, export it again."),
    INTERNAL: ("guardrail failed while checking a file",
               "The file was not checked, so it blocks. Run the check again with "
               "GUARDRAIL_DEBUG=1 and report the traceback."),
    _UNCLASSIFIED: ("A field the policy does not classify",
                    "Say what the field holds in the policy's 'fields' (level public lets it "
                    "out), or leave it out of the export."),
}
_FINDING_HELP = ("Leave the value out of what is published, or publish a redacted copy "
                 "(guardrail redact). If it is a false alarm, add an exception with an "
                 "approver and an expiry to the policy.")


class SarifReporter:
    name = "sarif"
    description = "SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one result " \
                  "per listed finding, by file and line"

    def render(self, decision: Decision, out: TextIO, options: ReportOptions) -> None:
        json.dump(sarif_of(decision, os.getcwd()), out, indent=2, ensure_ascii=False)
        out.write("\n")


def sarif_of(decision: Decision, base: str) -> dict[str, Any]:
    """The SARIF log of *decision*; paths under *base* are made relative to it."""
    ids = sorted({kind.rule for kind in decision.counts})
    ids += sorted({_error_rule(result) for result in decision.errors})
    index = {rule: n for n, rule in enumerate(ids)}
    rules = [_descriptor(rule, decision) for rule in ids]
    results = [_error_result(result, index, base) for result in decision.errors]
    results += [_finding_result(finding, index, base) for finding in decision.findings]
    by_rule: dict[str, int] = {}
    for kind, n in decision.counts.items():
        by_rule[kind.rule] = by_rule.get(kind.rule, 0) + n
    policy = decision.policy
    return sarif_log(__version__, rules, results, invocations=[{
        "executionSuccessful": not any(r.error_kind == "internal" for r in decision.errors),
        "exitCode": decision.exit_code,
    }], properties={
        "verdict": decision.verdict,
        "mode": decision.mode,
        "destination": decision.destination,
        "policy": {"name": policy["name"], "version": policy["version"],
                   "sha256": policy["sha256"]},
        "summary": decision.summary(),
        "filesChecked": len(decision.files),
        "findingsTotal": sum(decision.counts.values()),
        "findingsListed": len(decision.findings),
        "findingsByRule": dict(sorted(by_rule.items())),
    })


def _descriptor(rule: str, decision: Decision) -> dict[str, Any]:
    short, help_text = _HELP.get(rule, (f"A value '{decision.destination}' may not receive "
                                        f"({rule})", _FINDING_HELP))
    return {"id": rule, "shortDescription": {"text": short},
            "help": {"text": help_text}}


def _error_rule(result: FileResult) -> str:
    return INTERNAL if result.error_kind == "internal" else UNREADABLE


def _error_result(result: FileResult, index: dict[str, int], base: str) -> dict[str, Any]:
    rule = _error_rule(result)
    return {
        "ruleId": rule, "ruleIndex": index[rule], "level": "error",
        "message": {"text": f"{result.file} could not be checked: {result.error}"},
        "locations": [_location(result.file, None, base)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(result.file, rule)},
    }


def _finding_result(finding: Finding, index: dict[str, int], base: str) -> dict[str, Any]:
    level = "note" if finding.waived_by else "error" if finding.blocking else "warning"
    where = "" if finding.record is None else f"record {finding.record}: "
    text = f"{where}{finding.field} = {finding.evidence or '(value)'}"
    if finding.message:
        text += f" ({finding.message})"
    if finding.waived_by:
        text += f"; waived by {finding.waived_by}"
    result: dict[str, Any] = {
        "ruleId": finding.rule, "ruleIndex": index[finding.rule], "level": level,
        "message": {"text": text},
        "locations": [_location(finding.file, finding.line, base)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(
            finding.file, finding.rule, finding.field, finding.section or "",
            "" if finding.record is None else str(finding.record))},
    }
    if finding.position and finding.line is None:
        result["locations"][0]["message"] = {"text": finding.position}
    return result


def _location(file: str, line: int | None, base: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": sarif_uri(file, base)}}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@hookimpl
def guardrail_register_reporters(register) -> None:
    register(SarifReporter())
