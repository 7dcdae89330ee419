"""Choosing entries (``--since``, ``--verdict``...) and writing them out (JSON lines, CSV)."""

from __future__ import annotations

import csv
import datetime as _dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from guardrail.errors import UsageError
from guardrail.ledger.chain import LogEntry
from guardrail.ledger.store import DecisionLog

__all__ = ["Filters", "select", "one_line", "write_jsonl", "write_csv", "CSV_COLUMNS"]


def _moment(text: str, end: bool) -> str:
    """An ISO date or date-time as the UTC text entries are stored with; a bare date
    ``--until`` counts the whole day."""
    try:
        if len(text) == 10:
            day = _dt.date.fromisoformat(text)
            moment = _dt.datetime.combine(day, _dt.time(), _dt.timezone.utc)
            if end:
                moment += _dt.timedelta(days=1)
        else:
            moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_dt.timezone.utc)
        return moment.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")
    except ValueError:
        raise UsageError(f"'{text}' is not a date; write YYYY-MM-DD or an ISO date-time "
                         "such as 2026-03-01T09:30") from None
    except OverflowError:  # the day after 9999-12-31, or before 0001-01-01 in UTC
        raise UsageError(f"'{text}' is outside the dates guardrail can compare; give a "
                         "date between 0001-01-02 and 9999-12-30") from None


@dataclass(frozen=True)
class Filters:
    """Which entries to list or export; every filter is optional."""

    since: str | None = None
    until: str | None = None
    verdict: str | None = None
    policy: str | None = None
    destination: str | None = None
    limit: int | None = None
    canary: bool = False  # only decisions that saw a canary

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        terms: list[str] = []
        params: list[Any] = []
        if self.since:
            terms.append("time >= ?")
            params.append(_moment(self.since, end=False))
        if self.until:
            # a bare date counts its whole day; a date-time is inclusive
            terms.append("time < ?" if len(self.until) == 10 else "time <= ?")
            params.append(_moment(self.until, end=True))
        for column, value in (("verdict", self.verdict), ("policy", self.policy),
                              ("destination", self.destination)):
            if value:
                terms.append(f"{column} = ?")
                params.append(value)
        # --canary is decided on the content as Python parses it (see select): SQLite's
        # json_extract reads the first of two duplicate keys, Python the last
        return ("WHERE " + " AND ".join(terms) if terms else ""), tuple(params)


def select(log: DecisionLog, filters: Filters) -> Iterator[LogEntry]:
    """Matching entries, oldest first; with a limit, the newest *limit* of them."""
    where, params = filters.sql()
    if filters.canary:
        found = [e for e in log.entries(where, params) if e.content.get("canary_hits")]
        yield from (found[-filters.limit:] if filters.limit else found)
        return
    if filters.limit is None:
        yield from log.entries(where, params)
        return
    yield from reversed(list(log.entries(where, params, order="DESC", limit=filters.limit)))


def one_line(entry: LogEntry) -> str:
    """Seq, UTC time, verdict, mode, policy -> destination, payloads, blocking count."""
    c = entry.content
    names = ", ".join(p.get("name", "?") for p in c.get("payloads", []))
    hits = c.get("canary_hits") or {}
    canary = f"  CANARY {', '.join(sorted(hits))}" if hits else ""
    return (f"{entry.seq:>5}  {entry.time[:19]}Z  {entry.verdict.upper():5}  "
            f"{c.get('mode', ''):7}  {c.get('policy', {}).get('name')} -> "
            f"{c.get('destination')}  {names}  {c.get('counts', {}).get('blocking', 0)} blocking"
            f"{canary}")


def write_jsonl(entries: Iterator[LogEntry], out: TextIO) -> int:
    count = 0
    for entry in entries:
        out.write(json.dumps(entry.to_dict(), sort_keys=True, ensure_ascii=False) + "\n")
        count += 1
    return count


CSV_COLUMNS = ("seq", "time", "policy", "policy_version", "policy_sha256", "destination",
               "mode", "verdict", "exit_code", "payloads", "payload_sha256", "blocking",
               "findings_total", "by_rule", "waivers_used", "canary_hits", "prev_hash",
               "hash")


# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """*value*, with a leading ``'`` when a spreadsheet would read it as a formula (a
    payload named ``=HYPERLINK(...).csv``)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(entries: Iterator[LogEntry], out: TextIO) -> int:
    """One row per decision; lists are joined with ``;`` and counts per rule as JSON.
    Findings themselves are in the JSON lines export. A text cell that starts like a
    formula gets a leading ``'``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        c = entry.content
        policy = c.get("policy", {})
        payloads = c.get("payloads", [])
        writer.writerow([_cell(value) for value in [
            entry.seq, entry.time, policy.get("name"), policy.get("version"),
            policy.get("sha256"), c.get("destination"), c.get("mode"), c.get("verdict"),
            c.get("exit_code"), ";".join(p.get("name", "") for p in payloads),
            ";".join(p.get("sha256") or "" for p in payloads),
            c.get("counts", {}).get("blocking"), c.get("counts", {}).get("total"),
            json.dumps(c.get("counts", {}).get("by_rule", {}), sort_keys=True),
            ";".join(w.get("label", "") for w in c.get("waivers_used", [])),
            json.dumps(c.get("canary_hits") or {}, sort_keys=True),
            entry.prev_hash, entry.hash]])
        count += 1
    return count
