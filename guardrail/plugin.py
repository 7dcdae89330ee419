"""Everything a plugin needs from guardrail, in one module.

Formats, detectors, reporters and integrations, first-party ones included, import
from here (and from ``guardrail`` itself) and nothing else, so each could be split
out as its own distribution without edits. Everything here is stable: it changes only
by addition. See ``docs/plugins.md`` for the whole contract.

Hooks::

    from guardrail.plugin import hookimpl

    @hookimpl
    def guardrail_register_formats(register):
        register(MyFormat())

Readers yield sections (:class:`Table` for rows under one header, :class:`Documents`
for nested records) from a :class:`Payload`, guard hostile input with :class:`Limits`
and :class:`StreamGuard`, and raise :class:`PayloadError` on bad input. Formats that
write redacted copies receive a :class:`Redactor`. Detectors return :class:`Span`s.
Reporters render a :class:`Decision` (SARIF ones in the envelope :func:`sarif_log`
writes).
"""

from __future__ import annotations

from guardrail.contract.limits import Limits
from guardrail.contract.payload import HEAD_BYTES, Payload, StreamGuard
from guardrail.contract.protocols import (
    Adapter,
    Detector,
    Format,
    ReadOptions,
    RedactingFormat,
    Reporter,
    ReportOptions,
)
from guardrail.contract.records import Documents, Locator, RowLocator, Section, Span, Table
from guardrail.contract.redaction import DROPPED, DocumentRedaction, Redactor, TableRedaction
from guardrail.contract.repeated_keys import KeepAll, Repeated, keep_all_pairs
from guardrail.contract.sarif import SARIF_SCHEMA, sarif_log, sarif_uri
from guardrail.decision import Decision, FileResult, Finding, FindingKind
from guardrail.errors import GuardrailError, PayloadError, PluginError, UsageError
from guardrail.host.hookspecs import PROJECT, hookimpl
from guardrail.host.register import Register, RunContext
from guardrail.impact import Impact, PageImpact
from guardrail.ledger.chain import LogEntry
from guardrail.masking import REDACTED, mask_value
from guardrail.next_steps import next_steps, write_next_steps
from guardrail.policy.paths import key_chain
from guardrail.policy.waivers import waiver_matches

__all__ = [
    # hooks
    "PROJECT", "hookimpl", "Register", "RunContext",
    # formats: reading
    "Format", "ReadOptions", "Payload", "StreamGuard", "HEAD_BYTES", "Limits",
    "Section", "Table", "Documents", "Locator", "RowLocator",
    "KeepAll", "Repeated", "keep_all_pairs", "key_chain",
    # formats: writing redacted copies
    "RedactingFormat", "Redactor", "TableRedaction", "DocumentRedaction", "DROPPED",
    # detectors
    "Detector", "Span", "mask_value", "REDACTED",
    # adapters of in-memory objects (DataFrames)
    "Adapter",
    # reporters
    "Reporter", "ReportOptions", "Decision", "Finding", "FindingKind", "FileResult",
    "SARIF_SCHEMA", "sarif_log", "sarif_uri", "waiver_matches", "Impact", "PageImpact",
    "next_steps", "write_next_steps",
    # decision listeners (guardrail_decision_logged)
    "LogEntry",
    # errors
    "GuardrailError", "PayloadError", "PluginError", "UsageError",
]
