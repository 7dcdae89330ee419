"""Handlers on a boto3 S3 client's event system that check uploads before they leave.

botocore emits ``before-call.s3.<Operation>`` once a request is built and before it is
sent; a handler that returns ``(http_response, parsed)`` answers the call and nothing
goes over the wire. The guard uses that event for everything an upload goes through,
``upload_file`` and ``upload_fileobj`` included (s3transfer calls PutObject below the
multipart threshold, CreateMultipartUpload / UploadPart / CompleteMultipartUpload above):

- PutObject: the body is checked where it is, then sent, or not.
- CreateMultipartUpload and UploadPart are answered locally (an upload id and ETags of
  the guard's own) while the parts are held (:mod:`guardrail_s3.held`);
  CompleteMultipartUpload checks the whole object and only then sends the upload for
  real (:mod:`guardrail_s3.release`). A blocked upload never reaches S3 at all.
- CopyObject / UploadPartCopy are refused unless ``allow_copies``: the bytes stay in
  S3 and never pass through the client to be checked.
"""

from __future__ import annotations

import collections
import copy
import functools
import os
import threading
import uuid
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.awsrequest import AWSResponse

from guardrail import Decision, Gate, Guardrail, Limits, UsageError
from guardrail_s3.bodies import Borrowed, spooled
from guardrail_s3.errors import S3UploadBlocked, S3UploadRefused
from guardrail_s3.held import HeldUpload
from guardrail_s3.release import release

__all__ = ["S3Guard", "HELD_PREFIX"]

HELD_PREFIX = "guardrail-held-"  # the upload ids the guard answers with
_CALL = "guardrail_s3.call"  # where the call's parameters wait in botocore's context
_OPERATIONS = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
               "AbortMultipartUpload", "UploadPartCopy", "CopyObject")
_SETTLED_KEPT = 4096
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
        self.release_threads = release_threads
        self.allow_copies = allow_copies
        limits = check_options.get("limits")
        self._max_bytes = limits.max_file_bytes if limits is not None else \
            Limits().max_file_bytes
        self._held: dict[str, HeldUpload] = {}
        self._settled: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._releasing: set[str] = set()
        self._starting = threading.local()
        self._lock = threading.Lock()

    @property
    def guardrail(self) -> Guardrail:
        return self.gate.guardrail

    # -- attaching ---------------------------------------------------------------------

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
                        **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
            return self.before_call(client, model.name, params, context.get(_CALL, {}))
        return before_call

    # -- the calls ---------------------------------------------------------------------

    def before_call(self, client: Any, operation: str, request: dict[str, Any],
                    call: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]] | None:
        """Check, hold or refuse one S3 call; a returned response means it is not sent."""
        if operation == "PutObject":
            self._check_put(request, call)
            return None
        if operation == "CreateMultipartUpload":
            return self._create(call)
        upload_id = str(call.get("UploadId", ""))
        if upload_id in self._releasing:
            return None  # a part, the Complete or the Abort of an allowed upload
        if operation == "UploadPart":
            return self._hold_part(upload_id, request, call)
        if operation == "CompleteMultipartUpload":
            return self._complete(client, upload_id, call)
        if operation == "AbortMultipartUpload":
            return self._abort(upload_id)
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

    def _check_put(self, request: dict[str, Any], call: dict[str, Any]) -> None:
        body = request.get("body")
        key, media_type = call.get("Key"), call.get("ContentType")
        if self.gate.passes_unchecked(media_type):
            return  # a type the caller chose to let through (pass_through)
        if not body:
            return  # no body (a "folder/" marker): not a byte to publish
        if isinstance(body, (bytes, bytearray)):
            decision = self._check(Borrowed(_BytesReader(body), key), media_type, key)
        elif hasattr(body, "seekable") and body.seekable():
            start = body.tell()
            if body.seek(0, os.SEEK_END) == start:
                body.seek(start)
                return  # an empty body, as above
            body.seek(start)
            try:
                decision = self._check(Borrowed(body, key), media_type, key)
            finally:
                body.seek(start)  # botocore sends it from where the caller left it
        else:
            copy = spooled(body, self.spool_memory)
            decision = self._check(Borrowed(copy, key), media_type, key)
            copy.seek(0)
            request["body"] = copy
        if Gate.blocks(decision):
            raise S3UploadBlocked(decision, "PutObject")

    def _check(self, stream: Any, media_type: str | None, key: str | None) -> Decision:
        return self.gate.check(stream, media_type=media_type, name=key)

    def _create(self, call: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]] | None:
        if getattr(self._starting, "active", False):
            return None  # the real start of an allowed upload
        upload_id = HELD_PREFIX + uuid.uuid4().hex
        held = HeldUpload(dict(call), memory_bytes=self.spool_memory,
                          max_bytes=self._max_bytes)
        with self._lock:
            self._held[upload_id] = held
        answer = {"Bucket": call.get("Bucket"), "Key": call.get("Key"), "UploadId": upload_id}
        if call.get("ChecksumAlgorithm"):
            answer["ChecksumAlgorithm"] = call["ChecksumAlgorithm"]
        return _answer(answer)

    def _hold_part(self, upload_id: str, request: dict[str, Any],
                   call: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
        held = self._held.get(upload_id)
        if held is None:
            raise S3UploadRefused(
                "upload_part: this multipart upload was not started through the guard, so "
                "it cannot be checked as a whole; nothing was sent. Start it with "
                "create_multipart_upload (or upload_file) on the guarded client")
        body: Any = request.get("body")
        start = body.tell() if hasattr(body, "seekable") and body.seekable() else None
        params = {k: v for k, v in call.items() if k not in ("Body", "UploadId")}
        etag = held.add(int(call["PartNumber"]), body, params)
        if start is not None:
            body.seek(start)
        return _answer({"ETag": etag})

    def _complete(self, client: Any, upload_id: str,
                  call: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]] | None:
        with self._lock:
            held = self._held.pop(upload_id, None)
            if held is not None:
                self._settle(upload_id)
        if held is None:
            raise S3UploadRefused(
                "complete_multipart_upload: this upload was not started through the guard "
                "(or was already completed or aborted), so it cannot be checked as a "
                "whole; nothing was sent")
        try:
            numbers = [int(p["PartNumber"])
                       for p in call.get("MultipartUpload", {}).get("Parts", [])]
            if not numbers:
                raise S3UploadRefused("complete_multipart_upload lists no parts; nothing "
                                      "was sent")
            media_type = held.create_params.get("ContentType")
            if not self.gate.passes_unchecked(media_type):
                decision = self._check(held.reader(numbers, held.key), media_type, held.key)
                if Gate.blocks(decision):
                    raise S3UploadBlocked(decision, "multipart upload")
            parsed = release(client, held, call, numbers, start=self._start_for_real(client,
                                                                                     held),
                             threads=self.release_threads, finished=self._releasing.discard)
        finally:
            held.close()
        return _answer(parsed)

    def _start_for_real(self, client: Any, held: HeldUpload) -> Any:
        def start() -> str:
            self._starting.active = True
            try:
                upload_id = str(client.create_multipart_upload(**held.create_params)
                                ["UploadId"])
            finally:
                self._starting.active = False
            self._releasing.add(upload_id)
            return upload_id
        return start

    def _abort(self, upload_id: str) -> tuple[AWSResponse, dict[str, Any]] | None:
        with self._lock:
            held = self._held.pop(upload_id, None)
            settled = held is not None or upload_id in self._settled
            self._settle(upload_id)
        if held is not None:
            held.close()
        if settled or upload_id.startswith(HELD_PREFIX):
            return _answer({}, status=204)  # nothing of it was ever sent
        return None  # an upload started elsewhere: aborting it is always safe

    def _settle(self, upload_id: str) -> None:
        """Remember a finished held upload, so a later Abort of it (s3transfer's
        clean-up after a block) is answered here rather than failing at S3."""
        self._settled[upload_id] = None
        while len(self._settled) > _SETTLED_KEPT:
            self._settled.popitem(last=False)


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


def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """Keep the call's parameters as the caller gave them, for before-call to read (and
    to send again on release: botocore's own handlers rewrite some, SSE-C keys)."""
    context[_CALL] = dict(params)


def _answer(parsed: dict[str, Any], status: int = 200) -> tuple[AWSResponse, dict[str, Any]]:
    """A response botocore takes in place of S3's: the call is answered, nothing sent."""
    metadata = {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}
    parsed = {**parsed, "ResponseMetadata": {**parsed.get("ResponseMetadata", metadata)}}
    return AWSResponse(None, status, {}, None), parsed


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


class _BytesReader:
    def __init__(self, data: bytes | bytearray) -> None:
        self._view, self._at = memoryview(data), 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size < 0 else self._at + size
        data = bytes(self._view[self._at:end])
        self._at += len(data)
        return data
