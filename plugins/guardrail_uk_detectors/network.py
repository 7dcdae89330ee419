"""IP addresses: online identifiers under UK GDPR.

IPv4 and IPv6 in every written form (``2001:db8::``, ``::ffff:192.0.2.1``,
``[2001:db8::1]:443``, ``fe80::1%eth0``), validated by the standard library's
``ipaddress``. Documentation ranges (192.0.2.0/24, 2001:db8::/32) are kept: test
data and examples use them exactly where real data has real addresses. Loopback,
unspecified, multicast and reserved addresses identify nobody.
"""

from __future__ import annotations

import ipaddress
import re

from guardrail.plugin import Span

from .base import PatternDetector, window_before

__all__ = ["IpAddressDetector"]

_IP_HOTWORDS = re.compile(r"\b(?:ip|ips|ipv4|ipv6|address|host|login|logged|connection|client|"
                          r"source|src|dst|remote|from)\b")
_VERSION = re.compile(r"(?:\bv|version|ver\.?|release|firmware|build|paragraph|section|para|"
                      r"clause|oid|rule|chapter|schedule|figure|table|step)\s*$")
_HEX_DIGIT = re.compile(r"[0-9A-Fa-f]")
# What may not touch an address: a word character, or more of an address or number.
_GLUED = frozenset("_-:.")


class IpAddressDetector(PatternDetector):
    id = "network.ip_address"
    confidence = 0.8
    description = "IPv4 and IPv6 addresses (online identifiers under UK GDPR)"
    # IPv6 needs a "::" or four groups, so clock times (10:15:00) never reach Python.
    pattern = (r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b"
               r"|(?:(?:[0-9A-Fa-f]{1,4}:){1,7}:|::|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){3})"
               r"[0-9A-Fa-f:.]{0,40}(?:%[0-9A-Za-z_.-]{1,16})?")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in _GLUED):
            return None  # inside a longer token: Chrome/122.0.0.0, build-1.2.3.4, std::
        if ":" in value:
            return self._ipv6(text, start, value)
        if text[match.end():match.end() + 1] == "/" and \
                text[match.end():match.end() + 3] != "/32":
            return None  # a network (192.0.2.0/24), not a host; /32 is one host
        return self._ipv4(text, match, value, field)

    def _ipv4(self, text: str, match: re.Match[str], value: str,
              field: str | None) -> Span | None:
        try:
            # Leading zeros (01.02.03.004) are refused: octal to some readers, a
            # version or a date to most.
            address = ipaddress.IPv4Address(value)
        except ValueError:
            return None
        before = window_before(text, match.start(), 30)
        after = text[match.end():match.end() + 2]
        if _VERSION.search(before) or after[:1] == "-" or \
                (after[:1] == "." and after[1:2].isdigit()):
            return None
        octets = [int(part) for part in value.split(".")]
        if address.is_loopback or address.is_reserved or \
                octets[0] == 0 or octets[1:] == [0, 0, 0]:
            return None
        hot = _IP_HOTWORDS.search(before) is not None or \
            (field is not None and re.search(r"(?:^|[^a-z])ip", field.lower()) is not None)
        if not hot and all(octet < 10 for octet in octets):
            return None  # 1.2.3.4-like: a version or clause number far more often
        confidence = self.confidence if hot or not address.is_private else 0.6
        if address.is_multicast:
            # A group, not a host: but a reader of "IP 224.70.42.206" sees an address.
            confidence = 0.6 if hot or text.strip() == value else 0.4
        return self.span(match, confidence, evidence="*.*.*.*")

    def _ipv6(self, text: str, start: int, value: str) -> Span | None:
        address, _, zone = value.partition("%")
        address = address.rstrip(".")
        if address.endswith(":") and not address.endswith("::"):
            address = address[:-1]  # "at 2001:db8::1: it said", a colon of the sentence
        if zone and address != value.partition("%")[0]:
            return None  # a zone belongs right after the address
        end = start + len(address) + (len(zone) + 1 if zone else 0)
        host = text[end:end + 4] == "/128" and not text[end + 4:end + 5].isdigit()
        if text[end:end + 1].isalnum() or text[end:end + 1] == "_" or \
                (text[end:end + 1] == "/" and not host):
            return None  # part of a longer token, or a network (2001:db8::/32); /128 is a host
        # "A::B" and "d::" in code are valid addresses: ask for four hex digits at least.
        if len(_HEX_DIGIT.findall(address)) < 4:
            return None
        try:
            parsed = ipaddress.IPv6Address(address + (f"%{zone}" if zone else ""))
        except ValueError:
            return None
        if parsed.is_loopback or parsed.is_unspecified or parsed.is_multicast:
            return None
        return Span(start, end, self.confidence, "****:****")
