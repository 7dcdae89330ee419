"""Horizontal bar charts as inline SVG: one rect per category, its width in proportion
to the exact count, the count written after it. No script, no style attribute (the
page's Content-Security-Policy allows neither), so the chart draws with scripts off."""

from __future__ import annotations

from collections import Counter
from html import escape

__all__ = ["bar_chart", "level_class", "MAX_BARS"]

MAX_BARS = 20  # categories drawn; the rest are summed in a note under the chart
_LABEL = 170  # room for the category's name, in SVG units
_BAR = 170  # the longest bar
_ROW = 26
_LABEL_CHARS = 21  # a longer name is shortened; its full name is the bar's tooltip


def bar_chart(title: str, counts: Counter[str], *, levels: bool = False) -> str:
    """An SVG chart of *counts*, most frequent first (ties by name), titled *title*;
    with *levels*, each bar takes its level's colour (``level-personal``)."""
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown, rest = rows[:MAX_BARS], rows[MAX_BARS:]
    if not shown:
        return (f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
                '<p class="empty">No findings.</p></figure>')
    top = shown[0][1]
    width = _LABEL + _BAR + 48
    height = len(shown) * _ROW + 4
    parts = [f'<figure class="chart"><figcaption>{escape(title)}'
             f'</figcaption><svg class="bars" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}">']
    for index, (name, count) in enumerate(shown):
        y = index * _ROW + 2
        # at least 2 units so that a count of 1 next to a count of a million still shows
        bar = max(2.0, round(_BAR * count / top, 2)) if top else 2.0
        tone = f" {level_class(name)}" if levels else ""
        label = name if len(name) <= _LABEL_CHARS else name[:_LABEL_CHARS - 1] + "\u2026"
        parts.append(
            f'<g class="bar" data-name="{escape(name)}" data-count="{count}">'
            f'<title>{escape(name)}: {count}</title>'
            f'<text class="label" x="{_LABEL - 8}" y="{y + 16}" text-anchor="end">'
            f'{escape(label)}</text>'
            f'<rect class="fill{tone}" x="{_LABEL}" y="{y + 3}" width="{bar}" '
            f'height="{_ROW - 8}" rx="3"></rect>'
            f'<text class="count" x="{_LABEL + bar + 6}" y="{y + 16}">{count:,}</text></g>')
    parts.append("</svg>")
    if rest:
        more = sum(n for _, n in rest)
        parts.append(f'<p class="more">and {len(rest)} more ({more:,} findings) not drawn</p>')
    parts.append("</figure>")
    return "".join(parts)


def level_class(name: str) -> str:
    """A class for a level's colour (``level-personal``); a policy's own level names that
    are not plain words get a neutral one (a class never holds more than letters and
    hyphens)."""
    return f"level-{name}" if name.replace("-", "").isalpha() and name.isascii() else "level"
