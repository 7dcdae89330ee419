"""Logs are a publication too: a logging.Filter that masks or drops records carrying personal data.

Work in progress (issue 12)."""
