"""What the WSGI and ASGI middleware share: which responses are checked, how a buffered
body is judged, and what a withheld response looks like.

Both middleware hold the whole body (up to ``max_bytes``) before sending a byte, hand it
to a :class:`guardrail.Gate` named by its ``Content-Type``, and send either the original
response, byte for byte, or a short response that says it was withheld and carries
nothing of the payload.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import guardrail

from .encoding import EncodingRefused, decode_body

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_PASS_THROUGH", "ResponseGuard", "Verdict",
           "kept_headers"]

log = logging.getLogger("guardrail_web")

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
"""The largest body held for a check (16 MiB); a larger one is withheld."""

DEFAULT_PASS_THROUGH = ("image/*", "audio/*", "video/*", "font/*", "text/css",
                        "text/javascript", "application/javascript", "application/wasm")
"""Static assets no format reads: sent unchecked unless the operator passes
``pass_through=()``, which makes every such response fail closed."""

NO_BODY_STATUSES = frozenset({204, 304})

# Headers that describe the original body: a withheld response must not carry them.
_BODY_HEADERS = frozenset({"etag", "last-modified", "digest", "transfer-encoding",
                           "accept-ranges", "expires"})


@dataclass(frozen=True)
class Verdict:
    """What to send: the original response (``send``), or a withheld one with ``status``.

    ``decision`` is None when the body could not be checked at all (over the cap, an
    encoding that cannot be decoded, a fault inside guardrail).
    """

    send: bool
    status: int = 200
    reason: str = ""
    decision: guardrail.Decision | None = None


class ResponseGuard:
    """A :class:`guardrail.Gate` for response bodies, with the web's defaults.

    :param policy: a :class:`guardrail.Guardrail`, a shipped policy's name or a file.
    :param destination: who receives the responses (e.g. ``public-web``).
    :param mode: ``enforce`` withholds what the destination may not receive; ``audit``
        sends it and logs (and tells the after-check hook) what enforce would have done.
    :param status: the status of a response withheld by the policy (451).
    :param error_status: the status of a response that could not be checked: over
        ``max_bytes``, unreadable, or a fault inside guardrail (500). Both modes.
    :param max_bytes: the largest body held for a check, after decoding gzip.
    :param pass_through: media types sent unchecked (``image/*``).
    :param cache_size: how many clean bodies are remembered so that the same bytes,
        served again, are not checked again (compared byte for byte: no hash can
        collide); 0 checks every response.
    :param cache_bytes: the most memory those remembered bodies may hold (64 MiB).
    :param check_options: passed to :meth:`guardrail.Guardrail.check`.
    """

    def __init__(self, policy: Any, destination: str | None = None, mode: str = "enforce", *,
                 status: int = 451, error_status: int = 500,
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 pass_through: Iterable[str] = DEFAULT_PASS_THROUGH, cache_size: int = 256,
                 cache_bytes: int = 64 * 1024 * 1024, **check_options: Any) -> None:
        self.gate = guardrail.Gate(policy, destination, mode, pass_through=pass_through,
                                   **check_options)
        self.status = status
        self.error_status = error_status
        self.max_bytes = max_bytes
        self._clean = _CleanCache(cache_size, cache_bytes)

    @property
    def mode(self) -> str:
        return self.gate.mode

    def checks(self, method: str, status: int, content_type: str | None) -> bool:
        """Must this response's body be held and checked? Not for HEAD, 1xx, 204, 304
        or a media type passed through."""
        if method == "HEAD" or status < 200 or status in NO_BODY_STATUSES:
            return False
        return not self.gate.passes_unchecked(content_type)

    def known_clean(self, body: bytes, content_type: str | None,
                    content_encoding: str | None) -> bool:
        """Was this exact body (byte for byte, same type and coding) already found clean?
        Cheap: a memory comparison, no hashing."""
        return self._clean.holds(_key(body, content_type, content_encoding), body)

    def judge(self, body: bytes, content_type: str | None,
              content_encoding: str | None) -> Verdict:
        """Judge a whole response body. Never raises: a fault fails closed."""
        if not body or self.known_clean(body, content_type, content_encoding):
            return Verdict(send=True)  # nothing to publish, or already found clean
        decoded: bytes | None = None
        try:
            decoded = decode_body(body, content_encoding, self.max_bytes)
        except EncodingRefused as refused:  # the hook sees the refusal too
            reason = f"{refused}; it was not sent"
        try:
            decision = self._check(decoded, content_type) if decoded is not None \
                else self.gate.refuse(reason)
        except guardrail.GuardrailError as error:  # PluginFault and the like: messages are screened
            log.error("guardrail could not check a response (%s): %s",
                      type(error).__name__, error)
            return Verdict(send=False, status=self.error_status, reason="error")
        except Exception as error:  # anything else: its text may quote the body
            log.error("guardrail could not check a response (%s)", type(error).__name__)
            return Verdict(send=False, status=self.error_status, reason="error")
        if self.gate.blocks(decision):
            unreadable = decision.exit_code != 1
            log.warning("guardrail withheld a response: %s", decision.summary())
            return Verdict(send=False, decision=decision,
                           status=self.error_status if unreadable else self.status,
                           reason="unreadable" if unreadable else "blocked")
        if decision.allowed:
            self._clean.add(_key(body, content_type, content_encoding), body)
        else:
            log.warning("guardrail audit: would have withheld a response: %s",
                        decision.summary())
        return Verdict(send=True, decision=decision)

    def _check(self, body: bytes, content_type: str | None) -> guardrail.Decision:
        return self.gate.check(body, media_type=content_type)

    def withheld(self, verdict: Verdict) -> tuple[int, list[tuple[str, str]], bytes]:
        """The status, headers and body sent in place of a withheld response."""
        if verdict.reason == "blocked":
            where = verdict.decision.destination if verdict.decision else \
                self.gate.destination
            text = (f"Withheld by guardrail: this response may not be published to "
                    f"'{where}'. The site's operator has the details in its log.\n")
        else:
            text = ("Withheld by guardrail: this response could not be checked, so it "
                    "was not sent. The site's operator has the details in its log.\n")
        body = text.encode("utf-8")
        headers = [("Content-Type", "text/plain; charset=utf-8"),
                   ("Content-Length", str(len(body))), ("Cache-Control", "no-store"),
                   ("X-Guardrail", "withheld")]
        return verdict.status, headers, body


def media_type_of(values: list[str]) -> str | None:
    """The one Content-Type a response declares, or None (its content then decides) when
    it declares several, or a list in one header: a browser may take another than the
    first, so none of them may let the body through unchecked."""
    if len(values) != 1 or "," in values[0]:
        return None
    return values[0]


def kept_headers(headers: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The original headers a withheld response may keep: none describing the body."""
    kept = []
    for name, value in headers:
        lower = (name.decode("latin-1") if isinstance(name, bytes) else name).lower()
        if lower.startswith("content-") or lower in _BODY_HEADERS or lower == "x-guardrail":
            continue
        kept.append((name, value))
    return kept


def _key(body: bytes, content_type: str | None,
         content_encoding: str | None) -> tuple[Any, ...]:
    """Where a body would be remembered: its type, coding, length and edges. Bodies
    sharing a key share a slot; a hit still needs every byte to match."""
    return ((content_type or "").lower(), (content_encoding or "").lower(), len(body),
            body[:64], body[-64:], body[len(body) // 2:len(body) // 2 + 64])


class _CleanCache:
    """Bodies already found clean, bounded in count and bytes, least recently used
    first out. Thread-safe. The key is the Gate's (one per middleware): policy,
    destination and mode never change under it."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._bodies: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def holds(self, key: tuple[Any, ...], body: bytes) -> bool:
        with self._lock:
            stored = self._bodies.get(key)
            if stored is None:
                return False
            self._bodies.move_to_end(key)
        return stored == body  # memcmp; outside the lock

    def add(self, key: tuple[Any, ...], body: bytes) -> None:
        if self._size <= 0 or len(body) > self._max_bytes:
            return
        with self._lock:
            old = self._bodies.pop(key, None)
            self._bytes += len(body) - (len(old) if old is not None else 0)
            self._bodies[key] = body
            while len(self._bodies) > self._size or self._bytes > self._max_bytes:
                _, dropped = self._bodies.popitem(last=False)
                self._bytes -= len(dropped)
