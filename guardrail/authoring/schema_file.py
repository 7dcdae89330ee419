"""The policy JSON Schema as a file, for editors (yaml-language-server) and SchemaStore.

``guardrail schema -o FILE`` writes exactly what ``guardrail schema`` prints, atomically.
A different file already at FILE is refused unless the author says ``force``: the
likeliest different file is one the author cares about (a policy given to ``-o`` by
mistake, or a copy they edited), and an unchanged copy is left alone, so re-running the
command in a build is harmless.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from guardrail.atomic.file import atomic_output
from guardrail.errors import UsageError
from guardrail.policy.schema import policy_schema

__all__ = ["schema_text", "write_schema", "MODELINE_PREFIX"]

#: How a YAML file names its schema for yaml-language-server (VS Code, Neovim, Helix...).
MODELINE_PREFIX = "# yaml-language-server: $schema="


def schema_text() -> str:
    """The schema as ``guardrail schema`` prints it: indented JSON and a final newline."""
    return json.dumps(policy_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: str | os.PathLike[str], *, force: bool = False) -> bool:
    """Write the schema to *path*; False when the file there already holds it.

    :raises UsageError: a different file is at *path* and *force* is false, or it cannot
        be written.
    """
    text = schema_text()
    target = Path(path)
    if target.exists() and target.is_file():
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        if current == text.encode("utf-8"):
            return False
        if not force:
            raise UsageError(f"{path} exists and is not this schema; give --force to "
                             "replace it, or choose another file")
    try:  # the folder editors are pointed at (.guardrail/) rarely exists yet
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    with atomic_output(target) as out:
        out.write(text.encode("utf-8"))
    return True
