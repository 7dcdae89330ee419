"""A policy's canaries as rows an export job appends: what ``guardrail canary`` prints.

The values are the policy author's own invented ones, not payload data, so they
are printed as written: planting them is the point.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from guardrail.errors import UsageError
from guardrail.policy.model import Policy

__all__ = ["FORMATS", "canary_records", "render_canaries"]

FORMATS = ("csv", "json", "ndjson")


def canary_records(policy: Policy) -> list[dict[str, str]]:
    """Each canary's record, the child policy's first (as the policy lists them)."""
    return [dict(canary.record) for canary in policy.canaries]


def render_canaries(records: list[dict[str, str]], fmt: str, *,
                    columns: Sequence[str] = (), header: bool = True) -> str:
    """*records* as CSV (header: the union of their keys in first-seen order, or
    *columns*), a JSON array or JSON lines.

    :param columns: the export's own columns, in its order: each row follows them and
        leaves the others empty, so it can be appended to that export as it is.
    :raises UsageError: when a canary's field is not among *columns*.
    """
    keys = list(dict.fromkeys(key for record in records for key in record))
    if columns:
        missing = [key for key in keys if key not in columns]
        if missing:
            raise UsageError(f"the canaries' field{'s' if len(missing) != 1 else ''} "
                             f"{', '.join(missing)} {'are' if len(missing) != 1 else 'is'} "
                             f"not among --columns ({', '.join(columns)}); name the "
                             "canaries' fields after the export's columns, or add them")
        keys = list(columns)
    if fmt == "json":
        return json.dumps([{k: r.get(k, "") for k in keys} if columns else r
                           for r in records], indent=2, ensure_ascii=False) + "\n"
    if fmt == "ndjson":
        return "".join(json.dumps({k: r.get(k, "") for k in keys} if columns else r,
                                  ensure_ascii=False) + "\n" for r in records)
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" line ends, as RFC 4180 and most exports write
    if header:
        writer.writerow(keys)
    for record in records:
        writer.writerow([record.get(key, "") for key in keys])
    return out.getvalue()
