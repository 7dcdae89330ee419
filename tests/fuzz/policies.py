"""Policies for the fuzzing: drawn from the policy JSON Schema, and redacting variants.

* :func:`schema_policies` draws any document the schema accepts (strings of any
  Unicode, names from the schema's patterns): most are refused for what only the
  whole policy shows (unknown levels), which must be a PolicyError, never a crash.
* :func:`coherent_policies` draws the same shapes with values that agree (levels that
  exist, destinations that are declared, installed detector ids, field names of the
  exports), so the policy loads and checks run under it.
* :func:`must_block` is the oracle for (b) under a generated policy: True only when the
  policy plainly neither waives nor lowers the planted identifier's detector.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from guardrail.policy.model import Policy
from guardrail.policy.schema import policy_schema

from .exports import COLUMNS, PUBLIC_SLOTS
from .schema_gen import OMIT, SchemaDrawer

__all__ = ["SCHEMA", "schema_policies", "coherent_policies", "must_block",
           "redacting_policy", "personal_slots_policy", "DETECTOR_IDS", "dump"]

SCHEMA: dict[str, Any] = policy_schema()  # what `guardrail schema` prints
DETECTOR_IDS = ("email", "network.ip_address", "payment_card", "person.name",
                "uk.date_of_birth", "uk.nhs_number", "uk.nino", "uk.phone", "uk.postcode",
                "uk.street_address", "uk.vehicle_registration")
_NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,9}", fullmatch=True)
_WHEN = ("count > `0` && count < `5`", "ward == 'Boxmoor'", "outcome != null",
         "contains(category, 'Public')", "to_number(count) > `40`")
_REGEXES = (r"ASB/\d{4}/\d{6}", r"\bE0\d{7}\b", r"Dacorum \d{3}[A-E]", r"[A-Z]{3}-\d{3}")
_TERMS = ("Boxmoor", "Jane Example", "Local resolution", "library")
_GLOBS = ("*", "uk.*", "*name*", "email", "uk.p*")


def dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


@st.composite
def schema_policies(draw: st.DrawFn) -> Any:
    """Any document the policy schema describes, values unconstrained."""
    return SchemaDrawer(SCHEMA).draw(draw)


def _pick(options: Any) -> Any:
    return lambda draw: draw(st.sampled_from(options))


@st.composite
def coherent_policies(draw: st.DrawFn) -> dict[str, Any]:
    """A policy in the schema's shape whose values refer to things that exist."""
    parent = draw(st.sampled_from((None, "uk-personal-data", "asb-public-web")))
    levels = ["public", "internal", "personal", "special-category"] if parent else \
        draw(st.lists(_NAMES, min_size=2, max_size=5, unique=True))
    names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
    level, action = _pick(levels), _pick(("block", "warn", "redact", "mask", "hash", "drop"))
    overrides = {
        "extends": (lambda d: parent) if parent else (lambda d: OMIT),
        "levels": (lambda d: OMIT) if parent else (lambda d: levels),
        "records": lambda d: OMIT,
        "canaries": lambda d: OMIT,  # a canary blocks on purpose (tests/test_canaries.py)
        "default_destination": lambda d: OMIT,  # set below, from what was declared
        "destinations.*key": _pick(names),
        "destinations.*:string": level,
        "destinations.*.max_level": level,
        "destinations.*.actions": lambda d: d(st.dictionaries(
            st.sampled_from(levels), st.sampled_from(("block", "warn", "mask", "drop")),
            max_size=2)),
        "defaults.unknown_fields": level,
        "fields[].level": level, "rules[].level": level,
        "fields[].name:string": _pick(COLUMNS),
        "fields[].name[]": _pick((*COLUMNS, "notes", "email")),
        "fields[].match:string": _pick(("*", "lsoa_*", "*_name", "c*")),
        "fields[].match[]": _pick(("*", "lsoa_*", "*_name", "c*")),
        "fields[].path:string": _pick(COLUMNS),
        "fields[].path[]": _pick(COLUMNS),
        "rules[].when": _pick(_WHEN), "rules[].fields[]": _pick(COLUMNS),
        "actions.*key": level, "actions.*": action,
        "exceptions[].rule": _pick((*DETECTOR_IDS, "field.unclassified")),
        "exceptions[].field": _pick(COLUMNS),
        "exceptions[].destinations": lambda d: OMIT,
        "exceptions[].expires": lambda d: d(st.dates(
            _dt.date(2020, 1, 1), _dt.date(2035, 12, 31))).isoformat(),
        "detectors.run:string": _pick(_GLOBS), "detectors.run[]": _pick(_GLOBS),
        "detectors.skip[]": _pick(DETECTOR_IDS),
        "detectors.fields[]": _pick(COLUMNS), "detectors.skip_fields[]": _pick(COLUMNS),
        "detectors.allow[]": _pick(_TERMS),
        "detectors.settings.*key": _pick(DETECTOR_IDS),
        "detectors.settings.*.level": level,
        "detectors.settings.*.fields[]": _pick(COLUMNS),
        "detectors.settings.*.skip_fields[]": _pick(COLUMNS),
        "detectors.custom[].level": level,
        "detectors.custom[].regex": _pick(_REGEXES),
        "detectors.custom[].terms[]": _pick(_TERMS),
        "detectors.custom[].exclude[]": _pick(_TERMS),
        "detectors.custom[].hotwords[]": _pick(("case", "ref", "ward")),
        "detectors.custom[].fields[]": _pick(COLUMNS),
        "detectors.custom[].skip_fields[]": _pick(COLUMNS),
        # Staged rollout (mode, enforce_from) puts rules in audit, outside the invariant
        # this generator serves (enforced rules block): tests/test_staged_rollout.py.
        **{f"{where}{key}": (lambda d: OMIT)
           for where in ("", "fields[].", "rules[].", "detectors.custom[].",
                         "detectors.settings.*.")
           for key in ("mode", "enforce_from")},
    }
    # printable text: a control or text-direction character is refused (policy/printable.py)
    alphabet = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf"))
    text = st.text(alphabet, min_size=1, max_size=12)
    document = SchemaDrawer(SCHEMA, overrides, text, alphabet).draw(draw)
    if not parent:  # what a policy extending nothing must say itself
        document["levels"] = levels
        document.setdefault("destinations", {names[0]: levels[-1]})
    declared = list(document.get("destinations", {}))
    if declared and (not parent or draw(st.booleans())):
        document["default_destination"] = draw(st.sampled_from(declared))
    for custom in document.get("detectors", {}).get("custom", []):
        custom["id"] = f"fuzz.{custom['id']}"  # never the id of an installed detector
    return document


def must_block(policy: Policy, destination: str, rule: str, level: str,
               today: _dt.date) -> bool:
    """Must *policy* block a value that detector *rule* (installed at *level*) finds with
    confidence 0.5 or more, in any field? False when unsure: an active waiver, an allow
    list, a field restriction or a raised threshold that could reach it."""
    target = policy.destinations[destination]
    config = policy.detectors
    if any(w.active_on(today) for w in policy.waivers) or config.allow or config.fields \
            or config.skip_fields:
        return False
    setting = config.settings.get(rule)
    if setting is not None and (setting.fields or setting.skip_fields or
                                (setting.min_confidence or 0) > 0.5):
        return False
    if config.min_confidence > 0.5 and (setting is None or setting.min_confidence is None):
        return False
    if not any(fnmatch.fnmatchcase(rule, p) for p in config.run) or \
            any(fnmatch.fnmatchcase(rule, p) for p in config.skip):
        return False
    found_level = (setting.level if setting and setting.level else None) or level
    if found_level not in policy.levels:
        return False
    over = policy.rank(found_level) > policy.rank(target.max_level)
    return over and policy.action_for(found_level, target) != "warn"


def judges_fields_apart(document: Any, policy: Policy) -> bool:
    """Does the generated policy (*document*, loaded as *policy*) treat some fields
    differently from others: field rules of its own, detectors limited to or kept from
    fields? Then a value moved to another field (a mutation that cuts it across two
    cells) may rightly get another verdict than where it was."""
    config = policy.detectors
    own_rules = isinstance(document, dict) and bool(document.get("fields"))
    return own_rules or bool(config.fields or config.skip_fields or any(
        setting.fields or setting.skip_fields for setting in config.settings.values()))


def raises_confidence(policy: Policy) -> bool:
    """Does *policy* ask detectors for more than the default confidence (0.5)?"""
    config = policy.detectors
    return config.min_confidence > 0.5 or any(
        (setting.min_confidence or 0) > 0.5 for setting in config.settings.values())


def personal_slots_policy(folder: Path) -> Path:
    """asb-public-web with the fields values are planted in made personal, so a planted
    value is reported by its field rule and shown only as masked evidence: what the
    leak suite looks at (mutations that break a detector must not break the mask)."""
    path = folder / "personal-slots.yaml"
    if not path.exists():
        path.write_text(dump({
            "apiVersion": "guardrail/v1", "kind": "Policy",
            "metadata": {"name": "fuzz-personal-slots", "version": "1"},
            "extends": "asb-public-web",
            "fields": [{"id": "fuzz.planted", "name": list(PUBLIC_SLOTS),
                        "level": "personal"}],
        }), encoding="utf-8")
    return path


def redacting_policy(actions: dict[str, str], folder: Path) -> Path:
    """asb-public-web with the public web's actions replaced (and the free-text field
    public, so content detectors decide), written under *folder*."""
    name = "-".join(f"{level[:4]}{act}" for level, act in sorted(actions.items()))
    path = folder / f"redacting-{name}.yaml"
    if not path.exists():
        path.write_text(dump({
            "apiVersion": "guardrail/v1", "kind": "Policy",
            "metadata": {"name": f"fuzz-redacting-{name}", "version": "1"},
            "extends": "asb-public-web",
            "destinations": {"public-web": {"max_level": "public", "actions": actions}},
        }), encoding="utf-8")
    return path
