"""Handlers on a boto3 S3 client's event system that check uploads before they leave.

botocore emits ``before-call.s3.<Operation>`` once a request is built and before it is
sent; a handler that returns ``(http_response, parsed)`` answers the call and nothing
goes over the wire. The guard uses that event for everything an upload goes through,
``upload_file`` and ``upload_fileobj`` included (s3transfer calls PutObject below the
multipart threshold, CreateMultipartUpload / UploadPart / CompleteMultipartUpload above):

- PutObject (and WriteGetObjectResponse, an Object Lambda's answer): the body is
  checked where it is, then sent, or not; an append (``WriteOffsetBytes``) is refused,
  as it cannot be checked whole.
- Multipart uploads are held and judged whole at Complete
  (:mod:`guardrail_s3.multipart`). A blocked upload never reaches S3 at all.
- CopyObject / UploadPartCopy are refused unless ``allow_copies``: the bytes stay in
  S3 and never pass through the client to be checked.
"""

from __future__ import annotations

import copy
import functools
import io
import os
from typing import Any

from boto3.s3.transfer import TransferConfig

from guardrail import Decision, Gate, Guardrail, Limits, UsageError
from guardrail_s3.bodies import Borrowed, spooled
from guardrail_s3.errors import S3UploadBlocked, S3UploadRefused
from guardrail_s3.multipart import HELD_PREFIX, Answer, HeldUploads

__all__ = ["S3Guard"]

_CALL = "guardrail_s3.call"  # where the call's parameters wait in botocore's context
_OPERATIONS = ("PutObject", "WriteGetObjectResponse", "CreateMultipartUpload", "UploadPart",
               "CompleteMultipartUpload", "AbortMultipartUpload", "UploadPartCopy",
               "CopyObject")
_CONFIG_AT = 5  # upload_file(Filename, Bucket, Key, ExtraArgs, Callback, Config)


class S3Guard:
    """A policy, a destination and a mode for S3 uploads, attached to one or more
    clients (:func:`guardrail_s3.guard_client`, :func:`guardrail_s3.guard_session`).

    :param spool_memory: bytes of a held multipart upload (or of a PutObject stream that
        cannot be rewound) kept in memory; the rest goes to a temporary file.
    :param release_threads: parts sent at a time when an allowed upload is released.
    :param allow_copies: let CopyObject and UploadPartCopy through unchecked.
    """

    def __init__(self, policy: str | os.PathLike[str] | Guardrail,
                 destination: str | None = None, mode: str = "enforce", *,
                 pass_through: tuple[str, ...] | list[str] = (),
                 spool_memory: int = 1 << 20, release_threads: int = 8,
                 allow_copies: bool = False, **check_options: Any) -> None:
        self.gate = Gate(policy, destination, mode, pass_through=pass_through,
                         **check_options)
        self.spool_memory = spool_memory
        self.allow_copies = allow_copies
        limits = check_options.get("limits") or Limits()
        self.uploads = HeldUploads(memory_bytes=spool_memory,
                                   max_bytes=limits.max_file_bytes,
                                   release_threads=release_threads)

    @property
    def guardrail(self) -> Guardrail:
        return self.gate.guardrail

    def attach(self, client: Any) -> Any:
        """Register the guard on *client*'s event system; returns the client."""
        if getattr(client.meta, "service_model", None) is None or \
                client.meta.service_model.service_name != "s3":
            raise UsageError("guard_client guards S3 clients: pass boto3.client('s3')")
        current = getattr(client, "_guardrail_s3", None)
        if current is self:
            return client
        if current is not None:
            raise UsageError("this S3 client is already guarded by another policy; build "
                             "a new client for a second guard")
        client._guardrail_s3 = self
        events = client.meta.events
        for operation in _OPERATIONS:
            events.register_first(f"before-parameter-build.s3.{operation}", _remember,
                                  unique_id=f"guardrail-s3-remember-{operation}")
            events.register_last(f"before-call.s3.{operation}", self._handler(client),
                                 unique_id=f"guardrail-s3-{operation}")
        for name in ("upload_file", "upload_fileobj"):
            method = getattr(client, name, None)
            if method is not None:
                setattr(client, name, _classic_transfer(method))
        return client

    def _handler(self, client: Any) -> Any:
        def before_call(model: Any, params: dict[str, Any], context: dict[str, Any],
                        **_: Any) -> Answer | None:
            return self.before_call(client, model.name, params, context.get(_CALL, {}))
        return before_call

    def before_call(self, client: Any, operation: str, request: dict[str, Any],
                    call: dict[str, Any]) -> Answer | None:
        """Check, hold or refuse one S3 call; a returned answer means it is not sent.

        :param request: botocore's request dict (its ``body`` is what would be sent).
        :param call: the parameters the caller gave.
        """
        if operation in ("PutObject", "WriteGetObjectResponse"):  # the latter: S3 Object
            self._check_put(request, call, operation)  # Lambda's answer to a reader
            return None
        if operation == "CreateMultipartUpload":
            return self.uploads.create(call)
        upload_id = str(call.get("UploadId", ""))
        if self.uploads.is_releasing(upload_id):
            return None  # a part, the Complete or the Abort of an allowed upload
        if operation == "UploadPart":
            return self.uploads.part(upload_id, request.get("body"), call)
        if operation == "CompleteMultipartUpload":
            return self.uploads.complete(client, upload_id, call, self._judge)
        if operation == "AbortMultipartUpload":
            return self.uploads.abort(upload_id)
        if operation == "UploadPartCopy" and upload_id.startswith(HELD_PREFIX):
            raise S3UploadRefused("upload_part_copy cannot add to a guarded upload: the "
                                  "copied bytes never pass through this client to be "
                                  "checked. Upload the part's bytes with upload_part")
        if not self.allow_copies:
            raise S3UploadRefused(
                f"{_snake(operation)} copies bytes inside S3 that this client never sees, "
                "so the guard cannot check them; nothing was sent. Download and upload "
                "them through the guarded client, or pass allow_copies=True")
        return None

    def _judge(self, stream: Any, media_type: str | None, key: str | None) -> Decision | None:
        """The decision when the object must be held back, else None."""
        if self.gate.passes_unchecked(media_type):
            return None  # a type the caller chose to let through (pass_through)
        decision = self.gate.check(stream, media_type=media_type, name=key)
        return decision if Gate.blocks(decision) else None

    def _check_put(self, request: dict[str, Any], call: dict[str, Any],
                   operation: str) -> None:
        if call.get("WriteOffsetBytes") is not None:
            raise S3UploadRefused(
                "put_object with WriteOffsetBytes appends to an object already in S3: the "
                "guard would see only the new bytes, not the object whole; nothing was "
                "sent. Upload the whole object instead")
        body = request.get("body")
        key, media_type = call.get("Key"), call.get("ContentType")
        if isinstance(body, (bytes, bytearray)):
            body = request["body"] = io.BytesIO(body)
        if body is None or _empty(body):
            return  # no body (a "folder/" marker): not a byte to publish
        if hasattr(body, "seekable") and body.seekable():
            start = body.tell()
            try:
                decision = self._judge(Borrowed(body, key), media_type, key)
            finally:
                body.seek(start)  # botocore sends it from where the caller left it
        else:
            body = request["body"] = spooled(body, self.spool_memory)
            decision = self._judge(Borrowed(body, key), media_type, key)
            body.seek(0)
        if decision is not None:
            raise S3UploadBlocked(decision, operation)


def _empty(body: Any) -> bool:
    if not (hasattr(body, "seekable") and body.seekable()):
        return False  # read, and spooled, before anyone can tell
    start = body.tell()
    end = body.seek(0, os.SEEK_END)
    body.seek(start)
    return bool(end == start)


def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """Keep the call's parameters as the caller gave them, for before-call to read (and
    to send again on release: botocore's own handlers rewrite some, SSE-C keys)."""
    context[_CALL] = dict(params)


def _classic_transfer(method: Any) -> Any:
    """*method* (``upload_file``, ``upload_fileobj``) with s3transfer's classic client:
    the CRT one (``awscrt``) sends through a botocore client of its own, whose events
    the guard never sees, so it would upload unchecked."""
    @functools.wraps(method)
    def upload(*args: Any, **kwargs: Any) -> Any:
        if len(args) > _CONFIG_AT:
            args = (*args[:_CONFIG_AT], _classic(args[_CONFIG_AT]), *args[_CONFIG_AT + 1:])
        else:
            kwargs["Config"] = _classic(kwargs.get("Config"))
        return method(*args, **kwargs)
    return upload


def _classic(config: Any) -> Any:
    config = copy.copy(config) if config is not None else TransferConfig()
    if hasattr(config, "preferred_transfer_client"):
        config.preferred_transfer_client = "classic"
    return config


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
