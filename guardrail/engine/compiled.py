"""A policy compiled once for one destination, and reused by every check.

A server or an upload hook checks thousands of payloads with one policy: the field
classifier and its cache, the compiled record rules, the content scanner (its RE2
sets and the values each field has already seen) and the waivers that concern the
destination are built here once instead of once per check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from guardrail.contract.protocols import Detector
from guardrail.engine.adjacent import Neighbours
from guardrail.engine.canary_detector import is_canary_rule
from guardrail.engine.record_rules import CompiledRule, compile_rule
from guardrail.engine.scanning import ActiveDetector, ContentScanner, select_detectors
from guardrail.policy.classify import Classification, Classifier
from guardrail.policy.model import UNCLASSIFIED_RULE, Destination, Policy, Waiver
from guardrail.policy.paths import compile_path_pattern, normalize_key

__all__ = ["CompiledPolicy", "KEY_FIELD"]

KEY_FIELD = "(key)"  # the field that field-name scanning passes to detectors
_PARTS = re.compile(r"[!/>\\]")  # a path's folders, a position's sheet!cell and a > b
# What joins the words of a file name or URL: ``john-smith.csv``, ``?who=John+Smith``,
# ``Margaret_Okafor``, ``Okafor,Margaret``, ``%20`` already decoded by the caller.
# A file extension, at the end of a part or before a URL's query (``case.html?who=``).
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}(?=$|[?#])")
_JOINED = re.compile(r"[-_+.=&?;,:~()\[\]{}'\"]+")


class CompiledPolicy:
    """Everything a check needs from *policy* to judge payloads bound for *destination*.

    :param detectors: the content detectors the policy runs (see
        :func:`~guardrail.engine.scanning.select_detectors`); those whose level the
        destination may receive are dropped here.
    """

    def __init__(self, policy: Policy, destination: Destination,
                 detectors: Sequence[ActiveDetector] = ()) -> None:
        self.policy = policy
        self.destination = destination
        self.classifier = Classifier(policy)
        self._max_rank = policy.rank(destination.max_level)
        self.waivers: tuple[Waiver, ...] = tuple(
            w for w in policy.waivers
            if not w.destinations or destination.name in w.destinations)
        self.rules: tuple[CompiledRule, ...] = tuple(
            compile_rule(r) for r in policy.record_rules if self.exceeds(r.level))
        relevant = [d for d in detectors if d.canary or self.exceeds(d.level)]
        self.scanner = ContentScanner(relevant, policy.detectors.allow) if relevant else None
        self.neighbours = Neighbours(self.scanner) if self.scanner is not None else None
        # Names are screened by every detector the policy runs, whatever the destination
        # may receive: a report can travel further than the payload it describes.
        self._names = ContentScanner(detectors, policy.detectors.allow) if detectors else None
        self._name_scanner: Any = None
        # Keys that a path rule spells out (patient."Clinical Notes (GP)"): named by the
        # policy's author, so reports may print them.
        self._path_keys = frozenset(
            normalize_key(segment) for rule in policy.field_rules if rule.kind == "path"
            for pattern in rule.patterns for segment in compile_path_pattern(pattern)
            if isinstance(segment, str))

    @classmethod
    def build(cls, policy: Policy, destination: str,
              installed: Mapping[str, Detector]) -> CompiledPolicy:
        """Compile *policy* for the destination named *destination* (already resolved)."""
        return cls(policy, policy.destinations[destination],
                   select_detectors(policy, dict(installed)))

    def exceeds(self, level: str) -> bool:
        """May the destination not receive *level*? Unknown levels fail closed."""
        try:
            return self.policy.rank(level) > self._max_rank
        except ValueError:
            return True

    def reports(self, hit: Any) -> bool:
        """Is a detector's *hit* a finding here? When the destination may not receive its
        level, and always for a canary."""
        return is_canary_rule(hit.rule) or self.exceeds(hit.level)

    def rank(self, level: str) -> int:
        """A level's rank; an unknown level ranks above every known one (fail closed)."""
        try:
            return self.policy.rank(level)
        except ValueError:
            return len(self.policy.levels)

    def action_for(self, level: str) -> str:
        return self.policy.action_for(level, self.destination)

    def classify(self, path: Sequence[str | int]) -> Classification:
        return self.classifier.classify(path)

    def name_hits(self, text: str) -> Any:
        """What content detectors find in a name: a field name, a key, a sheet name, a
        position or a file name.

        A CSV exported without its header row, or JSON keyed by email address, puts
        personal data where names belong; reports print names, so such a name must be
        found and never shown. Every detector the policy runs screens names; only hits
        the destination may not receive are findings (see :meth:`exceeds`).
        """
        if self._names is None:
            return ()
        if self._name_scanner is None:
            self._name_scanner = self._names.for_field(KEY_FIELD) or False
        return self._name_scanner.scan(text) if self._name_scanner else ()

    def holds_personal_data(self, text: str) -> bool:
        """Does a detector find anything in *text* or in one of its parts? A path or a
        position puts a name between separators, quotes and an extension
        (``./07700 900123.csv``, ``'Grace Okafor'!A2``), which hides it from a
        detector that wants a word boundary."""
        if self.name_hits(text):
            return True
        parts = [part.strip(" '\"") for part in _PARTS.split(text)]
        parts = [part for part in parts if part not in ("", ".", "..")]
        if len(parts) > 1 and any(self.name_hits(part) for part in parts):
            return True
        if any(self.name_hits(part.rsplit(".", 1)[0]) for part in parts if "." in part):
            return True
        return any(self._joined_hits(part) for part in parts)

    def _joined_hits(self, part: str) -> bool:
        """A part's words once joiners are read as spaces (``daniel-hughes-complaint``,
        ``who=John+Smith``), and "Surname, Forename" read the other way round."""
        part = _EXTENSION.sub("", part)  # never a word: "m2.csv" is not "M2 CSV"
        words = _JOINED.sub(" ", part).strip()
        if words != part and words and self.name_hits(words):
            return True
        surname, comma, forename = part.partition(",")
        return bool(comma) and bool(self.name_hits(
            f"{_JOINED.sub(' ', forename).strip()} {_JOINED.sub(' ', surname).strip()}"))

    def named_by_rule(self, name: str) -> bool:
        """Does a field rule of the policy name *name* (as a field anywhere, or as a key
        of a path rule)?"""
        return normalize_key(name) in self._path_keys or \
            self.classifier.classify((name,)).rule != UNCLASSIFIED_RULE
