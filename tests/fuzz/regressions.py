"""Failing inputs as files, and their replay.

A violation is written as ``<id>.payload.<ext>`` (the payload, as generated: its
identifiers are synthetic), ``<id>.case.json`` (what failed, described with masked values
only, and the planted values as SHA-256 digests of their reader forms) and, for a
generated policy, ``<id>.policy.yaml``. Copy a case into ``tests/data/fuzz-regressions/`` and
``tests/test_fuzz_regressions.py`` replays it with the invariant it broke.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrail import Guardrail

from .formats import WRITERS
from .invariants import Violation, judge, judge_blocks, judge_equivalent, judge_redaction
from .leaks import Needle
from .probe import check

__all__ = ["save", "load", "RegressionCase", "replay"]


def save(violation: Violation, folder: Path) -> Path:
    """Write *violation* into *folder*; the id is a digest of the payload, so the same
    input found twice is written once."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(violation.payload + violation.invariant.encode()).hexdigest()[:12]
    case_id = f"{violation.invariant}-{violation.format}-{violation.kind}-{digest}"
    suffix = WRITERS[violation.format].suffix if violation.format in WRITERS else ".bin"
    (folder / f"{case_id}.payload{suffix}").write_bytes(violation.payload)
    for name, data in violation.extra.items():
        (folder / f"{case_id}.{name}{suffix}").write_bytes(data)
    policy = violation.policy
    if "\n" in policy:  # a generated policy: kept beside the case
        (folder / f"{case_id}.policy.yaml").write_text(policy, encoding="utf-8")
        policy = f"{case_id}.policy.yaml"
    description = {
        "invariant": violation.invariant, "suite": violation.suite,
        "format": violation.format, "kind": violation.kind, "detail": violation.detail,
        "payload": f"{case_id}.payload{suffix}", "policy": policy,
        "extra": {name: f"{case_id}.{name}{suffix}" for name in violation.extra},
        "options": violation.options, "case": violation.description,
        "planted": [n.to_dict() for n in violation.needles],
    }
    path = folder / f"{case_id}.case.json"
    path.write_text(json.dumps(description, indent=2, ensure_ascii=True) + "\n",
                    encoding="utf-8")
    return path


@dataclass(frozen=True)
class RegressionCase:
    """One saved case: its description and the folder it lives in."""

    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.path.name.removesuffix(".case.json")

    def file(self, name: str) -> Path:
        return self.path.parent / name

    def guard(self) -> Guardrail:
        policy = self.data["policy"]
        return Guardrail.from_policy(self.file(policy) if policy.endswith(".yaml") else policy)


def load(folder: Path) -> list[RegressionCase]:
    return [RegressionCase(p, json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(folder.glob("*.case.json"))]


def replay(case: RegressionCase) -> list[Violation]:
    """Run the saved input through the invariant it broke; the violations found now."""
    data = case.data
    payload = case.file(data["payload"]).read_bytes()
    needles = [Needle.from_dict(n) for n in data["planted"]]
    fmt, invariant, options = data["format"], data["invariant"], data["options"]
    guard = case.guard()

    def make(found: str, detail: str) -> Violation:
        return Violation(found, data["suite"], fmt, data["kind"], detail)

    destination = options.get("destination")
    if invariant == "redact":
        with tempfile.TemporaryDirectory() as folder:
            return judge_redaction(guard, payload, fmt, Path(folder), needles=needles,
                                   make=make, may_block=options.get("may_block", False),
                                   destination=destination)
    if invariant in ("order", "chunks", "jobs"):
        reordered = data["extra"].get("reordered")
        return judge_equivalent(
            guard, payload, fmt, needles=needles, make=make, rng=random.Random(0),
            reordered=case.file(reordered).read_bytes() if reordered else None,
            jobs=invariant == "jobs", options={"destination": destination})
    outcome = check(guard, payload, format=fmt, destination=destination)
    if invariant == "wrong-allow":
        return judge_blocks(outcome, needles, make)
    return judge(outcome, needles, make)
