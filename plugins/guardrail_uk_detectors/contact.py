"""Email addresses and IP addresses."""

from __future__ import annotations

import ipaddress
import re

from guardrail import Span, mask_value

from .base import PatternDetector, window_before

__all__ = ["EmailDetector", "IpAddressDetector"]

# Top-level "domains" that are really file extensions (logo@2x.png, icon@3x.svg).
_FILE_SUFFIXES = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "ico", "pdf"}


class EmailDetector(PatternDetector):
    id = "email"
    confidence = 0.95
    description = "Email addresses"
    pattern = (r"[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
               r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        if value.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES:
            return None
        local, domain = value.split("@", 1)
        return self.span(match, evidence=f"{local[0]}***@{mask_value(domain)}")


_IP_HOTWORDS = re.compile(r"\b(?:ip|address|host|login|logged|connection|client|source)\b")
_VERSION = re.compile(r"(?:\bv|version|ver\.?|release)\s*$")


class IpAddressDetector(PatternDetector):
    id = "network.ip_address"
    confidence = 0.8
    description = "IPv4 addresses (an online identifier under UK GDPR)"
    pattern = r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b"

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        try:
            address = ipaddress.IPv4Address(value)
        except ValueError:
            return None
        before = window_before(text, match.start(), 30)
        if _VERSION.search(before) or text[match.end():match.end() + 1] == ".":
            return None
        if address.is_unspecified or address.is_loopback:
            return None
        hot = _IP_HOTWORDS.search(before) or (field is not None and "ip" in field.lower())
        return self.span(match, self.confidence if hot or not address.is_private else 0.6,
                         evidence=".".join(value.split(".")[:2]) + ".*.*")
