"""National Insurance numbers, NHS numbers and payment card numbers.

NHS numbers use python-stdnum's ``stdnum.gb.nhs`` (mod 11 check digit) and card
numbers its ``stdnum.luhn``; the NINO rules are HMRC's (NIM39110), which stdnum
does not cover, so they are written here.
"""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.gb import nhs

from guardrail.plugin import Span

from .base import PatternDetector, standing_alone, window_around, window_before

__all__ = ["NinoDetector", "NhsNumberDetector", "PaymentCardDetector", "is_nino"]

_NINO_BAD_PREFIXES = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
_NINO_SHAPE = re.compile(r"^([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])$")
_NINO_HOTWORDS = re.compile(r"\b(?:ni|nino|national insurance|ni no|nin)\b")
_NINO_FIELD = re.compile(r"(?:nino|insurance|^ni(?:_|$))")


def is_nino(candidate: str) -> bool:
    """HMRC's rules: no D, F, I, Q, U or V; O not second; some prefixes never issued."""
    text = re.sub(r"[\s-]", "", candidate).upper()
    shape = _NINO_SHAPE.match(text)
    return shape is not None and text[:2] not in _NINO_BAD_PREFIXES


class NinoDetector(PatternDetector):
    id = "uk.nino"
    confidence = 0.95
    description = "National Insurance numbers (HMRC prefix and suffix rules)"
    # Any grouping people write: AB123456C, AB 12 34 56 C, AB 123 456 C, AB-12-34-56-C.
    pattern = (r"(?i)\b[A-Z]{2}[ -]?(?:[0-9]{2}[ -]?[0-9]{2}[ -]?[0-9]{2}|[0-9]{3}[ -]?[0-9]{3})"
               r"[ -]?[A-D]\b")

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        if not is_nino(value):
            return None
        hot = _NINO_HOTWORDS.search(window_before(text, match.start(), 30)) is not None or \
            (field is not None and _NINO_FIELD.search(field.lower()) is not None)
        if value.upper() == value:
            confidence = self.confidence
        elif hot:
            confidence = 0.9
        else:
            # Lower case: alone in a cell it is still a NINO; in prose, words such as
            # "ab123456c" are more often hashes or codes.
            confidence = 0.7 if standing_alone(text, match) else 0.45
        return self.span(match, confidence, evidence=f"{value[:2].upper()} ** ** ** *")


_NHS_HOTWORDS = re.compile(r"\b(?:nhs|chi|patient|hospital|gp|health)\b")
# Issued ranges: England and Wales 400-499 and 600-799 million, Northern Ireland 320-399.
_ISSUED = re.compile(r"^(?:3[2-9]|[467])")
# "+44 370 464 0611", "0044 7895541412": ten digits after a dialling code are a phone's.
_DIALLING_CODE = re.compile(r"(?:\+|\b00)[0-9]{1,3} ?$")
# Ten digits alone in such a field are a timestamp, a phone or an account number.
_OTHER_FIELDS = re.compile(r"(?:time|epoch|date|created|updated|phone|mobile|tel|fax|account|"
                           r"(?:^|_)ts(?:_|$))")


class NhsNumberDetector(PatternDetector):
    id = "uk.nhs_number"
    confidence = 0.9
    description = "NHS numbers (10 digits, mod 11 check digit; 3-3-4 spacing or contiguous)"
    pattern = r"\b[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}\b"

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        digits = value.replace(" ", "").replace("-", "")
        # A separator just outside the match means it is part of a longer number
        # (a card, an account, a phone with an extension): not an NHS number.
        before = text[max(0, match.start() - 4):match.start()]
        after = text[match.end():match.end() + 2]
        if before[-1:] in ("-", "/", ".", "+", ")") or "(0)" in before or \
                after[:1] in ("-", "/") or (after[:1] == " " and after[1:2].isdigit()) or \
                _DIALLING_CODE.search(text, max(0, match.start() - 6), match.start()):
            return None
        field_name = field.lower() if field is not None else ""
        hot = "nhs" in field_name or \
            _NHS_HOTWORDS.search(window_around(text, match.start(), match.end(), 30))
        issued = _ISSUED.match(digits) is not None
        confidence = self.confidence if hot else 0.75
        if not hot and standing_alone(text, match):
            # Alone in a cell a valid mod 11 number is found, unless the field says it
            # is some other ten-digit number (one in eleven of those passes the check).
            if _OTHER_FIELDS.search(field_name) or (digits == value and digits[0] == "1"):
                return None  # ten digits from 1: a Unix time (2001-2033) far more often
            confidence = 0.85 if issued else 0.6
        elif not hot and not issued:
            # In prose without an NHS word, only the issued ranges: 0xx is usually a
            # phone number and 1xx a timestamp.
            return None
        # The check digit last: the cheap tests above turn most candidates away first.
        if not nhs.is_valid(digits):
            return None
        return self.span(match, confidence, evidence="*** *** ****")


# Issuer prefixes and lengths: the IIN ranges of each scheme (ISO/IEC 7812; python-stdnum
# has the Luhn check but no card brands). The last item is the confidence without a card
# word nearby: UATP's "1" + 15 digits is a short, common prefix.
_ANY = tuple(range(16, 20))
_CARD_RULES: tuple[tuple[re.Pattern[str], tuple[int, ...], float], ...] = (
    (re.compile(r"^4"), (13, 16, 19), 0.95),  # Visa, Visa Electron
    (re.compile(r"^(?:5[1-5]|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))"), (16,),
     0.95),  # Mastercard
    (re.compile(r"^3[47]"), (15,), 0.95),  # American Express
    # Discover, UnionPay, InterPayment, InstaPayment, Troy (65, 9792), RuPay (60, 65, 81, 82)
    (re.compile(r"^(?:6011|6[0245]|64[4-9]|63[6-9]|9792|8[12])"), _ANY, 0.95),
    # Maestro (UK Maestro 6759, 676770, 676774) and Dankort (5019). 12-19 digits; a bare
    # "50" prefix is every UK EAN-13 barcode, so only the issued ranges.
    (re.compile(r"^(?:5018|5019|5020|5038|5893|6304|6759|676[1-3]|67677[04])"),
     tuple(range(12, 20)), 0.95),
    (re.compile(r"^35(?:2[89]|[3-8]\d)"), _ANY, 0.95),  # JCB, LankaPay (357111), RuPay (353, 356)
    (re.compile(r"^(?:1800|2131)"), (15,), 0.9),  # JCB 15-digit
    (re.compile(r"^220[0-4]"), _ANY, 0.95),  # Mir
    (re.compile(r"^(?:50(?:6(?:099|1[0-9]\d)|7(?:86[5-9]|8[7-9]\d|9[0-5]\d|96[0-4]))"
                r"|6500(?:0[2-9]|1\d|2[0-7]))"), (16, 18, 19), 0.95),  # Verve
    (re.compile(r"^508"), (16,), 0.95),  # RuPay
    (re.compile(r"^(?:5610|56022[1-5])"), (16,), 0.95),  # Bankcard
    (re.compile(r"^3(?:0[0-5]|095|[689])"), (14, 15, 16, 17, 18, 19), 0.95),  # Diners
    (re.compile(r"^31"), (19,), 0.9),  # China T-Union
    (re.compile(r"^1"), (15,), 0.6),  # UATP
)


_BARCODE_CONTEXT = re.compile(r"\b(?:ean|upc|gtin|barcode|sku|isbn|product|item|stock|part)\b")
_CARD_CONTEXT = re.compile(r"\b(?:card|cards|visa|mastercard|amex|maestro|debit|credit|pan|"
                           r"payment|paid|uatp|jcb|diners|discover|unionpay)\b")


def _gtin_valid(digits: str) -> bool:
    """The GS1 check digit of a 12-14 digit barcode (UPC-A, EAN-13, GTIN-14)."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


class PaymentCardDetector(PatternDetector):
    id = "payment_card"
    confidence = 0.95
    description = "Payment card numbers (issuer prefix, length and Luhn check)"
    pattern = r"\b[0-9](?:[ -]?[0-9]){11,18}\b"

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        digits = re.sub(r"\D", "", match.group(0))
        if len(set(digits)) == 1 or not luhn.is_valid(digits):
            return None
        confidence = next((alone for prefix, lengths, alone in _CARD_RULES
                           if prefix.match(digits) and len(digits) in lengths), None)
        if confidence is None:
            return None
        window = window_around(text, match.start(), match.end(), 30)
        if _BARCODE_CONTEXT.search(window) or \
                (field is not None and _BARCODE_CONTEXT.search(field.lower())):
            return None
        card_word = _CARD_CONTEXT.search(window) is not None or \
            (field is not None and _CARD_CONTEXT.search(field.lower()) is not None)
        if not card_word:
            # 12-14 digits that also carry a GS1 check digit are a barcode more often
            # than a short Maestro or Diners card.
            if len(digits) <= 14 and _gtin_valid(digits):
                return None
        else:
            confidence = self.confidence
        # Evidence never shows a digit of an identifier: its length says what it is.
        return self.span(match, confidence, evidence=" ".join(
            "*" * len(digits[i:i + 4]) for i in range(0, len(digits), 4)))
