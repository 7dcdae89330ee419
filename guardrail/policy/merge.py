"""Combine the documents of an ``extends`` chain into one view, piece by piece.

Every piece keeps the document and path it came from (an :class:`Item`), so a
problem found after merging is reported in the file that wrote it. Pieces of the
wrong shape are left out here: the schema has already reported them, and the
checks that follow must not trip over them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .detectors import merge_detectors, resolved_detectors
from .marked_yaml import MarkedDocument
from .problems import Item, Problems

__all__ = ["Merged", "merge_chain", "resolved_document"]

_SINGLE = ("levels", "default_destination", "records", "metadata", "mode", "enforce_from")
_NAMED = ("destinations", "actions", "defaults")
# What a section that is broken, or misspelt, keeps the checks from knowing.
_HIDING: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("levels",), ("levels",)),
    (("destinations",), ("destinations",)),
    (("default_destination",), ("default_destination",)),
    (("fields",), ("rules",)),
    (("rules",), ("rules",)),
    (("detectors",), ("rules", "detectors")),
    (("detectors", "custom"), ("rules", "detectors")),
)


@dataclass
class Merged:
    """The effective policy as items, before it is checked and built.

    ``unknown`` names what a broken or misspelt piece hides: ``"levels"``,
    ``"destinations"``, ``"default_destination"``, ``"rules"`` (the full set of rule
    ids) or ``"detectors"`` (the ids of custom detectors). Checks that look names up
    there, or call them missing, are skipped.
    """

    single: dict[str, Item] = field(default_factory=dict)
    destinations: dict[str, Item] = field(default_factory=dict)
    actions: dict[str, Item] = field(default_factory=dict)
    defaults: dict[str, Item] = field(default_factory=dict)
    fields: list[Item] = field(default_factory=list)
    rules: dict[Any, Item] = field(default_factory=dict)  # by id; unnamed by (file, index)
    exceptions: list[Item] = field(default_factory=list)
    canaries: list[Item] = field(default_factory=list)
    detectors: dict[str, Any] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)

    def named(self, key: str) -> dict[str, Item]:
        return {"destinations": self.destinations, "actions": self.actions,
                "defaults": self.defaults}[key]


def merge_chain(chain: list[MarkedDocument], report: Problems) -> Merged:
    """Combine parents then child: maps are updated, lists concatenated (child rules first)."""
    out = Merged()
    for doc in chain:
        data = doc.data
        for path, hides in _HIDING:
            if not report.usable(Item(None, doc, path)):  # broken, or under a misspelt key
                out.unknown.update(hides)
        for key in _SINGLE:
            if key in data:
                out.single[key] = Item(data[key], doc, (key,))
        for key in _NAMED:
            section = data.get(key)
            if isinstance(section, dict):
                for name, value in section.items():
                    out.named(key)[name] = Item(value, doc, (key, name))
        # A child's field rules are tried before its parents'.
        out.fields = _listed(doc, "fields") + out.fields
        for item in _listed(doc, "rules"):
            rule_id = item.value.get("id") if isinstance(item.value, dict) else None
            out.rules[rule_id if isinstance(rule_id, str) else (doc.file, item.path)] = item
        out.exceptions += _listed(doc, "exceptions")
        out.canaries = _listed(doc, "canaries") + out.canaries  # the child's first
        if not merge_detectors(out.detectors, data, doc):
            out.unknown.update(("rules", "detectors"))  # exceptions may name custom detectors
    if any(_hides_an_id(item, report, required=False) for item in out.fields) or any(
            _hides_an_id(item, report, required=True) for item in out.rules.values()):
        out.unknown.add("rules")
    return out


def _hides_an_id(item: Item, report: Problems, *, required: bool) -> bool:
    """Whether *item* may have an id that cannot be read (missing, broken or misspelt)."""
    if not isinstance(item.value, dict) or (required and "id" not in item.value):
        return True
    return not isinstance(item.value.get("id", ""), str) or not report.usable(item, "id")


def _listed(doc: MarkedDocument, key: str) -> list[Item]:
    """The entries of the list *key* in *doc* (none if it is not a list)."""
    value = doc.data.get(key)
    return [Item(v, doc, (key, i)) for i, v in enumerate(value)] if isinstance(value, list) else []


def resolved_document(merged: Merged, chain: list[MarkedDocument]) -> dict[str, Any]:
    """The effective policy as plain data: what ``guardrail validate --resolved`` prints.

    It names every policy in the chain with its version, so the hash of the
    resolved policy changes when any of them does.
    """
    out: dict[str, Any] = {"apiVersion": "guardrail/v1", "kind": "Policy"}
    out["resolved_from"] = [
        {"name": meta["name"], "version": meta.get("version", "")}
        for meta in (doc.data["metadata"] for doc in chain)
    ]
    for key in _SINGLE:
        if key in merged.single:
            out[key] = merged.single[key].value
    for key in _NAMED:
        out[key] = {name: item.value for name, item in merged.named(key).items()}
    out["fields"] = [item.value for item in merged.fields]
    out["rules"] = [item.value for item in merged.rules.values()]
    out["exceptions"] = [item.value for item in merged.exceptions]
    if merged.canaries:
        out["canaries"] = [item.value for item in merged.canaries]
    detectors = resolved_detectors(merged.detectors)
    if detectors:
        out["detectors"] = detectors
    return out
