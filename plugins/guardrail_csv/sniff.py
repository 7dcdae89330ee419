"""Is the head of a payload a delimited table, or prose that happens to have commas?

Guardrail fails closed, and the two mistakes are not alike. Prose read as a table is
blocked, not leaked: its first line becomes column names, which the engine shows as
``#N`` unless they are plain identifiers, and no policy classifies them. A table read
as plain text is checked by content detectors only, so its field rules never apply
and a column of surnames passes. So the head is parsed with :mod:`csv` (quoted cells
honoured), and:

* Rows of a steady width make a table: two lines or more, every one split into the
  same number of fields, two or more, whatever the spacing ("Okafor, Grace, Linden"
  typed by hand is a table) and whatever the labels. Commas inside numbers ("paid
  £1,250", a log's "10:00:01,123") may be read either way: if the rows are steady
  with them joined again, that is a table too. Prose with the same number of commas
  on every line is read as a table: blocked, never leaked.
* Otherwise, when the delimiter was written by a program (no space after it on most
  rows; a tab is never punctuation): a header of labels alone; rows none wider than
  the header (empty cells at the end left off or not) when one of them splits or
  the header is one of labels, whatever its length; or steady rows under a shorter
  header (cells past the header are read as unnamed columns).
* Otherwise it is text: rows of varying width with a space after the delimiter
  (sentences), one line that is not a header of labels, a delimiter that only ends
  lines ("Dear Sir," and verse), or every line indented by a tab before one column.

One column has no delimiter to go by: only a ``.csv`` name makes it a table.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

__all__ = ["decode_head", "table_confidence"]

ROWS = 50  # rows of the head judged
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# A comma inside a number is not a delimiter: a thousands separator in running text
# ("paid £1,250") or the decimal sign of a time's seconds ("10:00:01,123", ISO 8601
# and Python's logging).
_THOUSANDS = re.compile(r"\d{3}(?!\d)")
_NUMBER_IN_TEXT = re.compile(r"\s\D?\d{1,3}(?:,\d{3})*$")
_FRACTION = re.compile(r"\d+\s+\D")  # "123 INFO ...": a log line goes on
_TIME = re.compile(r"(?:^|[\sT])\d\d?:\d\d:\d\d$")
# "was fixed." or a CJK full stop ends a sentence; a label may be "No."
_SENTENCE = re.compile(r"\s\S*\w[.!?]['\")]*$|[。！？]")
_LABEL_WORDS = 5  # "Date of first contact" is a label; "I spoke to the ward officer" is not
_LABEL_CHARS = 40


def decode_head(head: bytes) -> tuple[str, bool]:
    """The head as text in the encoding its BOM names, else UTF-8, up to the first byte
    that does not decode; and whether it stopped there (a character cut at the very end
    of the head is dropped without stopping)."""
    encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8-sig")
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False), False
    except UnicodeDecodeError as exc:
        return head[:exc.start].decode(encoding, errors="ignore"), True


def table_confidence(text: str, delimiter: str, cut: bool) -> str | None:
    """``"table"``, ``"ragged"`` (rows of another width than the header) or None for
    not a table.

    :param text: the head, decoded.
    :param delimiter: the cell delimiter to judge the text by.
    :param cut: whether the head stops before the end of the payload, so its last
        row may be incomplete.
    """
    rows = _rows(text, delimiter, cut)
    if not rows or len(rows[0]) < 2:
        return None
    if not any(_filled(row[1:]) for row in rows):
        return None  # delimiters only end lines ("Dear Sir," and verse): no second cell
    if delimiter == "\t" and all(not row[0].strip() and not _filled(row[2:])
                                  for row in rows):
        return None  # every line indented by a tab: a margin, not an empty column
    if _steady(rows) or delimiter == "," and _steady([_rejoin(row) for row in rows]):
        return "table"
    spaced, delimited = _spaced(rows, delimiter)
    if delimiter != "\t" and spaced * 2 > delimited:
        return None  # punctuation: sentences, or a table typed by hand with ragged rows
    if len(rows) == 1:
        return "table" if _labels(rows[0]) else None
    return _shape(rows)


def _filled(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _steady(rows: list[list[str]]) -> bool:
    """Two rows or more, each split into the same number of fields."""
    return len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)


def _rows(text: str, delimiter: str, cut: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) > ROWS:
                break
    except csv.Error:  # a NUL or a cell past the field limit: judge what was read
        cut = True
    if len(rows) > ROWS:
        return rows[:ROWS]
    if cut and rows:
        rows.pop()  # may be incomplete
    return rows


def _shape(rows: list[list[str]]) -> str | None:
    """Rows of other widths than the header, written by a program: a table when none
    is wider than the header (empty cells at the end of a row left off or not) and one
    of them splits or the header is one of labels; or when the rows under a shorter
    header are steady (R's ``write.table`` leaves the row names unlabelled)."""
    header, body = rows[0], [_trim(row) for row in rows[1:]]
    if max(len(row) for row in body) <= len(header):
        return "ragged" if any(len(row) > 1 for row in body) or _labels(header) else None
    return "ragged" if _steady(rows[1:]) and len(rows[1]) > 1 else None


def _trim(row: list[str]) -> list[str]:
    """The row without the empty cells at its end (the first cell kept)."""
    end = len(row)
    while end > 1 and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _spaced(rows: list[list[str]], delimiter: str) -> tuple[int, int]:
    """Rows in which every delimiter before a value is punctuation (followed by a space,
    or a thousands separator in running text); and rows with a value after a delimiter."""
    spaced = delimited = 0
    for row in rows:
        if _filled(row[1:]):
            delimited += 1
            cells = _rejoin(row) if delimiter == "," else row
            spaced += all(cell[:1].isspace() for cell in cells[1:] if cell.strip())
    return spaced, delimited


def _rejoin(row: list[str]) -> list[str]:
    """Cells split at a comma inside a number joined again."""
    out = row[:1]
    for cell in row[1:]:
        if (_THOUSANDS.match(cell) and _NUMBER_IN_TEXT.search(out[-1])
                or _FRACTION.match(cell) and _TIME.search(out[-1])):
            out[-1] += "," + cell
        else:
            out.append(cell)
    return out


def _labels(header: list[str]) -> bool:
    cells = [cell.strip() for cell in header]
    return any(cells) and all(
        len(cell) <= _LABEL_CHARS and len(cell.split()) <= _LABEL_WORDS
        and not _SENTENCE.search(cell) for cell in cells)
