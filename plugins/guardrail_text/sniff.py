"""Content sniffing for plain text (the fallback) and Markdown (a few telling signs).

Plain text claims any decodable text at exactly the core's minimum confidence, so
it is chosen only when no other format claims the content. Markdown scores below
CSV, JSON, NDJSON and YAML on their own content, except for a pipe table with its
delimiter row, which no other format writes.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_head", "sniff_text", "sniff_markdown"]


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")  # not \t \n \v \f \r ESC
_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+[^)\n]*\)")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.M)
_SETEXT = re.compile(r"^\S[^\n]*\n=+[ \t]*$", re.M)
_KEY_VALUE = re.compile(r"\s*(?:[\w.\-\"']+\s*[:=](?:\s|$)|- )")
_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")


def decode_head(head: bytes) -> str | None:
    """The head as text (UTF-8, or the encoding its BOM names), None if it is binary."""
    encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8")
    try:
        # final=False: a character cut at the end of the head is not an error
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > len(text) // 100:
        return None
    return text


def sniff_text(head: bytes) -> int:
    """Never: any readable bytes are "text", so choosing it by content would read every
    unknown format as prose and let its fields pass unclassified. Plain text is chosen
    by its extension (when no structured format claims the content) or ``--format``."""
    return 0


def sniff_markdown(head: bytes) -> int:
    text = decode_head(head)
    if text is None:
        return 0
    lines = text.splitlines()
    if _has_pipe_table(lines[:200]):
        return 65
    signs = sum(1 for sign in (_LINK, _FENCE, _SETEXT) if sign.search(text))
    if _HEADING.search(text) and not _looks_like_config(lines):
        signs += 1  # "# x" is also a comment in YAML, TOML and shell
    return {0: 0, 1: 40}.get(signs, 50)


def _has_pipe_table(lines: list[str]) -> bool:
    for header, delimiter in zip(lines, lines[1:], strict=False):
        if "|" in header and "|" in delimiter and _DELIMITER.fullmatch(delimiter) \
                and _inner_pipes(header) == _inner_pipes(delimiter):
            return True
    return False


def _inner_pipes(line: str) -> int:
    return line.strip().strip("|").count("|")


def _looks_like_config(lines: list[str]) -> bool:
    """Most lines that are not comments are ``key: value``, ``key = value`` or ``- item``."""
    body = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return bool(body) and sum(1 for line in body if _KEY_VALUE.match(line)) * 2 > len(body)
