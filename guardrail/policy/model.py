"""The resolved, validated policy as typed, immutable objects."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_LEVELS",
    "ACTIONS",
    "AUDIT_ACTION",
    "MODES",
    "BLOCKING_ACTIONS",
    "CANARY_PREFIX",
    "Canary",
    "CustomDetectorSpec",
    "Destination",
    "DetectorPolicy",
    "DetectorSetting",
    "FieldRule",
    "RecordRule",
    "Waiver",
    "Policy",
    "UNCLASSIFIED_RULE",
    "FIELD_LEVEL_RULE",
]

DEFAULT_LEVELS: tuple[str, ...] = ("public", "internal", "personal", "special-category")
ACTIONS = ("block", "warn", "redact", "mask", "hash", "drop")
# A check looks at the payload as it is: data that needs redacting has not been
# redacted yet, so every action except "warn" stops publication.
BLOCKING_ACTIONS = frozenset({"block", "redact", "mask", "hash", "drop"})
# What a finding's blocking action becomes while its rule is in audit (staged
# rollout): reported and counted, never blocking. Not an action an author writes.
AUDIT_ACTION = "audit"
MODES = ("audit", "enforce")

UNCLASSIFIED_RULE = "field.unclassified"
FIELD_LEVEL_RULE = "field.level"
# The rule id of a canary's findings is this prefix and the canary's id.
CANARY_PREFIX = "canary."


@dataclass(frozen=True)
class Destination:
    """Where a payload is going and the most sensitive level it may receive."""

    name: str
    max_level: str
    description: str = ""
    actions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldRule:
    """Classifies field paths by exact ``name``, glob ``match`` or JMESPath ``path``."""

    kind: str  # "name" | "match" | "path"
    patterns: tuple[str, ...]
    level: str
    id: str | None = None
    description: str = ""
    origin: str = ""  # file:line where the rule was written
    mode: str | None = None  # "audit" | "enforce" | None (the policy's)
    enforce_from: _dt.date | None = None


@dataclass(frozen=True)
class RecordRule:
    """A record-level condition: when the JMESPath ``when`` is truthy the record gets ``level``."""

    id: str
    when: str
    level: str
    fields: tuple[str, ...] = ()
    description: str = ""
    origin: str = ""
    mode: str | None = None  # "audit" | "enforce" | None (the policy's)
    enforce_from: _dt.date | None = None


@dataclass(frozen=True)
class Waiver:
    """An approved, time-limited exception for a rule and/or a field."""

    reason: str
    approved_by: str
    expires: _dt.date
    rule: str | None = None
    field: str | None = None
    destinations: tuple[str, ...] = ()
    origin: str = ""

    def label(self) -> str:
        target = " and ".join(
            part for part in (f"rule {self.rule}" if self.rule else "",
                              f"field {self.field}" if self.field else "") if part
        )
        return f"exception for {target} approved by {self.approved_by} ({self.origin})"

    def active_on(self, day: _dt.date) -> bool:
        return day <= self.expires


@dataclass(frozen=True)
class DetectorSetting:
    """A policy's overrides for one installed detector."""

    level: str | None = None
    min_confidence: float | None = None
    fields: tuple[str, ...] = ()
    skip_fields: tuple[str, ...] = ()
    mode: str | None = None  # staged rollout, as on a rule (wins over a custom spec's)
    enforce_from: _dt.date | None = None


@dataclass(frozen=True)
class CustomDetectorSpec:
    """A regex or dictionary detector written in the policy itself."""

    id: str
    level: str
    regex: str | None = None
    terms: tuple[str, ...] = ()
    confidence: float = 0.9
    ignore_case: bool = False
    hotwords: tuple[str, ...] = ()
    hotword_window: int = 40
    exclude: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    skip_fields: tuple[str, ...] = ()
    description: str = ""
    origin: str = ""
    mode: str | None = None  # staged rollout, as on a rule
    enforce_from: _dt.date | None = None


@dataclass(frozen=True)
class Canary:
    """A planted, clearly fake identity: any check that sees one of its values blocks.

    ``record`` maps the export's field names to the fake values, so ``guardrail
    canary`` can print it as a row for an export job to append.
    """

    id: str
    record: tuple[tuple[str, str], ...]
    description: str = ""
    origin: str = ""

    @property
    def rule(self) -> str:
        """The rule id its findings carry (``canary.<id>``)."""
        return CANARY_PREFIX + self.id


@dataclass(frozen=True)
class DetectorPolicy:
    """Which content detectors run, where, and how sure they must be."""

    run: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    min_confidence: float = 0.5
    fields: tuple[str, ...] = ()
    skip_fields: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    settings: dict[str, DetectorSetting] = field(default_factory=dict)
    custom: tuple[CustomDetectorSpec, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A policy after ``extends`` is resolved and everything is validated."""

    name: str
    version: str
    owner: str
    description: str
    file: str
    levels: tuple[str, ...]
    destinations: dict[str, Destination]
    default_destination: str
    unknown_level: str
    actions: dict[str, str]
    field_rules: tuple[FieldRule, ...]
    record_rules: tuple[RecordRule, ...]
    waivers: tuple[Waiver, ...]
    records: str | None
    max_findings: int | None
    sha256: str
    sources: tuple[str, ...]
    detectors: DetectorPolicy = field(default_factory=DetectorPolicy)
    resolved: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    mode: str | None = None  # staged rollout: every rule's default (None: enforce)
    enforce_from: _dt.date | None = None
    canaries: tuple[Canary, ...] = ()

    def rank(self, level: str) -> int:
        return self.levels.index(level)

    def action_for(self, level: str, destination: Destination) -> str:
        """The action for a finding at *level* bound for *destination* (block if unset)."""
        return destination.actions.get(level) or self.actions.get(level) or "block"

    def describe(self) -> dict[str, Any]:
        """Identity of the policy as reports show it."""
        return {"name": self.name, "version": self.version, "sha256": self.sha256,
                "file": self.file}
