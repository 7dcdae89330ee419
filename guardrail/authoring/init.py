"""``guardrail init``: start a policy from a sample export, or add the fields a new
sample brings to a policy started that way (``--update``).

The sample is surveyed (:mod:`.survey`), each field advised on (:mod:`.advice`) and
the policy written as commented YAML (:mod:`.policy_text`); an update inserts new
entries as text (:mod:`.update`). Whatever is written is validated first, exactly as
``guardrail validate`` would read it, beside its target so that a relative
``extends`` resolves as it will: a policy init writes always loads.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from guardrail.api import Guardrail
from guardrail.atomic import AtomicFile
from guardrail.atomic import names as temp_names
from guardrail.atomic.stale import hold_lock
from guardrail.authoring.advice import Advice, advise
from guardrail.authoring.policy_text import entry_lines, policy_text, rule_id_of
from guardrail.authoring.rule_ids import RuleIds
from guardrail.authoring.schema_file import MODELINE_PREFIX
from guardrail.authoring.survey import Survey, SurveyedField, survey_sample
from guardrail.authoring.update import KnownFields, insert_entries
from guardrail.engine import CompiledPolicy
from guardrail.errors import PolicyError, PolicyProblem, UsageError
from guardrail.host.registry import Registry
from guardrail.policy.load import load_policy
from guardrail.policy.model import UNCLASSIFIED_RULE

__all__ = ["InitResult", "init_policy", "update_policy", "write_policy", "check_target",
           "summary_lines", "update_message", "validate_text", "schema_modeline",
           "DEFAULT_EXTENDS", "DEFAULT_MAX_RECORDS"]

DEFAULT_EXTENDS = "uk-personal-data"
DEFAULT_MAX_RECORDS = 10_000
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass
class InitResult:
    """What init wrote (or would write) and what it found."""

    text: str
    survey: Survey
    advice: list[Advice]
    added: int  # entries written (for an update: the new fields)
    update: bool = False
    # For an update: fields no rule of the policy (nor of what it extends) classifies,
    # among those added; and fields the file already lists that are still unclassified.
    new: int = 0
    unclassified: list[str] = field(default_factory=list)  # their labels
    # For an update: labels of fields whose name holds personal data. Never known (a
    # label is a position) nor written: each run reports them apart.
    withheld: list[str] = field(default_factory=list)
    parent: str = ""  # how the summary names what the policy extends

    @property
    def inherited(self) -> int:
        """Entries written commented out: fields the extended policy classifies, whose
        rule stands (counted from what was written, not from the classification)."""
        return sum(1 for a in self.advice if not a.active and not a.field.withheld)

    @property
    def raised(self) -> int:
        """Active entries for fields the extended policy classifies, lower than the
        detectors found in their values: the entry raises the level."""
        return len(self.advice) - self.new - self.inherited


def _strictest(guard: Guardrail) -> str:
    """The destination that may receive least: every detector's finding counts there."""
    policy = guard.policy
    ranked = sorted(policy.destinations.values(),
                    key=lambda d: (policy.rank(d.max_level), d.name != policy.default_destination))
    return ranked[0].name


def _extends_as_written(extends: str, folder: Path) -> str:
    """A path to a parent policy, relative to the folder the new policy is written in."""
    if not (extends.endswith((".yaml", ".yml")) or "/" in extends or "\\" in extends):
        return extends
    return Path(os.path.relpath(Path(extends).resolve(), folder.resolve())).as_posix()


#: Where a project keeps the schema for editors, searched from the policy's folder
#: upwards: what ``guardrail schema -o .guardrail/policy.schema.json`` writes, and
#: guardrail's own repository layout (the shipped policies' modeline).
SCHEMA_PLACES = (Path(".guardrail") / "policy.schema.json", Path("schemas") / "policy.schema.json")


def schema_modeline(folder: Path) -> str:
    """The first line of a policy written in *folder*: the yaml-language-server modeline
    naming the schema file, relative to *folder* (editors resolve it from the file).

    The nearest schema file found from *folder* upwards; else where ``guardrail schema
    -o .guardrail/policy.schema.json`` run in the current folder would write it (in
    *folder* itself when that is outside the current folder).
    """
    here = folder.resolve()
    for place in (here, *here.parents):
        for known in SCHEMA_PLACES:
            if (place / known).is_file():
                return MODELINE_PREFIX + Path(os.path.relpath(place / known, here)).as_posix()
    root = Path.cwd().resolve()
    if root != here and root not in here.parents:
        root = here  # written outside the current folder: beside it
    return MODELINE_PREFIX + Path(os.path.relpath(root / SCHEMA_PLACES[0], here)).as_posix()


def _default_name(survey: Survey) -> str:
    if survey.label.startswith("<"):  # stdin, or a file name that is not shown
        return "new-policy"
    stem = survey.label.rsplit(".", 1)[0].lower()
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-._")
    return slug if slug and _NAME.fullmatch(slug) else "new-policy"


def init_policy(sample: str, *, extends: str = DEFAULT_EXTENDS, name: str | None = None,
                output: str | None = None, fmt: str | None = None,
                encoding: str | None = None, max_records: int = DEFAULT_MAX_RECORDS,
                registry: Registry | None = None) -> InitResult:
    """The policy for *sample*, extending *extends*, validated (not yet written).

    :param output: where it will be written (None: stdout), for a relative ``extends``.
    :raises UsageError: a bad name, or a sample that cannot be read.
    :raises PolicyError: *extends* does not load.
    """
    if name is not None and not _NAME.fullmatch(name):
        raise UsageError(f"'{name}' cannot be a policy name: use lower-case letters, digits, "
                         "'.', '_' and '-', starting with a letter or digit")
    guard = Guardrail.from_policy(extends, registry)
    destination = _strictest(guard)
    survey = survey_sample(guard, sample, destination=destination, fmt=fmt,
                           encoding=encoding, max_records=max_records)
    compiled = guard.compiled(destination)
    parent = guard.policy.name
    advice = [advise(compiled, field, parent) for field in survey.fields]
    target = Path(output) if output is not None and output != "-" else None
    folder = target.parent if target is not None else Path.cwd()
    written = _extends_as_written(extends, folder)
    policy_name = name or _default_name(survey)
    text = policy_text(survey, advice, name=policy_name, extends=written,
                       parent=parent, unknown=guard.policy.unknown_level,
                       modeline=schema_modeline(folder),
                       ids=RuleIds(policy_name, _taken_ids(guard)))
    if target is not None or written != extends:  # where a relative extends resolves
        validate_text(text, folder, target.name if target is not None else "init-policy.yaml",
                      guard.registry)
    else:  # for stdout, with a shipped parent: nothing need be written beside anything
        with tempfile.TemporaryDirectory(prefix="guardrail-init-") as scratch:
            validate_text(text, Path(scratch), "init-policy.yaml", guard.registry)
    return InitResult(text, survey, advice, sum(1 for a in advice if a.active))


def update_policy(file: str, sample: str, *, fmt: str | None = None,
                  encoding: str | None = None, max_records: int = DEFAULT_MAX_RECORDS,
                  registry: Registry | None = None) -> InitResult:
    """*file*'s text with entries for the fields of *sample* it does not know yet.

    :raises PolicyError: *file* does not validate (nothing is added to a broken policy).
    """
    path = Path(file)
    guard = Guardrail.from_policy(str(path), registry)
    try:  # newline="": the file's own line endings are kept, and new lines use them
        with path.open(encoding="utf-8", newline="") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as exc:  # load_policy read it a moment ago
        raise UsageError(f"cannot read {file}: {exc}") from None
    destination = _strictest(guard)
    survey = survey_sample(guard, sample, destination=destination, fmt=fmt,
                           encoding=encoding, max_records=max_records)
    known = KnownFields(guard.policy, path, text)
    compiled = guard.compiled(destination)
    parent = _parent_name(text) or guard.policy.name
    listed = [one for one in survey.fields if known.knows(one)]
    advice = [advise(compiled, one, parent) for one in survey.fields
              if not one.withheld and not known.knows(one)]
    if advice:
        ids = RuleIds(guard.policy.name, _taken_ids(guard))
        entries = [line for one in advice for line in entry_lines(
            one, records=survey.records, parent=parent, unknown=guard.policy.unknown_level,
            rule_id=rule_id_of(ids, one))]
        text = insert_entries(text, entries, f"# Added by 'guardrail init --update' from "
                                             f"{survey.label} ({_records(survey)}):")
        validate_text(text, path.parent, path.name, guard.registry)
    return InitResult(text, survey, advice, len(advice), update=True,
                      new=sum(1 for a in advice if _unclassified(compiled, a.field)),
                      unclassified=[f.label for f in listed if _unclassified(compiled, f)],
                      withheld=[f.label for f in survey.fields if f.withheld],
                      parent=parent)


def _taken_ids(guard: Guardrail) -> set[str]:
    """Every rule id the policy, its parents and the installed detectors use."""
    policy = guard.policy
    return {*(r.id for r in policy.field_rules if r.id), *(r.id for r in policy.record_rules),
            *(spec.id for spec in policy.detectors.custom), *guard.registry.detectors}


def _unclassified(compiled: CompiledPolicy, surveyed: SurveyedField) -> bool:
    """No rule of the policy or of its parents names the field (a withheld name: never)."""
    return bool(surveyed.withheld) or \
        compiled.classify(surveyed.path).rule == UNCLASSIFIED_RULE


def _records(survey: Survey) -> str:
    return f"{survey.records} record{'s' if survey.records != 1 else ''}"


def _parent_name(text: str) -> str | None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    parents = data.get("extends") if isinstance(data, dict) else None
    if isinstance(parents, str):
        return parents
    if isinstance(parents, list) and all(isinstance(p, str) for p in parents):
        return ", ".join(parents)
    return None


def validate_text(text: str, folder: Path, target_name: str, registry: Registry) -> None:
    """Load *text* as the policy file *target_name* in *folder* would be loaded.

    The copy is a marked, locked temporary file beside the target (the atomic writer's
    own naming, so a run killed here leaves nothing that the next write does not
    remove); problems name the target, not the copy.
    """
    temp = folder / temp_names.temp_name(target_name)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                     0o600)
    except OSError as exc:
        raise UsageError(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        hold_lock(fd)
        os.write(fd, text.encode("utf-8"))
        load_policy(str(temp), registry.policy_path,
                    extra_rule_ids=frozenset(registry.detectors))
    except PolicyError as exc:
        shown = str(folder / target_name)
        problems = [PolicyProblem(shown if p.file == str(temp) else p.file, p.line, p.column,
                                  p.path, p.message) for p in exc.problems]
        raise PolicyError(problems or exc.message.replace(str(temp), shown)) from None
    finally:
        os.close(fd)
        temp.unlink(missing_ok=True)


def check_target(output: str, force: bool) -> None:
    """Refuse to replace an existing *output* unless *force*: before reading anything."""
    if not force and Path(output).exists():
        raise UsageError(f"{output} exists; pass --force to replace it, or --update {output} "
                         "to add the sample's new fields to it")


def write_policy(text: str, output: str, *, force: bool = False,
                 inputs: tuple[str, ...] = ()) -> None:
    """Write *text* to *output* whole or not at all; an existing file only with *force*."""
    check_target(output, force)
    with AtomicFile(output, inputs=inputs) as target:
        target.stream.write(text.encode("utf-8"))
        target.commit()


def update_message(file: str, result: InitResult) -> str:
    """The last line of ``init --update``: what it added to *file*, new fields apart."""
    def fields(count: int) -> str:
        return f"{count} field{'s' if count != 1 else ''}"

    if not result.advice and not result.unclassified and not result.withheld:
        return f"{file}: unchanged: it already names every field of the sample"
    parts = [f"{result.new} new field{'s' if result.new != 1 else ''} added"
             if result.new else "no new fields"]
    if result.inherited:
        parts.append(f"{fields(result.inherited)} {result.parent} classifies added as "
                     f"{'commented entries' if result.inherited != 1 else 'a commented entry'}")
    if result.raised:
        parts.append(f"{fields(result.raised)} {result.parent} classifies below what "
                     f"{'their' if result.raised != 1 else 'its'} values hold added as "
                     f"{'active entries' if result.raised != 1 else 'an active entry'} "
                     "at the higher level")
    if result.unclassified:
        count = len(result.unclassified)
        parts.append(f"{fields(count)} it already lists {'are' if count != 1 else 'is'} "
                     f"still unclassified: {_first(result.unclassified)} (no entry gives "
                     f"{'them' if count != 1 else 'it'} a level: write one)")
    if result.withheld:
        count = len(result.withheld)
        parts.append(f"{fields(count)} whose name holds personal data "
                     f"{'are' if count != 1 else 'is'} not written (rename "
                     f"{'them' if count != 1 else 'it'} in the export)")
    return f"{file}: " + "; ".join(parts)


def summary_lines(result: InitResult) -> list[str]:
    """What the terminal shows: every field by its screened label, never a value."""
    survey = result.survey
    unsure = sum(1 for a in result.advice if a.unsure)
    read = f"first {_records(survey)}" if survey.truncated else _records(survey)
    new = ""
    if result.update:
        new = f", {result.new} new"
        if result.inherited or result.raised:
            new += f", {result.inherited + result.raised} classified by {result.parent}"
        if result.unclassified:
            new += f", {len(result.unclassified)} listed but still unclassified"
        if result.withheld:
            new += f", {len(result.withheld)} with a personal name"
    count = len(survey.fields)
    lines = [f"{survey.label}: {survey.format}, {read}, {count} field{'s' if count != 1 else ''}"
             f"{new}, {unsure} unsure"]
    width = max([len(a.field.label) for a in result.advice] + [5])
    for one in result.advice:
        notes = []
        if one.field.withheld:
            level = "-"
            notes.append(f"name not written: it holds personal data ({one.field.withheld})")
        else:
            level = one.level
            if not one.active:
                notes.append(f"as {one.by_name.rule if one.by_name else 'the parent'} says")
        if one.suggestion:
            notes.append(f"suggested: {one.suggestion}")
        if one.field.hits:
            notes.append("found: " + ", ".join(
                f"{rule} {count}" for rule, count in sorted(
                    one.field.hits.items(), key=lambda item: (-item[1], item[0]))))
        flag = "UNSURE " if one.unsure else "       "
        lines.append(f"  {flag}{one.field.label:<{width}}  {level:<10}  "
                     f"{'; '.join(notes)}".rstrip())
    lines += [withheld_line(label) for label in result.withheld]
    return lines


def withheld_line(label: str) -> str:
    """What --update says of a field whose name holds personal data, on every run."""
    if label.startswith("#") and label[1:].isdigit():
        return f"  column {label[1:]}'s header holds personal data: rename it in the export"
    return f"  field {label}: its name holds personal data: rename it in the export"


def _first(labels: list[str], shown: int = 5) -> str:
    """The first *shown* of *labels*, and how many more."""
    more = len(labels) - shown
    return ", ".join(labels[:shown]) + (f" and {more} more" if more > 0 else "")
