"""Is the head of a payload a delimited table, or prose that happens to have commas?

Read as CSV, a letter's first line becomes column names and each sentence a row, so
counting delimiters is not enough. The head is parsed with :mod:`csv` (quoted cells
honoured) and judged as people read it:

* A comma or semicolon followed by a space is punctuation (so is the comma in
  "paid £1,250" or a log's "10:00:01,123"). When most rows use the delimiter that
  way, the text is prose or a table typed by hand, and only the second passes: every
  row as wide as a header of short labels (not sentences), and three delimiters on
  every line or a column of numbers, dates or times under its label. One comma per
  sentence is prose.
* Otherwise the delimiter was written by a program (and a tab is never
  punctuation): every row as wide as the header, or (empty cells left off the end)
  none wider and most split at all, under a header of labels.
* One line is a table only as a header of labels written by a program; a delimiter
  that only ends lines ("Dear Sir,") or every line indented is not a column.

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
# 42, -3.5, £1,250, 12%, 2026-01-31, 10:30, (01632) 960 123
_VALUE = re.compile(r"[-+(]?[£$€]?\d[\d.,:/() -]*%?")
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
    """``"table"``, ``"ragged"`` (rows shorter than the header) or None for not a table.

    :param text: the head, decoded.
    :param delimiter: the cell delimiter to judge the text by.
    :param cut: whether the head stops before the end of the payload, so its last
        row may be incomplete.
    """
    rows = _rows(text, delimiter, cut)
    if not rows or len(rows[0]) < 2:
        return None
    width, body = len(rows[0]), rows[1:]
    if body and all(not row[0].strip() for row in rows):
        return None  # every line indented: a margin, not an empty first column
    spaced, delimited = _spaced(rows, delimiter)
    if not delimited:
        return None  # delimiters only end lines ("Dear Sir," and verse): no second cell
    if delimiter == "\t" or spaced * 2 <= delimited:  # written by a program
        if not body:
            return "table" if _labels(rows[0]) else None
        shape = _shape(width, body)
        # rows of different widths make a table only under a header of labels
        return shape if shape == "table" or _labels(rows[0]) else None
    # Punctuation, or typed by a person: only a steady table under a header of labels,
    # with three delimiters on every line or a column of numbers under its label.
    rows = [_rejoin(row, delimiter) for row in rows]
    width, body = len(rows[0]), rows[1:]
    if not body or any(len(row) != width for row in body) or not _labels(rows[0]):
        return None
    return "table" if width >= 4 or _typed_column(rows) else None


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


def _shape(width: int, body: list[list[str]]) -> str | None:
    """Every row as wide as the header; or, empty cells at the end of a row left off,
    none wider than the header and most rows, the header included, split at all."""
    widths = [len(row) for row in body]
    if all(w == width for w in widths):
        return "table"
    split = 1 + sum(1 for w in widths if w > 1)
    return "ragged" if max(widths) <= width and split * 2 > 1 + len(widths) else None


def _spaced(rows: list[list[str]], delimiter: str) -> tuple[int, int]:
    """Rows in which every delimiter before a value is punctuation (followed by a space,
    or a thousands separator in running text); and rows with a value after a delimiter."""
    spaced = delimited = 0
    for row in rows:
        if any(cell.strip() for cell in row[1:]):
            delimited += 1
            spaced += all(cell[:1].isspace() for cell in _rejoin(row, delimiter)[1:]
                          if cell.strip())
    return spaced, delimited


def _rejoin(row: list[str], delimiter: str) -> list[str]:
    """Cells split at a comma inside a number joined again."""
    if delimiter != ",":
        return row
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


def _typed_column(rows: list[list[str]]) -> bool:
    """A column of numbers, dates or times under a header cell that is none (the
    csv module's ``Sniffer.has_header`` votes the same way)."""
    return len(rows) > 2 and any(  # a column's type shows in two cells or more
        not _VALUE.fullmatch(rows[0][i].strip())
        and all(_VALUE.fullmatch(row[i].strip()) for row in rows[1:])
        for i in range(len(rows[0])))
