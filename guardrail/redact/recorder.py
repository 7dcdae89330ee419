"""A redaction's sink: it reports like a check and notes, per record, what to change.

Each finding's action (redact, mask, hash, drop, block) becomes an edit of the
value, the part of it a detector found, the key, or the fields a record rule
names. The report still goes to a :class:`~guardrail.engine.collector.Collector`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from guardrail.decision import FindingKind
from guardrail.engine.collector import Collector
from guardrail.engine.scanning import as_text
from guardrail.engine.sink import Match
from guardrail.policy.model import BLOCKING_ACTIONS
from guardrail.policy.paths import normalize_key

__all__ = ["Edits", "EditRecorder", "WHOLE_RECORD", "stronger"]

WHOLE_RECORD = "@"  # a record rule about the whole record
_STRENGTH: Final = {"mask": 1, "hash": 2, "redact": 3, "drop": 4, "block": 5}


def stronger(current: str | None, action: str) -> str:
    """The stronger of two actions (``drop`` beats ``redact`` beats ``mask``)."""
    return action if current is None or _STRENGTH[action] > _STRENGTH[current] else current


@dataclass
class Edits:
    """What one record needs changed, keyed the way the engine reports fields."""

    whole: dict[str, str] = field(default_factory=dict)  # field -> action on the whole value
    spans: dict[tuple[str, str], list[tuple[int, int, str]]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # a key that is personal data -> action
    rules: dict[str, str] = field(default_factory=dict)  # normalised top-level field -> action

    def __bool__(self) -> bool:
        return bool(self.whole or self.spans or self.keys or self.rules)


class EditRecorder:
    """Forwards findings to *collector* (unless :attr:`quiet`) and records edits.

    Every finding reaches it with its exact field path (:meth:`wants` is always
    True); the collector keeps only ``max_findings`` of each rule.
    """

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.edits = Edits()
        self.blocked = False
        self.quiet = False  # re-checking a redacted record: note edits, report nothing

    def take(self) -> Edits:
        """The edits noted since the last call."""
        edits, self.edits = self.edits, Edits()
        return edits

    def _action(self, kind: FindingKind) -> str | None:
        if kind.waived_by is not None or kind.action not in BLOCKING_ACTIONS:
            return None
        if kind.action == "block":
            self.blocked = True
        return kind.action

    def wants(self, rule: str) -> bool:
        return True

    def value(self, record: int | None, field: str, value: Any, matches: Sequence[Match],
              position: str | None) -> None:
        if not self.quiet:
            self.collector.value(record, field, value, matches, position)
        text: str | None = None
        for match in matches:
            action = self._action(match.kind)
            if action is None:
                continue
            if match.whole:
                self.edits.whole[field] = stronger(self.edits.whole.get(field), action)
                continue
            if text is None:
                text = as_text(value) or ""
            self.edits.spans.setdefault((field, text), []).append(
                (match.start, match.end, action))  # type: ignore[arg-type]

    def key(self, record: int | None, label: str, key: str, matches: Sequence[Match],
            position: str | None) -> None:
        if not self.quiet:
            self.collector.key(record, label, key, matches, position)
        for match in matches:
            action = self._action(match.kind)
            if action is not None:
                self.edits.keys[key] = stronger(self.edits.keys.get(key), action)

    def record(self, record: int | None, kind: FindingKind, fields: Sequence[str],
               data: Any, message: str, position: str | None) -> None:
        if not self.quiet:
            self.collector.record(record, kind, fields, data, message, position)
        action = self._action(kind)
        if action is None:
            return
        for name in fields:
            name = WHOLE_RECORD if name == "@" else normalize_key(name)
            self.edits.rules[name] = stronger(self.edits.rules.get(name), action)

    def count(self, kind: FindingKind, times: int) -> None:
        if not self.quiet:
            self.collector.count(kind, times)

    def end_section(self) -> None:
        self.collector.end_section()
