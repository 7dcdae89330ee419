"""Pivot caches as tables: the copy of a pivot table's source data a workbook keeps.

A pivot cache holds every source row, even after the source sheet is deleted, and
Excel keeps values deleted from the source among its shared items until the cache
is cleared. Each cache is one section, ``(pivot cache 1)``, whose columns are the
cache's fields:

* one row per record (``pivot cache 1, record 17``), each value typed and an index
  (``<x v="3"/>``) resolved to the shared item it names;
* then one row per value no record holds, under its field and empty elsewhere:
  shared items no record refers to (``pivot cache 1, shared item 4``), group labels
  (``group item 2``), and a field's smallest or largest value. A cache saved without
  its records (``saveData="0"``) is these rows alone.

Fields the records do not hold (calculated and grouping fields) come after the
others. Records whose definition is gone are read too, every value in an unnamed
column (``#1``), which fails closed. Both parts are streamed with ``iterparse`` and
cleared as they go; the shared items are kept, as records refer to them by
position. Records are flat, so only the record size limit applies (lxml itself
refuses XML nested deeper than 256 levels).
"""

from __future__ import annotations

import datetime as _dt
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lxml import etree

from guardrail.plugin import Limits, PayloadError, Table

from .extras import forget as _forget
from .extras import local_name as _local
from .package import CacheParts

__all__ = ["PivotCache"]

_VALUES = frozenset({"s", "n", "d", "b", "e", "m"})
_BOUNDS = (("minValue", "smallest value", float), ("maxValue", "largest value", float),
           ("minDate", "smallest value", "date"), ("maxDate", "largest value", "date"))


@dataclass
class _Field:
    """One cache field: its name, and the values its definition holds."""

    name: str
    database: bool  # False: calculated or grouping, so records hold no value for it
    items: list[Any] = field(default_factory=list)  # shared items, referred to by index
    groups: list[Any] = field(default_factory=list)
    bounds: list[tuple[str, Any]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # shared items some record refers to
    seen: set[Any] = field(default_factory=set)  # bounds some record holds


class PivotCache:
    """One pivot cache, read as :class:`guardrail.Table` rows.

    :param number: its place among the workbook's caches (1-based), for names and positions.
    :param parts: its definition and records parts.
    """

    def __init__(self, zip: zipfile.ZipFile, number: int, parts: CacheParts, limits: Limits,
                 file: str) -> None:
        self.name = f"(pivot cache {number})"
        self.ids = parts.ids
        self.position: str | None = None  # where the row last produced is: ``Table.mark``
        self._where = f"pivot cache {number}"
        self._zip, self._limits, self._file = zip, limits, file
        self._records = parts.records
        self.refreshed_by: str | None = None  # who refreshed it last (a staff name)
        fields = self._definition(parts.definition) if parts.definition else []
        self._fields = [f for f in fields if f.database] + [f for f in fields if not f.database]
        self._database = sum(1 for f in fields if f.database)
        self.columns = [f.name or f"#{i}" for i, f in enumerate(self._fields, 1)]

    def table(self) -> Table:
        mark = partial(getattr, self, "position")
        return Table(self.columns, self.rows(), name=self.name, locate=_locate,
                     mark=mark, typed=True, cell=_cell)

    def rows(self) -> Iterator[list[Any]]:
        """The records, then every value of the definition no record holds."""
        if self._records is not None:
            for number, row in enumerate(self._read_records(self._records), 1):
                self.position = f"{self._where}, record {number}"
                yield row
        width = len(self._fields)
        for column, cache_field in enumerate(self._fields):
            for kind, index, value in _left_over(cache_field):
                if value == "":
                    continue
                self.position = f"{self._where}, {kind} {index}" if index else \
                    f"{self._where}, {kind}"
                row: list[Any] = [""] * width
                row[column] = value
                yield row

    # -- the definition: fields and shared items ----------------------------------------

    def _definition(self, part: str) -> list[_Field]:
        fields: list[_Field] = []
        current: _Field | None = None
        for event, element in self._parse(part, ("start", "end")):
            tag = _local(element)
            if event == "start":
                if tag == "pivotCacheDefinition":
                    self.refreshed_by = element.get("refreshedBy") or None
                elif tag == "cacheField":
                    current = _Field(element.get("name") or "",
                                     element.get("databaseField") not in ("0", "false"))
                elif tag == "sharedItems" and current is not None:
                    current.bounds = [(label, _bound(element.get(name), kind))
                                      for name, label, kind in _BOUNDS if element.get(name)]
                continue
            parent = element.getparent()
            holder = _local(parent) if parent is not None else ""
            if current is not None and tag in _VALUES and holder in ("sharedItems", "groupItems"):
                value = self._value(element, "one pivot cache item")
                (current.items if holder == "sharedItems" else current.groups).append(value)
                _forget(element)
            elif tag == "cacheField" and current is not None:
                fields.append(current)
                current = None
                _forget(element)
        return fields

    # -- the records ----------------------------------------------------------------------

    def _read_records(self, part: str) -> Iterator[list[Any]]:
        fields, database = self._fields, self._database
        limit = self._limits.max_record_bytes
        width = len(self._fields)
        number = 0
        for _, record in self._parse(part, ("end",), "{*}r"):
            number += 1
            row: list[Any] = []
            size = 0
            for element in record.iterchildren("{*}*"):
                column = len(row)
                if fields and column >= database:
                    raise self._invalid("a pivot cache record has more values than its cache "
                                        "has fields", number)
                tag = _local(element)
                if tag == "x" and fields:
                    value = self._shared(fields[column], element.get("v"), number)
                elif tag == "x":
                    value = element.get("v") or ""  # records without their definition
                elif tag in _VALUES:
                    value = _typed(tag, element.get("v"))
                    bounds = fields[column].bounds if fields else None
                    if bounds and any(value == bound for _, bound in bounds):
                        fields[column].seen.add(value)
                else:
                    raise self._invalid("a pivot cache record holds an element pivot caches "
                                        "do not have", number)
                if isinstance(value, str):
                    size += len(value)
                    if size > limit:
                        raise self._limits.exceeded(
                            "max_record_bytes", file=self._file, what="one pivot cache record",
                            position=f"{self._where}, record {number}")
                row.append(value)
            _forget(record)
            if len(row) < width:
                row += [""] * (width - len(row))
            yield row

    def _shared(self, cache_field: _Field, index: str | None, number: int) -> Any:
        try:
            at = int(index or "")
            value = cache_field.items[at]
        except (ValueError, IndexError):
            raise self._invalid("a pivot cache record refers to a shared item its cache "
                                "does not have", number) from None
        if at < 0:
            raise self._invalid("a pivot cache record refers to a shared item its cache "
                                "does not have", number)
        cache_field.used.add(at)
        return value

    # -- parsing --------------------------------------------------------------------------

    def _parse(self, part: str, events: tuple[str, ...], tag: str | None = None) -> Iterator[Any]:
        try:
            with self._zip.open(part) as source:
                yield from etree.iterparse(source, events=events, tag=tag,
                                           resolve_entities=False, no_network=True,
                                           load_dtd=False, huge_tree=False,
                                           remove_comments=True)
        except KeyError:
            raise PayloadError("not a valid XLSX workbook: a pivot cache part it refers to is "
                               "missing", file=self._file, position=self._where) from None
        except etree.XMLSyntaxError:
            raise PayloadError("not a valid XLSX workbook: a pivot cache part is not "
                               "well-formed XML", file=self._file, position=self._where) from None

    def _value(self, element: Any, what: str) -> Any:
        raw = element.get("v")
        if raw is not None and len(raw) > self._limits.max_record_bytes:
            raise self._limits.exceeded("max_record_bytes", file=self._file, what=what,
                                        position=self._where)
        return _typed(_local(element), raw)

    def _invalid(self, message: str, record: int) -> PayloadError:
        return PayloadError(f"not a valid XLSX workbook: {message}", file=self._file,
                            position=f"{self._where}, record {record}")


def _left_over(cache_field: _Field) -> Iterator[tuple[str, int, Any]]:
    """What the definition holds that no record does: (kind, 1-based index, value)."""
    for index, value in enumerate(cache_field.items):
        if index not in cache_field.used:
            yield "shared item", index + 1, value
    for index, value in enumerate(cache_field.groups):
        yield "group item", index + 1, value
    for label, value in cache_field.bounds:
        if value not in cache_field.seen:
            yield label, 0, value


def _locate(_row: Sequence[Any], mark: str | None) -> str | None:
    return mark


def _cell(mark: str | None, _column: int) -> str | None:
    """A value's position is its row's: the finding names the field."""
    return mark


def _typed(tag: str, raw: str | None) -> Any:
    """A value as the cache types it: text, number, date or flag; missing is ""."""
    if raw is None or tag == "m":
        return ""
    if tag == "n":
        try:
            return float(raw)
        except ValueError:
            return raw  # not a number after all: checked as text
    if tag == "b":
        return raw in ("1", "true")
    if tag == "d":
        return _bound(raw, "date")
    return raw  # s, and e (an error such as #N/A)


def _bound(raw: str | None, kind: Any) -> Any:
    if raw is None:
        return ""
    try:
        return _dt.datetime.fromisoformat(raw) if kind == "date" else kind(raw)
    except ValueError:
        return raw
