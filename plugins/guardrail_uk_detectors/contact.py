"""Email addresses, as written, URL-encoded or spelt out."""

from __future__ import annotations

import re

from guardrail.plugin import Span, mask_value

from .base import PatternDetector

__all__ = ["EmailDetector"]

_SPELT = re.compile(r" ?[\[({](?:at|dot)[\])}] ?", re.IGNORECASE)
# Top-level "domains" that are really file extensions (logo@2x.png, icon@3x.svg).
_FILE_SUFFIXES = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "ico", "pdf"}


_ROLE_MAILBOX = re.compile(
    r"^(?:info|enquiries|enquiry|contact|contactus|press|pressoffice|press\.office|media|news|"
    r"office|admin|help|helpdesk|support|hello|sales|noreply|no-reply|donotreply|webmaster|"
    r"postmaster|foi|dpo|dataprotection|data\.protection|complaints|feedback|reception|"
    r"customer\.services|customerservices|accounts|finance|hr|jobs|careers|recruitment|"
    r"asb|community\.safety|communitysafety|licensing|planning|council|team|service|"
    r"services|general|mail|email|mailbox)(?:[._-][a-z]+)?$"
)


class EmailDetector(PatternDetector):
    id = "email"
    confidence = 0.95
    description = "Email addresses"
    # "@" as written, URL-encoded (%40, in logged query strings) or spelt out ([at], (at)).
    pattern = (r"[A-Za-z0-9][A-Za-z0-9._+'-]*(?:@|%40| ?[\[({]at[\])}] ?)"
               r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
               r"(?:(?:\.| ?[\[({]dot[\])}] ?)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
               r"(?:\.| ?[\[({]dot[\])}] ?)[A-Za-z]{2,24}\b")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = _SPELT.sub(lambda m: "@" if "at" in m.group(0).lower() else ".",
                           match.group(0).replace("%40", "@"))
        if value.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES or value.count("@") != 1:
            return None
        local, domain = value.split("@", 1)
        if _ROLE_MAILBOX.match(local.lower()):
            # info@, press.office@, asb@council: an organisation's mailbox, not a person's
            return self.span(match, 0.3, evidence=f"{local[0]}***@{mask_value(domain)}")
        return self.span(match, evidence=f"{local[0]}***@{mask_value(domain)}")
