"""The ``text`` report, for a person: verdict, counts by rule and field, examples, and
what to do next."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, TextIO

from guardrail.plugin import Decision, Finding, ReportOptions, hookimpl, write_next_steps

from .impact import write_impact

__all__ = ["TextReporter", "guardrail_register_reporters"]



class TextReporter:
    name = "text"
    description = "Human-readable report: verdict, counts by rule and field, first records"

    def render(self, decision: Decision, out: TextIO, options: ReportOptions) -> None:
        write = out.write
        policy = decision.policy
        verdict = decision.summary()
        if decision.mode == "audit":
            verdict = f"AUDIT (dry run, nothing was blocked): would be {verdict}"
        elif decision.mode == "redact":
            verdict = ("REDACT: what the original held; the copy replaces or removes each "
                       "value as the policy's action says, and a value whose action is "
                       "'block' stops it\n" + verdict)
        write(f"{verdict}\n")
        write(f"policy {policy['name']} {policy['version']} (sha256 {policy['sha256'][:12]}), "
              f"destination {decision.destination}\n\n")
        for line in _file_lines(decision):
            write(line)
        _canaries(decision, out)
        write_impact(decision, out)
        rows = decision.grouped_counts()
        if rows:
            write("\nFindings by rule and field:\n")
            width_rule = max(len("rule"), *(len(r["rule"]) for r in rows))
            width_field = min(40, max(len("field"), *(len(r["field"]) for r in rows)))
            write(f"  {'rule':<{width_rule}}  {'field':<{width_field}}  {'level':<16}  "
                  f"{'action':<6}  {'count':>8}\n")
            also = _also_found(decision.findings)
            for row in rows:
                note = f"  (by the {row['waived_by']})" if row.get("waived_by") else ""
                found = also.get((row["rule"], row["field"]))
                if found:
                    # the deciding rule is listed; what else the value held must not hide
                    note += f"  (values also held: {', '.join(found)})"
                write(f"  {row['rule']:<{width_rule}}  {row['field']:<{width_field}}  "
                      f"{row['level']:<16}  {_action(row):<6}  {row['count']:>8}{note}\n")
            total = sum(r["count"] for r in rows)
            if total > len(decision.findings):
                write(f"  ({len(decision.findings)} of {total} findings listed in detail; "
                      "counts are exact)\n")
        self._examples(decision.findings, out, options.examples)
        if decision.notices:
            write("\nNotices:\n")
            for notice in decision.notices:
                write(f"  - {notice}\n")
        write_next_steps(decision, out)

    @staticmethod
    def _examples(findings: list[Finding], out: TextIO, limit: int) -> None:
        records: OrderedDict[tuple[str, str | None, int | None], list[Finding]] = OrderedDict()
        for finding in findings:
            key = (finding.file, finding.section, finding.record)
            if key not in records and len(records) >= limit:
                continue
            records.setdefault(key, []).append(finding)
        if not records:
            return
        out.write(f"\nFirst {len(records)} record{'s' if len(records) != 1 else ''} "
                  "with findings (evidence is masked):\n")
        for (file, section, record), items in records.items():
            if record is None:
                where = "outside the records" if section else "document"
            else:
                where = f"{section} record {record}" if section else f"record {record}"
            position = items[0].position
            out.write(f"  {file} {where}{f' ({position})' if position else ''}:\n")
            for finding in items:
                # a waived finding does not block: say so rather than show a bare "block"
                waived = ", waived" if finding.waived_by else ""
                also = f"; also {', '.join(finding.also)}" if finding.also else ""
                if finding.found_by == "neighbours":  # say which two fields were read
                    also += f"; {finding.message}"
                out.write(f"    {finding.field} = {finding.evidence or '(value)'}  "
                          f"[{finding.rule}, {finding.level}, {finding.action}{waived}"
                          f"{also}]\n")


def _action(row: dict[str, Any]) -> str:
    """What the row's findings do: a waived row blocks nothing, so it does not say block."""
    return "waived" if row.get("waived_by") else row["action"]


def _canaries(decision: Decision, out: TextIO) -> None:
    """Say plainly that a planted identity was seen: the scheduled test export's
    expected result, or a real export that carries test rows."""
    hits = decision.canary_hits
    if not hits:
        return
    outcome = "which would have blocked it (audit mode)" if decision.mode == "audit" \
        else "which blocked it as it should"
    out.write("\n")
    for canary_id, count in hits.items():
        out.write(f"canary {canary_id} seen in {count} value{'s' if count != 1 else ''}: a "
                  f"planted test identity reached this check, {outcome}\n")


def _also_found(findings: list[Finding]) -> dict[tuple[str, str], list[str]]:
    """Per rule and field pattern of the listed findings, the other rules that matched
    the same values (an unclassified 'officer' column that also held a phone number)."""
    found: dict[tuple[str, str], dict[str, None]] = {}
    for finding in findings:
        if finding.also:
            key = (finding.rule, finding.field_pattern)  # as counts show it
            found.setdefault(key, {}).update(dict.fromkeys(finding.also))
    return {key: list(rules) for key, rules in found.items()}


_ALL_FILES = 20  # beyond this many files, clean ones are counted rather than listed
_RANK = {"UNREADABLE": 0, "BLOCKED": 1}


def _file_lines(decision: Decision) -> list[str]:
    """One line per file; for a folder of many files, the unreadable and blocked ones
    first, then those with warnings, and the clean ones as a count."""
    # Per file (blocking, warning, in audit, waived), in one pass over the counts: a
    # folder of thousands of files must not cost files x kinds.
    per_file: dict[str, list[int]] = {}
    for kind, n in decision.counts.items():
        tally = per_file.setdefault(kind.file, [0, 0, 0, 0])
        # Findings of rules in audit (staged rollout) are non-blocking like warnings,
        # but say what will block once the rule enforces: counted on their own.
        tally[3 if kind.waived_by else 0 if kind.blocking else 2 if kind.action == "audit"
              else 1] += n
    lines: list[tuple[int, str]] = []
    for result in decision.files:
        blocking, warning, audit, waived = per_file.get(result.file, (0, 0, 0, 0))
        if result.error:
            status = f"UNREADABLE: {result.error}"
        elif blocking:
            status = f"BLOCKED ({blocking} finding{'s' if blocking != 1 else ''})"
        else:
            status = "ok"
        extras = ", ".join(part for part in (
            f"{warning} warning{'s' if warning != 1 else ''}" if warning else "",
            f"{audit} in audit" if audit else "",
            f"{waived} waived" if waived else "") if part)
        rank = _RANK.get(status.split(" ")[0].rstrip(":"), 2 if extras else 3)
        lines.append((rank, f"  {result.file}: {result.format or '?'}, {result.records} "
                            f"records, {status}{' (' + extras + ')' if extras else ''}\n"))
    if len(lines) <= _ALL_FILES:
        return [line for _, line in lines]
    clean = sum(1 for rank, _ in lines if rank == 3)
    shown = [line for _, line in sorted((item for item in lines if item[0] < 3),
                                        key=lambda item: item[0])]
    if clean:
        shown.append(f"  and {clean} more file{'s' if clean != 1 else ''} ok\n")
    return shown


@hookimpl
def guardrail_register_reporters(register) -> None:
    register(TextReporter())
