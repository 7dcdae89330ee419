"""A checked workbook as an ordered list of parts to judge: for each sheet, its table,
its formulas and its comments; then the defined names that hold data, each pivot
cache, and the document properties.

``read`` turns these into sections and ``redact`` writes them back, so both see
the same parts in the same order (the redaction contract).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import python_calamine

from guardrail.plugin import Documents, Limits, PayloadError

from .archive import Archive
from .extras import Located, comments, formulas, people, properties, threaded_comments
from .names import defined_names
from .package import pivot_cache_parts, sheet_parts
from .pivot import PivotCache
from .sheets import SheetTable

__all__ = ["Notes", "parts", "PROPERTIES", "DEFINED_NAMES", "REFRESHED_BY"]

PROPERTIES = "(properties)"
DEFINED_NAMES = "(defined names)"
# Who last refreshed a pivot cache (Excel writes the user's name), among the properties.
REFRESHED_BY = "pivot_refreshed_by"


@dataclass
class Notes:
    """A documents section: formulas, comments or properties, each record located.

    :param kind: ``formulas``, ``comments``, ``threaded comments``, ``defined names``
        or ``properties``.
    :param sheet: the sheet it belongs to (None for defined names and properties).
    """

    name: str
    kind: str
    sheet: str | None
    items: Iterable[Located]
    index: bool = True

    def __post_init__(self) -> None:
        self.current: Located | None = None

    def located(self) -> Iterator[Located]:
        """The items; :attr:`current` is the one last produced."""
        for item in self.items:
            self.current = item
            yield item

    def documents(self) -> Documents:
        records = (item.record for item in self.located())
        return Documents(records, name=self.name, locate=self._locate, index=self.index)

    def _locate(self, _record: Any) -> str | None:
        return self.current.position if self.current is not None else None


def parts(archive: Archive, file: str,
          limits: Limits) -> Iterator[SheetTable | PivotCache | Notes]:
    """Every part of the workbook to judge, in a fixed order. Hidden sheets included."""
    zip = archive.zip
    found = sheet_parts(zip, file)
    workbook = _open(archive, file)
    try:
        names = workbook.sheet_names
        persons: dict[str, str] | None = None
        for index, name in enumerate(names):
            table = SheetTable.from_calamine(_sheet(workbook, index, file))
            if table is not None:
                yield table
            table = None  # calamine holds a whole sheet in memory: one at a time
            sheet = found.get(name)
            if sheet is None or sheet.part is None:
                continue
            if sheet.part in archive.with_formulas:
                yield Notes(f"{name} (formulas)", "formulas", name,
                            formulas(zip, sheet.part, name, limits, file))
            for part in sheet.comments:
                yield Notes(f"{name} (comments)", "comments", name,
                            comments(zip, part, name, limits, file))
            for part in sheet.threaded:
                persons = people(zip, limits, file) if persons is None else persons
                yield Notes(f"{name} (threaded comments)", "threaded comments", name,
                            threaded_comments(zip, part, name, persons, limits, file))
        defined = list(defined_names(zip, limits, file))  # workbook.xml is parsed whole anyway
        if defined:
            yield Notes(DEFINED_NAMES, "defined names", None, defined)
        refreshed_by: list[str] = []
        for number, cache_parts in enumerate(pivot_cache_parts(zip, file), 1):
            cache = PivotCache(zip, number, cache_parts, limits, file)
            if cache.refreshed_by and cache.refreshed_by not in refreshed_by:
                refreshed_by.append(cache.refreshed_by)
            yield cache
        record = properties(zip, file)
        if refreshed_by:
            record[REFRESHED_BY] = ", ".join(refreshed_by)
        if record:  # under one key, so policies classify properties.creator by path
            yield Notes(PROPERTIES, "properties", None,
                        [Located({"properties": record}, "document properties", None)],
                        index=False)
    finally:
        workbook.close()


def _open(archive: Archive, file: str) -> Any:
    try:
        return python_calamine.CalamineWorkbook.from_path(str(archive.path))
    except python_calamine.PasswordError:
        raise PayloadError("encrypted workbook: cannot be inspected; blocked", file=file) from None
    except (python_calamine.CalamineError, ValueError, OSError):
        # calamine's message may quote the XML it choked on: never repeat it.
        raise PayloadError("not a valid XLSX workbook: its parts could not be read; export "
                           "it again", file=file) from None


def _sheet(workbook: Any, index: int, file: str) -> Any:
    try:
        return workbook.get_sheet_by_index(index)
    except (python_calamine.CalamineError, ValueError):
        raise PayloadError(f"not a valid XLSX workbook: sheet {index + 1} could not be read",
                           file=file) from None
