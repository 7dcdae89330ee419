"""The impact list in the text report: what an incident needs first, in a few lines."""

from __future__ import annotations

from typing import TextIO

from guardrail.plugin import Decision

__all__ = ["write_impact"]

_PAGES_SHOWN = 50
_AREAS_SHOWN = 30


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def write_impact(decision: Decision, out: TextIO) -> None:
    """Pages and records that held personal data, distinct values, areas: each figure
    exact unless the report says it is a lower bound."""
    impact = decision.impact
    if impact is None:
        return
    write = out.write
    at_least = "at least " if impact.capped else ""
    write("\nImpact (what the checked pages showed that the destination may not have):\n")
    write(f"  pages holding personal data: {impact.pages_affected:,} of "
          f"{impact.pages_checked:,}\n")
    if impact.pages_unreadable:
        write(f"  pages that could not be read: {impact.pages_unreadable:,} (they may hold "
              "anything)\n")
    outside = sum(page.outside_records for page in impact.pages)
    write(f"  records holding personal data: {at_least}{impact.records_affected:,} of "
          f"{impact.records_checked:,}"
          + (f" (and {_plural(outside, 'finding')} outside any record)" if outside else "")
          + "\n")
    by_rule = ", ".join(f"{rule} {n:,}" for rule, n in impact.distinct_by_rule)
    write(f"  distinct people-like values: {at_least}{impact.distinct_values:,}"
          + (f" ({by_rule})" if by_rule else "") + "\n")
    if impact.by_area:
        write(f"  records holding personal data by area (field {impact.area_field}):\n")
        width = min(40, max(len(area) for area, _ in impact.by_area[:_AREAS_SHOWN]))
        for area, n in impact.by_area[:_AREAS_SHOWN]:
            write(f"    {area:<{width}}  {n:>8,}\n")
        if len(impact.by_area) > _AREAS_SHOWN:
            write(f"    and {_plural(len(impact.by_area) - _AREAS_SHOWN, 'more area')}\n")
    if impact.area_fields_asked and impact.area_field is None:
        write(f"  records by area: no field named {', '.join(impact.area_fields_asked)} "
              "in the affected records\n")
    if impact.pages:
        write("  pages, most affected first:\n")
        for page in impact.pages[:_PAGES_SHOWN]:
            extra = f", {_plural(page.outside_records, 'finding')} outside records" \
                if page.outside_records else ""
            write(f"    {page.file}: {page.records_affected:,} of "
                  f"{_plural(page.records, 'record')}, {at_least}"
                  f"{_plural(page.distinct_values, 'distinct value')}{extra}\n")
        if len(impact.pages) > _PAGES_SHOWN:
            write(f"    and {_plural(len(impact.pages) - _PAGES_SHOWN, 'more page')}\n")
