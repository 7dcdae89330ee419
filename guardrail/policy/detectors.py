"""The ``detectors:`` section of a policy: merged along ``extends``, validated, built.

Custom regexes and term lists are compiled with RE2 here, exactly as the engine
compiles them, so a pattern that RE2 rejects or cannot fit in memory is a policy
error at its line and column rather than an internal error in a later check, and no
pattern can take more than linear time on any payload.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
from collections.abc import Callable, Iterable
from typing import Any

import re2

from .limits import MAX_DETECTOR_SET_MEMORY, MAX_PATTERN_MEMORY
from .marked_yaml import MarkedDocument
from .model import CustomDetectorSpec, DetectorPolicy, DetectorSetting
from .problems import Item, Problems
from .schema import one_of

__all__ = [
    "merge_detectors",
    "resolved_detectors",
    "check_detectors",
    "build_detectors",
    "compile_re2",
    "terms_pattern",
    "gate_pattern",
    "RE2_MAX_MEM",
]

_UNION_LISTS = ("skip", "skip_fields", "allow")
RE2_MAX_MEM = MAX_PATTERN_MEMORY  # the name it had before the limits had one place


def compile_re2(pattern: str, ignore_case: bool = False) -> Any:
    """Compile *pattern* with RE2 (linear-time matching); raises ``re2.error`` if invalid."""
    options = re2.Options()
    options.max_mem = RE2_MAX_MEM
    options.case_sensitive = not ignore_case
    options.log_errors = False
    return re2.compile(pattern, options)


def terms_pattern(terms: Iterable[str]) -> str:
    """One RE2 alternation matching any of *terms* as whole words.

    Longest first, so "John Smith" wins over "John" in one alternation.
    """
    ordered = sorted(terms, key=len, reverse=True)
    return r"\b(?:" + "|".join(re2.escape(t) for t in ordered) + r")\b"


def gate_pattern(regex: str | None, terms: Iterable[str], ignore_case: bool) -> str:
    """The pattern a custom detector matches: its regex, or its terms as whole words.

    The content scanner puts it in one RE2 set with every other detector's.
    """
    body = regex if regex is not None else terms_pattern(terms)
    return ("(?i)" if ignore_case else "") + body


def merge_detectors(out: dict[str, Any], data: dict[str, Any], doc: MarkedDocument) -> bool:
    """Fold one document's ``detectors:`` into *out* (parents first, then the child).

    Scalars and ``run``/``fields`` are replaced by the child; ``skip``,
    ``skip_fields`` and ``allow`` add up, each entry remembering its own file;
    ``settings`` merge per detector; ``custom`` detectors are replaced by id.
    Pieces of the wrong shape (reported by the schema) are left out. Returns
    False when a broken piece hides the id of a custom detector.
    """
    section = data.get("detectors")
    if section is None:
        return "detectors" not in data
    if not isinstance(section, dict):
        return False
    ids_known = True
    for key, value in section.items():
        where = ("detectors", key)
        if key == "settings" and isinstance(value, dict):
            for name, setting in value.items():
                if isinstance(setting, dict):
                    previous = out.setdefault("settings", {}).get(name)
                    merged = {**(previous.value if previous else {}), **setting}
                    out["settings"][name] = Item(merged, doc, (*where, name))
        elif key == "custom":
            if not isinstance(value, list):
                ids_known = False
                continue
            for index, spec in enumerate(value):
                if not isinstance(spec, dict):
                    ids_known = False
                    continue
                spec_id = spec.get("id")
                ids_known = ids_known and isinstance(spec_id, str)
                name = spec_id if isinstance(spec_id, str) else (doc.file, index)
                out.setdefault("custom", {})[name] = Item(spec, doc, (*where, index))
        elif key in _UNION_LISTS and isinstance(value, list):
            entries = out.setdefault(key, [])
            seen = [entry.value for entry in entries]
            entries += [Item(v, doc, (*where, i)) for i, v in enumerate(value) if v not in seen]
        elif key not in ("settings", *_UNION_LISTS):
            out[key] = Item(value, doc, where)
    return ids_known


def resolved_detectors(merged: dict[str, Any]) -> dict[str, Any]:
    """The merged section as plain data, for the resolved policy."""
    out: dict[str, Any] = {}
    for key, value in merged.items():
        if key == "settings":
            out[key] = {name: entry.value for name, entry in value.items()}
        elif key == "custom":
            out[key] = [entry.value for entry in value.values()]
        elif key in _UNION_LISTS:
            out[key] = [entry.value for entry in value]
        else:
            out[key] = value.value
    return out


def check_detectors(merged: dict[str, Any], report: Problems, installed: frozenset[str],
                    check_level: Callable[..., Any], *, ids_known: bool = True) -> None:
    """Check the merged section against the installed detectors and the policy's levels.

    :param ids_known: False when a broken or unreadable piece hides custom detector
        ids, so a name that matches none of the known ones is not reported.
    """
    # The policy's own detectors can be skipped and tuned like installed ones.
    known = installed | frozenset(k for k in merged.get("custom", {}) if isinstance(k, str))
    run = merged.get("run")
    if ids_known and run is not None and report.usable(run):
        listed = run.value if isinstance(run.value, list) else [run.value]
        for index, pattern in enumerate(listed):
            sub = (index,) if isinstance(run.value, list) else ()
            if isinstance(pattern, str) and report.usable(run, *sub):
                _check_known(report, run, pattern, known, *sub)
    for entry in merged.get("skip", ()) if ids_known else ():
        if isinstance(entry.value, str) and report.usable(entry):
            _check_known(report, entry, entry.value, known)
    for name, entry in merged.get("settings", {}).items():
        if ids_known and name not in known:
            report.add(entry, _unknown_detector(report, name, known), kind="unknown-detector")
        check_level(entry, entry.value.get("level"), "level")
    for name, entry in merged.get("custom", {}).items():
        spec = entry.value
        check_level(entry, spec.get("level"), "level")
        if name in installed and report.usable(entry, "id"):
            report.add(entry, f"custom detector id '{name}' is already used by an installed "
                       "detector; choose another id (e.g. prefix it with your organisation)",
                       "id", kind="invalid")
        ignore_case = spec.get("ignore_case") is True
        if isinstance(spec.get("regex"), str) and report.usable(entry, "regex"):
            _check_regex(report, entry, spec["regex"], ignore_case, "regex")
        exclude = spec.get("exclude")
        if isinstance(exclude, list) and report.usable(entry, "exclude"):
            for index, pattern in enumerate(exclude):
                if isinstance(pattern, str) and report.usable(entry, "exclude", index):
                    _check_regex(report, entry, pattern, ignore_case, "exclude", index)
        _check_words(report, entry, "hotwords", True)
    custom = merged.get("custom", {})
    if _check_together(custom, report):
        for entry in custom.values():
            _check_words(report, entry, "terms", entry.value.get("ignore_case") is True)


def _check_words(report: Problems, entry: Item, key: str, ignore_case: bool) -> None:
    words = entry.value.get(key)
    if isinstance(words, list) and words and report.intact(Item(words, entry.doc,
                                                                (*entry.path, key))):
        _check_terms(report, entry, words, ignore_case, key)


def _check_together(custom: dict[str, Item], report: Problems) -> bool:
    """Report custom detectors too large for RE2 to match in one set, as the scanner does.

    Only when every one of them is intact: a broken one would fail the set too. False
    when the set failed, so the terms are not compiled again one detector at a time,
    which would only take time (and memory) to report nothing more.
    """
    gates = []
    for entry in custom.values():
        spec = entry.value
        if not report.intact(entry):
            return True
        gates.append((entry, gate_pattern(spec.get("regex"), spec.get("terms", ()),
                                          spec.get("ignore_case") is True)))
    if not gates:
        return True
    options = re2.Options()
    options.max_mem = MAX_DETECTOR_SET_MEMORY
    options.log_errors = False
    options.never_capture = True
    together = re2.Set.SearchSet(options)
    try:
        for _, gate in gates:
            together.Add(gate)
        together.Compile()
    except re2.error:
        largest = max(gates, key=lambda pair: len(pair[1]))[0]
        report.add(largest, f"the custom detectors are too large together for RE2 to match "
                   f"in one pass (over {MAX_DETECTOR_SET_MEMORY >> 20} MiB); use fewer or "
                   "shorter terms, or simpler patterns (this is the largest)", "id",
                   kind="too-large")
        return False
    return True


def build_detectors(merged: dict[str, Any]) -> DetectorPolicy:
    """The detector configuration of a policy that passed every check."""
    if not merged:
        return DetectorPolicy()

    def values(key: str) -> tuple[str, ...]:
        entry = merged.get(key)
        if entry is None:
            return ()
        if key in _UNION_LISTS:
            return tuple(e.value for e in entry)
        return (entry.value,) if isinstance(entry.value, str) else tuple(entry.value)

    settings = {
        name: DetectorSetting(spec.get("level"), spec.get("min_confidence"),
                              tuple(spec.get("fields", ())), tuple(spec.get("skip_fields", ())),
                              spec.get("mode"), _date(spec.get("enforce_from")))
        for name, spec in ((n, e.value) for n, e in merged.get("settings", {}).items())
    }
    custom = []
    for name, entry in merged.get("custom", {}).items():
        spec = entry.value
        custom.append(CustomDetectorSpec(
            id=name, level=spec["level"], regex=spec.get("regex"),
            terms=tuple(spec.get("terms", ())), confidence=spec.get("confidence", 0.9),
            ignore_case=bool(spec.get("ignore_case", False)),
            hotwords=tuple(spec.get("hotwords", ())),
            hotword_window=spec.get("hotword_window", 40), exclude=tuple(spec.get("exclude", ())),
            fields=tuple(spec.get("fields", ())), skip_fields=tuple(spec.get("skip_fields", ())),
            description=spec.get("description", ""), origin=entry.origin(),
            mode=spec.get("mode"), enforce_from=_date(spec.get("enforce_from")),
        ))
    min_confidence = merged.get("min_confidence")
    return DetectorPolicy(
        run=values("run"),
        skip=values("skip"),
        min_confidence=min_confidence.value if min_confidence else 0.5,
        fields=values("fields"),
        skip_fields=values("skip_fields"),
        allow=values("allow"),
        settings=settings,
        custom=tuple(custom),
    )


def _date(value: str | None) -> _dt.date | None:
    return _dt.date.fromisoformat(value) if value is not None else None


def _check_known(report: Problems, entry: Item, pattern: str, known: frozenset[str],
                 *sub: Any) -> None:
    if not any(fnmatch.fnmatchcase(d, pattern) for d in known):
        report.add(entry, _unknown_detector(report, pattern, known), *sub,
                   kind="unknown-detector")


def _unknown_detector(report: Problems, name: str, known: frozenset[str]) -> str:
    listed = one_of(sorted(known)) or "none (is a detector plugin installed?)"
    return f"no installed detector matches '{name}'{report.hint(name, known) or ';'} " \
           f"installed: {listed}"


def _check_terms(report: Problems, entry: Item, words: list[str], ignore_case: bool,
                 key: str) -> None:
    try:
        compile_re2(terms_pattern(words), ignore_case)
    except re2.error:  # escaped words are always valid: only their size can fail
        report.add(entry, f"these {key} are too many or too long for RE2 to compile (over "
                   f"{RE2_MAX_MEM >> 20} MiB); use fewer or shorter ones", key,
                   kind="too-large")
        report.mark_broken(entry.doc, [(*entry.path, key)])


def _check_regex(report: Problems, entry: Item, pattern: str, ignore_case: bool,
                 *sub: Any) -> None:
    try:
        compile_re2(pattern, ignore_case)
    except re2.error as exc:
        report.mark_broken(entry.doc, [(*entry.path, *sub)])
        # The binding raises with bytes; str() of them would show b'...' to the author.
        raw = exc.args[0] if exc.args else ""
        reason = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)) \
            or "invalid pattern"
        report.add(entry, f"invalid regular expression ({reason}); patterns use RE2 syntax "
                   "(no backreferences or lookaround), see https://github.com/google/re2/wiki/Syntax",
                   *sub, kind="bad-regex")
