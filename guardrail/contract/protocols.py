"""The objects plugins register: formats, detectors and reporters.

These are structural protocols; a plugin implements the attributes and methods
and registers an instance through the matching ``guardrail_register_*`` hook.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TextIO, runtime_checkable

from guardrail.contract.limits import Limits
from guardrail.contract.records import Section, Span

if TYPE_CHECKING:
    from guardrail.contract.payload import Payload
    from guardrail.contract.redaction import Redactor
    from guardrail.decision import Decision

__all__ = ["Format", "RedactingFormat", "Detector", "Reporter", "Adapter", "ReadOptions",
           "ReportOptions", "Limits", "declared"]

_DEFAULTS: dict[str, object] = {"content_first": False, "markup": False, "pattern": None,
                                "wants_field": None, "media_types": ()}


def declared(plugin: object, member: str) -> Any:
    """An optional contract member of *plugin*, or its documented default (see
    :class:`Format` and :class:`Detector`): the one place the core reads them."""
    return getattr(plugin, member, _DEFAULTS[member])


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
    """Reads one payload format into sections of records.

    Optional members (the core applies the default when a format leaves them out):

    - ``content_first: bool = False``: the extension alone does not name the format
      (plain text: a ``.txt`` often holds CSV); it is chosen only when no other
      format recognises the content.
    - ``markup: bool = False``: the format reads tags (HTML, XML); it is not chosen by
      content for a file whose extension names a ``content_first`` format, since a
      line of text that merely starts with ``<`` would lose its text.
    - ``media_types: tuple[str, ...] = ()``: the media types (``text/csv``) the format
      reads, lower-case; an entry starting with ``+`` is a structured-syntax suffix
      (``+json`` claims ``application/geo+json``). Integrations that see a body with a
      ``Content-Type`` (HTTP clients, web middleware, uploads) read it as this format.
    """

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
        (:meth:`~guardrail.plugin.Redactor.table` or
        :meth:`~guardrail.plugin.Redactor.documents`). Raise PayloadError on bad input."""


@runtime_checkable
class Detector(Protocol):
    """Finds sensitive values inside strings, whatever field they are in.

    ``find`` may take a second argument, the field name (a column or path pattern),
    for detectors whose confidence depends on it.

    Optional members (the core applies the default when a detector leaves them out):

    - ``pattern: str | None = None``: an RE2 pattern that every match lies inside;
      the engine calls ``find`` only on values it matches (one RE2 set gates every
      detector in a single pass). None: ``find`` runs on every value.
    - ``wants_field(field: str) -> bool``: True for a field whose every value
      ``find`` must see, ungated (a column named ``phone`` holding bare digits).
    """

    id: str
    level: str
    confidence: float

    def find(self, text: str) -> Iterable[Span]:
        """Spans of *text* that hold what this detector looks for."""


@runtime_checkable
class Adapter(Protocol):
    """Reads an in-memory object that is not a file (a pandas or polars DataFrame) as
    sections, so ``Guardrail.check(frame)`` sees its columns and typed values.

    ``accepts`` is asked about every object ``check`` is given that is not a path, bytes,
    a stream or dict records: it must be cheap and must not import a library the caller
    has not already imported (test ``type(obj).__module__``).
    """

    name: str
    description: str

    def accepts(self, obj: Any) -> bool:
        """True when :meth:`read` can read *obj*."""

    def read(self, obj: Any, options: ReadOptions) -> Iterator[Section]:
        """Yield *obj*'s sections; raise :class:`~guardrail.PayloadError` on what it
        cannot read (never quoting a value)."""


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
