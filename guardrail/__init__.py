"""guardrail: a policy-as-code publishing guardrail.

Describe in YAML how sensitive each field is and what each destination may
receive; guardrail reads any payload through a format plugin and blocks what
breaks the policy, with masked evidence.

Plugin authors: import from :mod:`guardrail.plugin`.
"""

from __future__ import annotations

from guardrail.api import Guardrail
from guardrail.contract.limits import Limits
from guardrail.contract.payload import Payload
from guardrail.contract.protocols import (
    Adapter,
    Detector,
    Format,
    ReadOptions,
    Reporter,
    ReportOptions,
)
from guardrail.contract.records import Documents, Span, Table
from guardrail.decision import Decision, Finding, PublishBlocked, TextMatch
from guardrail.errors import (
    GuardrailError,
    PayloadError,
    PluginError,
    PluginFault,
    PolicyError,
    PolicyProblem,
    UsageError,
)
from guardrail.gate import Gate
from guardrail.host.hookspecs import hookimpl
from guardrail.masking import mask_value
from guardrail.publish import PublishFile, guard, open_for_publish

__all__ = [
    "Adapter",
    "Decision",
    "Detector",
    "Documents",
    "Finding",
    "Format",
    "Gate",
    "Guardrail",
    "GuardrailError",
    "Limits",
    "Payload",
    "PayloadError",
    "PluginError",
    "PluginFault",
    "PolicyError",
    "PolicyProblem",
    "PublishBlocked",
    "PublishFile",
    "ReadOptions",
    "ReportOptions",
    "Reporter",
    "Span",
    "Table",
    "TextMatch",
    "UsageError",
    "hookimpl",
    "guard",
    "mask_value",
    "open_for_publish",
]

__version__ = "0.1.0"
