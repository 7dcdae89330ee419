"""Every fault while checking ends in a GuardrailError that names the plugin at fault.

A plugin may raise anything: ``SystemExit(0)`` from a detector must not end a run
with exit 0 and nothing said, on a leaky file. :func:`guarded` runs a check (or a
redaction, or a report) so that whatever a plugin lets out, ``BaseException``
included, and a plugin that overruns the time budget (see :mod:`.deadline`), ends
in :class:`~guardrail.errors.PluginFault` (exit 4), or, when the time ran out and
no plugin was running, the time limit's :class:`~guardrail.errors.PayloadError`
(exit 3). The user's Ctrl-C is re-raised as it came (see :mod:`.deadline`).

Which plugin is read from the traceback after the fact, never recorded per call: the
innermost frame that runs a registered plugin's code (by the object it is a method
of, else by its module) is the one to blame. The scanning loops pay nothing.
Messages name the plugin and never repeat the exception's text, which may quote the
payload; ``GUARDRAIL_DEBUG=1`` prints the traceback.
"""

from __future__ import annotations

import contextvars
import os
import signal
import traceback
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from guardrail.contract.limits import Limits
from guardrail.engine.frames import Frame, frames_of
from guardrail.engine.worker import TIME_UP, WorkerFailed
from guardrail.errors import GuardrailError, PluginFault
from guardrail.host.deadline import OverBudget, UserInterrupt, within

if TYPE_CHECKING:
    from guardrail.host.registry import Registry

__all__ = ["Culprit", "PluginMap", "guarded", "fault_of", "named"]

T = TypeVar("T")

_KINDS = {"formats": "format", "detectors": "detector", "reporters": "reporter",
          "adapters": "adapter"}
# Where a plugin object's class lives says nothing about the plugin.
_NOBODY = {"builtins", "types", "__main__"}


@dataclass(frozen=True)
class Culprit:
    """The plugin whose code was running, and what of it."""

    plugin: str  # its registered (entry-point) name
    source: str  # its distribution (``guardrail-kv 0.3.0``), or "" when it has none
    role: str  # ``detector 'uk.postcode'``, ``hook guardrail_after_check``, or ""
    function: str  # where guardrail called into it
    module: str

    def __str__(self) -> str:
        where = f"{self.function}() in {self.module}"
        return f"{named(self.plugin, self.source)} " \
            f"({f'{self.role}, ' if self.role else ''}{where})"


def named(plugin: str, source: str = "") -> str:
    """``plugin 'kv' from guardrail-kv 0.3.0``, or ``plugin 'kv'`` for one that came from
    no distribution (registered by a test or an embedding program)."""
    return f"plugin '{plugin}' from {source}" if source else f"plugin '{plugin}'"


class PluginMap:
    """Which registered plugin each module and object belongs to, for reading frames.

    Built once per registry, on the first fault.
    """

    def __init__(self, registry: Registry, sources: dict[str, str]) -> None:
        self.sources = sources
        self.modules: dict[str, str] = {}
        self.objects: dict[int, tuple[str, str]] = {}  # id -> (plugin, role)
        roles: dict[str, list[str]] = {}  # plugin -> what it registered
        pm = registry.pm
        for name, plugin in pm.list_name_plugin():
            if plugin is None:
                continue
            if isinstance(plugin, types.ModuleType):
                self._module(plugin.__name__, name)
            else:
                self.objects[id(plugin)] = (name, "")
                self._module(type(plugin).__module__, name)
        for hook in vars(pm.hook).values():
            for impl in getattr(hook, "get_hookimpls", list)():
                self._module(getattr(impl.function, "__module__", None) or "",
                             impl.plugin_name)
        for attr, kind in _KINDS.items():
            providers = registry.providers.get(attr, {})
            for key, item in getattr(registry, attr).items():
                plugin_name = providers.get(key)
                if plugin_name is not None:
                    self.objects[id(item)] = (plugin_name, f"{kind} '{key}'")
                    self._module(type(item).__module__, plugin_name)
                    roles.setdefault(plugin_name, []).append(f"{kind} '{key}'")
        # A function of a plugin that registered one thing, called by guardrail through
        # something it returned (a reader's records), works for that thing.
        self.only = {name: found[0] for name, found in roles.items() if len(found) == 1}

    def _module(self, module: str, plugin: str) -> None:
        if module and module not in _NOBODY and not _is_core(module):
            self.modules.setdefault(module, plugin)

    def plugin_of(self, frame: Frame) -> tuple[str, str] | None:
        """(plugin, role) whose code *frame* runs, or None for guardrail's or a library's."""
        module, _, owner = frame
        if owner is not None and owner in self.objects:
            return self.objects[owner]
        if _is_core(module):
            return None
        package = module
        while package:
            if package in self.modules:
                return self.modules[package], ""
            package = package.rpartition(".")[0]
        return None

    def culprit(self, frames: Iterable[Frame], strict: bool = False) -> Culprit | None:
        """The plugin to blame for a failure that went through *frames* (innermost
        first): the innermost frame running a plugin's code, and the way guardrail
        called into it (the outermost of that plugin's frames around it).

        :param strict: blame no plugin for a failure raised by guardrail's code or by a
            signal handler (``SystemExit`` from a handler of ``SIGTERM``, the program's
            own ``KeyboardInterrupt``): that is not the fault of the code it interrupted.
        """
        frames = list(frames)
        if strict and frames and (_is_core(frames[0][0]) or _signal_handler(frames[0])):
            return None
        owners = [self.plugin_of(frame) for frame in frames]
        inner = next((n for n, owner in enumerate(owners) if owner is not None), None)
        if inner is None:
            return None
        plugin, role = owners[inner]  # type: ignore[misc]
        entry = inner
        while entry + 1 < len(owners) and (outer := owners[entry + 1]) and outer[0] == plugin:
            entry += 1
            role = outer[1] or role
        module, function, _ = frames[entry]
        if not role:
            role = f"hook {function}" if function.startswith("guardrail_") else \
                self.only.get(plugin, "")
        return Culprit(plugin, self.sources.get(plugin, ""), role, function, module)


def _is_core(module: str) -> bool:
    return module == "guardrail" or module.startswith("guardrail.")


def _signal_handler(frame: Frame) -> bool:
    """Does *frame* run a Python function installed as a signal handler?"""
    for number in signal.valid_signals():
        try:
            handler = signal.getsignal(number)
        except (OSError, ValueError):
            continue
        code = getattr(handler, "__code__", None)
        if code is not None and frame[:2] == (getattr(handler, "__module__", ""), code.co_name):
            return True
    return False


# The plugins and limits of the check running in this context, for fault_of().
_CURRENT: contextvars.ContextVar[tuple[PluginMap, Limits] | None] = \
    contextvars.ContextVar("guardrail_faults", default=None)


def guarded(registry: Registry, limits: Limits, body: Callable[[], T]) -> T:
    """``body()`` within ``limits.max_seconds``; any fault of a plugin while it runs
    raises a GuardrailError naming the plugin (see the module's docstring).

    GuardrailErrors and the user's Ctrl-C pass as they are; any other exception that
    no plugin raised is re-raised unchanged.
    """
    token = _CURRENT.set((registry.plugin_map(), limits))
    try:
        return within(limits.max_seconds, body)
    except (GuardrailError, UserInterrupt, BrokenPipeError):
        raise
    except BaseException as exc:
        error = fault_of(exc)
        if error is None:
            raise
    finally:
        _CURRENT.reset(token)
    raise error  # outside the handler: nothing chains the plugin's exception to it


def fault_of(exc: BaseException) -> GuardrailError | None:
    """The error a check running under :func:`guarded` stops with for *exc*, or None
    when *exc* is nobody's fault but guardrail's own (or the caller's).

    Prints the traceback when ``GUARDRAIL_DEBUG`` is set.
    """
    current = _CURRENT.get()
    # A closed pipe is the reader of the output going away (``guardrail check | head``),
    # whoever was writing: the CLI's to handle, nobody's fault.
    if current is None or isinstance(exc, (GuardrailError, UserInterrupt, BrokenPipeError)):
        return None
    plugins, limits = current
    fault = type(exc).__name__
    if isinstance(exc, OverBudget):
        timed_out, frames = True, exc.frames or frames_of(exc.__traceback__)
    elif isinstance(exc, WorkerFailed):
        timed_out, frames, fault = exc.fault == TIME_UP, exc.frames, exc.fault or fault
    else:
        timed_out, frames = False, frames_of(exc.__traceback__)
    culprit = plugins.culprit(frames, strict=not timed_out and not isinstance(exc, Exception))
    if culprit is None and not timed_out:
        return None
    if os.environ.get("GUARDRAIL_DEBUG"):
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    if culprit is None:
        return limits.exceeded("max_seconds", file="", what="the check")
    if timed_out:
        return PluginFault(
            f"{culprit} was still running when the check's time limit of "
            f"{limits.shown('max_seconds')} s ran out; nothing may be published. If the "
            f"payload is genuine, raise the limit with {Limits.OPTIONS['max_seconds']}",
            plugin=culprit.plugin, fault=TIME_UP)
    return PluginFault(
        f"{culprit} raised {fault}; the check stopped and nothing may be published. "
        "Set GUARDRAIL_DEBUG=1 for the traceback", plugin=culprit.plugin, fault=fault)
