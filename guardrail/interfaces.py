"""The objects plugins register: formats, detectors and reporters.

These are structural protocols; a plugin implements the attributes and methods
and registers an instance through the matching ``guardrail_register_*`` hook.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

from .records import Section, Span

if TYPE_CHECKING:
    from .decision import Decision
    from .payload import Payload

__all__ = ["Format", "Detector", "Reporter", "ReadOptions", "ReportOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need from the policy and the caller.

    :param records: JMESPath selecting records inside a nested document, if the policy sets one.
    :param encoding: text encoding forced by the caller; None means detect (UTF-8 by default).
    """

    records: str | None = None
    encoding: str | None = None
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
