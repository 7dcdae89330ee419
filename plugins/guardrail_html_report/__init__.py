"""The ``html`` report: one self-contained page for people (a verdict banner, findings
by rule, field and level as bar charts, the affected records with filters) that opens
from a file, offline, and makes no network request."""

from __future__ import annotations

from typing import TextIO

from guardrail.plugin import Decision, ReportOptions, hookimpl

from .page import render_page

__all__ = ["HtmlReporter", "guardrail_register_reporters"]


class HtmlReporter:
    name = "html"
    description = ("Self-contained HTML page: verdict, charts of findings by rule, field "
                   "and level, and a filterable table of affected records (masked)")

    def render(self, decision: Decision, out: TextIO, options: ReportOptions) -> None:
        out.write(render_page(decision))


@hookimpl
def guardrail_register_reporters(register) -> None:
    register(HtmlReporter())
