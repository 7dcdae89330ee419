"""The ``json`` report: the decision as one JSON object, for machines and pipelines."""

from __future__ import annotations

import json
from typing import TextIO

from guardrail.plugin import Decision, ReportOptions, hookimpl

__all__ = ["JsonReporter", "guardrail_register_reporters"]


class JsonReporter:
    name = "json"
    description = "Machine-readable decision: verdict, policy identity, findings and exact counts"

    def render(self, decision: Decision, out: TextIO, options: ReportOptions) -> None:
        json.dump(decision.to_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")


@hookimpl
def guardrail_register_reporters(register) -> None:
    register(JsonReporter())
