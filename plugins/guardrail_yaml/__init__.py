"""yaml format plugin (being built: see docs/status.md)."""
