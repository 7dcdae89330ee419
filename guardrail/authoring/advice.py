"""What ``guardrail init`` advises for each surveyed field, and how sure it is.

Two witnesses: the name rules of the policy the new one extends (the level
``guardrail explain`` gives the field) and what the content detectors found in its
values. Init never classifies a field public on its own: a field that looks
publishable gets a *suggestion* in a comment, and its entry stays at a level that
blocks it until the author changes it.

* The name rules classify the field and the values agree: the parent's rule stands
  (the entry is written commented out, for the author to take over if they wish).
* The values hold more than the name says: an entry at the detectors' level, unsure
  (the only active entry for a field the parent classifies: it changes the level).
* The name says personal but no value looked personal: the parent's rule stands
  (a commented entry), unsure: the author decides, and an active entry at the same
  level would only hide the parent's rule id from reports.
* No rule names it: an entry at the policy's level for unknown fields (never
  public); unsure unless the detectors found something. When they found nothing, the
  suggestion follows what the name and the values say (:mod:`.value_shape`): the
  level just above public for a name that reads as an identifier (if the policy has
  such a level), none for free text or a name that shares a word with a rule
  classifying personal data, and public only for counts, yes/no flags, periods or
  recent dates under a name that gives no reason for caution. A few repeated words
  get no suggestion (they may be surnames, first names or handles as well as
  categories): the comment tells the author to classify it public if they are
  categories and not people's names or handles.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardrail.authoring.survey import SurveyedField
from guardrail.authoring.value_shape import is_identifier_name, name_words, value_shape
from guardrail.engine import CompiledPolicy
from guardrail.policy.classify import Classification
from guardrail.policy.model import UNCLASSIFIED_RULE

__all__ = ["Advice", "advise"]


@dataclass(frozen=True)
class Advice:
    """What to write for one field.

    :param level: the level its entry says (for an inherited field, the parent's).
    :param by_name: how the extended policy's field rules classify it.
    :param content: the highest level the detectors found in its values, if any.
    :param active: write an active entry; False: the parent's rule stands, and the
        entry is written as a comment.
    :param unsure: why the author must decide, when init is not sure.
    :param suggestion: a level the author may choose (a comment, never written).
    """

    field: SurveyedField
    level: str
    by_name: Classification | None
    content: str | None
    active: bool
    unsure: str | None = None
    suggestion: str | None = None


def advise(compiled: CompiledPolicy, surveyed: SurveyedField, parent: str) -> Advice:
    """The advice for *surveyed* under the policy *compiled* (named *parent* in messages)."""
    policy = compiled.policy
    content = _content_level(compiled, surveyed)
    if surveyed.withheld:
        return Advice(surveyed, policy.unknown_level, None, content, False,
                      unsure="its name holds personal data")
    found = compiled.classify(surveyed.path)
    floor = policy.levels[min(1, len(policy.levels) - 1)]  # never public by init's choice
    if found.rule == UNCLASSIFIED_RULE:
        level = _higher(compiled, policy.unknown_level, floor)
        if content is not None:
            return Advice(surveyed, _higher(compiled, level, content), found, content, True)
        if not surveyed.values:
            return Advice(surveyed, level, found, None, True,
                          unsure="nothing is known: no rule names it and it is empty "
                                 "in every record")
        reason, suggestion = _unnamed(compiled, surveyed, level)
        return Advice(surveyed, level, found, None, True,
                      unsure=f"no rule of {parent} names it and the detectors found "
                             f"nothing in {_its(surveyed.values)}; {reason}",
                      suggestion=suggestion)
    if content is not None and compiled.rank(content) > compiled.rank(found.level):
        return Advice(surveyed, content, found, content, True,
                      unsure=f"the name says {found.level} but the values hold {content} "
                             "data (the detectors find such values at any level; a level "
                             "above public blocks every value)")
    if content is None and surveyed.values and compiled.rank(found.level) > 0:
        return Advice(surveyed, found.level, found, None, False,
                      unsure=f"the name says {found.level} but the detectors found nothing "
                             f"in {_its(surveyed.values)}; keep {found.level} unless "
                             "you know they are not about people")
    return Advice(surveyed, found.level, found, content, False)


def _unnamed(compiled: CompiledPolicy, surveyed: SurveyedField,
             level: str) -> tuple[str, str | None]:
    """Why init suggests what it does for a field no rule names and nothing was found
    in, and the level it suggests (None: the author decides unaided)."""
    levels = compiled.policy.levels
    name = surveyed.pattern.rsplit(".", 1)[-1]
    if is_identifier_name(name):
        below = levels[1] if len(levels) > 2 and compiled.rank(levels[1]) < \
            compiled.rank(level) else None
        return ("its name reads as an identifier, and a reference can lead back to a "
                "person" + (f": {below} keeps it from public destinations" if below
                            else ""), below)
    shape = value_shape(surveyed.seen, surveyed.values)
    if shape.kind == "text":
        return (f"{shape.says}: checks scan every value with the detectors, but free text "
                f"can name people in ways they do not know; keep {level} unless it is "
                "written for the public", None)
    shared = _shared_word(compiled, name)
    if shared is not None:
        word, rule = shared
        return (f"its name shares '{word}' with '{rule}', which {compiled.policy.name} "
                "classifies above public", None)
    if shape.publishable:
        return f"{shape.says}, which may be publishable", levels[0]
    if shape.kind == "category":  # the shape cannot tell categories from names
        return shape.says, None
    return f"{shape.says}: init suggests nothing", None


#: Words that say when, what kind or how many, not who: they occur in as many
#: non-personal field names (reported_at, waste_type, item_count) as personal ones
#: (reported_by, phone_number), so sharing one with a personal rule says nothing.
GENERIC_WORDS = frozenset({
    "date", "time", "datetime", "timestamp", "day", "week", "month", "year", "quarter",
    "period", "at", "on", "from", "to", "start", "end", "type", "kind", "category",
    "class", "code", "status", "state", "flag", "number", "count", "total", "amount",
    "value", "level", "source", "method", "outcome", "result", "last", "first", "new",
    "old", "current", "previous", "by", "of", "the", "and", "or", "for", "in"})


def _generic(word: str) -> bool:
    """A word that does not carry a rule's personal meaning: listed in
    :data:`GENERIC_WORDS`, or a past participle naming an event (reported, created,
    issued, modified): the person, if any, is in another word (reported_by)."""
    return word in GENERIC_WORDS or (len(word) > 4 and word.endswith("ed"))


def _shared_word(compiled: CompiledPolicy, name: str) -> tuple[str, str] | None:
    """A word (3 letters or more) of *name* that is a word of a name or path pattern of
    a field rule classifying above public, and that pattern.

    Only a word that can carry the pattern's personal meaning counts: ``reporter``
    shared with ``reporter_name`` is a reason for caution, ``reported`` shared with
    ``reported_by`` is not (``reported_at`` holding dates says nothing about a person).
    Generic words (:func:`_generic`) are left to the values' shape to decide.
    """
    words = {w for w in name_words(name) if len(w) >= 3 and not _generic(w)}
    for rule in compiled.policy.field_rules:
        if compiled.rank(rule.level) == 0:
            continue
        for pattern in rule.patterns:
            common = words & set(name_words(pattern))
            if common:
                return min(common), pattern
    return None


def _its(values: int) -> str:
    return "its one value" if values == 1 else f"its {values} values"


def _content_level(compiled: CompiledPolicy, surveyed: SurveyedField) -> str | None:
    """The highest level any detector found in the field's values, as a level of the
    policy (a detector's level the policy does not know counts as its highest)."""
    levels = compiled.policy.levels
    best: str | None = None
    for level in surveyed.levels.values():
        known = level if level in levels else levels[-1]
        best = known if best is None else _higher(compiled, best, known)
    return best


def _higher(compiled: CompiledPolicy, one: str, other: str) -> str:
    return one if compiled.rank(one) >= compiled.rank(other) else other
