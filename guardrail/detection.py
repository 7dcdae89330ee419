"""Built-in format detection, registered as a ``trylast`` hook so any plugin can replace it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from .interfaces import Format
    from .payload import Payload

__all__ = ["guardrail_detect_format"]

MIN_SNIFF_CONFIDENCE = 30


@hookimpl(trylast=True)
def guardrail_detect_format(payload: Payload, formats: dict[str, Format]) -> str | None:
    """By file extension first (case-insensitive, ``.csv.gz`` style suffixes ignored), then content.

    Content sniffing asks every format how confident it is about the first
    bytes and takes the most confident one above a minimum; ties go to the
    format registered first.
    """
    suffixes = [s.lower() for s in payload.suffixes]
    for suffix in reversed(suffixes):
        for name, fmt in formats.items():
            if suffix in fmt.extensions:
                return name
    head = payload.head()
    best, best_score = None, MIN_SNIFF_CONFIDENCE - 1
    for name, fmt in formats.items():
        try:
            score = int(fmt.sniff(head))
        except Exception:  # a broken sniffer must not pick a format
            continue
        if score > best_score:
            best, best_score = name, score
    return best
