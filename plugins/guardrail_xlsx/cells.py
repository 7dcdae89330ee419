"""Cell references as Excel writes them, so a finding can be found again: ``Sheet1!C12``."""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Any

__all__ = ["column_letter", "sheet_ref", "header_name"]

# Names Excel accepts unquoted in a reference; anything else is quoted ('My Sheet'!A1).
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_LOOKS_LIKE_CELL = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


@lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """Column letters of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_ref(name: str) -> str:
    """The sheet part of a reference, quoted when Excel would quote it."""
    if _BARE.fullmatch(name) and not _LOOKS_LIKE_CELL.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def header_name(value: Any, column: int) -> str:
    """A column's field name from its header cell; an empty header is named by its
    letter (``#F``), which no policy classifies, so its cells fail closed."""
    if value is None or value == "":
        return f"#{column_letter(column)}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    text = str(value).strip()
    return text or f"#{column_letter(column)}"
