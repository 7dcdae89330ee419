"""WSGI and ASGI middleware that check response bodies and answer 451 for what a destination may not receive.

Work in progress (issue 12)."""
