"""guardrail: a policy-as-code publishing guardrail.

Describe in YAML how sensitive each field is and what each destination may
receive; guardrail reads any payload through a format plugin and blocks what
breaks the policy, with masked evidence.
"""

from __future__ import annotations

from .api import Guardrail
from .decision import Decision, Finding
from .errors import (
    GuardrailError,
    PayloadError,
    PluginError,
    PolicyError,
    PolicyProblem,
    PublishBlocked,
    UsageError,
)
from .hookspecs import hookimpl
from .interfaces import Detector, Format, ReadOptions, Reporter, ReportOptions
from .masking import mask_value
from .payload import Payload
from .records import Documents, Span, Table

__all__ = [
    "Decision",
    "Detector",
    "Documents",
    "Finding",
    "Format",
    "Guardrail",
    "GuardrailError",
    "Payload",
    "PayloadError",
    "PluginError",
    "PolicyError",
    "PolicyProblem",
    "PublishBlocked",
    "ReadOptions",
    "ReportOptions",
    "Reporter",
    "Span",
    "Table",
    "UsageError",
    "hookimpl",
    "mask_value",
]

__version__ = "0.1.0"
