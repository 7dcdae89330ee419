"""The multipart uploads a guard holds: answered locally, judged whole at Complete.

CreateMultipartUpload and UploadPart never reach S3: the guard answers them with an
upload id and ETags of its own (:data:`HELD_PREFIX`) and keeps the parts
(:class:`~guardrail_s3.held.HeldUpload`). CompleteMultipartUpload checks the whole
object; only an allowed one is started and sent for real
(:func:`~guardrail_s3.release.release`), and the calls of that real upload are let
through. Parts of an upload the guard did not start are refused: it could not judge
the object whole.
"""

from __future__ import annotations

import collections
import threading
import uuid
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse

from guardrail import Decision
from guardrail_s3.errors import S3UploadBlocked, S3UploadRefused
from guardrail_s3.held import HeldUpload
from guardrail_s3.release import release

__all__ = ["HELD_PREFIX", "Answer", "HeldUploads", "answer"]

HELD_PREFIX = "guardrail-held-"  # the upload ids the guard answers with
_SETTLED_KEPT = 4096

Answer = tuple[AWSResponse, dict[str, Any]]
# Judges a whole object: (its stream, media type, key) -> the decision when it must be
# held back, else None.
Judge = Callable[[Any, "str | None", "str | None"], "Decision | None"]


def answer(parsed: dict[str, Any], status: int = 200) -> Answer:
    """A response botocore takes in place of S3's (a ``before-call`` handler returns
    it): the call is answered and nothing is sent."""
    metadata = {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}
    parsed = {**parsed, "ResponseMetadata": {**parsed.get("ResponseMetadata", metadata)}}
    return AWSResponse(None, status, {}, None), parsed


class HeldUploads:
    """Every multipart upload one guard holds, across the clients it guards.

    :param memory_bytes: of each upload's spool kept in memory.
    :param max_bytes: of an upload stored at most (the check then refuses it).
    :param release_threads: parts sent at a time once an upload is allowed.
    """

    def __init__(self, *, memory_bytes: int, max_bytes: int, release_threads: int) -> None:
        self._memory_bytes, self._max_bytes = memory_bytes, max_bytes
        self._release_threads = release_threads
        self._held: dict[str, HeldUpload] = {}
        self._settled: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._releasing: set[str] = set()
        self._starting = threading.local()
        self._lock = threading.Lock()

    def is_releasing(self, upload_id: str) -> bool:
        """Is *upload_id* a real upload the guard is sending (its calls go through)?"""
        return upload_id in self._releasing

    def create(self, call: dict[str, Any]) -> Answer | None:
        if getattr(self._starting, "active", False):
            return None  # the real start of an allowed upload
        upload_id = HELD_PREFIX + uuid.uuid4().hex
        held = HeldUpload(dict(call), memory_bytes=self._memory_bytes,
                          max_bytes=self._max_bytes)
        with self._lock:
            self._held[upload_id] = held
        answered = {"Bucket": call.get("Bucket"), "Key": call.get("Key"),
                    "UploadId": upload_id}
        if call.get("ChecksumAlgorithm"):
            answered["ChecksumAlgorithm"] = call["ChecksumAlgorithm"]
        return answer(answered)

    def part(self, upload_id: str, body: Any, call: dict[str, Any]) -> Answer:
        held = self._held.get(upload_id)
        if held is None:
            raise S3UploadRefused(
                "upload_part: this multipart upload was not started through the guard, so "
                "it cannot be checked as a whole; nothing was sent. Start it with "
                "create_multipart_upload (or upload_file) on the guarded client")
        start = body.tell() if hasattr(body, "seekable") and body.seekable() else None
        params = {k: v for k, v in call.items() if k not in ("Body", "UploadId")}
        etag = held.add(int(call["PartNumber"]), body, params)
        if start is not None:
            body.seek(start)  # as if it had been sent
        return answer({"ETag": etag})

    def complete(self, client: Any, upload_id: str, call: dict[str, Any],
                 judge: Judge) -> Answer:
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
            decision = judge(held.reader(numbers, held.key),
                             held.create_params.get("ContentType"), held.key)
            if decision is not None:
                raise S3UploadBlocked(decision, "multipart upload")
            if held.truncated:  # let through unchecked (pass_through), but not kept whole
                raise S3UploadRefused(
                    f"the multipart upload is larger than the size limit of "
                    f"{self._max_bytes:,} bytes, so it was not kept whole; nothing was "
                    "sent. Raise it with limits=guardrail.Limits(max_file_bytes=...)")
            parsed = release(client, held, call, numbers, start=self._start(client, held),
                             threads=self._release_threads,
                             finished=self._releasing.discard)
        finally:
            held.close()
        return answer(parsed)

    def abort(self, upload_id: str) -> Answer | None:
        with self._lock:
            held = self._held.pop(upload_id, None)
            settled = held is not None or upload_id in self._settled
            self._settle(upload_id)
        if held is not None:
            held.close()
        if settled or upload_id.startswith(HELD_PREFIX):
            return answer({}, status=204)  # nothing of it was ever sent
        return None  # an upload started elsewhere: aborting it is always safe

    def _start(self, client: Any, held: HeldUpload) -> Callable[[], str]:
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

    def _settle(self, upload_id: str) -> None:
        """Remember a finished held upload, so a later Abort of it (s3transfer's
        clean-up after a block) is answered here rather than failing at S3."""
        self._settled[upload_id] = None
        while len(self._settled) > _SETTLED_KEPT:
            self._settled.popitem(last=False)
