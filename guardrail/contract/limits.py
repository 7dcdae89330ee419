"""How much of a payload a reader accepts before it blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from guardrail.errors import PayloadError

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """How much of a payload a reader accepts before it blocks (hostile or broken input).

    Readers raise :class:`~guardrail.PayloadError` naming the limit and the option that
    raises it. The defaults are far above real exports and far below what hurts.

    :param max_file_bytes: the whole payload (``--max-file-size``); also the total
        uncompressed size of a zipped format (XLSX).
    :param max_record_bytes: one record, line, cell or text node (``--max-record-size``).
    :param max_depth: nesting of objects, arrays or elements (``--max-depth``).
    :param max_entities: XML entity references expanded, or YAML aliases followed
        (``--max-entities``); external entities are never loaded at all.
    :param max_seconds: wall-clock time for one whole check or redaction, plugins
        included (``--time-limit``); None for no limit. A plugin still running when it
        runs out is stopped and named (see ``guardrail.host.deadline`` for how, and
        for what cannot be stopped).
    """

    max_file_bytes: int = 4 * 1024**3
    max_record_bytes: int = 16 * 1024**2
    max_depth: int = 256
    max_entities: int = 10_000
    max_seconds: float | None = 600.0

    OPTIONS: ClassVar[dict[str, str]] = {
        "max_file_bytes": "--max-file-size", "max_record_bytes": "--max-record-size",
        "max_depth": "--max-depth", "max_entities": "--max-entities",
        "max_seconds": "--time-limit"}

    _LABELS: ClassVar[dict[str, tuple[str, str]]] = {
        "max_file_bytes": ("file size", "bytes"), "max_record_bytes": ("record size", "bytes"),
        "max_depth": ("nesting depth", "levels"), "max_entities": ("entity", "expansions"),
        "max_seconds": ("time", "s")}

    def exceeded(self, limit: str, *, file: str, position: str | None = None,
                 what: str = "the payload") -> PayloadError:
        """The error a reader raises when *limit* (a field name, ``"max_depth"``) is passed.

        :param what: what went over, for the message (``"one cell"``); never its content.
        """
        label, unit = self._LABELS[limit]
        return PayloadError(
            f"{what} exceeds the {label} limit of {self.shown(limit)} {unit}; the "
            f"payload is blocked. If it is genuine, raise the limit with "
            f"{self.OPTIONS[limit]}", file=file, position=position)

    def shown(self, limit: str) -> str:
        """A limit's value as messages print it: ``16,777,216``, ``600``, ``0.5``."""
        value = getattr(self, limit)
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
