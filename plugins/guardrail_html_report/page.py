"""The HTML document: banner, files, charts, the table of affected records and its
filters, in one self-contained page.

Everything shown comes from the :class:`Decision` as the core gives it: evidence
already masked, file and field names already screened. Every string still goes through
:func:`html.escape` (a field name can be ``<script>``), and no JSON or text is placed
inside the ``<script>``: the script reads the table the page shows, so nothing from the
decision can close it.
"""

from __future__ import annotations

import base64
import hashlib
import textwrap
from collections import Counter
from collections.abc import Iterable
from html import escape
from importlib import resources

from guardrail.plugin import Decision, FileResult, Finding, next_steps

from .charts import bar_chart, level_class
from .impact import impact_section

__all__ = ["render_page", "verdict_of"]

_LEVEL_ORDER = ("special-category", "personal", "internal", "public")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def verdict_of(decision: Decision) -> tuple[str, str]:
    """The banner's words and its CSS class: BLOCKED, ALLOWED, or in audit mode what
    enforce would have done (an unreadable payload blocks in either mode)."""
    if decision.mode == "audit" and not decision.errors:
        if decision.allowed:
            return "AUDIT: would be ALLOWED", "allow"
        return "AUDIT: would be BLOCKED", "audit"
    return ("ALLOWED", "allow") if decision.allowed else ("BLOCKED", "block")


def render_page(decision: Decision) -> str:
    """The whole report as one HTML string."""
    style, script = _asset("report.css"), _asset("report.js")
    # Only this style and this script may run; nothing may be fetched (fonts, images,
    # frames, connections): the page works from a file, offline, and leaks nothing.
    csp = (f"default-src 'none'; style-src {_csp_hash(style)}; "
           f"script-src {_csp_hash(script)}; img-src 'none'; base-uri 'none'; "
           "form-action 'none'")
    words, tone = verdict_of(decision)
    title = f"guardrail: {words} for {decision.destination} ({decision.policy['name']})"
    body = "".join((
        _banner(decision, words, tone),
        "<main>",
        impact_section(decision),
        _files(decision),
        _charts(decision),
        _notices(decision),
        _waivers(decision),
        _records(decision),
        _next(decision, tone),
        "</main>",
        '<footer>Made by guardrail. Evidence is masked and names are screened by '
        "guardrail before they reach this report; no value is shown in full. This page is "
        "self-contained and makes no network requests.</footer>",
    ))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{style}</style></head>\n"
        f'<body>{body}<script>{script}</script></body></html>\n'
    )


def _banner(decision: Decision, words: str, tone: str) -> str:
    policy = decision.policy
    summary = decision.summary().split(": ", 1)[-1]
    total = sum(decision.counts.values())
    records = sum(f.records for f in decision.files)
    sha = str(policy.get("sha256", ""))
    facts = (
        ("Policy", f'{escape(str(policy["name"]))} {escape(str(policy["version"]))} '
                   f'<span class="sha" title="sha256 {escape(sha)}">sha256 {escape(sha[:12])}'
                   "</span>"),
        ("Destination", escape(decision.destination)),
        ("Mode", escape(decision.mode)),
        ("Checked at", f"<time>{escape(decision.checked_at)}</time>"),
        ("Records", f"{records:,} in {len(decision.files):,} "
                    f"file{'s' if len(decision.files) != 1 else ''}"),
        ("Findings", f"{total:,} ({decision.blocking_count:,} blocking)"),
    )
    items = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in facts)
    return (f'<header class="banner {tone}" id="verdict"><div class="verdict-row">'
            f'<span class="verdict">{escape(words)}</span>'
            f'<span class="summary">{escape(summary)}</span></div>'
            f'<dl class="facts">{items}</dl></header>')


def _file_status(decision: Decision, result: FileResult) -> tuple[str, str]:
    blocking, _, _ = decision.file_counts(result.file)
    if result.error:
        return f"unreadable: {result.error}", "block"
    if blocking:
        return f"blocked ({blocking:,} finding{'s' if blocking != 1 else ''})", "block"
    return "ok", "allow"


def _files(decision: Decision) -> str:
    rows = []
    for result in decision.files:
        status, tone = _file_status(decision, result)
        _, warning, waived = decision.file_counts(result.file)
        rows.append(
            f'<tr><td class="path">{escape(result.file)}</td>'
            f"<td>{escape(result.format or '?')}</td><td class=\"num\">{result.records:,}</td>"
            f'<td><span class="status {tone}">{escape(status)}</span></td>'
            f'<td class="num">{warning:,}</td><td class="num">{waived:,}</td></tr>')
    return ('<section id="files"><h2>Files</h2><div class="scroll"><table class="grid">'
            "<thead><tr><th>File</th><th>Format</th><th class=\"num\">Records</th>"
            "<th>Status</th><th class=\"num\">Warnings</th><th class=\"num\">Waived</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>")


def _charts(decision: Decision) -> str:
    by_rule: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    for kind, n in decision.counts.items():
        by_rule[kind.rule] += n
        by_field[kind.field] += n
        by_level[kind.level] += n
    return ('<section id="charts"><h2>Findings <span class="aside">'
            f"{_breakdown(decision)}; exact counts</span></h2><div class=\"chart-grid\">"
            f'<div class="card" id="by-rule">{bar_chart("By rule", by_rule)}</div>'
            f'<div class="card" id="by-field">{bar_chart("By field", by_field)}</div>'
            f'<div class="card" id="by-level">{bar_chart("By level", by_level, levels=True)}'
            "</div></div></section>")


def _breakdown(decision: Decision) -> str:
    """How many findings in all, and of them how many block, warn or were waived."""
    blocking = warning = waived = 0
    for result in decision.files:
        counted = decision.file_counts(result.file)
        blocking, warning, waived = (blocking + counted[0], warning + counted[1],
                                     waived + counted[2])
    total = sum(decision.counts.values())
    parts = [f"{n:,} {word}" for n, word in ((blocking, "blocking"), (warning, "not blocking"),
                                              (waived, "waived")) if n]
    return f"{total:,} in all" + (f" ({', '.join(parts)})" if parts else "")


def _notices(decision: Decision) -> str:
    if not decision.notices:
        return ""
    items = "".join(f"<li>{escape(notice)}</li>" for notice in decision.notices)
    return f'<section id="notices"><h2>Notices</h2><ul class="notes">{items}</ul></section>'


def _waivers(decision: Decision) -> str:
    if decision.waivers_ignored:
        return ('<section id="waivers"><h2>Exceptions</h2><p>This check ignored the '
                "policy's exceptions (--no-waivers).</p></section>")
    if not decision.waivers_used:
        return ""
    # a waiver's label names where the policy declares it (file:line)
    items = "".join(f"<li>{escape(w.label())}</li>" for w in decision.waivers_used)
    return (f'<section id="waivers"><h2>Exceptions used</h2><ul class="notes">{items}</ul>'
            "</section>")


def _records(decision: Decision) -> str:
    findings = decision.findings
    total = sum(decision.counts.values())
    capped = ""
    if len(findings) < total:
        capped = (f'<p class="capped" id="capped">{len(findings):,} of {total:,} findings are '
                  "listed (the first of each rule, up to the check's max findings); the counts "
                  "and charts above are exact.</p>")
    levels = _ordered_levels(f.level for f in findings)
    filters = (
        '<div class="filters" role="search">'
        '<input type="search" id="q" placeholder="Filter: rule, field, file, evidence\u2026" '
        'aria-label="Filter the table" autocomplete="off">'
        + _select("rule", "All rules", sorted({f.rule for f in findings}))
        + _select("field", "All fields", sorted({f.field_pattern for f in findings}))
        + _select("level", "All levels", levels)
        + _select("file", "All files", sorted({f.file for f in findings}))
        + '<button type="button" id="clear">Clear</button>'
        f'<span class="shown" id="shown-count"><span id="shown">{len(findings):,}</span> of '
        f"{len(findings):,} shown</span></div>")
    rows = "".join(_row(f) for f in findings)
    return (f'<section id="records"><h2>Affected records</h2>{capped}{filters}'
            '<div class="scroll"><table class="grid" id="findings"><thead><tr>'
            "<th>File</th><th>Record</th><th>Field</th><th>Rule</th><th>Level</th>"
            "<th>Action</th><th>Evidence (masked)</th><th>Waived</th></tr></thead><tbody>"
            f'{rows}<tr id="no-match" hidden><td colspan="8">No listed finding matches the '
            "filters.</td></tr></tbody></table></div></section>")


def _select(name: str, everything: str, values: list[str]) -> str:
    options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
    return (f'<select id="f-{name}" data-filter="{name}" aria-label="{everything}">'
            f'<option value="">{everything}</option>{options}</select>')


def _ordered_levels(levels: Iterable[str]) -> list[str]:
    found = set(levels)
    known = [level for level in _LEVEL_ORDER if level in found]
    return known + sorted(found - set(known))


def _row(f: Finding) -> str:
    record = "\u2014" if f.record is None else f"{f.record}"
    where = f'<span class="pos">{escape(f.position)}</span>' if f.position else ""
    also = (f'<span class="also">also {escape(", ".join(f.also))}</span>' if f.also else "")
    pattern = f.field_pattern
    level = escape(f.level)
    return (
        f'<tr class="finding" data-field="{escape(pattern)}">'
        f'<td class="path">{escape(f.file)}</td><td class="rec">{record}{where}</td>'
        f'<td class="field">{escape(f.field)}</td>'
        f'<td><span class="rule">{escape(f.rule)}</span>{also}</td>'
        f'<td><span class="pill {level_class(f.level)}">{level}</span></td>'
        f"<td>{escape(f.action)}</td>"
        f'<td class="evidence"><code>{escape(f.evidence) or "(value)"}</code></td>'
        f"<td>{escape(f.waived_by) if f.waived_by else 'no'}</td></tr>")


def _next(decision: Decision, tone: str) -> str:
    """The same steps the text report ends with (exact commands and policy YAML), one
    block each; the dashes and indentation of the text are taken off."""
    steps = [textwrap.dedent(step.replace("- ", "  ", 1)).strip("\n")
             for step in next_steps(decision)]
    if tone == "allow" or not steps:
        return ""
    items = "".join(f'<li><pre class="step">{escape(step)}</pre></li>' for step in steps)
    return (f'<section id="next"><h2>What to do next</h2><ol class="steps">{items}</ol>'
            "</section>")
