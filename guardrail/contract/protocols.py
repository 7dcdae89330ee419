"""The objects plugins register: formats, detectors and reporters.

These are structural protocols; a plugin implements the attributes and methods
and registers an instance through the matching ``guardrail_register_*`` hook.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, ClassVar, Protocol, TextIO, runtime_checkable

from guardrail.errors import PayloadError
from guardrail.contract.records import Section, Span

if TYPE_CHECKING:
    from guardrail.decision import Decision
    from guardrail.contract.payload import Payload
    from guardrail.redact.redactor import Redactor

__all__ = ["Format", "RedactingFormat", "Detector", "Reporter", "ReadOptions", "ReportOptions",
           "Limits"]


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
    """

    max_file_bytes: int = 4 * 1024**3
    max_record_bytes: int = 16 * 1024**2
    max_depth: int = 256
    max_entities: int = 10_000

    OPTIONS: ClassVar[dict[str, str]] = {
        "max_file_bytes": "--max-file-size", "max_record_bytes": "--max-record-size",
        "max_depth": "--max-depth", "max_entities": "--max-entities"}

    _LABELS: ClassVar[dict[str, tuple[str, str]]] = {
        "max_file_bytes": ("file size", "bytes"), "max_record_bytes": ("record size", "bytes"),
        "max_depth": ("nesting depth", "levels"), "max_entities": ("entity", "expansions")}

    def exceeded(self, limit: str, *, file: str, position: str | None = None,
                 what: str = "the payload") -> PayloadError:
        """The error a reader raises when *limit* (a field name, ``"max_depth"``) is passed.

        :param what: what went over, for the message (``"one cell"``); never its content.
        """
        label, unit = self._LABELS[limit]
        return PayloadError(
            f"{what} exceeds the {label} limit of {getattr(self, limit):,} {unit}; the "
            f"payload is blocked. If it is genuine, raise the limit with "
            f"{self.OPTIONS[limit]}", file=file, position=position)


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need from the policy and the caller.

    :param records: JMESPath selecting records inside a nested document, if the policy sets one.
    :param encoding: text encoding forced by the caller; None means detect (UTF-8 by default).
    :param limits: sizes beyond which the payload blocks.
    """

    records: str | None = None
    encoding: str | None = None
    limits: Limits = field(default_factory=Limits)
    extra: dict[str, object] = field(default_factory=dict)


@runtime_checkable
class Format(Protocol):
    """Reads one payload format into sections of records."""

    name: str
    extensions: tuple[str, ...]
    description: str

    def sniff(self, head: bytes) -> int:
        """Confidence 0-100 that *head* (the first bytes of a payload) is this format."""

    def read(self, payload: Payload, options: ReadOptions) -> Iterator[Section]:
        """Yield the payload's sections; raise :class:`~guardrail.PayloadError` on bad input."""


@runtime_checkable
class RedactingFormat(Format, Protocol):
    """A format that can also write a redacted copy of a payload (``guardrail redact``).

    ``redact`` mirrors ``read``: it must hand the redactor the same sections, in the
    same order, with the same columns and records that ``read`` yields, so the copy
    is judged exactly as a check judges the original.
    """

    def redact(self, payload: Payload, options: ReadOptions, redactor: Redactor,
               out: BinaryIO) -> None:
        """Write the payload to *out* with each section passed through *redactor*
        (:meth:`~guardrail.redact.redactor.Redactor.table` or
        :meth:`~guardrail.redact.redactor.Redactor.documents`). Raise PayloadError on bad input."""


@runtime_checkable
class Detector(Protocol):
    """Finds sensitive values inside strings, whatever field they are in."""

    id: str
    level: str
    confidence: float

    def find(self, text: str) -> Iterable[Span]:
        """Spans of *text* that hold what this detector looks for."""


@dataclass(frozen=True)
class ReportOptions:
    """Options a reporter may honour (how many example records to show, colour)."""

    examples: int = 5
    color: bool = False


@runtime_checkable
class Reporter(Protocol):
    """Renders a decision for people or machines."""

    name: str
    description: str

    def render(self, decision: Decision, out: TextIO, options: ReportOptions) -> None:
        """Write the report for *decision* to *out*."""
