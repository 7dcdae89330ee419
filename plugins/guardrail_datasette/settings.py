"""The plugin's settings, read from Datasette's ``plugins -> guardrail`` configuration.

They are checked when Datasette builds its app, so a misspelt key, an unknown policy or
destination, or a bad status stops ``datasette serve`` instead of serving unguarded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guardrail import Gate, Limits, UsageError

__all__ = ["Settings", "DEFAULT_MAX_BYTES", "DEFAULT_STATUS"]

DEFAULT_STATUS = 451  # Unavailable For Legal Reasons
DEFAULT_MAX_BYTES = 16 * 1024**2
KEYS = ("policy", "destination", "mode", "status", "max_bytes", "pass_through")


@dataclass(frozen=True)
class Settings:
    """What every response is judged by, and how a held-back one is answered.

    :param gate: the policy, destination and mode.
    :param status: the status of a held-back response (451 by default).
    :param max_bytes: the most of one response held in memory; a longer one is refused.
    """

    gate: Gate
    status: int = DEFAULT_STATUS
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Build from ``plugins -> guardrail`` (``policy`` required)."""
        unknown = sorted(set(config) - set(KEYS))
        if unknown:
            raise UsageError(f"datasette plugins.guardrail: unknown setting {unknown[0]!r}; "
                             f"use {', '.join(KEYS)}")
        if not config.get("policy"):
            raise UsageError("datasette plugins.guardrail needs 'policy': a shipped "
                             "policy's name (uk-content-scan) or a policy file")
        status = _number(config, "status", DEFAULT_STATUS)
        if not 400 <= status <= 599:
            raise UsageError("datasette plugins.guardrail.status must be an HTTP error "
                             "status from 400 to 599")
        max_bytes = _number(config, "max_bytes", DEFAULT_MAX_BYTES)
        if max_bytes < 1:
            raise UsageError("datasette plugins.guardrail.max_bytes must be at least 1")
        pass_through = config.get("pass_through", [])
        if isinstance(pass_through, str) or not all(isinstance(p, str) for p in pass_through):
            raise UsageError("datasette plugins.guardrail.pass_through must be a list of "
                             "media types, such as [\"image/png\"]")
        # The buffer's cap is the check's size limit too, so a response cut off at the
        # cap is refused by guardrail itself and the after-check hook sees it.
        gate = Gate(config["policy"], config.get("destination"),
                    config.get("mode", "enforce"), pass_through=pass_through,
                    limits=Limits(max_file_bytes=max_bytes))
        return cls(gate, status, max_bytes)


def _number(config: Mapping[str, Any], key: str, default: int) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"datasette plugins.guardrail.{key} must be a whole number")
    return value
