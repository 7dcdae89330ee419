"""HTTP publishing clients: an httpx event hook (sync and async) and a requests transport
adapter that check a request's body before it leaves; a blocked request is never sent.

``guardrail_http.httpx_hook`` imports httpx and ``guardrail_http.requests_adapter``
imports requests; this module imports neither until one of their names is used, so
either extra alone (``guardrail[httpx]``, ``guardrail[requests]``) is enough.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from guardrail_http.body import DEFAULT_MAX_BODY_BYTES, BodyCheck, RequestBlocked

if TYPE_CHECKING:
    from guardrail_http.httpx_hook import AsyncGuardrailHook, GuardrailHook
    from guardrail_http.requests_adapter import GuardrailAdapter

__all__ = ["AsyncGuardrailHook", "BodyCheck", "DEFAULT_MAX_BODY_BYTES", "GuardrailAdapter",
           "GuardrailHook", "RequestBlocked"]

_LAZY = {"GuardrailHook": "httpx_hook", "AsyncGuardrailHook": "httpx_hook",
         "GuardrailAdapter": "requests_adapter"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"guardrail_http.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'guardrail_http' has no attribute {name!r}")
