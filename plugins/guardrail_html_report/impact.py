"""The impact section of the HTML report: pages and records that held personal data,
distinct values, records by area, for the people working out what an incident reached.

Every name shown (pages, areas, the area field) comes screened from the core's
:class:`~guardrail.plugin.Decision` and is escaped here."""

from __future__ import annotations

from collections import Counter
from html import escape

from guardrail.plugin import Decision

from .charts import bar_chart

__all__ = ["impact_section"]

_PAGES_SHOWN = 500  # a longer impact list says how many more; the JSON report has all


def impact_section(decision: Decision) -> str:
    impact = decision.impact
    if impact is None:
        return ""
    bound = "at least " if impact.capped else ""
    facts = (
        ("Pages holding personal data", f"{impact.pages_affected:,} of "
                                        f"{impact.pages_checked:,}"),
        ("Records holding personal data", f"{bound}{impact.records_affected:,} of "
                                          f"{impact.records_checked:,}"),
        ("Distinct people-like values", f"{bound}{impact.distinct_values:,}"),
        *((("Pages that could not be read", f"{impact.pages_unreadable:,}"),)
          if impact.pages_unreadable else ()),
    )
    items = "".join(f'<div class="card stat"><dt>{name}</dt><dd>{value}</dd></div>'
                    for name, value in facts)
    charts = [f'<div class="card" id="distinct-by-rule">'
              f'{bar_chart("Distinct values by rule", Counter(dict(impact.distinct_by_rule)))}'
              "</div>"]
    if impact.by_area:
        title = f"Records holding personal data by area ({impact.area_field})"
        charts.append(f'<div class="card" id="by-area">'
                      f'{bar_chart(title, Counter(dict(impact.by_area)))}</div>')
    rows = "".join(
        f'<tr><td class="path">{escape(page.file)}</td>'
        f'<td class="num">{page.records_affected:,}</td><td class="num">{page.records:,}</td>'
        f'<td class="num">{page.outside_records:,}</td>'
        f'<td class="num">{page.distinct_values:,}</td>'
        f"<td>{escape(', '.join(f'{area} {n:,}' for area, n in page.by_area))}</td></tr>"
        for page in impact.pages[:_PAGES_SHOWN])
    more = len(impact.pages) - _PAGES_SHOWN
    more_note = f'<p class="more">and {more:,} more pages (see --report json)</p>' \
        if more > 0 else ""
    return (
        '<section id="impact"><h2>Impact <span class="aside">what the checked pages showed '
        "that the destination may not have; exact figures"
        f"{' (lower bounds: too many distinct values to count)' if impact.capped else ''}"
        f'</span></h2><dl class="stats">{items}</dl>'
        f'<div class="chart-grid">{"".join(charts)}</div>'
        '<div class="scroll"><table class="grid" id="impact-pages"><thead><tr>'
        '<th>Page</th><th class="num">Records affected</th><th class="num">Records</th>'
        '<th class="num">Findings outside records</th><th class="num">Distinct values</th>'
        f"<th>By area</th></tr></thead><tbody>{rows}</tbody></table></div>{more_note}"
        "</section>")
