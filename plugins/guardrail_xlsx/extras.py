"""What a workbook holds besides cell values, which calamine does not give.

* Formulas: ``=CONCATENATE("John"," Smith")`` shows a name nowhere in the cell
  values until Excel recalculates, and conditional formatting and data validation
  lists hold literals too.
* Notes and threaded comments on cells, with their authors.
* Document properties: ``creator`` and ``last_modified_by`` are staff names, and
  custom properties (``docProps/custom.xml``) hold whatever a person typed there.

Formulas and comments are records ``{"text": ...}`` (comments also ``author``),
located by cell; properties are one record keyed by property, custom ones under
``custom`` by their own names (``properties.custom.Reviewer``). Sheet XML is
streamed with ``iterparse`` and cleared row by row, so memory stays flat.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from guardrail.plugin import Limits, PayloadError

from .cells import sheet_ref
from .package import SAFE_PARSER

__all__ = ["Located", "formulas", "comments", "threaded_comments", "properties",
           "custom_properties", "CORE_PROPERTIES", "APP_PROPERTIES", "CUSTOM", "local_name",
           "forget"]

_FORMULA_TAGS = ("{*}f", "{*}formula", "{*}formula1", "{*}formula2")
_LITERAL = re.compile(r'"((?:[^"]|"")*)"')
CORE_PROPERTIES = {"creator": "creator", "lastModifiedBy": "last_modified_by", "title": "title",
                   "subject": "subject", "description": "description", "keywords": "keywords",
                   "category": "category"}
APP_PROPERTIES = {"Manager": "manager", "Company": "company"}
CUSTOM = "custom"  # the key custom properties are under: ``properties.custom.Reviewer``
_NUMBERS = {"i1": int, "i2": int, "i4": int, "i8": int, "int": int, "ui1": int, "ui2": int,
            "ui4": int, "ui8": int, "uint": int, "r4": float, "r8": float, "decimal": float}


@dataclass(frozen=True)
class Located:
    """A record and where it is: ``Sheet1!B7``, or the range a rule applies to."""

    record: dict[str, Any]
    position: str
    cell: str | None  # the cell reference inside the sheet, when it is one cell
    source: str | None = None  # a formula as the XML holds it (no "=")


def formula_text(formula: str) -> str:
    """``=`` and the formula as written; with two or more string literals, preceded by
    them joined as Excel joins them (``"John"," Smith"`` -> ``John Smith``), so content
    detectors see the name that the quotes and commas split."""
    literals = _LITERAL.findall(formula)
    if len(literals) < 2:
        return f"={formula}"
    joined = "".join(literal.replace('""', '"') for literal in literals)
    return f"{joined}\n={formula}"


def formulas(zip: zipfile.ZipFile, part: str, sheet: str, limits: Limits,
             file: str) -> Iterator[Located]:
    """Every formula on a sheet, in document order, with the cell or range it sits in."""
    ref = sheet_ref(sheet)
    for element in _stream(zip, part, _FORMULA_TAGS + ("{*}row",), limits, file):
        if local_name(element) == "row":
            forget(element)
            continue
        text = element.text
        if not text or not text.strip():
            continue  # a shared formula's other cells: the text is on its first cell
        cell = _cell_of(element)
        where = cell or _range_of(element)
        yield Located({"text": formula_text(text)}, f"{ref}!{where}" if where else ref,
                      cell, text)


def comments(zip: zipfile.ZipFile, part: str, sheet: str, limits: Limits,
             file: str) -> Iterator[Located]:
    """Notes (legacy comments): text and author, by cell."""
    ref = sheet_ref(sheet)
    authors: list[str] = []
    for element in _stream(zip, part, ("{*}author", "{*}comment"), limits, file):
        if local_name(element) == "author":
            authors.append(element.text or "")
            continue
        cell = element.get("ref") or ""
        author = _pick(authors, element.get("authorId"))
        yield Located(_comment(_text_of(element), author), f"{ref}!{cell}", cell)
        forget(element)


def threaded_comments(zip: zipfile.ZipFile, part: str, sheet: str, people: dict[str, str],
                      limits: Limits, file: str) -> Iterator[Located]:
    """Threaded comments (Excel 365): text and the display name of the person."""
    ref = sheet_ref(sheet)
    for element in _stream(zip, part, ("{*}threadedComment",), limits, file):
        cell = element.get("ref") or ""
        yield Located(_comment(_text_of(element), people.get(element.get("personId") or "", "")),
                      f"{ref}!{cell}", cell)
        forget(element)


def people(zip: zipfile.ZipFile, limits: Limits, file: str) -> dict[str, str]:
    """Person id -> display name, for threaded comments."""
    found = {}
    for info in zip.infolist():
        if info.filename.startswith("xl/persons/") and info.filename.endswith(".xml"):
            for element in _stream(zip, info.filename, ("{*}person",), limits, file):
                found[element.get("id") or ""] = element.get("displayName") or ""
    return found


def properties(zip: zipfile.ZipFile, file: str) -> dict[str, Any]:
    """Non-empty document properties that can name people (see CORE/APP_PROPERTIES),
    and every non-empty custom property under :data:`CUSTOM`."""
    found: dict[str, Any] = {}
    for member, names in (("docProps/core.xml", CORE_PROPERTIES),
                          ("docProps/app.xml", APP_PROPERTIES)):
        root = _properties_part(zip, member, file)
        for element in root if root is not None else ():
            key = names.get(local_name(element))
            if key and element.text and element.text.strip():
                found[key] = element.text
    custom = custom_properties(zip, file)
    if custom:
        found[CUSTOM] = custom
    return found


def custom_properties(zip: zipfile.ZipFile, file: str) -> dict[str, Any]:
    """Custom property name -> value (numbers and flags typed, the rest as text)."""
    root = _properties_part(zip, "docProps/custom.xml", file)
    found: dict[str, Any] = {}
    for element in root.iterchildren("{*}property") if root is not None else ():
        name = element.get("name") or ""
        if name in found:
            raise PayloadError("not a valid XLSX workbook: two custom document properties "
                               "have the same name, so readers may disagree on which one "
                               "is shown", file=file)
        value = _variant(element)
        if value != "":
            found[name] = value
    return found


def _variant(element: Any) -> Any:
    """A custom property's value from its ``vt:`` element."""
    for child in element.iterchildren("{*}*"):
        kind = local_name(child)
        text = " ".join(t.strip() for t in child.itertext() if t.strip())
        try:
            if kind in _NUMBERS:
                return _NUMBERS[kind](text)
        except ValueError:
            return text  # not a number after all: checked as text
        if kind == "bool":
            return text.lower() in ("1", "true")
        return text
    return ""


def _properties_part(zip: zipfile.ZipFile, member: str, file: str) -> Any:
    try:
        data = zip.read(member)
    except KeyError:
        return None
    try:
        return etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError:
        raise PayloadError("not a valid XLSX workbook: its document properties are not "
                           "well-formed XML", file=file) from None


def _comment(text: str, author: str) -> dict[str, Any]:
    return {"text": text, "author": author} if author else {"text": text}


def _stream(zip: zipfile.ZipFile, part: str, tags: tuple[str, ...], limits: Limits,
            file: str) -> Iterator[Any]:
    """End events for *tags*; the caller clears what it no longer needs."""
    try:
        with zip.open(part) as source:
            for _, element in etree.iterparse(source, events=("end",), tag=tags,
                                              resolve_entities=False, no_network=True,
                                              load_dtd=False, huge_tree=False,
                                              remove_comments=True):
                if element.text and len(element.text) > limits.max_record_bytes:
                    raise limits.exceeded("max_record_bytes", file=file,
                                          what="one formula or comment")
                yield element
    except KeyError:
        raise PayloadError("not a valid XLSX workbook: a part it refers to is missing",
                           file=file) from None
    except etree.XMLSyntaxError:
        raise PayloadError("not a valid XLSX workbook: a sheet or comments part is not "
                           "well-formed XML", file=file) from None


def local_name(element: Any) -> str:
    """The tag without its namespace (parts may be written with or without one)."""
    return str(element.tag).rpartition("}")[2]


def forget(element: Any) -> None:
    """Drop an element and the siblings before it, so the tree never grows."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _cell_of(element: Any) -> str | None:
    parent = element.getparent()
    if parent is not None and local_name(parent) == "c":
        return parent.get("r")
    return None


def _range_of(element: Any) -> str | None:
    """The cells a conditional format or validation applies to (its ``sqref``)."""
    for ancestor in element.iterancestors():
        sqref = ancestor.get("sqref")
        if sqref:
            return sqref.replace(" ", ",")
        for child in ancestor.iterchildren("{*}sqref"):
            return (child.text or "").replace(" ", ",") or None
    return None


def _text_of(element: Any) -> str:
    return "".join("".join(t.itertext()) for t in element.iterchildren("{*}text"))


def _pick(authors: list[str], index: str | None) -> str:
    try:
        return authors[int(index or "")]
    except (ValueError, IndexError):
        return ""
