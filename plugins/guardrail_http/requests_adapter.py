"""A requests transport adapter that checks a request's body before it is sent.

::

    session = requests.Session()
    session.mount("https://", GuardrailAdapter("asb-public-web", destination="public-web"))
    session.post(url, json=rows)   # raises RequestBlocked; nothing is sent

``send`` is where every prepared request leaves (a redirect too), so the body checked is
the body sent. A streamed body (a file object, a generator) is read into memory up to
``max_body_bytes`` and sent as those bytes with a ``Content-Length``; a larger one is
refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from guardrail import Gate, Guardrail
from guardrail_http.body import DEFAULT_MAX_BODY_BYTES, BodyCheck
from guardrail_http.capped import read_chunks, read_file, text_bytes

__all__ = ["GuardrailAdapter", "request_body"]


class GuardrailAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose ``send`` checks the body first.

    :param policy: a :class:`~guardrail.Gate`, a :class:`~guardrail.Guardrail`, or a
        shipped policy's name or a policy file; then ``destination``, ``mode``,
        ``max_body_bytes``, ``pass_through`` and check options, as for
        :class:`~guardrail_http.body.BodyCheck`.
    :param adapter_options: passed to ``HTTPAdapter`` (``max_retries``,
        ``pool_maxsize``...).

    Raises :class:`~guardrail_http.RequestBlocked` for a body that must not be sent.
    """

    def __init__(self, policy: Gate | Guardrail | str | os.PathLike[str],
                 destination: str | None = None, mode: str = "enforce", *,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 pass_through: Iterable[str] = (),
                 adapter_options: dict[str, Any] | None = None,
                 **check_options: Any) -> None:
        self.body_check = BodyCheck(policy, destination, mode,
                                    max_body_bytes=max_body_bytes,
                                    pass_through=pass_through, **check_options)
        super().__init__(**(adapter_options or {}))

    def send(self, request: requests.PreparedRequest,
             *args: Any, **kwargs: Any) -> requests.Response:
        check = self.body_check
        content_type = _header(request, "Content-Type")
        if not check.passes_unchecked(content_type):
            body = request_body(request, check.max_body_bytes)
            check.enforce(check.too_large() if body is None else body, content_type,
                          _header(request, "Content-Encoding"))
        return super().send(request, *args, **kwargs)


def _header(request: requests.PreparedRequest, name: str) -> str | None:
    value = request.headers.get(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value


def request_body(request: requests.PreparedRequest, cap: int) -> bytes | None:
    """The body as bytes (None past *cap*); a streamed body is replaced by its bytes."""
    body: Any = request.body
    if body is None or isinstance(body, bytes):
        return body or b""
    if isinstance(body, str):
        return text_bytes(body)
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    data = read_file(body, cap) if hasattr(body, "read") else read_chunks(body, cap)
    if data is not None:
        request.body = data
        request.headers.pop("Transfer-Encoding", None)
        request.headers["Content-Length"] = str(len(data))
    return data
