"""Email addresses, as written, URL-encoded or spelt out."""

from __future__ import annotations

import re

from guardrail.plugin import Span, mask_value

from .base import PatternDetector

__all__ = ["EmailDetector"]

_SPELT = re.compile(r" ?[\[({](?:at|dot)[\])}] ?| (?:at|dot) ", re.IGNORECASE)
# "john at gmail dot com": "at" and "dot" as bare words are everyday English, so the
# address must end in a real top-level domain (a modest list, without the ones that are
# English words such as "in", "it", "me", "no") ...
_WORDY_TLDS = ("com|org|net|edu|gov|uk|ie|io|info|biz|eu|ca|au|nz|de|fr|es|nl|ch|se|dk|"
               "fi|pl|jp|cn|ru|br|za|app|dev|ai|tv|xyz|online|email|scot|wales|cymru|london")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_WORDY = (rf"\b[A-Za-z0-9][A-Za-z0-9._+'-]* (?i:at) {_LABEL}"
          rf"(?:(?:\.| (?i:dot) ){_LABEL})*(?:\.| (?i:dot) )(?i:{_WORDY_TLDS})\b")
_BARE_AT = re.compile(r" (?:at|AT|At) ")
# ... and neither side may be a word that sits next to "at" in a sentence: "look at
# bbc dot co dot uk", "meet at the dot com office".
_NOT_MAILBOX = frozenset("""
look looked looking looks arrive arrived arriving meet met meeting stay stayed staying
live lives lived living work works worked working is are was were be been being am me us
him her them it this that these those here there back up down out in on off home school
laugh laughed aim aimed point pointed shot good bad great best anyone someone everyone
people nobody glance glanced stare stared staring available found seen located based held
open closed sold bought buy priced start started starting end ended left right see
more online staff tickets details website site visit apply book booking shop order
published read watch listen follow available now today tonight all everything
""".split())
# "form at crimestoppers-uk.org" is a web page: with a written domain, a bare "at" needs a
# mailbox-like local part (j.smith, kelly_p, jo99) or a mail provider's domain.
_MAILBOX_LIKE = re.compile(r"[._+\-0-9]")
_MAIL_PROVIDERS = frozenset("""
gmail googlemail hotmail outlook live msn yahoo ymail icloud me mac aol btinternet
btopenworld sky virginmedia talktalk ntlworld protonmail proton gmx mail zoho
""".split())
_NOT_DOMAIN = frozenset("the a an this that my your our his her their its some any".split())
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
               r"(?:\.| ?[\[({]dot[\])}] ?)[A-Za-z]{2,24}\b|" + _WORDY)

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = _SPELT.sub(lambda m: "@" if "at" in m.group(0).lower() else ".",
                           match.group(0).replace("%40", "@"))
        if value.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES or value.count("@") != 1:
            return None
        local, domain = value.split("@", 1)
        wordy = _BARE_AT.search(match.group(0)) is not None
        if wordy and (local.lower() in _NOT_MAILBOX or
                      domain.split(".", 1)[0].lower() in _NOT_DOMAIN):
            return None
        if wordy and "." in match.group(0).rsplit(" ", 1)[-1] and not (
                _MAILBOX_LIKE.search(local) or domain.split(".", 1)[0].lower() in _MAIL_PROVIDERS):
            return None
        if _ROLE_MAILBOX.match(local.lower()):
            # info@, press.office@, asb@council: an organisation's mailbox, not a person's
            return self.span(match, 0.3, evidence=f"{local[0]}***@{mask_value(domain)}")
        return self.span(match, 0.85 if wordy else self.confidence,
                         evidence=f"{local[0]}***@{mask_value(domain)}")
