"""Policy text is printed: in reports, in lint messages, on terminals. A string that
holds a terminal control sequence (YAML's ``"\\e]0;...\\a"``) or a bidirectional override
would rewrite what the reader sees, so such text is refused where it is written.

Tabs and line breaks are kept (descriptions are prose); zero-width joiners and the
left-to-right and right-to-left marks are kept (scripts need them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from guardrail.errors import PolicyProblem

from .marked_yaml import MarkedDocument, dotted_path

__all__ = ["unprintable_text"]

# C0 controls but tab and line breaks, DEL, C1 controls, and the bidirectional
# embeddings, overrides and isolates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unprintable_text(doc: MarkedDocument) -> Iterator[PolicyProblem]:
    """A problem for each key or string value of *doc* holding such a character."""
    for path, text, key in _strings(doc.data, ()):
        found = _UNPRINTABLE.search(text)
        if found is None:
            continue
        line, column = doc.position(path, key=key)
        yield PolicyProblem(
            doc.file, line, column, dotted_path(path),
            f"the text holds U+{ord(found.group()):04X}, a terminal control or text-direction "
            f"character (written as an escape such as \\e or \\u{ord(found.group()):04x} in "
            "quotes); policy text is printed in reports and on terminals, where it would "
            "change what is shown: remove it", "unprintable")


def _strings(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield path + (key,), key, True
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))
