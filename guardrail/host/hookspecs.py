"""Every hook a guardrail plugin can implement.

Plugins are found through the ``guardrail`` entry-point group; first-party
formats, reporters and policy packs use exactly the same hooks. Collection
hooks receive a ``register`` object so the host can say who collided with whom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from guardrail.contract.payload import Payload
    from guardrail.contract.protocols import Format
    from guardrail.decision import Decision
    from guardrail.host.register import Register, RunContext
    from guardrail.ledger import LogEntry

__all__ = ["hookspec", "hookimpl", "PROJECT"]

PROJECT = "guardrail"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def guardrail_register_formats(register: Register) -> None:
    """Register payload formats.

    :param register: call ``register(format)`` with an object implementing
        :class:`guardrail.contract.protocols.Format`. A name already taken is an error
        naming both plugins.
    """


@hookspec
def guardrail_register_detectors(register: Register) -> None:
    """Register content detectors.

    :param register: call ``register(detector)`` with an object implementing
        :class:`guardrail.contract.protocols.Detector`; its ``id`` must be unique.
    """


@hookspec
def guardrail_register_reporters(register: Register) -> None:
    """Register report renderers (``--report NAME``).

    :param register: call ``register(reporter)`` with an object implementing
        :class:`guardrail.contract.protocols.Reporter`.
    """


@hookspec
def guardrail_register_adapters(register: Register) -> None:
    """Register adapters for in-memory objects (DataFrames) that ``check`` may be given.

    :param register: call ``register(adapter)`` with an object implementing
        :class:`guardrail.contract.protocols.Adapter`; its ``name`` must be unique.
    """


@hookspec
def guardrail_register_policies(register: Register) -> None:
    """Register policy files that can be named instead of given by path.

    :param register: call ``register(path)`` for a ``.yaml`` file; its stem is the name.
    """


@hookspec(firstresult=True)
def guardrail_detect_format(payload: Payload, formats: dict[str, Format]) -> str | None:
    """Choose the format of a payload the caller did not name.

    :param payload: the payload; ``payload.name`` and ``payload.head()`` are cheap.
    :param formats: registered formats by name.
    :return: a format name, or None to let the next implementation decide.
        The built-in fallback (extension, then content sniffing) runs last.

    Stops at first non-None result.
    """


@hookspec
def guardrail_before_check(context: RunContext) -> None:
    """Called once before any payload of a check is read.

    :param context: the policy, destination and mode of the run.
    """


@hookspec
def guardrail_after_check(context: RunContext, decision: Decision) -> None:
    """Called with every decision, allowed or blocked (decision logs, metrics, alerts).

    :param context: the policy, destination and mode of the run.
    :param decision: the decision; its evidence is already masked.
    """


@hookspec
def guardrail_decision_logged(entry: LogEntry) -> None:
    """Called with each decision once it is in the local decision log (forward it to
    syslog, a webhook, a SIEM).

    :param entry: the log entry: ``entry.seq``, ``entry.hash``, ``entry.prev_hash`` and
        ``entry.content`` (what ``guardrail log show`` prints; evidence already masked).
        ``entry.to_dict()`` is the exported form.

    Each implementation is called on its own: one that raises is reported on stderr
    naming its plugin, and never changes the verdict, stops the other listeners or
    undoes the local record.
    """


def all_hook_names() -> list[str]:
    """Names of every hook in this module (used by the docs test)."""
    return sorted(name for name, value in globals().items()
                  if name.startswith("guardrail_") and callable(value))

