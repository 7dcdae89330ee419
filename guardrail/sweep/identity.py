"""What makes two findings of two sweeps the same finding, kept without a URL or path.

A page is known by what it really is (its URL, or its path under the swept folder),
not by what a report calls it: a screened page is shown as ``<payload N>`` by its
position, which shifts when a page is added before it and is the same for two
different pages. The state file must not hold a URL or path in clear (a URL can carry a
name), so every identity is keyed: HMAC-SHA256 with a random key kept in the state file.

A finding is then its page, field pattern, rule and masked evidence: not its record
(a row that moves is not new) and not its section (a table wrapped in a ``<div>`` is the
same table).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence

from guardrail.decision import Decision, Finding, FindingKind

__all__ = ["Keyed", "PageIds", "fingerprint", "kind_key", "KEY_BYTES"]

KEY_BYTES = 32


class Keyed:
    """HMAC-SHA256 under the state file's key: the same text gives the same digest in
    every sweep kept in that file. It keeps URLs and paths out of the file in clear; it
    does not stop someone holding the whole file (key included) from testing guesses,
    so the state file is kept like the decision log."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def digest(self, *parts: str | None) -> str:
        text = json.dumps(parts, ensure_ascii=False).encode("utf-8")
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()


class PageIds:
    """The keyed identity of each page of a decision, found by the label reports give it."""

    def __init__(self, keyed: Keyed, decision: Decision, identities: Sequence[str]) -> None:
        real: dict[str, list[str]] = {}
        for result, identity in zip(decision.files, identities, strict=True):
            real.setdefault(result.file, []).append(identity)
        # Two pages shown alike (rare: a URL and its %-decoded twin) share one identity.
        self._ids = {label: keyed.digest("page", *sorted(found))
                     for label, found in real.items()}
        self._keyed = keyed

    def of(self, label: str) -> str:
        """The keyed identity of the page shown as *label*."""
        found = self._ids.get(label)
        return found if found is not None else self._keyed.digest("label", label)


def fingerprint(finding: Finding, pages: PageIds) -> str:
    """A finding as seen from outside: which page, field pattern and rule, and the
    masked evidence."""
    return hashlib.sha256(json.dumps(
        [pages.of(finding.file), finding.field_pattern, finding.rule, finding.evidence],
        ensure_ascii=False).encode("utf-8")).hexdigest()


def kind_key(kind: FindingKind, pages: PageIds) -> str:
    """A kind of finding whose exact count is kept: page, rule, field, level, action and
    waiver (not the section, as for a finding)."""
    return json.dumps([pages.of(kind.file), kind.rule, kind.field, kind.level, kind.action,
                       kind.waived_by], ensure_ascii=False)
