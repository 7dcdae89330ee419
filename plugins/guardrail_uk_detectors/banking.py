"""IBANs: a bank account number, UK or any other country's.

python-stdnum's ``stdnum.iban`` checks the country's length and shape and the
ISO 7064 mod 97 check digits, which random codes pass once in ~97 tries at best and
never with the right length and shape, so no cue word is needed.
"""

from __future__ import annotations

import re

from stdnum import iban

from guardrail.plugin import Span

from .base import PatternDetector

__all__ = ["IbanDetector"]


class IbanDetector(PatternDetector):
    id = "bank.iban"
    confidence = 0.95
    description = "IBANs, GB and every other country (length, shape and mod 97 check digits)"
    # Country code, check digits, then the account in groups of four (spaced or not).
    pattern = r"(?i)\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        start = match.start()
        written = match.group(0)
        # A following word in capitals may have been read as one more group: drop
        # groups from the end until the account is valid.
        while len(written.replace(" ", "")) >= 15:
            if iban.is_valid(written):
                compact = written.replace(" ", "").upper()
                confidence = self.confidence if written[:2].isupper() else 0.8
                return Span(start, start + len(written), confidence, _evidence(compact))
            if " " not in written:
                return None
            written = written.rsplit(" ", 1)[0]
        return None


def _evidence(compact: str) -> str:
    """The country code and the length: "GB** **** **** **** **** **"."""
    masked = compact[:2] + "*" * (len(compact) - 2)
    return " ".join(masked[i:i + 4] for i in range(0, len(masked), 4))
