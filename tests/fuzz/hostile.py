"""Hostile payloads: each must block as unreadable (exit 3), quickly, in bounded memory.

Every builder writes its payload to a path at a *scale*: ``1`` is the full size the
campaign measures (100 MB lines, a million levels of nesting, a 5 GiB zip bomb, as in
``bench/bench_hostile.py``); the CI slice passes a small scale together with
proportionally lower :class:`~guardrail.Limits`, which takes the same code paths.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from pathlib import Path

from guardrail import Limits

__all__ = ["HOSTILE", "limits_for", "build"]

MB = 1024 * 1024


def _stream(path: Path, head: bytes, fill: bytes, size: int, tail: bytes) -> None:
    with path.open("wb") as out:
        out.write(head)
        chunk = fill * max(1, MB // len(fill))
        written = 0
        while written < size:
            out.write(chunk[: size - written])
            written += len(chunk)
        out.write(tail)


def _line(head: bytes, fill: bytes, tail: bytes) -> Callable[[Path, float], None]:
    return lambda path, scale: _stream(path, head, fill, int(100 * MB * scale), tail)


def _nested(open_: bytes, close: bytes, head: bytes = b"", tail: bytes = b"",
            levels: int = 1_000_000) -> Callable[[Path, float], None]:
    def build(path: Path, scale: float) -> None:
        count = max(1000, int(levels * scale))
        path.write_bytes(head + open_ * count + b"x" + close * count + tail)
    return build


def _billion_laughs_xml(path: Path, scale: float) -> None:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE c [\n' + "\n".join(entities) +
                    "\n]>\n<cases><case><outcome>&l9;</outcome></case></cases>\n")


def _billion_laughs_yaml(path: Path, scale: float) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{'abcdefghi'[i]}"] * 9) + "]")
    path.write_text("\n".join(lines) + "\n")


def _zip_bomb(path: Path, scale: float) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns='
                         '"http://schemas.openxmlformats.org/package/2006/content-types"/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * MB
            for _ in range(max(8, int(5 * 1024 * scale))):
                member.write(block)


def _junk(path: Path, scale: float) -> None:
    path.write_bytes(random.Random(7).randbytes(max(65536, int(20 * MB * scale))))


# name: (file suffix, builder)
HOSTILE: dict[str, tuple[str, Callable[[Path, float], None]]] = {
    "csv-giant-line": (".csv", _line(b'month,outcome\n2026-01,"', b"x", b'"\n')),
    "tsv-giant-line": (".tsv", _line(b"month\toutcome\n2026-01\t", b"x", b"\n")),
    "ndjson-giant-line": (".ndjson", _line(b'{"outcome": "', b"x", b'"}\n')),
    "json-giant-string": (".json", _line(b'[{"outcome": "', b"x", b'"}]')),
    "yaml-giant-line": (".yaml", _line(b"- outcome: ", b"x", b"\n")),
    "xml-giant-text": (".xml", _line(b"<cases><case><outcome>", b"x",
                                     b"</outcome></case></cases>")),
    "text-giant-line": (".txt", _line(b"", b"lorem ipsum ", b"\n")),
    "markdown-giant-line": (".md", _line(b"# Notes\n\n", b"lorem ipsum ", b"\n")),
    "html-giant-page": (".html", _line(b"<html><body><p>", b"lorem ipsum ",
                                       b"</p></body></html>")),
    "json-deep-nesting": (".json", _nested(b"[", b"]")),
    "ndjson-deep-nesting": (".ndjson", _nested(b'{"a":', b"}", tail=b"\n",
                                               levels=200_000)),
    "yaml-deep-nesting": (".yaml", _nested(b"[", b"]", levels=200_000)),
    "xml-deep-nesting": (".xml", _nested(b"<a>", b"</a>", levels=100_000)),
    "html-deep-nesting": (".html", _nested(b"<div>", b"</div>", b"<html><body>",
                                           b"</body></html>", levels=200_000)),
    "xml-billion-laughs": (".xml", _billion_laughs_xml),
    "yaml-billion-laughs": (".yaml", _billion_laughs_yaml),
    "xlsx-zip-bomb": (".xlsx", _zip_bomb),
    "csv-binary-junk": (".csv", _junk),
    "xlsx-binary-junk": (".xlsx", _junk),
    "parquet-binary-junk": (".parquet", _junk),
}


def build(name: str, folder: Path, scale: float = 1.0) -> Path:
    suffix, builder = HOSTILE[name]
    path = folder / f"{name}{suffix}"
    builder(path, scale)
    return path


def limits_for(scale: float) -> Limits:
    """Limits lowered with the payloads, so a small payload meets them as a full one
    meets the defaults."""
    if scale >= 1:
        return Limits()
    default = Limits()
    return Limits(max_file_bytes=max(MB, int(default.max_file_bytes * scale)),
                  max_record_bytes=max(64 * 1024, int(default.max_record_bytes * scale)),
                  max_depth=default.max_depth, max_entities=default.max_entities)
