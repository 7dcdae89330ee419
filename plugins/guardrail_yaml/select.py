"""The policy's ``records:`` selector: a plain key path is streamed, a query is not."""

from __future__ import annotations

from typing import Any

from guardrail.plugin import key_chain

__all__ = ["simple_path", "without"]


def without(value: Any, chosen: set[int]) -> Any:
    """*value* with the selected records replaced by None (not checked twice; positions
    kept so a redacted copy can put them back)."""
    if id(value) in chosen:
        return None
    if isinstance(value, dict):
        return {k: without(v, chosen) for k, v in value.items()}
    if isinstance(value, list):
        return [without(v, chosen) for v in value]
    return value


def simple_path(selector: str) -> tuple[str, ...] | None:
    """The keys of a plain field chain (``data.cases``), or None for richer queries."""
    return key_chain(selector)
