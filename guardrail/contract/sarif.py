"""What every SARIF 2.1.0 log guardrail writes shares: the envelope (one run, the tool
named ``guardrail``) and how a file becomes an artifact URI.

SARIF is the format code-scanning services read (GitHub code scanning, Azure DevOps,
GitLab): ``guardrail lint`` writes one for policies, the ``sarif`` reporter one for a
check's decision. Each says what its rules and results are; the envelope is one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "sarif_log", "sarif_uri"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL = "guardrail"


def sarif_log(version: str, rules: Sequence[dict[str, Any]],
              results: Sequence[dict[str, Any]], **run: Any) -> dict[str, Any]:
    """A SARIF log of one run of guardrail *version*: *rules* are the driver's
    ``reportingDescriptor`` objects, *results* its results; *run* adds run properties
    (``invocations``, ``properties``)."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": TOOL, "version": version, "rules": list(rules)}},
            "results": list(results),
            **run,
        }],
    }


def sarif_uri(file: str, base: str | os.PathLike[str] | None = None) -> str:
    """*file* as an artifact URI: a relative path as a relative URI reference, an
    absolute one as a ``file:`` URI, unless it lies under *base* (say the working
    folder): then relative to it, so a CI service can match it to the repository."""
    path = Path(file)
    if path.is_absolute() and base is not None:
        try:
            path = path.relative_to(Path(base).resolve())
        except ValueError:
            pass
    return path.as_uri() if path.is_absolute() else quote(PurePath(path).as_posix())
