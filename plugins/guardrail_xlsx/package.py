"""Where things are inside an XLSX package: which XML part holds each sheet, and the
comments attached to it, and which parts hold pivot caches, found through the
package's relationship parts.

Only small parts are parsed whole here (relationships, workbook.xml); their sizes
were checked when the archive was opened.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from guardrail.plugin import PayloadError

__all__ = ["SheetParts", "sheet_parts", "CacheParts", "pivot_cache_parts", "workbook_xml",
           "SAFE_PARSER"]

# Entities are never expanded and nothing is fetched: parts come from the payload.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=True)
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Excel names them so; a part named so but referred to by nothing is read too.
_DEFINITION = re.compile(r"(?:^|/)pivotCacheDefinition[^/]*\.xml$", re.IGNORECASE)
_RECORDS = re.compile(r"(?:^|/)pivotCacheRecords[^/]*\.xml$", re.IGNORECASE)


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


@dataclass(frozen=True)
class CacheParts:
    """One pivot cache's parts.

    :param definition: its fields and shared items (None: records whose definition is gone).
    :param records: its records (None: the cache was saved without its source data).
    :param ids: the cache ids pivot tables name it by (none for a cache no table uses).
    """

    definition: str | None
    records: str | None
    ids: frozenset[int]


def workbook_xml(zip: zipfile.ZipFile, file: str) -> etree._Element:
    """The parsed workbook part (sheets, defined names, pivot caches)."""
    return _parse(zip, _office_document(zip, file), file)


def pivot_cache_parts(zip: zipfile.ZipFile, file: str) -> list[CacheParts]:
    """Every pivot cache in the package, in the order of its part names: those the
    workbook lists, and any other part named as a cache (a hidden copy is still data)."""
    workbook = _office_document(zip, file)
    targets = _relationships(zip, workbook, file)
    ids: dict[str, set[int]] = {}
    for cache in _parse(zip, workbook, file).iter("{*}pivotCache"):
        target = targets.get(cache.get(f"{{{_R}}}id") or "", (None, ""))[0]
        number = cache.get("cacheId") or ""
        if target is not None and number.isdigit():
            ids.setdefault(target, set()).add(int(number))
    definitions = set(ids) | {t for t, kind in targets.values()
                              if kind.endswith("/pivotCacheDefinition")}
    names = zip.namelist()
    definitions |= {name for name in names if _DEFINITION.search(name)}
    found = []
    used = set()
    for definition in sorted(definitions, key=_natural):
        records = next((t for t, kind in _relationships(zip, definition, file).values()
                        if kind.endswith("/pivotCacheRecords")), None)
        used.add(records)
        found.append(CacheParts(definition, records, frozenset(ids.get(definition, ()))))
    found += [CacheParts(None, name, frozenset())
              for name in sorted(names, key=_natural) if _RECORDS.search(name) and name not in used]
    return found


def _natural(name: str) -> list[str | int]:
    """Sort key: pivotCacheDefinition2.xml before pivotCacheDefinition10.xml."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


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
