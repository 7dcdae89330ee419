"""Writing a redacted copy of a workbook with openpyxl.

The parts are walked exactly as :func:`.workbook.parts` yields them for a check
(calamine's rows, the streamed formulas, comments and pivot caches), and only the
cells, comments, names and properties the redactor changed are written into the
openpyxl workbook, so everything else (styles, merged cells, unchanged formulas) is
kept. A pivot cache cannot be rewritten value by value (its pivot tables index into
it), so a cache the redactor changed anything in leaves the copy with the pivot
tables that use it; their cells on the sheet stay, as redacted. openpyxl holds the
whole workbook in memory: redaction is not streamed, unlike a check.
"""

from __future__ import annotations

import zipfile
from typing import Any, BinaryIO

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils.exceptions import InvalidFileException

from guardrail.plugin import DROPPED, Payload, PayloadError, ReadOptions, Redactor

from .archive import open_archive
from .extras import CUSTOM, properties
from .names import NameItem
from .pivot import PivotCache
from .sheets import SheetTable
from .workbook import REFRESHED_BY, Notes, parts

__all__ = ["redact_workbook"]

# Property records use the names a check reports; openpyxl names them as core.xml does.
_CORE = {"creator": "creator", "last_modified_by": "lastModifiedBy", "title": "title",
         "subject": "subject", "description": "description", "keywords": "keywords",
         "category": "category"}


def redact_workbook(payload: Payload, options: ReadOptions, redactor: Redactor,
                    out: BinaryIO) -> None:
    """Write *payload* to *out* with every part passed through *redactor*."""
    with open_archive(payload, options.limits) as archive:
        book = _load(archive.path, archive.has("xl/vbaProject.bin"), payload.name)
        _keep_absent_properties(book, properties(archive.zip, payload.name))
        results: dict[str, dict[str, Any]] = {}  # sheet -> formula cell -> value now
        clean: set[int] = set()  # ids of the pivot caches the redactor left alone
        for part in parts(archive, payload.name, options.limits):
            if isinstance(part, SheetTable):
                results[part.name] = _table(book[part.name], part, redactor)
            elif isinstance(part, PivotCache):
                if not _pivot_cache(part, redactor):
                    clean |= part.ids
            elif part.kind == "formulas":
                assert part.sheet is not None
                _formulas(book[part.sheet], part, redactor, results.get(part.sheet, {}))
            elif part.kind == "comments":
                _comments(book[part.sheet], part, redactor)
            elif part.kind == "threaded comments":
                _threaded(part, redactor)
            elif part.kind == "defined names":
                _defined_names(book, part, redactor)
            else:
                _properties(book, part, redactor)
        _keep_pivots(book, clean)
    book.save(out)


def _load(path: Any, macros: bool, file: str) -> Any:
    try:
        # rich_text: cells the redactor leaves alone keep their formatting runs.
        return openpyxl.load_workbook(path, keep_vba=macros, keep_links=False,
                                      rich_text=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError):
        raise PayloadError("not a workbook openpyxl can rewrite: the check can read it, but a "
                           "redacted copy cannot be written; fix it at its source",
                           file=file) from None


def _table(sheet: Any, table: SheetTable, redactor: Redactor) -> dict[str, Any]:
    """Write the changed cells; returns what each formula cell holds now (its cached
    value as redacted), for a formula that must be replaced by a value."""
    redaction = redactor.table(table.columns, section=table.name, typed=True)
    keep: list[int] = list(redaction.keep)  # the table's column of each written column
    first = table.first_column + 1  # openpyxl columns are 1-based
    for position, name in zip(keep, redaction.columns, strict=True):
        if name != table.columns[position]:  # a header that is itself personal data
            _put(sheet.cell(table.header_row, first + position), name)
    for position in sorted(set(range(len(table.columns))) - set(keep)):
        _clear_column(sheet, first + position, table.header_row)
    results: dict[str, Any] = {}
    for row in table.rows():
        new = redaction.row(row)
        number = table.row
        for value, position in zip(new, keep, strict=True):
            old = row[position]
            if old == "" and value is old:
                continue
            cell = sheet.cell(number, first + position)
            if cell.data_type == "f":
                results[cell.coordinate] = value
            if value is not old:
                _put(cell, value)
    return results


def _clear_column(sheet: Any, column: int, from_row: int) -> None:
    """A dropped column: its header and every cell below it are emptied."""
    for (cell,) in sheet.iter_rows(min_row=from_row, min_col=column, max_col=column):
        if not isinstance(cell, MergedCell):
            cell.value = None


def _formulas(sheet: Any, notes: Notes, redactor: Redactor, results: dict[str, Any]) -> None:
    """A changed formula is replaced by its cell's value as the table redaction left it
    (empty without a cached value): its text is never written back, since a redacted
    formula may no longer parse. One in conditional formatting or data validation is
    removed with its rule."""
    redaction = redactor.documents(section=notes.name, index=notes.index)
    for item in notes.located():
        new = redaction.record(item.record)
        if new is item.record:
            continue
        if item.cell is not None:
            _put(sheet[item.cell], results.get(item.cell))
        else:
            _remove_rules(sheet, item.source)


def _remove_rules(sheet: Any, source: str | None) -> None:
    """Remove the validations and conditional formats whose formula is *source*
    (openpyxl keeps those; ones in extensions it already leaves out of the copy)."""
    if source is None:
        return
    validations = sheet.data_validations.dataValidation
    validations[:] = [v for v in validations if source not in (v.formula1, v.formula2)]
    conditional = sheet.conditional_formatting
    for formatting in list(conditional):
        rules = conditional[formatting]  # the list openpyxl writes (not formatting.rules)
        rules[:] = [r for r in rules if source not in (r.formula or ())]
        if not rules:
            del conditional[str(formatting.sqref)]


def _comments(sheet: Any, notes: Notes, redactor: Redactor) -> None:
    redaction = redactor.documents(section=notes.name, index=notes.index)
    for item in notes.located():
        new = redaction.record(item.record)
        if new is item.record or not item.cell:
            continue  # (a note with no cell is not loaded by openpyxl: not in the copy)
        cell = sheet[item.cell]
        if new is DROPPED:
            cell.comment = None
            continue
        old = cell.comment
        comment = Comment(_text(new.get("text")), _text(new.get("author")))
        if old is not None:
            comment.width, comment.height = old.width, old.height
        cell.comment = comment


def _threaded(notes: Notes, redactor: Redactor) -> None:
    """openpyxl does not keep threaded comments: the copy has none. They still pass
    through the redactor, so a ``block`` action stops the copy as a check would."""
    redaction = redactor.documents(section=notes.name, index=notes.index)
    for item in notes.located():
        redaction.record(item.record)


def _pivot_cache(cache: PivotCache, redactor: Redactor) -> bool:
    """Pass every row of the cache through the redactor; whether it changed any."""
    redaction = redactor.table(cache.columns, section=cache.name, typed=True)
    keep = list(redaction.keep)
    width = len(cache.columns)
    changed = len(keep) < width or redaction.columns != [cache.columns[p] for p in keep]
    for row in cache.rows():
        new = redaction.row(row)  # every row, even once changed: a ``block`` must be seen
        if not changed:
            kept = [row[p] for p in keep if p < len(row)] + list(row[width:])
            changed = any(a is not b for a, b in zip(new, kept, strict=True))
    return changed


def _keep_pivots(book: Any, clean: set[int]) -> None:
    """Remove the pivot tables whose cache the redactor changed; openpyxl writes only
    the caches of the pivot tables left, so those caches leave the copy with them."""
    for sheet in book.worksheets:
        sheet._pivots = [p for p in sheet._pivots if p.cacheId in clean]


def _defined_names(book: Any, notes: Notes, redactor: Redactor) -> None:
    """A changed value becomes a string constant, so formulas using the name still
    calculate: a constant's text as redacted; for a formula, its literals joined (when
    the check joined them) or else its text, as redacted. Never a formula again: a
    redacted formula may no longer parse. A dropped value removes the name."""
    redaction = redactor.documents(section=notes.name, index=notes.index)
    for item in notes.located():
        new = redaction.record(item.record)
        if new is item.record:
            continue
        assert isinstance(item, NameItem)
        names = book.defined_names if item.scope is None else \
            getattr(_sheet_at(book, item.scope), "defined_names", None)
        definition = names.get(item.name) if names is not None else None
        if definition is None:
            continue  # openpyxl did not load it (a print area, a bad scope): not in the copy
        text = None if new is DROPPED else new.get("text")
        if item.attribute is not None:
            setattr(definition, item.attribute, None if text is None else _text(text))
        elif text is None:
            del names[item.name]
        else:
            definition.value = _constant(_text(text), item.constant)


def _sheet_at(book: Any, index: int) -> Any:
    sheets = book._sheets  # in workbook order, as localSheetId counts them
    return sheets[index] if index < len(sheets) else None


def _constant(text: str, constant: bool) -> str:
    if not constant and not text.startswith("="):
        text = text.split("\n=", 1)[0]  # "John Smith\n=CONCATENATE(...)": the literals only
    return '"' + text.replace('"', '""') + '"'


def _properties(book: Any, notes: Notes, redactor: Redactor) -> None:
    """Changed properties are replaced, dropped ones removed. openpyxl writes its own
    app.xml, so ``manager`` and ``company`` are never in the copy."""
    redaction = redactor.documents(section=notes.name, index=notes.index)
    for item in notes.located():
        new = redaction.record(item.record)
        if new is item.record:
            continue
        new = new.get("properties", DROPPED) if new is not DROPPED else DROPPED
        for key, value in item.record["properties"].items():
            replaced = DROPPED if new is DROPPED else new.get(key, DROPPED)
            if replaced is value:
                continue
            if key == CUSTOM:
                _custom(book, value, replaced)
            elif key == REFRESHED_BY:
                for sheet in book.worksheets:
                    for pivot in sheet._pivots:
                        pivot.cache.refreshedBy = None
            elif key in _CORE:
                setattr(book.properties, _CORE[key], None if replaced is DROPPED else replaced)


def _custom(book: Any, old: dict[str, Any], new: Any) -> None:
    """Changed custom properties become text; dropped ones, and ones whose name was
    itself redacted, are removed."""
    new = {} if new is DROPPED else new
    props = []
    for prop in book.custom_doc_props.props:
        if prop.name not in old:
            props.append(prop)  # empty: nothing was checked, nothing to hide
        elif prop.name in new:
            value = new[prop.name]
            props.append(prop if value is old[prop.name] else
                         StringProperty(name=prop.name, value=_text(value)))
    book.custom_doc_props.props = props


def _keep_absent_properties(book: Any, present: dict[str, Any]) -> None:
    """openpyxl fills in ``creator`` ("openpyxl") when a workbook has none: keep it empty."""
    for key, attribute in _CORE.items():
        if key not in present:
            setattr(book.properties, attribute, None)


def _put(cell: Any, value: Any) -> None:
    if isinstance(cell, MergedCell):
        return  # only a merged range's first cell holds a value; the others read as empty
    cell.value = None if value == "" else value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # redacted text, never a formula


def _text(value: Any) -> str:
    return "" if value is None else str(value)
