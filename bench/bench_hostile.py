"""Hostile inputs: each must block quickly, with memory that does not follow the input.

Builds every case in a temporary folder, runs ``guardrail check`` on it in a fresh
process (default limits, shipped ``uk-personal-data`` policy) and prints the exit code,
wall time, peak memory of that process and the first words of the error:

    python bench/bench_hostile.py [--only NAME]

Exit code 3 (payload blocked) is expected for every case; peak memory is the
largest resident size of the child (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024


def billion_laughs_xml(path: Path) -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)]
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + "\n".join(entities) +
                    "\n]>\n<cases><case><notes>&lol9;</notes></case></cases>\n")


def external_entity_xml(path: Path) -> None:
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM '
                    '"file:///etc/passwd">]>\n<cases><case><notes>&x;</notes></case>'
                    "</cases>\n")


def deep_xml(path: Path) -> None:
    path.write_text("<a>" * 100_000 + "</a>" * 100_000)


def billion_laughs_yaml(path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    path.write_text("\n".join(lines) + "\n")


def zip_bomb_xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns='
                         '"http://schemas.openxmlformats.org/package/2006/content-types"/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * MB
            for _ in range(5 * 1024):  # 5 GiB of zeros, a few MB compressed
                member.write(block)


def deep_json(path: Path) -> None:
    path.write_bytes(b"[" * 1_000_000 + b"]" * 1_000_000)


def deep_html(path: Path) -> None:
    path.write_text("<!DOCTYPE html><html><body>" + "<div>" * 200_000 + "x" +
                    "</div>" * 200_000 + "</body></html>")


def single_line(suffix: str, prefix: bytes, fill: bytes, suffix_bytes: bytes
                ) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        with path.open("wb") as handle:
            handle.write(prefix)
            chunk = fill * (MB // len(fill))
            for _ in range(100):
                handle.write(chunk)
            handle.write(suffix_bytes)
    build.suffix = suffix  # type: ignore[attr-defined]
    return build


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "xml-billion-laughs": (".xml", billion_laughs_xml),
    "xml-external-entity": (".xml", external_entity_xml),
    "xml-deep-nesting": (".xml", deep_xml),
    "yaml-billion-laughs": (".yaml", billion_laughs_yaml),
    "xlsx-zip-bomb": (".xlsx", zip_bomb_xlsx),
    "json-deep-nesting": (".json", deep_json),
    "html-deep-nesting": (".html", deep_html),
    "csv-100mb-line": (".csv", single_line(".csv", b'month,notes\n2026-01,"', b"x", b'"\n')),
    "ndjson-100mb-line": (".ndjson", single_line(".ndjson", b'{"notes": "', b"x", b'"}\n')),
    "text-100mb-line": (".txt", single_line(".txt", b"", b"lorem ipsum ", b"\n")),
    "json-100mb-string": (".json", single_line(".json", b'[{"notes": "', b"x", b'"}]')),
}


def run(name: str, suffix: str, build: Callable[[Path], None], folder: Path) -> dict:
    path = folder / f"{name}{suffix}"
    build(path)
    size = path.stat().st_size
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "w = time.perf_counter() - t; "
            "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
            "import json; print(json.dumps({'exit': p.returncode, 'seconds': w, "
            "'peak_mb': r / 1024, 'out': p.stdout}))")
    done = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "guardrail",
                           "check", "-p", "uk-personal-data", "--report", "json",
                           str(path)], capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout)
    error = ""
    try:
        report = json.loads(measured["out"])
        error = report["files"][0].get("error", "") or report["decision"]
    except (ValueError, KeyError, IndexError):
        error = measured["out"][:80]
    path.unlink()
    return {"case": name, "bytes": size, "exit": measured["exit"],
            "seconds": round(measured["seconds"], 2), "peak_mb": round(measured["peak_mb"]),
            "error": error[:90]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run one case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, (suffix, build) in CASES.items():
            if args.only and name != args.only:
                continue
            row = run(name, suffix, build, Path(folder))
            print(f"{row['case']:22} {row['bytes'] / MB:9.1f} MB  exit {row['exit']}  "
                  f"{row['seconds']:6.2f} s  {row['peak_mb']:5d} MB peak  {row['error']}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
