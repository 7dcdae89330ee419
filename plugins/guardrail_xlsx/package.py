"""Where things are inside an XLSX package: which XML part holds each sheet, and the
comments attached to it, found through the package's relationship parts.

Only small parts are parsed whole here (relationships, workbook.xml); their sizes
were checked when the archive was opened.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from guardrail import PayloadError

__all__ = ["SheetParts", "sheet_parts", "SAFE_PARSER"]

# Entities are never expanded and nothing is fetched: parts come from the payload.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=True)
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


@dataclass(frozen=True)
class SheetParts:
    """One sheet's parts: its XML, its notes (legacy comments) and threaded comments."""

    name: str
    part: str | None
    comments: list[str] = field(default_factory=list)
    threaded: list[str] = field(default_factory=list)


def sheet_parts(zip: zipfile.ZipFile, file: str) -> dict[str, SheetParts]:
    """Every sheet's parts by sheet name (names are unique in a workbook)."""
    workbook = _office_document(zip, file)
    root = _parse(zip, workbook, file)
    targets = _relationships(zip, workbook, file)
    found = {}
    for sheet in root.iter("{*}sheet"):
        name = sheet.get("name") or ""
        part = targets.get(sheet.get(f"{{{_R}}}id") or "", (None, ""))[0]
        related = _relationships(zip, part, file) if part else {}
        found[name] = SheetParts(
            name, part,
            [t for t, kind in related.values() if kind.endswith("/comments")],
            [t for t, kind in related.values() if kind.endswith("/threadedComment")])
    return found


def _office_document(zip: zipfile.ZipFile, file: str) -> str:
    for target, kind in _relationships(zip, "", file).values():
        if kind.endswith("/officeDocument"):
            return target
    raise PayloadError("not an XLSX workbook: the package names no workbook part", file=file)


def _relationships(zip: zipfile.ZipFile, part: str, file: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (member name of the target, relationship type) for *part*."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{base}.rels")
    try:
        zip.getinfo(rels)
    except KeyError:
        return {}
    found = {}
    for rel in _parse(zip, rels, file).iter(_PKG_REL):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        name = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id") or ""] = (name, rel.get("Type") or "")
    return found


def _parse(zip: zipfile.ZipFile, member: str, file: str) -> etree._Element:
    try:
        return etree.fromstring(zip.read(member), SAFE_PARSER)
    except KeyError:
        raise PayloadError("not a valid XLSX workbook: a part it refers to is missing",
                           file=file) from None
    except etree.XMLSyntaxError:
        raise PayloadError("not a valid XLSX workbook: a part of it is not well-formed XML",
                           file=file) from None
