"""Email addresses and IP addresses."""

from __future__ import annotations

import ipaddress
import re

from guardrail.plugin import Span, mask_value

from .base import PatternDetector, window_before

__all__ = ["EmailDetector", "IpAddressDetector"]

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


_IP_HOTWORDS = re.compile(r"\b(?:ip|ips|ipv4|address|host|login|logged|connection|client|"
                          r"source|src|dst|remote|from)\b")
_VERSION = re.compile(r"(?:\bv|version|ver\.?|release|firmware|build|paragraph|section|para|"
                      r"clause|oid|rule|chapter|schedule|figure|table|step)\s*$")


class IpAddressDetector(PatternDetector):
    id = "network.ip_address"
    confidence = 0.8
    description = "IPv4 and IPv6 addresses (online identifiers under UK GDPR)"
    pattern = (r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b"
               r"|(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}:[0-9A-Fa-f]{1,4}\b")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        if ":" in value:
            return self._ipv6(match, value)
        try:
            address = ipaddress.IPv4Address(value)
        except ValueError:
            return None
        before = window_before(text, match.start(), 30)
        start = match.start()
        if start and (text[start - 1] in "/_-:." or text[start - 1].isalnum()):
            return None  # Chrome/122.0.0.0, build-1.2.3.4
        after = text[match.end():match.end() + 2]
        if _VERSION.search(before) or after[:1] == "-" or \
                (after[:1] == "." and after[1:2].isdigit()):
            return None
        octets = [int(part) for part in value.split(".")]
        if address.is_unspecified or address.is_loopback or octets[1:] == [0, 0, 0] or \
                address.is_multicast or octets[3] == 255:
            return None
        hot = _IP_HOTWORDS.search(before) is not None or \
            (field is not None and re.search(r"(?:^|[^a-z])ip", field.lower()) is not None)
        if not hot and all(octet < 10 for octet in octets):
            return None  # 1.2.3.4-like: a version or clause number far more often
        confidence = self.confidence if hot or not address.is_private else 0.6
        return self.span(match, confidence, evidence="*.*.*.*")

    def _ipv6(self, match: re.Match[str], value: str) -> Span | None:
        # Clock times (12:30:45) and MAC-like runs are not addresses: require a real
        # IPv6 address with at least one hex letter or a "::" and several groups.
        if value.count(":") < 3 or not (any(c in "abcdefABCDEF" for c in value) or "::" in value):
            return None
        try:
            address = ipaddress.IPv6Address(value)
        except ValueError:
            return None
        if address.is_loopback or address.is_unspecified or address.is_link_local:
            return None
        return self.span(match, self.confidence, evidence="****:****")
