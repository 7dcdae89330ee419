"""Logs are a publication too: a ``logging.Filter`` that masks or drops log records
carrying personal data found by the content detectors (message, args, traceback).

::

    handler.addFilter(PersonalDataFilter("uk-content-scan", action="mask"))
"""

from __future__ import annotations

from guardrail_logging.filter import UNCHECKED, PersonalDataFilter
from guardrail_logging.scanning import TextScanner

__all__ = ["PersonalDataFilter", "TextScanner", "UNCHECKED"]
