"""Pure evaluation: compiled policy + stream of records -> findings.

No I/O, no hooks, no printing. Field classification is computed once per field
shape, record rules are JMESPath expressions compiled once, and content
detectors run through a :class:`~guardrail.engine.scanning.ContentScanner`. How a
section is walked lives in :mod:`guardrail.engine.table_walk` and :mod:`guardrail.engine.document_walk`;
this module decides what a value means and records findings.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from guardrail.decision import Collector, Finding, FindingKind
from guardrail.engine.document_walk import DocumentRun
from guardrail.masking import is_redacted, mask_value
from guardrail.engine.worker import ScanPool, can_fork
from guardrail.policy.classify import Classifier
from guardrail.policy.model import Destination, Policy, Waiver
from guardrail.policy.paths import field_matches
from guardrail.engine.record_rules import CompiledRule, compile_rule, evaluate
from guardrail.contract.records import Documents, Locator, Section, Table
from guardrail.engine.scanning import ActiveDetector, ContentScanner, Hit
from guardrail.engine.table_walk import TableRun

__all__ = ["Evaluator", "Plan", "KEY_FIELD"]

KEY_FIELD = "(key)"  # the field that field-name scanning passes to detectors
SECTION_NAME = "(section name)"  # the field of a finding in a section's own name

Locate = Locator | None


@dataclass(frozen=True)
class Plan:
    """What to report when a field shape holds a value."""

    kind: FindingKind
    message: str


class Evaluator:
    """Evaluates sections of records for one policy and destination.

    :param today: the date waivers are judged against (injectable for tests).
    :param detectors: the content detectors the policy runs (see
        :func:`guardrail.engine.scanning.select_detectors`); those whose level the
        destination may receive are dropped here.
    """

    def __init__(
        self,
        policy: Policy,
        destination: Destination,
        collector: Collector,
        *,
        today: _dt.date | None = None,
        detectors: Sequence[ActiveDetector] = (),
        classifier: Classifier | None = None,
        jobs: int = 1,
    ) -> None:
        self.policy = policy
        self.destination = destination
        self.collector = collector
        self.today = today or _dt.date.today()
        self.classifier = classifier or Classifier(policy)
        self._max_rank = policy.rank(destination.max_level)
        self._waivers = [w for w in policy.waivers if self._for_destination(w)]
        self._active = [w for w in self._waivers if w.active_on(self.today)]
        self.rules: list[CompiledRule] = [compile_rule(r) for r in policy.record_rules
                                          if self.exceeds(r.level)]
        relevant = [d for d in detectors if self.exceeds(d.level)]
        self.scanner = ContentScanner(relevant, policy.detectors.allow) if relevant else None
        self.jobs = jobs if self.scanner is not None and can_fork() else 1
        self._key_scanner: Any = None
        self._pool: ScanPool | None = None
        self._waiver_cache: dict[tuple[str, str], str | None] = {}
        self._kinds: dict[tuple[str, str | None, str, str, str], FindingKind] = {}
        self.section_caches: dict[tuple[str, str | None], Any] = {}  # see DocumentRun
        self._labels: dict[str, str] = {}
        self._named_sections: set[tuple[str, str | None]] = set()

    def pool(self) -> ScanPool:
        """The worker pool for content scanning, started on first use (see parallel.py)."""
        if self._pool is None:
            assert self.scanner is not None
            self._pool = ScanPool(self.scanner)
        return self._pool

    def close(self) -> None:
        """Stop worker processes, if any were started."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    # -- policy helpers -------------------------------------------------------------

    def notices(self) -> list[str]:
        """Expired exceptions relevant to this destination: they no longer waive anything."""
        return [
            f"{w.label()} expired on {w.expires.isoformat()} and no longer applies"
            for w in self._waivers if not w.active_on(self.today)
        ]

    def _for_destination(self, waiver: Waiver) -> bool:
        return not waiver.destinations or self.destination.name in waiver.destinations

    def exceeds(self, level: str) -> bool:
        """May the destination not receive *level*? Unknown levels fail closed."""
        try:
            return self.policy.rank(level) > self._max_rank
        except ValueError:
            return True

    def _waived_by(self, rule: str, field: str) -> str | None:
        key = (rule, field)
        if key not in self._waiver_cache:
            self._waiver_cache[key] = next(
                (w.label() for w in self._active if _waiver_matches(w, rule, field)), None
            )
        return self._waiver_cache[key]

    def kind(self, file: str, section: str | None, rule: str, field: str,
             level: str) -> FindingKind:
        key = (file, section, rule, field, level)
        found = self._kinds.get(key)
        if found is None:
            action = self.policy.action_for(level, self.destination)
            found = FindingKind(file, rule, field, level, action, self._waived_by(rule, field),
                                self.label(section))
            self._kinds[key] = found
        return found

    # -- labels from the payload ------------------------------------------------------

    def label(self, text: str | None) -> str | None:
        """A section name or position as reports show it: masked when content detectors
        find personal data in it (a sheet named after a person, an element id)."""
        if not text:
            return text
        found = self._labels.get(text)
        if found is None:
            if len(self._labels) >= 10_000:
                self._labels.clear()
            found = self._labels[text] = mask_value(text) if self.key_hits(text) else text
        return found

    def _where(self, locate: Locate, source: Any) -> str | None:
        return self.label(locate(source)) if locate else None

    def _check_section_name(self, file: str, section: str | None) -> None:
        """A section name is published with the payload (a sheet named after a person):
        personal data in it is a finding, as in a field name (see :meth:`report_key`)."""
        if section and (file, section) not in self._named_sections:
            self._named_sections.add((file, section))
            hits = self.key_hits(section)
            if hits:  # not report_key: a redactor must not rename a key of that name
                Evaluator.report_hits(self, file, section, None, SECTION_NAME, SECTION_NAME,
                                      section, hits, None, None)

    # -- sections ---------------------------------------------------------------------

    def evaluate(self, file: str, section: Section) -> int:
        """Evaluate one section; returns the number of records read."""
        self._check_section_name(file, section.name)
        if isinstance(section, Table):
            return TableRun(self, file, section).run()
        assert isinstance(section, Documents)
        return DocumentRun(self, file, section).run()

    # -- what values mean -------------------------------------------------------------

    def field_plan(self, file: str, section: str | None, path: Sequence[str | int],
                   pattern: str) -> Plan | None:
        """The finding a value at *path* produces, or None when the destination may have it."""
        found = self.classifier.classify(path)
        if not self.exceeds(found.level):
            return None
        kind = self.kind(file, section, found.rule, pattern, found.level)
        message = (f"field '{pattern}' is {found.level} ({found.matched_by}); "
                   f"'{self.destination.name}' accepts at most {self.destination.max_level}")
        return Plan(kind, message)

    def report_value(self, plan: Plan, record: int | None, field: str, value: Any,
                     locate: Locate, source: Any) -> None:
        """A classified field holds a value the destination may not receive (unless
        the value is what a redaction wrote: the data it stood for is gone)."""
        kind = plan.kind
        if is_redacted(value, kind.action):
            return
        finding = None
        if self.collector.wants(kind.rule):
            message = plan.message if field == kind.field else \
                plan.message.replace(f"'{kind.field}'", f"'{field}'", 1)
            finding = Finding(kind.file, record, field, kind.rule, kind.level, kind.action,
                              mask_value(value), message, self._where(locate, source),
                              kind.section, kind.waived_by)
        self.collector.add(kind, finding)

    def report_hits(self, file: str, section: str | None, record: int | None, field: str,
                    pattern: str, value: str, hits: Iterable[Hit], locate: Locate,
                    source: Any) -> None:
        """Content detectors found something in one value."""
        collector = self.collector
        for hit in hits:
            kind = self.kind(file, section, hit.rule, pattern, hit.level)
            finding = None
            if collector.wants(hit.rule):
                evidence = hit.evidence or mask_value(value[hit.start:hit.end])
                finding = Finding(file, record, field, hit.rule, hit.level, kind.action,
                                  evidence,
                                  f"{hit.rule} found in '{field}' "
                                  f"(confidence {hit.confidence:.2f})",
                                  self._where(locate, source), kind.section, kind.waived_by)
            collector.add(kind, finding)

    def key_hits(self, key: str) -> Any:
        """What content detectors find in a field name itself.

        A CSV exported without its header row, or JSON keyed by email address, puts
        personal data where field names belong; reports print field names, so such a
        name must be found and never shown.
        """
        if self.scanner is None:
            return ()
        if self._key_scanner is None:
            self._key_scanner = self.scanner.for_field(KEY_FIELD) or False
        return self._key_scanner.scan(key) if self._key_scanner else ()

    def report_key(self, file: str, section: str | None, record: int | None, label: str,
                   key: str, hits: Iterable[Hit], locate: Locate, source: Any) -> None:
        """A field name holds personal data: report it under *label*, never the name."""
        self.report_hits(file, section, record, label, label, key, hits, locate, source)

    def apply_rules(self, file: str, section: str | None, record: int | None, data: Any,
                    rules: Iterable[CompiledRule], locate: Locate, source: Any) -> None:
        """Evaluate record rules against one record (a dict)."""
        for compiled in rules:
            if not evaluate(compiled.expression, data):
                continue
            rule = compiled.rule
            field = ", ".join(compiled.report)
            kind = self.kind(file, section, rule.id, field, rule.level)
            finding = None
            if self.collector.wants(rule.id):
                values = [data.get(f) if isinstance(data, dict) else None
                          for f in compiled.report]
                evidence = " | ".join(mask_value(v) for v in values if v not in (None, ""))
                message = rule.description or f"record matches rule '{rule.when}'"
                finding = Finding(file, record, field, rule.id, rule.level, kind.action,
                                  evidence, message, self._where(locate, source),
                                  kind.section, kind.waived_by)
            self.collector.add(kind, finding)


def _waiver_matches(waiver: Waiver, rule: str, field: str) -> bool:
    """Does *waiver* cover a finding of *rule* on *field* (a pattern like ``people[*].name``)?

    The waiver's field may name the field, its last key, or an enclosing field,
    with or without list indices, and may use globs.
    """
    if waiver.rule is not None and waiver.rule != rule:
        return False
    return waiver.field is None or field_matches((waiver.field,), field)
