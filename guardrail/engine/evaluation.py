"""One check's evaluation: what values mean, reported to a sink.

No I/O, no hooks, no printing. The walkers (``table_walk``, ``document_walk``) find
values; this module decides which rules each value breaks, orders them, and hands
one report per value to the :class:`~guardrail.engine.sink.Sink`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guardrail.contract.records import Locator
from guardrail.decision import FindingKind
from guardrail.engine.adjacent import Joined
from guardrail.engine.canary_detector import is_canary_rule
from guardrail.engine.compiled import CompiledPolicy
from guardrail.engine.impact_sink import ImpactSink
from guardrail.engine.record_rules import CompiledRule, evaluate
from guardrail.engine.rollout import Rollout, StagedFields
from guardrail.engine.scanning import Hit
from guardrail.engine.sink import Match, Sink
from guardrail.engine.worker import ScanPool, can_fork
from guardrail.masking import is_redacted, mask_value
from guardrail.policy.model import AUDIT_ACTION, BLOCKING_ACTIONS, UNCLASSIFIED_RULE, Waiver
from guardrail.policy.waivers import WaiverBook

__all__ = ["Evaluation", "Plan", "SECTION_NAME", "is_plain_name", "published_as_is"]

SECTION_NAME = "(section name)"  # the field of a finding in a section's own name
# An identifier, optionally namespaced (a:id) or marked as XML readers mark attributes
# (@ref), processing instructions (?audit) and text (#text); never a space.
_JOINERS = re.compile(r"[_.\-:@?#]+")  # what joins the words of an identifier
# Characters str.isprintable() lets through that change how a line reads: the
# direction marks, embeddings, overrides and isolates.
_DIRECTION = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_PLAIN_NAME = re.compile(r"[@?#]?[A-Za-z_][A-Za-z0-9_.:\-]{0,63}")

Locate = Locator | None


def is_plain_name(name: str) -> bool:
    """An identifier-like name (``case_id``, ``Ward``, ``lsoa.code``, ``@xml:lang``):
    short, no spaces, ASCII, fewer than six digits (``tel.07700900123`` is a number
    dressed as a name); a report may print it even when no rule names it."""
    return _PLAIN_NAME.fullmatch(name) is not None and \
        sum(char.isdigit() for char in name) < 6


@dataclass(frozen=True)
class Plan:
    """What a field rule reports when a field shape holds a value."""

    kind: FindingKind
    message: str


def published_as_is(plan: Plan | None) -> bool:
    """Does a value under *plan* reach the destination as it is (no field rule, or one
    that only warns)? Then what it holds with its neighbours must still be read."""
    return plan is None or not plan.kind.blocking


class Evaluation:
    """Evaluates sections of records for one check, reporting to *sink*.

    :param today: the date waivers are judged against (injectable for tests).
    :param jobs: processes for content scanning; 2 forks a worker (see ``worker.py``).
    :param waivers: the waivers findings are judged against (default: the compiled
        policy's, on *today*); every entry point shares this one evaluator.
    """

    def __init__(self, compiled: CompiledPolicy, sink: Sink, *,
                 today: _dt.date | None = None, jobs: int = 1,
                 waivers: WaiverBook | None = None) -> None:
        self.compiled = compiled
        self.sink = sink
        self.policy = compiled.policy
        self.destination = compiled.destination
        self.today = today or _dt.date.today()
        self.rules = compiled.rules
        self.scanner = compiled.scanner
        self.neighbours = compiled.neighbours
        self.jobs = jobs if self.scanner is not None and can_fork() else 1
        self.waivers = waivers if waivers is not None \
            else WaiverBook(compiled.waivers, self.today)
        self.rollout = Rollout(self.policy, self.today)
        self.staged = StagedFields(self.policy, self.rollout)
        # Fields no rule classifies that went out anyway, the destination accepting the
        # default level: said in a notice, so a new column is a decision, not an accident.
        self._unclassified_allowed: dict[str, None] = {}
        self._pool: ScanPool | None = None
        self._kinds: dict[tuple[str, str | None, str, str, str], FindingKind] = {}
        self.section_caches: dict[tuple[str, str | None], Any] = {}  # see DocumentWalk
        self._labels: dict[str, str] = {}
        self._named_sections: set[tuple[str, str | None]] = set()
        self._unnamed: dict[str, dict[str, str]] = {}  # file -> key -> #N
        #: Set for an impact check: walkers tell it where records start (impact_sink.py).
        self.impact: ImpactSink | None = sink if isinstance(sink, ImpactSink) else None

    def pool(self) -> ScanPool:
        """The worker pool for content scanning, started on first use (see worker.py)."""
        if self._pool is None:
            assert self.scanner is not None
            self._pool = ScanPool(self.scanner)
        return self._pool

    def close(self) -> None:
        """Stop worker processes, if any were started."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    # -- policy ---------------------------------------------------------------------

    def notices(self, counts: Mapping[FindingKind, int] | None = None) -> list[str]:
        """What the report says of this destination's exceptions (expired, or ignored)
        and, given the counts, of the rules still in audit (see ``rollout.py``)."""
        rollout = self.rollout.notices(counts) if counts is not None else []
        return self.waivers.notices() + rollout + self._unclassified_notice()

    def _unclassified_notice(self) -> list[str]:
        fields = list(self._unclassified_allowed)
        if not fields:
            return []
        shown = ", ".join(fields[:5]) + (f" and {len(fields) - 5} more" if len(fields) > 5
                                         else "")
        return [f"{len(fields)} field{'s' if len(fields) != 1 else ''} no rule of the policy "
                f"classifies ({shown}) went to '{self.destination.name}' as "
                f"{self.policy.unknown_level} data, which it accepts; classify "
                f"{'them' if len(fields) != 1 else 'it'} so that a new column is a "
                f"decision, not an accident"]

    def waivers_used(self, counts: Mapping[FindingKind, int]) -> tuple[Waiver, ...]:
        """The waivers that suppressed at least one of the counted findings."""
        self.waivers.note_suppressed(kind.waived_by for kind, n in counts.items() if n)
        return self.waivers.used

    def exceeds(self, level: str) -> bool:
        return self.compiled.exceeds(level)

    def reports(self, hit: Hit) -> bool:
        """Is a detector's hit a finding (see :meth:`CompiledPolicy.reports`)?"""
        return self.compiled.reports(hit)

    def kind(self, file: str, section: str | None, rule: str, field: str,
             level: str) -> FindingKind:
        key = (file, section, rule, field, level)
        found = self._kinds.get(key)
        if found is None:
            if is_canary_rule(rule):  # never waived, never in audit, never just a warning
                found = FindingKind(file, rule, field, level, "block", None,
                                    self.label(section))
                self._kinds[key] = found
                return found
            action = self.compiled.action_for(level)
            if action in BLOCKING_ACTIONS and self.rollout.audits(rule):
                action = AUDIT_ACTION  # reported, not blocking: the rule is in audit
            found = FindingKind(file, rule, field, level, action,
                                self.waivers.label_for(rule, field), self.label(section))
            self._kinds[key] = found
        return found

    def field_plan(self, file: str, section: str | None, path: Sequence[str | int],
                   pattern: str) -> Plan | None:
        """The finding a value at *path* produces, or None when the destination may have it."""
        found, passed_over = self.staged.settle(self.compiled.classify(path), path,
                                                self.exceeds)
        staged = f"; rule {passed_over} is in audit and does not apply yet" \
            if passed_over else ""
        if not self.exceeds(found.level):
            if found.rule == UNCLASSIFIED_RULE and len(self._unclassified_allowed) < 1000:
                self._unclassified_allowed[pattern] = None
            return None
        kind = self.kind(file, section, found.rule, pattern, found.level)
        message = (f"field '{pattern}' is {found.level} ({found.matched_by}); "
                   f"'{self.destination.name}' accepts at most {self.destination.max_level}"
                   f"{staged}")
        return Plan(kind, message)

    # -- names from the payload -------------------------------------------------------

    def name_hits(self, name: str) -> tuple[Hit, ...]:
        return self.compiled.name_hits(name)  # type: ignore[no-any-return]

    def shown_name(self, name: str) -> bool:
        """May reports print this field name as it is? Only when no detector finds
        anything in it, nor in its words once ``_`` ``.`` ``-`` are read as spaces
        (``John_Smith``), and it is a plain identifier or a name the policy's rules
        use: a header that is really a line of prose must not reach a verdict line."""
        if not name.isprintable() or _DIRECTION.search(name):
            return False  # a line break, a terminal escape or a text-direction override
        if self.name_hits(name):
            return False
        words = _JOINERS.sub(" ", name).strip()
        if words != name and words and self.name_hits(words):
            return False
        return is_plain_name(name) or self.compiled.named_by_rule(name)

    def unnamed_key(self, file: str, key: str) -> str:
        """``#N`` for a key reports may not print: in one payload, the same key keeps
        the same number."""
        names = self._unnamed.setdefault(file, {})
        found = names.get(key)
        if found is None:
            if len(names) >= 50_000:
                names.clear()
            found = names[key] = f"#{len(names) + 1}"
        return found

    def label(self, text: str | None) -> str | None:
        """A section name or position as reports show it: masked when content detectors
        find personal data in it (a sheet named after a person, an element id)."""
        if not text:
            return text
        found = self._labels.get(text)
        if found is None:
            if len(self._labels) >= 10_000:
                self._labels.clear()
            if not text.isprintable() or _DIRECTION.search(text):
                # a line break or an escape would print a line or a colour of its own
                found = mask_value("".join(c if c.isprintable() and not _DIRECTION.match(c)
                                           else " " for c in text))
            else:
                found = mask_value(text) if self.compiled.holds_personal_data(text) \
                    else text
            self._labels[text] = found
        return found

    def where(self, locate: Locate, source: Any) -> str | None:
        return self.label(locate(source)) if locate else None

    def check_section_name(self, file: str, section: str | None) -> None:
        """A section name is published with the payload (a sheet named after a person):
        personal data in it is a finding, as in a field name."""
        if section and (file, section) not in self._named_sections:
            self._named_sections.add((file, section))
            self.value(file, section, None, SECTION_NAME, SECTION_NAME, section, None,
                       self.name_hits(section), None, None)

    # -- reporting --------------------------------------------------------------------

    def matches(self, file: str, section: str | None, pattern: str, value: Any,
                plan: Plan | None, hits: Iterable[Hit]) -> list[Match]:
        """Every rule a value breaks, primary first; empty when it breaks none."""
        found = []
        if plan is not None and not is_redacted(value, plan.kind.action):
            found.append(Match(plan.kind, message=plan.message))
        reports = self.compiled.reports
        for hit in hits:
            if reports(hit):
                found.append(Match(self.kind(file, section, hit.rule, pattern, hit.level),
                                   hit.start, hit.end, hit.evidence, hit.confidence))
        if len(found) > 1:
            found.sort(key=lambda match: self.precedence(match.kind, match.start is not None))
        return found

    def precedence(self, kind: FindingKind, detector: bool) -> tuple[bool, bool, int, str]:
        """Sort key of the rules one value broke: blocking before warning or waived,
        field rules before detectors, higher levels first. The first decides."""
        return (not kind.blocking, detector, -self.compiled.rank(kind.level), kind.rule)

    def _position(self, rule: str, locate: Locate, source: Any) -> str | None:
        """Where a finding of *rule* is, computed only when the sink lists it."""
        return self.where(locate, source) \
            if locate is not None and self.sink.wants(rule) else None

    def _also_waived(self, found: Sequence[Match]) -> None:
        """When the deciding rule of a value is waived nothing it broke blocks, so every
        waiver among its other rules suppressed it too (counts name only the first)."""
        if len(found) > 1 and found[0].kind.waived_by is not None:
            self.waivers.note_suppressed(match.kind.waived_by for match in found[1:])

    def value(self, file: str, section: str | None, record: int | None, field: str,
              pattern: str, value: Any, plan: Plan | None, hits: Iterable[Hit],
              locate: Locate, source: Any) -> None:
        """Report one value: every rule it breaks, as one finding."""
        found = self.matches(file, section, pattern, value, plan, hits)
        if found:
            self._also_waived(found)
            self.sink.value(record, field, value, found,
                            self._position(found[0].kind.rule, locate, source))

    def across(self, file: str, section: str | None, record: int | None,
               cells: Sequence[tuple[str, str, str, Locate]], join: Joined,
               hits: Iterable[Hit], source: Any, *,
               earlier: tuple[int | None, Any] | None = None,
               left_reported: bool = True) -> None:
        """Report what two neighbouring values hold only when read together (see
        ``adjacent.py``): each value is a finding, for the part of it the match covers.

        :param cells: (field, pattern, text, locate) of the left and the right value.
        :param join: where the two values meet; *hits* are positioned in its text.
        :param earlier: (index, record) of the left value's record when it is not
            *record* (the line before, in text read line by line).
        :param left_reported: False when the left value is past reporting (a redacted
            copy has already written the line before): only the right part is.
        """
        (left, left_pattern, left_text, left_locate), \
            (right, right_pattern, right_text, right_locate) = cells
        hits = [hit for hit in hits if self.reports(hit)]
        if not hits:
            return
        if self.impact is not None:  # the value read across the cells is one value
            for hit in hits:
                self.impact.distinct_across(
                    self.kind(file, section, hit.rule, right_pattern, hit.level),
                    join.text[hit.start:hit.end])
        boundary = join.boundary
        left_record, left_source = earlier if earlier is not None else (record, source)
        between = "the end of one line and the start of the next" if earlier is not None \
            else f"'{left}' and '{right}'"
        sides = [(record, source, right, right_pattern, right_text, right_locate,
                  [(0, h.end - boundary) for h in hits])]
        if left_reported:
            sides.insert(0, (left_record, left_source, left, left_pattern, left_text,
                             left_locate,
                             [(join.left_start + h.start, len(left_text)) for h in hits]))
        for index, origin, field, pattern, text, locate, spans in sides:
            found = [Match(self.kind(file, section, hit.rule, pattern, hit.level), start, end,
                           None, hit.confidence,
                           f"{hit.rule} found across {between}, read together "
                           f"(confidence {hit.confidence:.2f})")
                     for hit, (start, end) in zip(hits, spans, strict=True)]
            found.sort(key=lambda match: self.precedence(match.kind, True))
            self._also_waived(found)
            self.sink.value(index, field, text, found,
                            self._position(found[0].kind.rule, locate, origin))

    def key(self, file: str, section: str | None, record: int | None, label: str,
            key: str, hits: Iterable[Hit], locate: Locate, source: Any) -> None:
        """A field name holds personal data: report it under *label*, never the name."""
        found = self.matches(file, section, label, key, None, hits)
        if found:
            self._also_waived(found)
            self.sink.key(record, label, key, found,
                          self._position(found[0].kind.rule, locate, source))

    def apply_rules(self, file: str, section: str | None, record: int | None, data: Any,
                    rules: Iterable[CompiledRule], locate: Locate, source: Any) -> None:
        """Evaluate record rules against one record (a dict)."""
        sink = self.sink
        for compiled in rules:
            if not evaluate(compiled.expression, data):
                continue
            rule = compiled.rule
            kind = self.kind(file, section, rule.id, ", ".join(compiled.report), rule.level)
            message = (rule.description or f"record matches rule '{rule.when}'") \
                if sink.wants(rule.id) else ""
            sink.record(record, kind, compiled.report, data, message,
                        self._position(rule.id, locate, source))

