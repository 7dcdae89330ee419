"""The redaction contract: what a format's ``redact`` receives and must call.

A format that writes redacted copies hands each section to the :class:`Redactor`
exactly as its reader would yield it, and writes what comes back. The core's
implementation lives in ``guardrail.redact``; plugins see only these Protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Protocol

__all__ = ["DROPPED", "Redactor", "TableRedaction", "DocumentRedaction"]


class _Dropped:
    """The marker for a value (or whole record) the ``drop`` action removes."""

    def __repr__(self) -> str:
        return "DROPPED"


DROPPED: Final = _Dropped()
"""Returned in place of a value, a list item or a whole record that the ``drop`` action
removes; a writer leaves it out of the copy."""


class TableRedaction(Protocol):
    """One table being redacted.

    :ivar columns: the header to write (a dropped column is left out; a header that
        is personal data is replaced).
    :ivar keep: positions, in the original header, of the columns written.
    """

    columns: list[Any]
    keep: list[int]

    def row(self, row: Sequence[Any]) -> list[Any]:
        """The next row, redacted: values for :attr:`columns`, then any cells beyond the
        header (a check reports them as unnamed columns). Call once per row, in order."""


class DocumentRedaction(Protocol):
    """One section of nested records being redacted."""

    def record(self, record: Any) -> Any:
        """The next record, redacted (a copy; unchanged values are the same objects), or
        :data:`DROPPED` when the whole record is dropped. Call once per record, in order."""


class Redactor(Protocol):
    """What a format's ``redact`` method is given for one payload."""

    @property
    def blocked(self) -> bool:
        """True once a value needed the ``block`` action: the copy will not be written,
        so a writer may stop early."""

    def table(self, columns: Sequence[str], *, section: str | None = None,
              typed: bool = False) -> TableRedaction:
        """Start a table (as :class:`~guardrail.plugin.Table` would be read)."""

    def documents(self, *, section: str | None = None, first_index: int = 0,
                  index: bool = True, typed: bool = True,
                  keep_dropped: bool = False, lines: bool = False) -> DocumentRedaction:
        """Start a section of nested records (as :class:`~guardrail.plugin.Documents`,
        *lines* too).

        :param keep_dropped: leave :data:`DROPPED` in place of a dropped list item
            (instead of removing it), for writers that map items back to nodes.
        """
