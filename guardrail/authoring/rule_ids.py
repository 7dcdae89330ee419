"""The ids ``guardrail init`` gives the field rules it writes.

Every rule gets one, as the policy guide asks of authors, so reports name the rule
(``flytipping.reporter_name``) instead of the anonymous ``field.level``. An id is the
policy's name (its words, dates and numbers left out: ``flytipping-2026-10`` gives
``flytipping``) and the field's words, joined by a dot; a clash with an id the policy
or its parents already use, or one given a moment earlier, takes a ``_2``, ``_3``...
Ids always match the schema's pattern (lower-case letters, digits, ``_`` and ``-``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from guardrail.authoring.value_shape import name_words

__all__ = ["RuleIds", "id_prefix"]


def id_prefix(policy_name: str) -> str:
    """The first part of the ids of *policy_name*'s rules."""
    words = [w for w in re.split(r"[^a-z0-9]+", policy_name.lower()) if w and not w.isdigit()]
    return "_".join(words) or "policy"


class RuleIds:
    """Hands out unique rule ids under one prefix, avoiding *taken* ids."""

    def __init__(self, policy_name: str, taken: Iterable[str]) -> None:
        self.prefix = id_prefix(policy_name)
        self._taken = set(taken)

    def for_field(self, pattern: str) -> str:
        """A new id for the rule of the field written *pattern*."""
        words = [w for w in name_words(pattern) if re.fullmatch(r"[a-z0-9]+", w)]
        base = f"{self.prefix}.{'_'.join(words) or 'field'}"
        found, number = base, 1
        while found in self._taken:
            number += 1
            found = f"{base}_{number}"
        self._taken.add(found)
        return found
