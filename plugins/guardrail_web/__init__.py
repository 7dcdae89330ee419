"""WSGI and ASGI middleware that check response bodies and answer 451 for what a
destination may not receive.

``GuardrailWSGI(app, policy=..., destination=...)`` wraps Flask, Django or any WSGI
application; ``GuardrailASGI(app, ...)`` wraps Starlette, FastAPI or any ASGI one. Each
response body is held whole (up to ``max_bytes``, 16 MiB by default), checked by a
:class:`guardrail.Gate` named by its ``Content-Type``, and sent byte for byte only if
the destination may receive it. Pure protocol code: no dependency beyond guardrail.
"""

from __future__ import annotations

from .asgi import GuardrailASGI
from .judge import DEFAULT_MAX_BYTES, DEFAULT_PASS_THROUGH, ResponseGuard, Verdict
from .wsgi import GuardrailWSGI

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_PASS_THROUGH", "GuardrailASGI", "GuardrailWSGI",
           "ResponseGuard", "Verdict"]
