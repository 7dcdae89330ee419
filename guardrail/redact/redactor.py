"""Redacted copies: every value a destination may not receive is replaced as the policy says.

A format plugin that can write a copy (``RedactingFormat.redact``) hands each section
to a :class:`Redactor` exactly as its reader would yield it. The redactor checks each
record with the same engine a check uses (same classification, detectors, record
rules and exceptions), notes what each finding's action asks for, and returns the
record with those values replaced:

- ``redact``: the value (or the part a detector found) becomes ``[REDACTED]``;
- ``mask``: every word keeps its first character (``J*** S****``);
- ``hash``: ``hmac-sha256:`` and the keyed HMAC-SHA256 of the value, so the same
  person is the same token across exports without being readable;
- ``drop``: the field (or column) is left out;
- ``block``: nothing is written at all (:attr:`Redactor.blocked`);
- ``warn`` and waived findings leave the value as it is.

A check accepts redaction output in a field it would otherwise report
(:func:`guardrail.masking.is_redacted`), so the copy passes the policy it was made for.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from guardrail.contract.records import Documents, Table
from guardrail.contract.redaction import DROPPED
from guardrail.engine.document_walk import DocumentWalk
from guardrail.engine.evaluation import Evaluation
from guardrail.engine.scanning import as_text
from guardrail.engine.table_walk import TableWalk
from guardrail.errors import UsageError
from guardrail.masking import HASH_PREFIX, REDACTED, mask_text
from guardrail.policy.paths import display_path, normalize_key
from guardrail.redact.recorder import WHOLE_RECORD, EditRecorder, Edits, stronger

__all__ = ["Redactor", "TableRedaction", "DocumentRedaction", "DROPPED", "HASH_KEY_ENV"]

HASH_KEY_ENV = "GUARDRAIL_HASH_KEY"
_RECHECKS = 3  # re-checks of a redacted record before the copy's own check decides


class Redactor:
    """Redacts the sections of one payload; made by :func:`guardrail.redact.run.run_redact`.

    :param evaluation: evaluates each record, reporting to *recorder*.
    :param file: the payload's display name, as findings show it.
    :param hash_key: the secret for the ``hash`` action; None makes ``hash`` an error.
    """

    def __init__(self, evaluation: Evaluation, recorder: EditRecorder, file: str,
                 hash_key: bytes | None) -> None:
        self.evaluation = evaluation
        self.recorder = recorder
        self.file = file
        self._hash_key = hash_key
        self.changed = 0  # values replaced or removed
        self.records = 0  # records redacted (in sections that are lists of records)

    @property
    def blocked(self) -> bool:
        """True once any value needed the ``block`` action: the copy must not be written."""
        return self.recorder.blocked

    def recheck(self, check: Any, *args: Any) -> Edits:
        """Run ``check(*args)`` (a re-check of a redacted record) without reporting its
        findings a second time; returns the edits it still asks for."""
        self.recorder.quiet = True
        try:
            check(*args)
        finally:
            self.recorder.quiet = False
        return self.recorder.take()

    def table(self, columns: Sequence[str], *, section: str | None = None,
              typed: bool = False) -> TableRedaction:
        """Start a table; call :meth:`TableRedaction.row` for each of its rows in order."""
        return TableRedaction(self, columns, section, typed)

    def documents(self, *, section: str | None = None, first_index: int = 0,
                  index: bool = True, typed: bool = True,
                  keep_dropped: bool = False, lines: bool = False) -> DocumentRedaction:
        """Start a section of nested records; call :meth:`DocumentRedaction.record` for each.

        :param typed: as :class:`~guardrail.Documents` (False: scalars are text as written).
        :param lines: as :class:`~guardrail.Documents`: the records are lines of one text.
            A match across two lines is masked in the later one (the earlier one is
            written already), which leaves no reader anything to read across.
        :param keep_dropped: leave :data:`DROPPED` in place of a dropped list item
            (instead of removing it), for writers that map items back to nodes.
        """
        return DocumentRedaction(self, section, first_index, index, typed, keep_dropped,
                                 lines)

    # -- values -------------------------------------------------------------------------

    def replace(self, value: Any, action: str) -> Any:
        """The whole of *value* as *action* leaves it."""
        self.changed += 1
        if action == "drop":
            return DROPPED
        text = _plain(value)
        if action == "mask":
            masked = mask_text(text)
            return masked if masked != text else REDACTED
        if action == "hash":
            return self._hash(text)
        return REDACTED  # redact, and block (the copy is discarded anyway)

    def _hash(self, text: str) -> str:
        if not self._hash_key:
            raise UsageError(
                f"the policy hashes values but no key was given: set {HASH_KEY_ENV} (or the "
                "variable named by --hash-key-env) to a secret; an unkeyed hash of a name "
                "or phone number can be reversed by guessing")
        digest = hmac.new(self._hash_key, text.encode("utf-8"), hashlib.sha256).hexdigest()
        return HASH_PREFIX + digest

    def edit(self, value: Any, field: str, edits: Edits, rule_action: str | None) -> Any:
        """*value* at *field* after the edits the check noted for it."""
        action = edits.whole.get(field)
        if rule_action is not None:
            action = stronger(action, rule_action)
        text = as_text(value) if edits.spans else None
        spans = edits.spans.get((field, text)) if text else None
        if spans and any(a == "drop" for _, _, a in spans):
            action = stronger(action, "drop")
        if action is not None:
            return self.replace(value, action)
        if not spans:
            return value
        assert text is not None
        out = []
        last = 0
        for start, end, span_action in _merged(spans):
            out.append(text[last:start])
            out.append(self.replace(text[start:end], span_action))
            last = end
        out.append(text[last:])
        return "".join(out)


def _plain(value: Any) -> str:
    """A value as the text a person would write: a whole float (Excel's 3.0) as 3, so
    the same value hashes alike from a spreadsheet and from a CSV export."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _merged(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans become one, with the strongest action among them."""
    merged: list[tuple[int, int, str]] = []
    for start, end, action in sorted(spans):
        if merged and start < merged[-1][1]:
            last_start, last_end, last_action = merged[-1]
            merged[-1] = (last_start, max(last_end, end), stronger(last_action, action))
        else:
            merged.append((start, end, action))
    return merged


class TableRedaction:
    """One table being redacted. ``columns`` is the header to write."""

    def __init__(self, redactor: Redactor, columns: Sequence[str], section: str | None,
                 typed: bool) -> None:
        self._redactor = redactor
        self._walk = TableWalk(redactor.evaluation, redactor.file,
                               Table(list(columns), (), name=section, typed=typed))
        header = redactor.recorder.take()  # a header that is personal data was reported
        self._index = 0
        self.keep: list[int] = []
        self._dropped: list[int] = []
        self.columns: list[Any] = []
        for position, name in enumerate(columns):
            plan = self._walk.plan(position)
            action = header.keys.get(str(name))
            if action == "drop" or (plan is not None and plan.kind.waived_by is None
                                    and plan.kind.action == "drop"):
                self._dropped.append(position)
                continue
            self.keep.append(position)
            self.columns.append(redactor.replace(name, action) if action else name)

    def row(self, row: Sequence[Any]) -> list[Any]:
        """The next row, redacted: values for :attr:`columns` (a dropped cell is "").

        Cells beyond the header are kept (a check reports them as unnamed columns).
        """
        redactor = self._redactor
        index = self._index
        self._walk.check_row(index, row, None)
        self._index += 1
        redactor.records += 1
        edits = redactor.recorder.take()
        positions = [p for p in self.keep if p < len(row)] + \
            list(range(len(self._walk.columns), len(row)))
        redactor.changed += sum(1 for p in self._dropped if p < len(row)
                                and row[p] is not None and row[p] != "")
        if not edits:
            return [row[p] for p in positions]
        full = self._apply(row, edits)
        for _ in range(_RECHECKS):  # what a detector sees only once its neighbour is gone
            edits = redactor.recheck(self._walk.check_row, index, full, None)
            if not edits:
                break
            full = self._apply(full, edits)
        return [full[p] for p in positions]

    def _apply(self, row: Sequence[Any], edits: Edits) -> list[Any]:
        """*row* (all its cells, in place) with *edits* applied; a dropped cell is ""."""
        redactor = self._redactor
        whole_record = edits.rules.get(WHOLE_RECORD)
        out = list(row)
        dropped = self._dropped
        for position, value in enumerate(row):
            if value is None or value == "" or position in dropped:
                continue
            rule_action = edits.rules.get(normalize_key(self._walk.name(position))) \
                or whole_record
            new = redactor.edit(value, self._walk.label(position), edits, rule_action)
            out[position] = "" if new is DROPPED else new
        return out


class DocumentRedaction:
    """One section of nested records being redacted."""

    def __init__(self, redactor: Redactor, section: str | None, first_index: int,
                 index: bool, typed: bool = True, keep_dropped: bool = False,
                 lines: bool = False) -> None:
        self._redactor = redactor
        self._keep_dropped = keep_dropped
        self._walk = DocumentWalk(redactor.evaluation, redactor.file,
                                  Documents((), name=section, first_index=first_index,
                                            index=index, typed=typed, lines=lines))
        self._walk.report_earlier = False
        self._next = first_index if index else None

    def record(self, record: Any) -> Any:
        """The next record, redacted (a copy; unchanged values are the same objects).

        Returns :data:`DROPPED` when the whole record is dropped.
        """
        walk = self._walk
        walk.check(record, self._next)
        if self._next is not None:
            self._next += 1
            self._redactor.records += 1
        edits = self._redactor.recorder.take()
        if not edits:
            return record
        new = self._apply(record, edits)
        for _ in range(_RECHECKS):  # what a detector sees only once its neighbour is gone
            if new is DROPPED:
                break
            edits = self._redactor.recheck(walk.check, new, walk.index)
            if not edits:
                break
            new = self._apply(new, edits)
        return new

    def _apply(self, record: Any, edits: Edits) -> Any:
        whole = edits.rules.get(WHOLE_RECORD)
        if whole is not None:
            return self._redactor.replace(record, whole) if whole == "drop" else \
                self._everything(record, whole)
        return self._rewrite(record, (), edits)

    def _rewrite(self, value: Any, path: tuple[str | int, ...], edits: Edits,
                 rule_action: str | None = None) -> Any:
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                text_key = key if isinstance(key, str) else str(key)
                key_action = edits.keys.get(text_key)
                if key_action == "drop":
                    self._redactor.changed += 1
                    continue
                new_key = self._redactor.replace(key, key_action) if key_action else key
                child_rule = edits.rules.get(normalize_key(text_key)) if not path else None
                new = self._rewrite(item, path + (self._walk.segment_of(text_key),), edits,
                                    child_rule or rule_action)
                if new is not DROPPED:
                    out[new_key] = new
            return out
        if isinstance(value, list):
            items = [self._rewrite(item, path + (i,), edits, rule_action)
                     for i, item in enumerate(value)]
            return items if self._keep_dropped else [i for i in items if i is not DROPPED]
        if value is None or value == "":
            return value
        return self._redactor.edit(value, display_path(path) if path else "@", edits,
                                    rule_action)

    def _everything(self, value: Any, action: str) -> Any:
        """A record rule about the whole record: every value in it gets *action*."""
        if isinstance(value, dict):
            return {k: self._everything(v, action) for k, v in value.items()}
        if isinstance(value, list):
            return [self._everything(v, action) for v in value]
        if value is None or value == "":
            return value
        return self._redactor.replace(value, action)
