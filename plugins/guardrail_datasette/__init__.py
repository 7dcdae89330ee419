"""A Datasette plugin that checks every response (HTML pages, JSON, CSV, streamed CSV)
with guardrail before a byte of it leaves.

Datasette's ``render_cell`` hook only touches cells drawn in HTML: the same rows go out
unmasked as ``.json`` and ``.csv``. This plugin sits around the whole app
(``asgi_wrapper``) instead, so every view, a plugin's included, is judged the same way.

It is active when Datasette's configuration has ``plugins -> guardrail`` with a
``policy``; without it the plugin does nothing, so installing guardrail does not
change other Datasette instances on the machine. See docs/integrations.md, "Datasette".
"""

from __future__ import annotations

import weakref
from typing import Any

import pluggy

from guardrail import Decision, Gate
from guardrail_datasette.responses import App, GuardedResponses
from guardrail_datasette.settings import Settings

__all__ = ["asgi_wrapper", "gate_of", "Settings"]

# Datasette's own marker, built here so this module imports without Datasette.
hookimpl = pluggy.HookimplMarker("datasette")

# Datasette's bundled assets; the rest (pages, JSON, CSV, a plugin's output) is checked.
ASSETS = ("/-/static/", "/-/static-plugins/", "/favicon.ico")

_settings: weakref.WeakKeyDictionary[Any, Settings] = weakref.WeakKeyDictionary()


def settings_of(datasette: Any) -> Settings | None:
    """The settings this Datasette instance is guarded by (built once), or None."""
    found = _settings.get(datasette)
    if found is None:
        config = datasette.plugin_config("guardrail")
        if not config:
            return None
        found = _settings[datasette] = Settings.from_config(config)
    return found


def gate_of(datasette: Any) -> Gate | None:
    """The :class:`~guardrail.Gate` guarding *datasette*, so a program can register an
    after-check plugin on ``gate_of(ds).guardrail.registry.pm``; None when unguarded."""
    settings = settings_of(datasette)
    return settings.gate if settings else None


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    settings = settings_of(datasette)  # bad settings fail here, when the app is built
    if settings is None:
        return None
    gate = settings.gate
    assets = tuple(datasette.urls.path(path) for path in ASSETS)

    def judge(body: bytes, media_type: str | None, path: str,
              encoding: str | None) -> tuple[Decision, bool] | None:
        if gate.passes_unchecked(media_type):
            return None
        name = path.rsplit("/", 1)[-1] or "index"
        if encoding:  # compressed: no format reads it, so it is refused as unreadable
            decision = gate.check(body, name=f"{name} ({encoding}-encoded)")
        else:
            decision = gate.check(body, media_type=media_type, name=name,
                                  format=_format(gate, media_type, name))
        return decision, Gate.blocks(decision)

    def wrap(app: App) -> App:
        return GuardedResponses(app, judge, status=settings.status,
                                max_bytes=settings.max_bytes,
                                unchecked=lambda path: path.startswith(assets))

    return wrap


def _format(gate: Gate, media_type: str | None, name: str) -> str | None:
    """The format of a Datasette response: its media type's, except that Datasette
    serves CSV (without ``_dl``) and newline-delimited JSON (``_nl=on``) as
    ``text/plain``, where the extension says what the body is."""
    if (media_type or "").split(";", 1)[0].strip().lower() == "text/plain":
        if name.lower().endswith(".json"):
            return "ndjson"
        return gate.format_of(name=name) or gate.format_of(media_type=media_type)
    return gate.format_of(media_type=media_type) or gate.format_of(name=name)
