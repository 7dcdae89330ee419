"""Masked evidence: enough shape for a person to find the value again, never the value.

Every report, log line and message goes through :func:`mask_value`; raw payload
values never leave the engine.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["mask_value", "MAX_EVIDENCE_CHARS"]

MAX_EVIDENCE_CHARS = 32
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def _mask_word(word: str, keep: int) -> str:
    shown = max(keep, 0)
    return word[:shown] + "*" * max(len(word) - shown, 0)


def mask_value(value: Any, keep: int = 1) -> str:
    """Keep the first *keep* character(s) of each word and star the rest.

    ``"John Smith"`` -> ``"J*** S****"``; ``"07700 900123"`` -> ``"0**** 9*****"``.
    Long values are cut to the first few words with the original length noted, so
    free text cannot be read back from the evidence.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "*" * len(str(value))
    text = _SPACE.sub(" ", str(value)).strip()
    cut = len(text) > MAX_EVIDENCE_CHARS
    shown = text[:MAX_EVIDENCE_CHARS]
    masked = _WORD.sub(lambda m: _mask_word(m.group(0), keep), shown)
    return f"{masked}… ({len(text)} chars)" if cut else masked
