"""A Datasette plugin (asgi_wrapper) that checks every HTML, JSON and CSV response.

Work in progress (issue 12)."""
