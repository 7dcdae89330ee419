"""text format plugin (being built: see docs/status.md)."""
