"""Run content detectors over string values, fast.

Three things keep this cheap enough to scan every cell of a large export:

* **One RE2 set per field** gates all detectors that declare a candidate
  ``pattern``: a single linear pass over the value says which detectors can
  match at all, and only those run their own (Python) extraction and validation.
* **A cache per field**: exports repeat values (wards, categories, months), and
  a value already scanned in a field is not scanned again. The cache is bounded.
* **Only detectors that matter**: a detector whose level the destination may
  receive, or that the policy does not enable, never runs.
"""

from __future__ import annotations

import fnmatch
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

import re2

from guardrail.contract.protocols import Detector, declared
from guardrail.engine.canary_detector import CanaryDetector, is_canary_rule
from guardrail.engine.custom_detectors import CustomDetector
from guardrail.masking import is_redacted
from guardrail.policy.model import DetectorPolicy, Policy
from guardrail.policy.paths import field_matches
from guardrail.reading import NEEDS_READING, reading_of

__all__ = ["Hit", "Signature", "signature_of", "ActiveDetector", "ContentScanner",
           "FieldScanner", "select_detectors",
           "as_text"]

_CACHE_LIMIT = 50_000  # values remembered per field before the cache starts again
_CACHE_MAX_LENGTH = 256  # longer values (free text) rarely repeat: not cached


Signature = tuple[tuple[str, str], ...]  # (rule, level) of each hit in a value
_SIGNATURES: dict[Signature, Signature] = {}
_SIGNATURES_LIMIT = 10_000
_RULE_AND_LEVEL = itemgetter(0, 1)  # of a Hit


def signature_of(hits: Sequence[Hit]) -> Signature:
    """The (rule, level) of each hit, one shared copy per distinct signature: what counting
    needs, small enough to send between processes."""
    if not hits:
        return ()
    signature = tuple(map(_RULE_AND_LEVEL, hits))
    if len(_SIGNATURES) >= _SIGNATURES_LIMIT:
        _SIGNATURES.clear()
    return _SIGNATURES.setdefault(signature, signature)


class Hit(NamedTuple):
    """One detector match inside one value; ``evidence`` is already masked (or None)."""

    rule: str
    level: str
    start: int
    end: int
    confidence: float
    evidence: str | None  # None: mask the matched text when the finding is listed


_new_hit = partial(tuple.__new__, Hit)  # all in C: one Hit per match, millions of them


@dataclass(frozen=True)
class ActiveDetector:
    """A detector as the policy runs it: its level, threshold and fields."""

    id: str
    level: str
    min_confidence: float
    find: Callable[[str, str | None], Iterable[Any]]
    gate: str | None
    fields: tuple[str, ...] = ()
    skip_fields: tuple[str, ...] = ()
    wants_field: Callable[[str], bool] | None = None
    canary: bool = False  # a planted identity: runs for every destination, on every field

    def applies_to(self, field: str) -> bool:
        if self.fields and not field_matches(self.fields, field):
            return False
        return not (self.skip_fields and field_matches(self.skip_fields, field))


def _caller(detector: Detector) -> Callable[[str, str | None], Iterable[Any]]:
    """``find(text, field)`` whether or not the detector wants the field name."""
    find = detector.find
    try:
        takes_field = len(inspect.signature(find).parameters) >= 2
    except (TypeError, ValueError):
        takes_field = False
    if takes_field:
        return find  # type: ignore[return-value]
    return lambda text, field: find(text)


def select_detectors(policy: Policy, installed: dict[str, Detector]) -> list[ActiveDetector]:
    """The detectors a policy runs, with its overrides applied (before destination filtering)."""
    config: DetectorPolicy = policy.detectors
    chosen: list[ActiveDetector] = []
    for detector_id in sorted(installed):
        if not any(fnmatch.fnmatchcase(detector_id, p) for p in config.run):
            continue
        if any(fnmatch.fnmatchcase(detector_id, p) for p in config.skip):
            continue
        detector = installed[detector_id]
        setting = config.settings.get(detector_id)
        level = (setting.level if setting and setting.level else None) or detector.level
        threshold = setting.min_confidence if setting and setting.min_confidence is not None \
            else config.min_confidence
        chosen.append(ActiveDetector(
            detector_id, level, threshold, _caller(detector), declared(detector, "pattern"),
            (setting.fields if setting else ()) or config.fields,
            tuple(config.skip_fields) + (setting.skip_fields if setting else ()),
            declared(detector, "wants_field"),
        ))
    for spec in config.custom:
        # A policy's own detectors always run unless skipped; settings tune them too.
        if any(fnmatch.fnmatchcase(spec.id, p) for p in config.skip):
            continue
        custom = CustomDetector(spec)
        setting = config.settings.get(spec.id)
        chosen.append(ActiveDetector(
            spec.id, (setting.level if setting and setting.level else None) or spec.level,
            setting.min_confidence if setting and setting.min_confidence is not None
            else config.min_confidence,
            custom.find, custom.gate,
            (setting.fields if setting and setting.fields else ()) or spec.fields
            or config.fields,
            tuple(config.skip_fields) + spec.skip_fields
            + (setting.skip_fields if setting else ()),
        ))
    # Canaries are not the author's to tune: no skip, setting, field list or threshold.
    for canary in policy.canaries:
        found = CanaryDetector(canary, policy.levels[-1])
        chosen.append(ActiveDetector(found.id, found.level, 0.0, found.find, found.gate,
                                     canary=True))
    return chosen


class ContentScanner:
    """Hands out a :class:`FieldScanner` per field, sharing compiled RE2 sets."""

    def __init__(self, detectors: Sequence[ActiveDetector], allow: Iterable[str] = ()) -> None:
        self.detectors = tuple(detectors)
        self.allow = tuple(sorted({a.lower() for a in allow if a.strip()}))
        self._fields: dict[str, FieldScanner | None] = {}
        self._gates: dict[tuple[Any, ...], tuple[Any, list[ActiveDetector],
                                                 list[ActiveDetector]]] = {}

    def __bool__(self) -> bool:
        return bool(self.detectors)

    def for_field(self, field: str) -> FieldScanner | None:
        """The scanner for values of *field* (a column name or a path pattern), or None."""
        if field not in self._fields:
            active = [d for d in self.detectors if d.applies_to(field)]
            # A detector that must see every value of this field runs ungated here.
            always = frozenset(d.id for d in active if d.wants_field and d.wants_field(field))
            self._fields[field] = FieldScanner(self, field, active, always) if active else None
        return self._fields[field]

    def joined_field(self, field: str, active: Sequence[ActiveDetector]) -> FieldScanner:
        """A scanner for text joined from several fields (see ``adjacent.py``), running
        *active* (the detectors those fields share)."""
        return FieldScanner(self, field, list(active))

    def gate(self, active: list[ActiveDetector], always: frozenset[str] = frozenset()):
        """(RE2 set, gated detectors, ungated detectors) for *active*.

        The set's last pattern is not a detector: it says whether a value needs reading
        before detection (see ``guardrail/reading.py``), in the same pass.
        """
        key = (tuple(d.id for d in active), always)
        if key not in self._gates:
            gated: list[ActiveDetector] = []
            ungated: list[ActiveDetector] = [d for d in active if d.id in always]
            active = [d for d in active if d.id not in always]
            options = re2.Options()
            options.log_errors = False
            options.never_capture = True
            rset = re2.Set.SearchSet(options)
            for detector in active:
                if detector.gate is None:
                    ungated.append(detector)
                    continue
                try:
                    rset.Add(detector.gate)
                except Exception:  # not RE2 syntax: run it on every value instead
                    ungated.append(detector)
                    continue
                gated.append(detector)
            rset.Add(NEEDS_READING)
            rset.Compile()
            self._gates[key] = (rset, gated, ungated)
        return self._gates[key]


class FieldScanner:
    """Scans values of one field; remembers what it found for values seen before.

    A value is scanned as a reader reads it (``guardrail/reading.py``): the RE2 pass that
    gates the detectors also says whether the value needs reading first, so values
    written in printable ASCII with single spaces cost nothing more.
    """

    def __init__(self, owner: ContentScanner, field: str, active: list[ActiveDetector],
                 always: frozenset[str] = frozenset()) -> None:
        self.field = field
        self.detectors = tuple(active)
        self.allow = owner.allow
        self.gate, self.gated, self.ungated = owner.gate(active, always)
        self._reads = len(self.gated)  # the set's index of NEEDS_READING
        # The RE2 set's own Match, without the wrapper's per-call type check and copy.
        self._match = getattr(getattr(self.gate, "_set", None), "Match", None) \
            or self._wrapped_match
        self.cache: dict[str, tuple[Hit, ...]] = {}
        # Searching values joined by newlines finds everything the values hold only if no
        # pattern is anchored or crosses a line: then no match is lost by joining.
        self._joinable = all(_joinable(d.gate) for d in self.gated)

    def _wrapped_match(self, data: bytes) -> list[int] | None:
        return self.gate.Match(data)  # type: ignore[no-any-return]

    def scan(self, text: str) -> tuple[Hit, ...]:
        hits = self.cache.get(text)
        if hits is None:
            hits = self.scan_uncached(text)
            self.remember(text, hits)
        return hits

    def holds_nothing(self, texts: Iterable[str]) -> bool:
        """True when no detector can match any of *texts*: one RE2 pass over them joined.

        Only when every detector is gated by an unanchored pattern, so that joining
        cannot hide or invent a candidate, and no value needs reading first or holds a
        newline; otherwise False (scan them one by one).
        """
        if self.ungated or not self._joinable:
            return False
        data = joined_lines(texts if isinstance(texts, (list, tuple)) else list(texts))
        return data is not None and self.encoded_holds_nothing(data)

    def may_hold(self, text: str) -> bool:
        """False when no detector can match in *text* (one RE2 pass; True when some
        detector runs ungated)."""
        return bool(self.ungated) or bool(self._match(text.encode("utf-8", "surrogatepass")))

    def joined_holds_nothing(self, joined: str) -> bool:
        """:meth:`holds_nothing` for values already joined by a separator that no pattern
        can match across without also matching a value alone (a newline or NUL) and
        that no value holds."""
        return self.encoded_holds_nothing(joined.encode("utf-8", "surrogatepass"))

    def encoded_holds_nothing(self, joined: bytes) -> bool:
        """:meth:`joined_holds_nothing` for the joined values encoded as UTF-8."""
        if self.ungated or not self._joinable:
            return False
        return not self._match(joined)

    def remember(self, text: str, hits: tuple[Hit, ...]) -> None:
        """Cache what *text* holds (short values only; the cache is bounded)."""
        if len(text) <= _CACHE_MAX_LENGTH:
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            self.cache[text] = hits

    def scan_uncached(self, text: str) -> tuple[Hit, ...]:
        matched = self._match(text.encode("utf-8", "surrogatepass"))
        # Odd spacing, non-ASCII, an escape (the set's last pattern), or a line break:
        # scan what a reader reads, and report where it is in what was written.
        if (matched and self._reads in matched) or "\n" in text or "\0" in text:
            reading = reading_of(text)
            if reading is not None:
                seen = reading.text
                if not seen or is_redacted(text):
                    return ()
                span = reading.original_span
                return tuple(hit._replace(start=start, end=end)
                             for hit in self._scan(seen, self._match(
                                 seen.encode("utf-8", "surrogatepass")))
                             for start, end in (span(hit.start, hit.end),))
        return tuple(self._scan(text, matched))

    def _scan(self, text: str, matched: list[int] | None) -> list[Hit]:
        """The hits in *text*, given which patterns of the RE2 set *matched* it."""
        candidates = self.ungated
        if matched:
            reads = self._reads
            gated = self.gated
            candidates = candidates + [gated[i] for i in matched if i < reads]
        if not candidates or is_redacted(text):  # what a redaction wrote holds nothing
            return []
        hits = self._find(text, candidates)
        if hits and self.allow:  # an allowlisted term never hides a canary
            hits = [h for h in hits
                    if is_canary_rule(h.rule) or not _allowed(text, h, self.allow)]
        return hits

    def _find(self, text: str, candidates: Sequence[ActiveDetector]) -> list[Hit]:
        hits = []
        field = self.field
        for detector in candidates:
            minimum = detector.min_confidence
            for start, end, confidence, evidence in detector.find(text, field):
                if confidence >= minimum:
                    hits.append(_new_hit((detector.id, detector.level, start, end, confidence,
                                          evidence)))
        return hits


def joined_lines(texts: Sequence[str]) -> bytes | None:
    """*texts* joined by newlines, in UTF-8, for one RE2 pass over them all; None when a
    text holds a newline itself (it must then be read as one line)."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return None
    return joined.encode("utf-8", "surrogatepass")


def as_text(value: Any) -> str | None:
    """The text detectors see for a value: strings as they are, whole numbers of six or
    more digits as digits (an NHS or phone number stored as a JSON or Excel number).

    What a caller hands over in memory is read too, not skipped: a str subclass
    (numpy's ``str_``) as its text, bytes as UTF-8 (undecodable bytes replaced, so the
    readable parts are still read), a whole Decimal as its digits.
    """
    if value.__class__ is str:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) >= 100_000:
        return str(value)
    return None


def _joinable(pattern: str | None) -> bool:
    """True when a pattern cannot tell one line from a text of several (no anchors)."""
    if pattern is None:
        return False
    return not any(token in pattern for token in ("^", "$", "\\A", "\\z", "(?m", "(?s"))


def _allowed(text: str, hit: Hit, allow: tuple[str, ...]) -> bool:
    """True when the hit lies inside an allowlisted term (a public figure, a place)."""
    lowered = text.lower()
    for term in allow:
        start = lowered.find(term)
        while start != -1:
            if start <= hit.start and hit.end <= start + len(term):
                return True
            start = lowered.find(term, start + 1)
    return False
