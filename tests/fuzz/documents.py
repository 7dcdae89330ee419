"""Writers for the nested formats: JSON, NDJSON, YAML and XML."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import yaml

from .exports import COLUMNS, Export, Parts, Slot, Text
from .writers import Writer, slot_markup, slot_text

__all__ = ["WRITERS"]


def _value(slot: Slot) -> Any:
    """A slot as a JSON or YAML value: a string, or a list of strings for ``array``."""
    rendering = slot.rendering
    if isinstance(rendering, Parts) and rendering.how == "array":
        return list(rendering.parts)
    return slot_text(slot)


def _records(export: Export) -> list[dict[str, Any]]:
    return [{c: (_value(v) if isinstance(v := export.cell(i, c), Slot) else
                 (int(v) if c == "count" and v.isdigit() else v)) for c in COLUMNS}
            for i in range(len(export.records))]


def write_json(export: Export) -> bytes:
    items = [json.dumps(item, ensure_ascii=False) for item in _records(export)]
    return ("[\n  " + ",\n  ".join(items) + "\n]\n").encode("utf-8")


def write_ndjson(export: Export) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n"
                   for item in _records(export)).encode("utf-8")


def write_yaml(export: Export) -> bytes:
    return yaml.safe_dump(_records(export), allow_unicode=True, sort_keys=False,
                          width=1_000_000).encode("utf-8")


def _xml_cell(value: str | Slot) -> str:
    if not isinstance(value, Slot):
        return xml_escape(value)
    rendering = value.rendering
    if isinstance(rendering, Parts) and rendering.how == "children":
        return "".join(f"<part>{xml_escape(part)}</part>" for part in rendering.parts)
    if isinstance(rendering, Text):  # control characters stay raw: such XML is malformed
        return xml_escape(value.prefix + rendering.value + value.suffix)
    return slot_markup(value, "xml", xml_escape)


def write_xml(export: Export) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<cases>"]
    for index in range(len(export.records)):
        lines.append("  <case>")
        lines += [f"    <{c}>{_xml_cell(export.cell(index, c))}</{c}>" for c in COLUMNS]
        lines.append("  </case>")
    lines.append("</cases>")
    return ("\n".join(lines) + "\n").encode("utf-8")


WRITERS = (
    Writer("json", ".json", write_json),
    Writer("ndjson", ".ndjson", write_ndjson),
    Writer("yaml", ".yaml", write_yaml),
    Writer("xml", ".xml", write_xml),
)

