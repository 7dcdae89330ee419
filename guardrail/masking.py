"""Masked evidence: enough shape for a person to find the value again, never the value.

Every report, log line and message goes through :func:`mask_value`; raw payload
values never leave the engine.
"""

from __future__ import annotations

import re
from typing import Any

from guardrail.reading import reading_of

__all__ = ["mask_value", "mask_text", "is_redacted", "count_redacted", "might_be_redacted",
           "REDACTED", "HASH_PREFIX", "MAX_EVIDENCE_CHARS"]

REDACTED = "[REDACTED]"
"""What the ``redact`` action writes in place of a value."""
HASH_PREFIX = "hmac-sha256:"
"""What the ``hash`` action writes before the 64 hex digits of the keyed hash."""
_HASH_LENGTH = len(HASH_PREFIX) + 64
_MASK_TOKEN = re.compile(r"[^\W_](?:[^\W_]|\*)*")  # a word, or a word already masked
# What mask_text writes: one character and stars (or stars alone) per word, between
# spaces or punctuation; an underscore would let "J*_o*_h*_n*" spell a name.
_MASKED = re.compile(r"[^\w*]*(?:(?:[^\W_]\*+|\*+)[^\w*]*)+")

MAX_EVIDENCE_CHARS = 32
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def _mask_word(word: str, keep: int) -> str:
    # Digits are never shown: the first digits of several words of one identifier
    # (a NINO's "Q* 1* 3* 5* C") would spell part of it. A name written letter by
    # letter ("J o h n") is read as one word first (reading.py), so it is not shown.
    shown = min(max(keep, 0), _leading_letters(word))
    return word[:shown] + "*" * max(len(word) - shown, 0)


def _leading_letters(word: str) -> int:
    count = 0
    for char in word:
        if not char.isalpha():
            break
        count += 1
    return count


def mask_value(value: Any, keep: int = 1) -> str:
    """Keep the first *keep* letter(s) of each word and star the rest; digits are
    never shown.

    ``"John Smith"`` -> ``"J*** S****"``; ``"07700 900123"`` -> ``"***** ******"``.
    Long values are cut to the first few words with the original length noted, so
    free text cannot be read back from the evidence. The value is masked as a reader
    reads it (``reading.py``, accents kept): invisible and control characters would
    split words (showing more letters) and reach a terminal or report through the mask.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "*" * len(str(value))
    text = str(value)
    reading = reading_of(text, keep_accents=True)  # no invisible or control characters
    text = _SPACE.sub(" ", text if reading is None else reading.text).strip()
    cut = len(text) > MAX_EVIDENCE_CHARS
    shown = text[:MAX_EVIDENCE_CHARS]
    masked = _WORD.sub(lambda m: _mask_word(m.group(0), keep), shown)
    return f"{masked}… ({len(text)} chars)" if cut else masked


def _marked(text: str) -> bool:
    """Could *text* hold redaction output? Three substring searches in C (memchr-fast),
    several times cheaper than one regex with alternatives on every new value."""
    return "*" in text or REDACTED in text or HASH_PREFIX in text


def mask_text(text: str) -> str:
    """The ``mask`` action: every word keeps its first character, the rest are stars.

    Unlike evidence, nothing is cut, so the copy keeps its shape; a one-character
    word becomes ``*`` (an initial is still a clue). Masking is idempotent, which is
    how a check recognises a value that was already masked.
    """
    return _MASK_TOKEN.sub(_mask_token, text)


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if len(token) > 1 and token[0].isalpha():
        return token[0] + "*" * (len(token) - 1)
    return "*" * len(token)  # a digit is never kept: "07700" becomes "*****"


def is_redacted(value: Any, action: str | None = None) -> bool:
    """Is *value* what the redaction *action* writes, so the data it stood for is gone?

    ``[REDACTED]`` always is. A keyed hash is only where the policy's action is
    ``hash``, and a masked value only where it is ``mask`` (or, for content
    detectors, *action* None): a string that merely looks like a token must not carry
    data past the check. Masked means words of one character and stars only
    (``J*** S****``), separated by spaces or punctuation.
    """
    if not isinstance(value, str) or not _marked(value):
        return False
    if value == REDACTED:
        return True
    if action == "hash":
        return (len(value) == _HASH_LENGTH and value.startswith(HASH_PREFIX)
                and all(c in "0123456789abcdef" for c in value[len(HASH_PREFIX):]))
    if action in (None, "mask"):
        return _MASKED.fullmatch(value) is not None
    return False


def count_redacted(cells: Any, action: str | None = None) -> int:
    """How many of *cells* are redaction output; one C-level scan when none is."""
    if not might_be_redacted(cells):
        return 0
    return sum(1 for cell in cells if is_redacted(cell, action))


def might_be_redacted(cells: Any) -> bool:
    """A cheap first look: could any of *cells* be redaction output?"""
    try:
        return _marked("\x00".join(cells))
    except TypeError:  # typed cells (numbers, dates)
        return any(isinstance(cell, str) and _marked(cell) for cell in cells)
