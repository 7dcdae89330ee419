"""Does output show a planted value, however it is disguised?

Evidence that prints a postcode in full-width digits, with a zero-width space inside
or in Cyrillic look-alike letters still shows the postcode, so output and needle are
both brought to what a reader sees before they are compared: HTML entities and
percent-escapes decoded, NFKC, look-alikes mapped to Latin, invisible and control
characters removed, whitespace collapsed, case folded. A JSON report is also read as
JSON, since ``\\u0048`` in it is an ``H``. Needles are kept as SHA-256 digests too, so
a regression case can be replayed without committing the value in clear.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["reader_text", "Needle", "needle_of", "views"]

_LOOKALIKES = str.maketrans(
    "АВСЕНКМОРТХасеорхуіΑΒΕΗΙΚΜΝΟΡΤΧΥΖο", "ABCEHKMOPTXaceopxyiABEHIKMNOPTXYZo")
_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
                        r"\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                        r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s\-.()/]+")
# Things every report holds that are not payload: digests and timestamps, whose hex
# digits and numbers could spell a short identifier once separators are removed.
_NOISE = re.compile(r"\b[0-9a-f]{32,}\b|\d{4}-\d\d-\d\dT[\d:.+\-Z]+")


def reader_text(text: str) -> str:
    """*text* as a reader sees it: decoded, NFKC, Latin, visible, one space, folded."""
    text = html.unescape(urllib.parse.unquote(text))
    text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKES)
    text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).casefold()


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text)


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def views(output: str) -> list[str]:
    """What to search: the output, with ``\\uXXXX`` escapes read (JSON in a log line),
    and every string in it when it is JSON."""
    found = [output]
    if "\\u" in output:
        found.append(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), output))
    try:
        document = json.loads(output)
    except ValueError:
        return found
    strings: list[str] = []
    _strings(document, strings)
    found.append("\n".join(strings))
    return found


def _strings(value: object, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.append(str(key))
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Needle:
    """A planted value as digests of its reader forms: spaced (``hp3 9qt``) and compact
    (``hp39qt``, only when long enough not to turn up by chance)."""

    spaced: str
    spaced_length: int
    compact: str | None
    compact_length: int
    # The forms in clear while the value is known (a live run): a substring search
    # instead of hashing every window.
    clear: tuple[str, str | None] | None = field(default=None, compare=False, repr=False)

    def found_in(self, outputs: Iterable[str]) -> bool:
        for output in outputs:
            for view in views(output):
                seen = reader_text(_NOISE.sub(" ", view))
                if self._in(seen, self.spaced, self.spaced_length, 0):
                    return True
                if self.compact and self._in(_compact(seen), self.compact,
                                             self.compact_length, 1):
                    return True
        return False

    def _in(self, haystack: str, digest: str, length: int, form: int) -> bool:
        if self.clear is not None:
            needle = self.clear[form]
            return needle is not None and needle in haystack
        return _window_match(haystack, digest, length)

    def to_dict(self) -> dict[str, object]:
        return {"spaced_sha256": self.spaced, "spaced_length": self.spaced_length,
                "compact_sha256": self.compact, "compact_length": self.compact_length}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Needle:
        return cls(str(data["spaced_sha256"]), int(data["spaced_length"]),  # type: ignore[arg-type]
                   data.get("compact_sha256") and str(data["compact_sha256"]),  # type: ignore[arg-type]
                   int(data.get("compact_length") or 0))  # type: ignore[arg-type]


def _window_match(haystack: str, digest: str, length: int) -> bool:
    if length == 0 or len(haystack) < length:
        return False
    for start in range(len(haystack) - length + 1):
        if _digest(haystack[start:start + length]) == digest:
            return True
    return False


def needle_of(value: str) -> Needle:
    spaced = reader_text(value).strip()
    compact = _compact(spaced)
    keep = sum(c.isalnum() for c in compact) >= 6
    return Needle(_digest(spaced), len(spaced), _digest(compact) if keep else None,
                  len(compact) if keep else 0, (spaced, compact if keep else None))
