"""Defined names that hold data rather than point at cells.

A defined name usually refers to a range (``Sheet1!$A$1:$C$9``), but it may hold a
constant (``"jane.doe@example.com"``, ``{"a","b"}``) or a formula with literals,
shown nowhere on a sheet; hidden names are not even listed in Excel's Name Manager.
Every name whose value is not a plain reference is a record ``{"text": ...}``: a
string constant as the text it holds, anything else as a formula (see
:func:`.extras.formula_text`). A name's comment and the other text Excel keeps with
it are records too. Positions are ``defined name Contact`` (``Sheet1!Contact`` for a
name scoped to a sheet).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from guardrail.plugin import Limits

from .cells import sheet_ref
from .extras import Located, formula_text
from .package import workbook_xml

__all__ = ["NameItem", "defined_names", "is_reference"]

_SHEET = r"(?:\[\d+\])?(?:'(?:[^']|'')+'|[\w.]+(?::[\w.]+)?)!"
_AREA = (r"(?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?"
         r"|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?\d+:\$?\d+|#REF!)")
_ONE = rf"(?:{_SHEET})?{_AREA}"
_REFERENCE = re.compile(rf"\(?{_ONE}(?:,{_ONE})*\)?|#REF!")
_STRING = re.compile(r'"((?:[^"]|"")*)"')
# Text Excel keeps with a name besides its value: attribute -> how positions name it.
TEXTS = {"comment": "comment", "description": "description", "help": "help",
         "statusBar": "status bar"}


@dataclass(frozen=True)
class NameItem(Located):
    """A record from a defined name, and how to find the name again to redact it.

    :param name: the name as the workbook defines it.
    :param scope: the index of the sheet it is scoped to (None: the whole workbook).
    :param attribute: None for the name's value, else the attribute the text is in.
    :param constant: the value is one string constant (its text can be written back).
    """

    name: str = ""
    scope: int | None = None
    attribute: str | None = None
    constant: bool = False


def is_reference(value: str) -> bool:
    """Whether *value* only points at cells (a range, a union of ranges, ``#REF!``)."""
    return _REFERENCE.fullmatch(value.strip()) is not None


def defined_names(zip: zipfile.ZipFile, limits: Limits, file: str) -> Iterator[NameItem]:
    """Records for every defined name that holds data, in workbook order."""
    root = workbook_xml(zip, file)
    sheets = [sheet.get("name") or "" for sheet in root.iter("{*}sheet")]
    for element in root.iter("{*}definedName"):
        name = element.get("name") or ""
        local = element.get("localSheetId") or ""
        scope = int(local) if local.isdigit() else None
        where = f"{sheet_ref(sheets[scope])}!{name}" if scope is not None and \
            scope < len(sheets) else name
        value = element.text or ""
        if len(value) > limits.max_record_bytes:
            raise limits.exceeded("max_record_bytes", file=file, what="one defined name",
                                  position=f"defined name {where}")
        if value.strip() and not is_reference(value):
            constant = _STRING.fullmatch(value.strip())
            text = constant.group(1).replace('""', '"') if constant else formula_text(value)
            yield NameItem({"text": text}, f"defined name {where}", None, value, name=name,
                           scope=scope, constant=constant is not None)
        for attribute, label in TEXTS.items():
            extra = element.get(attribute)
            if extra and len(extra) > limits.max_record_bytes:
                raise limits.exceeded("max_record_bytes", file=file, what="one defined name",
                                      position=f"defined name {where}")
            if extra and extra.strip():
                yield NameItem({"text": extra}, f"defined name {where} ({label})", None,
                               name=name, scope=scope, attribute=attribute)
