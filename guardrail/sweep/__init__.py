"""Sweeps: re-checking a published folder or site on a schedule, reporting only what
is new since the last sweep (see docs/sweeps.md)."""

from __future__ import annotations

from guardrail.sweep.alert import Alert
from guardrail.sweep.crawl import Crawl, Origin, Page, crawl, is_url
from guardrail.sweep.interval import parse_interval
from guardrail.sweep.news import News, whats_new
from guardrail.sweep.run import (
    DEFAULT_MAX_PAGES,
    DEFAULT_SWEEP_FINDINGS,
    SweepOptions,
    SweepResult,
    sweep_once,
)
from guardrail.sweep.schedule import Stop, run_schedule
from guardrail.sweep.state import STATE_ENV, Snapshot, StateError, SweepState, default_state_path

__all__ = ["Alert", "Crawl", "Origin", "Page", "crawl", "is_url", "parse_interval", "News",
           "whats_new", "SweepOptions", "SweepResult", "sweep_once", "DEFAULT_MAX_PAGES",
           "DEFAULT_SWEEP_FINDINGS", "Stop", "run_schedule", "STATE_ENV", "Snapshot",
           "StateError", "SweepState", "default_state_path"]
