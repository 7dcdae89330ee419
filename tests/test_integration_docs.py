"""Every example in docs/integrations.md is the file it names, character for character,
so the tests that run the files (tests/test_integration_*.py) test what the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGE = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"<!-- example: (?P<path>\S+) -->\n```[a-z]*\n(?P<body>.*?)```\n", re.S)
EXAMPLES = {m["path"]: m["body"] for m in EXAMPLE.finditer(PAGE)}


def test_the_page_shows_examples() -> None:
    assert EXAMPLES, "docs/integrations.md has no <!-- example: PATH --> blocks"


@pytest.mark.parametrize("path", sorted(EXAMPLES))
def test_each_example_is_its_file(path: str) -> None:
    assert (ROOT / path).read_text(encoding="utf-8") == EXAMPLES[path]


def test_every_example_file_is_on_the_page() -> None:
    files = {str(p.relative_to(ROOT)) for p in (ROOT / "examples" / "integrations").iterdir()
             if p.is_file() and p.suffix in {".py", ".yaml", ".yml", ".sh"}}
    assert files <= set(EXAMPLES)
