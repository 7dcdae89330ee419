"""UK postcodes: every valid outward/inward shape, with or without the space, any case.

Rules (Royal Mail PAF): the first letter is not Q, V or X; the second is not I,
J or Z (both implied by the list of areas below); a letter in the third position
of A9A is one of ABCDEFGHJKPSTUW; a letter in the fourth position of AA9A is one
of ABEHMNPRVWXY; the two inward letters never use C, I, K, M, O or V. GIR 0AA is
the one historic exception.
A bare outward code ("HP1") is not a postcode on its own. The area (the leading
letters) must be one of Royal Mail's 121 postcode areas, the Crown dependencies'
GY, JE and IM, or BF (BFPO): there is no EE or FF area, so ``#ee22ff`` is a colour.
"""

from __future__ import annotations

import re

from guardrail.plugin import Span

from .base import PatternDetector

__all__ = ["PostcodeDetector", "is_postcode"]

_SHAPE = re.compile(
    r"^(?:(?P<a>[A-Z])(?P<d>[0-9])(?P<x>[0-9A-Z]?)|(?P<a2>[A-Z])(?P<b2>[A-Z])(?P<d2>[0-9])"
    r"(?P<x2>[0-9A-Z]?))(?P<inward>[0-9][A-Z]{2})$"
)
# Royal Mail's postcode areas, plus Guernsey, Jersey, the Isle of Man and BFPO.
_AREAS = frozenset("""
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS
LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO
SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
GY JE IM BF
""".split())
_HEX = frozenset("0123456789abcdefABCDEF")
_THIRD_OK = set("ABCDEFGHJKPSTUW")  # A9A
_FOURTH_OK = set("ABEHMNPRVWXY")  # AA9A
_INWARD_BAD = set("CIKMOV")


def is_postcode(candidate: str) -> bool:
    """True for a full, valid UK postcode (spaces and case ignored)."""
    text = candidate.replace(" ", "").upper()
    if text == "GIR0AA":
        return True
    shape = _SHAPE.match(text)
    if shape is None:
        return False
    if shape["inward"][1] in _INWARD_BAD or shape["inward"][2] in _INWARD_BAD:
        return False
    if (shape["a"] or shape["a2"] + shape["b2"]) not in _AREAS:
        return False
    if shape["a"]:  # A9, A99, A9A
        extra = shape["x"]
        return not extra or extra.isdigit() or extra in _THIRD_OK
    extra = shape["x2"]
    return not extra or extra.isdigit() or extra in _FOURTH_OK


class PostcodeDetector(PatternDetector):
    id = "uk.postcode"
    confidence = 0.95
    description = "UK postcodes (full: outward and inward code)"
    pattern = r"(?i)\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}\b"

    def validate(self, text: str, match: re.Match[str], field: str | None) -> Span | None:
        value = match.group(0)
        if not is_postcode(value):
            return None
        compact = value.replace(" ", "").upper()
        start, end = match.span()
        if text[start - 1:start] == "#" or (_HEX.issuperset(compact) and (
                text[start - 1:start] in ("-", ":") or text[end:end + 1] in ("-", ":"))):
            return None  # a colour (#ab12cd) or a piece of a hex run (a UUID, a hash)
        # Lower-case runs such as "ab1 2cd" are rarer in real exports than words
        # that happen to fit, so they count for less.
        confidence = self.confidence if value.isupper() else 0.7
        return self.span(match, confidence, evidence=f"{compact[:-3]} ***")
