"""The plugin manager and what plugins registered through it.

:func:`load_registry` returns a fresh, fully loaded registry: entry points are
loaded explicitly so that a plugin that fails to import stops the run, naming
its distribution and version (a guardrail fails closed).
"""

from __future__ import annotations

import importlib.metadata as md
import os
import traceback
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from guardrail.contract.protocols import Adapter, Detector, Format, Reporter, declared
from guardrail.errors import PluginError, PluginFault, UsageError
from guardrail.host import hookspecs
from guardrail.host.deadline import UserInterrupt, user_interrupts
from guardrail.host.faults import PluginMap, named
from guardrail.host.register import Register, RunContext
from guardrail.policy.schema import did_you_mean

__all__ = ["Register", "Registry", "RunContext", "load_registry", "make_plugin_manager"]


@dataclass
class Registry:
    """Formats, detectors, reporters and policies contributed by plugins."""

    pm: pluggy.PluginManager
    formats: dict[str, Format] = field(default_factory=dict)
    detectors: dict[str, Detector] = field(default_factory=dict)
    reporters: dict[str, Reporter] = field(default_factory=dict)
    adapters: dict[str, Adapter] = field(default_factory=dict)
    policies: dict[str, Path] = field(default_factory=dict)
    owners: dict[str, dict[str, str]] = field(default_factory=dict)
    # kind ("formats") -> name -> the registered name of the plugin that registered it
    providers: dict[str, dict[str, str]] = field(default_factory=dict)
    _plugin_map: PluginMap | None = field(default=None, init=False, repr=False,
                                          compare=False)
    _mapped: frozenset[int] = field(default=frozenset(), init=False, repr=False,
                                    compare=False)

    def format(self, name: str) -> Format:
        try:
            return self.formats[name.lower()]
        except KeyError:
            raise UsageError(
                f"unknown format '{name}'{did_you_mean(name, self.formats) or ';'} "
                f"available: {', '.join(sorted(self.formats))}"
            ) from None

    def listeners(self) -> list[tuple[str, str]]:
        """(plugin, distribution) of each decision listener (``guardrail_decision_logged``),
        in the order they are called."""
        dists = _OWNERS.get(self.pm, {})
        return [(impl.plugin_name, dists.get(impl.plugin_name, ""))
                for impl in self.pm.hook.guardrail_decision_logged.get_hookimpls()]

    def reporter(self, name: str) -> Reporter:
        try:
            return self.reporters[name]
        except KeyError:
            raise UsageError(
                f"unknown report '{name}'{did_you_mean(name, self.reporters) or ';'} "
                f"available: {', '.join(sorted(self.reporters))}"
            ) from None

    def adapter_for(self, obj: Any) -> Adapter | None:
        """The first registered adapter that accepts *obj*, if any."""
        for adapter in self.adapters.values():
            if adapter.accepts(obj):
                return adapter
        return None

    def format_for_media_type(self, media_type: str | None) -> str | None:
        """The format that reads *media_type* (a ``Content-Type`` value, parameters
        allowed), or None when no format declares it."""
        if not media_type:
            return None
        wanted = media_type.split(";", 1)[0].strip().lower()
        suffix = "+" + wanted.rsplit("+", 1)[1] if "+" in wanted else None
        by_suffix = None
        for name, fmt in self.formats.items():
            declared_types = declared(fmt, "media_types")
            if wanted in declared_types:
                return name
            if by_suffix is None and suffix is not None and suffix in declared_types:
                by_suffix = name
        return by_suffix

    def format_for_name(self, name: str | None) -> str | None:
        """The format a file name's extension names, or None (a generic extension such
        as ``.txt``, which may hold anything, names none: the content decides)."""
        if not name:
            return None
        lowered = name.lower()
        for format_name, fmt in self.formats.items():
            if not declared(fmt, "content_first") and lowered.endswith(tuple(fmt.extensions)):
                return format_name
        return None

    def policy_path(self, name: str) -> Path | None:
        return self.policies.get(name)

    def plugin_map(self) -> PluginMap:
        """Which plugin each module and registered object belongs to, for naming the
        plugin at fault (see :mod:`guardrail.host.faults`); built on first use."""
        plugins = frozenset(id(plugin) for _, plugin in self.pm.list_name_plugin())
        if self._plugin_map is None or self._mapped != plugins:
            # rebuilt when a plugin was registered since (an after-check listener added
            # by an integration's user), so its faults are named too
            self._plugin_map = PluginMap(self, _OWNERS.get(self.pm, {}))
            self._mapped = plugins
        return self._plugin_map


def _require(what: str, attrs: Iterable[str]) -> Callable[[Any], None]:
    def check(item: Any) -> None:
        missing = [a for a in attrs if not hasattr(item, a)]
        if missing:
            raise PluginError(f"{what} {item!r} is missing {', '.join(missing)}")
    return check


def _check_policy(path: Any) -> None:
    if not Path(path).is_file():
        raise PluginError(f"registered policy file does not exist: {path}")


# Which distribution each registered plugin came from, for error messages.
_OWNERS: weakref.WeakKeyDictionary[pluggy.PluginManager, dict[str, str]] = (
    weakref.WeakKeyDictionary()
)

_KINDS: dict[str, tuple[str, Callable[[Any], str], Callable[[Any], None]]] = {
    "formats": ("format", lambda f: f.name.lower(),
                _require("format", ("name", "extensions", "sniff", "read"))),
    "detectors": ("detector", lambda d: d.id,
                  _require("detector", ("id", "level", "confidence", "find"))),
    "reporters": ("reporter", lambda r: r.name,
                  _require("reporter", ("name", "render"))),
    "adapters": ("adapter", lambda a: a.name,
                 _require("adapter", ("name", "accepts", "read"))),
    "policies": ("policy", lambda p: Path(p).stem, _check_policy),
}


def make_plugin_manager(*, entry_points: bool = True,
                        plugins: Iterable[tuple[str, object]] = ()) -> pluggy.PluginManager:
    """A new plugin manager with the hookspecs, the built-in fallbacks and the plugins.

    :param entry_points: load installed plugins from the ``guardrail`` entry-point group.
    :param plugins: extra ``(name, module_or_object)`` pairs to register (tests, embedding).
    """
    from guardrail.host import detection  # built-in trylast fallbacks live in the core

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(detection, name="guardrail.host.detection")
    owners = _OWNERS.setdefault(pm, {"guardrail.host.detection": "guardrail (built-in)"})
    if entry_points:
        with user_interrupts():
            _load_entry_points(pm, owners)
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from exc
    return pm


def _load_entry_points(pm: pluggy.PluginManager, owners: dict[str, str]) -> None:
    """Import and register every plugin of the entry-point group; one that fails to
    import (SystemExit included) stops the run."""
    for ep in md.entry_points(group=hookspecs.PROJECT):
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "an unknown distribution"
        try:
            plugin = ep.load()
        except UserInterrupt:
            raise
        except BaseException as exc:  # any import failure, SystemExit too, stops the run
            # Importing reads no payload: the exception's text (a missing module)
            # is safe to show, and the one thing that says what to fix.
            raise PluginFault(
                f"plugin '{ep.name}' from {dist} failed to load "
                f"({type(exc).__name__}: {exc}); fix or uninstall it",
                plugin=ep.name, fault=type(exc).__name__,
            ) from exc
        pm.register(plugin, name=ep.name)
        owners[ep.name] = dist


def load_registry(pm: pluggy.PluginManager | None = None) -> Registry:
    """Call every ``guardrail_register_*`` hook and collect what plugins registered."""
    pm = pm or make_plugin_manager()
    registry = Registry(pm)
    dists = _OWNERS.get(pm, {})
    with user_interrupts():
        for attr, (kind, key, check) in _KINDS.items():
            table: dict[str, Any] = getattr(registry, attr)
            owners = registry.owners.setdefault(attr, {})
            providers = registry.providers.setdefault(attr, {})
            caller = getattr(pm.hook, f"guardrail_register_{attr}")
            # One implementation at a time, in registration order, so a collision can
            # name both owners and an installed plugin cannot be shadowed by a later one.
            for impl in caller.get_hookimpls():
                owner = dists.get(impl.plugin_name, f"plugin '{impl.plugin_name}'")
                known = len(table)
                _register(impl, attr, dists.get(impl.plugin_name, ""),
                          Register(kind, key, check, table, owners, owner))
                providers.update(dict.fromkeys(list(table)[known:], impl.plugin_name))
    return registry


def _register(impl: pluggy.HookImpl, attr: str, dist: str, register: Register) -> None:
    """Call one ``guardrail_register_*`` implementation; whatever it raises (but a clash,
    or the user's Ctrl-C) is a fault naming its plugin, never quoting the exception."""
    try:
        impl.function(register=register)
    except (PluginError, UserInterrupt):
        raise
    except BaseException as exc:
        if os.environ.get("GUARDRAIL_DEBUG"):
            traceback.print_exception(type(exc), exc, exc.__traceback__)
        fault = type(exc).__name__
        raise PluginFault(
            f"{named(impl.plugin_name, dist)} raised {fault} while registering "
            f"{attr}; fix or uninstall it. Set GUARDRAIL_DEBUG=1 for the traceback",
            plugin=impl.plugin_name, fault=fault) from None

