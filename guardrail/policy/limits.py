"""How large a policy may be: the bounds every policy is loaded, checked and compiled within.

Whoever can write a policy file (a pull request, a plugin's policy pack, a
``--policy`` path) must not be able to hang the guardrail, exhaust its memory or
crash it into an internal error: an alias bomb, brackets nested 100,000 deep or a
JMESPath condition nested 2,000 deep is refused as a policy error (exit 2) at its
``file:line:col`` within about a second. Real policies are a few kilobytes with a
few dozen rules, so each bound is far above them; none is configurable, because a
policy that needs more holds data, not rules.

These numbers are the only place the bounds are written; the loader, the schema
checks, the detector compiler and the JMESPath compiler read them from here.
"""

from __future__ import annotations

from ..errors import PolicyError, PolicyProblem

__all__ = [
    "MAX_POLICY_BYTES",
    "MAX_POLICY_FILES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "MAX_FIELD_RULES",
    "MAX_RECORD_RULES",
    "MAX_CUSTOM_DETECTORS",
    "MAX_TERMS_PER_DETECTOR",
    "MAX_TERMS",
    "MAX_TERM_CHARS",
    "MAX_REGEX_CHARS",
    "MAX_PATTERN_MEMORY",
    "MAX_DETECTOR_SET_MEMORY",
    "MAX_JMESPATH_CHARS",
    "MAX_JMESPATH_DEPTH",
    "PolicyLimitError",
]

MAX_POLICY_BYTES = 1024 * 1024
"""Bytes of YAML in the policy and every policy it extends, together; checked before
anything is parsed (the shipped policies are 2 and 6 kB)."""

MAX_POLICY_FILES = 16
"""Files in an ``extends`` chain: the policy and every policy it extends, at any depth."""

MAX_YAML_DEPTH = 32
"""Nesting of mappings and lists, flow (``[[[``) or block; a policy needs about 6."""

MAX_YAML_NODES = 10_000
"""Values, keys, mappings and lists in all the files of a chain together, where an alias
counts as every node it stands for: bounds the work of every later step, and refuses
an alias bomb (9 levels of 9 aliases is 387 million) while it is being read."""

MAX_FIELD_RULES = 1_000
"""Entries under ``fields:``, along the whole chain."""

MAX_RECORD_RULES = 200
"""Entries under ``rules:``, along the whole chain: each is evaluated on every record."""

MAX_CUSTOM_DETECTORS = 100
"""Entries under ``detectors.custom``, along the whole chain."""

MAX_TERMS_PER_DETECTOR = 2_000
"""``terms`` plus ``hotwords`` of one custom detector."""

MAX_TERMS = 5_000
"""``terms`` plus ``hotwords`` of all custom detectors together."""

MAX_TERM_CHARS = 60
"""Characters in one term or hotword (a name, a word, a short phrase)."""

MAX_REGEX_CHARS = 2_000
"""Characters in one custom ``regex`` or ``exclude`` pattern."""

MAX_PATTERN_MEMORY = 8 * 1024 * 1024
"""Bytes of RE2 automaton for one custom pattern (a regex, an exclude pattern, or a
detector's terms or hotwords): bounds memory, not only time."""

MAX_DETECTOR_SET_MEMORY = 4 * 1024 * 1024
"""Bytes RE2 may use for the policy's custom detectors compiled into one set: half of
what the content scanner's set of every detector gets, so the installed detectors
always fit beside them."""

MAX_JMESPATH_CHARS = 1_000
"""Characters in one JMESPath expression (``when``, ``records``, a ``path`` rule)."""

MAX_JMESPATH_DEPTH = 50
"""Nesting of a parsed JMESPath expression: evaluating it recurses this deep per record."""


class PolicyLimitError(PolicyError):
    """A policy past one of the bounds: loading stops at once (nothing after it is read)."""

    def __init__(self, file: str, line: int, column: int, message: str, path: str = "",
                 kind: str = "too-large") -> None:
        super().__init__([PolicyProblem(file, line, column, path, message, kind)])
