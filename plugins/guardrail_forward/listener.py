"""The listener: which deliveries the environment asks for, and making them."""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from guardrail.plugin import GuardrailError, LogEntry, hookimpl

__all__ = ["Settings", "ForwardError", "guardrail_decision_logged", "syslog_line"]

SYSLOG_ENV = "GUARDRAIL_FORWARD_SYSLOG"
WEBHOOK_ENV = "GUARDRAIL_FORWARD_WEBHOOK"
VERDICTS_ENV = "GUARDRAIL_FORWARD_VERDICTS"
TIMEOUT_ENV = "GUARDRAIL_FORWARD_TIMEOUT"
DEFAULT_TIMEOUT = 5.0


class ForwardError(GuardrailError):
    """A delivery failed, or the environment asks for one that cannot be made."""


@dataclass(frozen=True)
class Settings:
    syslog: str | None = None
    webhook: str | None = None
    verdicts: frozenset[str] | None = None  # None: every verdict
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        verdicts = {v.strip().lower() for v in env.get(VERDICTS_ENV, "").split(",")
                    if v.strip()}
        unknown = verdicts - {"allow", "block"}
        if unknown:
            raise ForwardError(f"{VERDICTS_ENV} takes allow and/or block, comma-separated; "
                               f"not {', '.join(sorted(repr(v) for v in unknown))}")
        try:
            timeout = float(env.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
        except ValueError:
            raise ForwardError(f"{TIMEOUT_ENV} is a number of seconds, e.g. 5") from None
        if not timeout > 0:
            raise ForwardError(f"{TIMEOUT_ENV} must be more than 0 seconds")
        return cls(env.get(SYSLOG_ENV) or None, env.get(WEBHOOK_ENV) or None,
                   frozenset(verdicts) or None, timeout)

    def wants(self, entry: LogEntry) -> bool:
        return self.verdicts is None or entry.verdict in self.verdicts


@hookimpl
def guardrail_decision_logged(entry: LogEntry) -> None:
    """Deliver *entry* where the environment says; raise ForwardError (after saying
    why on stderr) when a delivery failed."""
    if not (os.environ.get(SYSLOG_ENV) or os.environ.get(WEBHOOK_ENV)):
        return
    try:
        settings = Settings.from_env()
    except ForwardError as exc:
        _warn(exc.message)
        raise
    if not settings.wants(entry):
        return
    failures = []
    for deliver, target in ((_to_syslog, settings.syslog), (_to_webhook, settings.webhook)):
        if target is None:
            continue
        try:
            deliver(entry, target, settings.timeout)
        except ForwardError as exc:
            failures.append(exc.message)
    if failures:
        for failure in failures:
            _warn(f"{failure} (log entry {entry.seq})")
        raise ForwardError("; ".join(failures))


def _warn(message: str) -> None:
    sys.stderr.write(f"guardrail: warning: forward: {message}\n")


def syslog_line(entry: LogEntry) -> str:
    """One line a syslog reader or SIEM can parse: key=value, names JSON-quoted."""
    content = entry.content
    policy = content.get("policy") or {}
    counts = content.get("counts") or {}
    payloads = content.get("payloads") or []
    hits = content.get("canary_hits") or {}
    fields = [
        ("seq", entry.seq), ("verdict", entry.verdict), ("mode", content.get("mode")),
        ("policy", json.dumps(f"{policy.get('name')}@{policy.get('version')}")),
        ("destination", json.dumps(content.get("destination"))),
        ("payloads", len(payloads)),
        ("first_payload", json.dumps(payloads[0].get("name") if payloads else None)),
        ("blocking", counts.get("blocking", 0)), ("findings", counts.get("total", 0)),
        ("canary_hits", sum(hits.values())), ("hash", entry.hash),
    ]
    return "guardrail: decision " + " ".join(f"{key}={value}" for key, value in fields)


def _to_syslog(entry: LogEntry, target: str, timeout: float) -> None:
    parts = urlsplit(target)
    if parts.scheme == "unix":
        address: Any = parts.path
        socktype = None
    elif parts.scheme in ("udp", "tcp") and parts.hostname:
        address = (parts.hostname, parts.port or (514 if parts.scheme == "udp" else 601))
        socktype = socket.SOCK_DGRAM if parts.scheme == "udp" else socket.SOCK_STREAM
    else:
        raise ForwardError(f"{SYSLOG_ENV} is udp://HOST[:PORT], tcp://HOST[:PORT] or "
                           "unix:///PATH (e.g. unix:///dev/log)")
    level = logging.WARNING if entry.verdict == "block" else logging.INFO
    record = logging.LogRecord("guardrail", level, __file__, 0, syslog_line(entry), None, None)
    handler: _Strict | None = None
    try:
        if socktype == socket.SOCK_STREAM:
            # SysLogHandler would connect with no timeout: connect with one, and hand it
            # the socket (no process-wide default timeout changed under other threads).
            handler = _Strict(address=address, socktype=socket.SOCK_DGRAM)
            handler.socket.close()
            handler.socket = socket.create_connection(address, timeout=timeout)
            handler.socktype = socket.SOCK_STREAM
        else:
            handler = _Strict(address=address, socktype=socktype)
        handler.socket.settimeout(timeout)
        handler.emit(record)
    except OSError as exc:
        raise ForwardError(f"cannot reach syslog ({exc.strerror or type(exc).__name__})") \
            from None
    except Exception:  # what else emit() failed on
        raise ForwardError("syslog did not take the message") from None
    finally:
        if handler is not None:
            handler.close()


class _Strict(logging.handlers.SysLogHandler):
    """A SysLogHandler that raises what it would print and swallow: a delivery that
    failed is this listener's warning, not a traceback on stderr."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        raise  # noqa: PLE0704 - called by emit() inside its except block


def _to_webhook(entry: LogEntry, target: str, timeout: float) -> None:
    if urlsplit(target).scheme not in ("http", "https"):
        raise ForwardError(f"{WEBHOOK_ENV} is an http:// or https:// URL")
    body = json.dumps(entry.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(target, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "guardrail-forward"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(1 << 16)
    except urllib.error.HTTPError as exc:
        raise ForwardError(f"the webhook answered HTTP {exc.code}") from None
    except TimeoutError:
        raise ForwardError(f"the webhook did not answer within {timeout:g}s") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise ForwardError(f"the webhook did not answer within {timeout:g}s") from None
        why = getattr(reason, "strerror", None) or type(reason).__name__
        raise ForwardError(f"cannot reach the webhook ({why})") from None
