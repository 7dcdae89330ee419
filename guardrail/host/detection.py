"""Built-in format detection, registered as a ``trylast`` hook so any plugin can replace it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guardrail.contract.protocols import declared
from guardrail.host.hookspecs import hookimpl

if TYPE_CHECKING:
    from guardrail.contract.payload import Payload
    from guardrail.contract.protocols import Format

__all__ = ["guardrail_detect_format"]

MIN_SNIFF_CONFIDENCE = 30


@hookimpl(trylast=True)
def guardrail_detect_format(payload: Payload, formats: dict[str, Format]) -> str | None:
    """By file extension first (case-insensitive, ``.csv.gz`` style suffixes ignored), then content.

    Content sniffing asks every format how confident it is about the first
    bytes and takes the most confident one above a minimum; ties go to the
    format registered first. A format with ``content_first = True`` (plain text)
    is chosen by its extension only when no format recognises the content, markup
    formats (``markup = True``: HTML, XML) excepted.
    """
    suffixes = [s.lower() for s in payload.suffixes]
    generic = None
    for suffix in reversed(suffixes):
        for name, fmt in formats.items():
            if suffix in fmt.extensions:
                if not declared(fmt, "content_first"):
                    return name
                generic = generic or name
    # A generic extension (.txt holds anything: Excel saves tab-separated data as .txt)
    # names the format only when no structured format recognises the content; markup
    # formats are not asked, as they would drop text that merely looks like a tag.
    if generic is not None:
        return _by_content(payload, formats, markup=False) or generic
    return _by_content(payload, formats)


def _by_content(payload: Payload, formats: dict[str, Format],
                markup: bool = True) -> str | None:
    head = payload.head()
    best, best_score = None, MIN_SNIFF_CONFIDENCE - 1
    for name, fmt in formats.items():
        if not markup and declared(fmt, "markup"):
            continue
        # A sniffer that raises is not skipped: whatever it raises stops the check,
        # naming its plugin (see guardrail.host.faults), as any plugin's fault does.
        score = int(fmt.sniff(head))
        if score > best_score:
            best, best_score = name, score
    return best
