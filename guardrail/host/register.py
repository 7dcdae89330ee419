"""What collection and lifecycle hooks receive: the register callable and the run context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guardrail.errors import PluginError

__all__ = ["Register", "RunContext"]


@dataclass(frozen=True)
class RunContext:
    """What a run is doing, for lifecycle hooks."""

    policy: Any
    destination: str
    mode: str
    sources: tuple[str, ...] = ()


class Register:
    """Callable handed to ``guardrail_register_*`` hooks; records who registered what."""

    def __init__(self, kind: str, key: Callable[[Any], str], check: Callable[[Any], None],
                 table: dict[str, Any], owners: dict[str, str], owner: str) -> None:
        self._kind, self._key, self._check = kind, key, check
        self._table, self._owners, self._owner = table, owners, owner

    def __call__(self, item: Any) -> None:
        self._check(item)
        name = self._key(item)
        if name in self._table:
            raise PluginError(
                f"{self._kind} '{name}' from {self._owner} is already provided by "
                f"{self._owners[name]}; uninstall one of them"
            )
        self._table[name] = item
        self._owners[name] = self._owner
