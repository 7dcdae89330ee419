"""The ``junit`` report: a check as JUnit XML, one test case per file, for CI test views.

One ``testsuite`` named after the policy and destination. Each checked file is a
``testcase`` (classname ``guardrail.check``):

- a file with blocking findings is a ``failure`` whose message is the file's verdict
  and whose text lists its findings by rule and field (exact counts) and the listed
  ones with the core's masked evidence, never a raw value;
- a file that could not be read (or checked) is an ``error``: it blocks too;
- in audit mode nothing is blocked, so a file with would-have-blocked findings passes,
  and what enforce would have done goes to its ``system-out`` (an unreadable file is
  still an error: audit does not make an unchecked file publishable);
- warnings and waived findings never fail a case; they are listed in ``system-out``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any, TextIO

from guardrail.plugin import Decision, Finding, ReportOptions, hookimpl

__all__ = ["JunitReporter", "junit_suite", "guardrail_register_reporters"]

CLASSNAME = "guardrail.check"
# What XML 1.0 cannot hold; never expected here (names and evidence come screened and
# masked from the core), but a report must stay parseable whatever it is given.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class JunitReporter:
    name = "junit"
    description = "JUnit XML for CI test views: one test case per file, blocked files fail"

    def render(self, decision: Decision, out: TextIO, options: ReportOptions) -> None:
        suite = junit_suite(decision)
        suites = ET.Element("testsuites", {key: suite.get(key, "0")
                                           for key in ("tests", "failures", "errors")})
        suites.append(suite)
        ET.indent(suites)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(ET.tostring(suites, encoding="unicode"))
        out.write("\n")


def junit_suite(decision: Decision) -> ET.Element:
    """The ``testsuite`` element of *decision*."""
    per_file = _per_file(decision)
    audit = decision.mode == "audit"
    failures = errors = 0
    cases = []
    for result in decision.files:
        case = ET.Element("testcase", {"classname": CLASSNAME, "name": _text(result.file)})
        kinds, listed = per_file.get(result.file, (Counter(), []))
        blocking = sum(n for (_, _, _, _, blocks), n in kinds.items() if blocks)
        if result.error:
            errors += 1
            kind = "internal" if result.error_kind == "internal" else "unreadable"
            ET.SubElement(case, "error", {"type": kind, "message": _text(
                f"UNREADABLE: {result.file} could not be checked: {result.error}")})
        elif blocking and not audit:
            failures += 1
            failure = ET.SubElement(case, "failure", {"type": "blocked", "message": _text(
                f"BLOCKED: {_plural(blocking, 'finding')} may not go to "
                f"'{decision.destination}'")})
            failure.text = _text(_listing(kinds, listed))
            kinds = Counter()  # listed in the failure
        if kinds:
            head = (f"AUDIT (dry run, nothing was blocked): would be BLOCKED: "
                    f"{_plural(blocking, 'finding')}\n" if audit and blocking else "")
            ET.SubElement(case, "system-out").text = _text(head + _listing(kinds, listed))
        cases.append(case)
    policy = decision.policy
    suite = ET.Element("testsuite", {
        "name": _text(f"guardrail {policy['name']} {policy['version']} -> "
                      f"{decision.destination}"),
        "tests": str(len(cases)), "failures": str(failures), "errors": str(errors),
        "skipped": "0", "timestamp": decision.checked_at[:19],
    })
    properties = ET.SubElement(suite, "properties")
    for name, value in (("verdict", decision.verdict), ("mode", decision.mode),
                        ("destination", decision.destination),
                        ("policy", str(policy["name"])),
                        ("policy.version", str(policy["version"])),
                        ("policy.sha256", str(policy["sha256"]))):
        ET.SubElement(properties, "property", {"name": name, "value": _text(value)})
    suite.extend(cases)
    return suite


Key = tuple[str, str, str, str, bool]  # rule, field, level, action (+ waived), blocking


def _per_file(decision: Decision) -> dict[str, tuple[Counter[Key], list[Finding]]]:
    """Per file, exact counts by rule and field, and the listed findings: one pass
    over the counts and one over the findings, however many files."""
    found: dict[str, tuple[Counter[Key], list[Finding]]] = {}
    for kind, n in decision.counts.items():
        action = f"{kind.action}, waived by {kind.waived_by}" if kind.waived_by else kind.action
        found.setdefault(kind.file, (Counter(), []))[0][
            (kind.rule, kind.field, kind.level, action, kind.blocking)] += n
    for finding in decision.findings:
        found.setdefault(finding.file, (Counter(), []))[1].append(finding)
    return found


def _listing(kinds: Counter[Key], listed: list[Finding]) -> str:
    lines = ["Findings by rule and field (exact counts):"]
    for (rule, field, level, action, _), n in sorted(kinds.items(),
                                                       key=lambda item: (-item[1], item[0])):
        lines.append(f"  {rule}  {field}  {level}  {action}  {n}")
    if listed:
        lines.append(f"First {len(listed)} listed (evidence is masked):")
        for finding in listed:
            where = "document" if finding.record is None else f"record {finding.record}"
            if finding.position:
                where += f" ({finding.position})"
            lines.append(f"  {where}: {finding.field} = {finding.evidence or '(value)'}  "
                         f"[{finding.rule}, {finding.level}, {finding.action}"
                         f"{', waived' if finding.waived_by else ''}]")
    return "\n".join(lines) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _text(value: Any) -> str:
    return _NOT_XML.sub("?", str(value))


@hookimpl
def guardrail_register_reporters(register) -> None:
    register(JunitReporter())
