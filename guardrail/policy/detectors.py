"""The ``detectors:`` section of a policy: merged along ``extends``, validated, built.

Custom regexes are compiled with RE2 here, so a pattern that RE2 rejects is a
policy error at its line and column, and no pattern can take more than linear
time on any payload.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

import re2

from .model import CustomDetectorSpec, DetectorPolicy, DetectorSetting
from .problems import Item, Problems
from .schema import did_you_mean

__all__ = ["merge_detectors", "build_detectors", "compile_re2", "RE2_MAX_MEM"]

_UNION_LISTS = ("skip", "skip_fields", "allow")
RE2_MAX_MEM = 8 << 20  # bytes of automaton per custom pattern: bounds memory, not only time


def compile_re2(pattern: str, ignore_case: bool = False) -> Any:
    """Compile *pattern* with RE2 (linear-time matching); raises ``re2.error`` if invalid."""
    options = re2.Options()
    options.max_mem = RE2_MAX_MEM
    options.case_sensitive = not ignore_case
    options.log_errors = False
    return re2.compile(pattern, options)


def merge_detectors(out: dict[str, Any], data: dict[str, Any], doc: Any,
                    item: Callable[..., Item]) -> None:
    """Fold one document's ``detectors:`` into *out* (parents first, then the child).

    Scalars and ``run``/``fields`` are replaced by the child; ``skip``,
    ``skip_fields`` and ``allow`` add up; ``settings`` merge per detector;
    ``custom`` detectors are replaced by id.
    """
    section = data.get("detectors")
    if not isinstance(section, dict):
        return
    for key, value in section.items():
        if key == "settings":
            for name, setting in value.items():
                previous = out.setdefault("settings", {}).get(name)
                merged = {**(previous.value if previous else {}), **setting}
                out["settings"][name] = item(merged, doc, ("detectors", "settings", name))
        elif key == "custom":
            for index, spec in enumerate(value):
                out.setdefault("custom", {})[spec["id"]] = item(
                    spec, doc, ("detectors", "custom", index))
        elif key in _UNION_LISTS:
            previous = out.get(key)
            combined = list(previous.value) if previous else []
            combined += [v for v in value if v not in combined]
            out[key] = item(combined, doc, ("detectors", key))
        else:
            out[key] = item(value, doc, ("detectors", key))


def build_detectors(merged: dict[str, Any], report: Problems, levels: tuple[str, ...],
                    known: frozenset[str],
                    check_level: Callable[..., str]) -> DetectorPolicy:
    """Validate the merged section against installed detectors and build it."""
    if not merged:
        return DetectorPolicy()

    def values(key: str) -> tuple[str, ...]:
        entry = merged.get(key)
        if entry is None:
            return ()
        return (entry.value,) if isinstance(entry.value, str) else tuple(entry.value)

    installed = known
    # The policy's own detectors can be skipped and tuned like installed ones.
    known = known | frozenset(merged.get("custom", {}))
    for key in ("run", "skip"):
        listed = merged.get(key)
        for index, pattern in enumerate(values(key)):
            if not any(fnmatch.fnmatchcase(d, pattern) for d in known):
                assert listed is not None
                sub = (index,) if isinstance(listed.value, list) else ()
                report.add(listed, _unknown_detector(pattern, known), *sub)
    settings = {}
    for name, entry in merged.get("settings", {}).items():
        if name not in known:
            report.add(entry, _unknown_detector(name, known))
        spec = entry.value
        if "level" in spec:
            check_level(entry, spec["level"], "level")
        settings[name] = DetectorSetting(spec.get("level"), spec.get("min_confidence"),
                                         tuple(spec.get("fields", ())),
                                         tuple(spec.get("skip_fields", ())))
    custom = []
    for name, entry in merged.get("custom", {}).items():
        spec = entry.value
        check_level(entry, spec["level"], "level")
        if name in installed:
            report.add(entry, f"custom detector id '{name}' is already used by an installed "
                       "detector; choose another id (e.g. prefix it with your organisation)",
                       "id")
        ignore_case = bool(spec.get("ignore_case", False))
        if "regex" in spec:
            _check_regex(report, entry, spec["regex"], ignore_case, "regex")
        for index, pattern in enumerate(spec.get("exclude", ())):
            _check_regex(report, entry, pattern, ignore_case, "exclude", index)
        line = entry.doc.position(entry.path)[0]
        custom.append(CustomDetectorSpec(
            id=name, level=spec["level"], regex=spec.get("regex"),
            terms=tuple(spec.get("terms", ())), confidence=spec.get("confidence", 0.9),
            ignore_case=ignore_case, hotwords=tuple(spec.get("hotwords", ())),
            hotword_window=spec.get("hotword_window", 40), exclude=tuple(spec.get("exclude", ())),
            fields=tuple(spec.get("fields", ())), skip_fields=tuple(spec.get("skip_fields", ())),
            description=spec.get("description", ""), origin=f"{entry.doc.file}:{line}",
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


def _unknown_detector(name: str, known: frozenset[str]) -> str:
    listed = ", ".join(sorted(known)) or "none (is a detector plugin installed?)"
    return f"no installed detector matches '{name}'{did_you_mean(name, known) or ';'} " \
           f"installed: {listed}"


def _check_regex(report: Problems, entry: Item, pattern: str, ignore_case: bool,
                 *sub: Any) -> None:
    try:
        compile_re2(pattern, ignore_case)
    except re2.error as exc:
        # The binding raises with bytes; str() of them would show b'...' to the author.
        raw = exc.args[0] if exc.args else ""
        reason = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)) \
            or "invalid pattern"
        report.add(entry, f"invalid regular expression ({reason}); patterns use RE2 syntax "
                   "(no backreferences or lookaround), see https://github.com/google/re2/wiki/Syntax",
                   *sub)
