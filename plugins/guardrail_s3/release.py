"""Sending a held multipart upload once its whole object is allowed.

The real upload is started only now, its parts are sent from the spool (several at a
time, as s3transfer would), and it is completed with the ETags S3 gave. If anything
fails on the way, the real upload is aborted, so no half-finished upload is left.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from guardrail_s3.held import HeldUpload

__all__ = ["release"]

CHECKSUMS = ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1",
             "ChecksumSHA256")


def release(client: Any, held: HeldUpload, complete: dict[str, Any], numbers: list[int], *,
            start: Callable[[], str], threads: int,
            finished: Callable[[str], None]) -> dict[str, Any]:
    """Upload *held* for real and complete it; return CompleteMultipartUpload's response.

    :param complete: the CompleteMultipartUpload call the user made (its other
        parameters, a full-object checksum for one, are kept).
    :param numbers: the part numbers it lists, in order.
    :param start: sends the real CreateMultipartUpload, returns its UploadId (the guard
        lets that one call, and the calls for that id, through).
    :param finished: told the real UploadId once it is completed or aborted.
    """
    bucket, key = held.create_params.get("Bucket"), held.create_params.get("Key")
    upload_id = start()
    try:
        listed = {part["PartNumber"]: part
                  for part in complete.get("MultipartUpload", {}).get("Parts", [])}
        wanted = _checksums_wanted(held.create_params, listed.values())

        def send(number: int) -> dict[str, Any]:
            params = dict(held.part(number).params)
            params.update(UploadId=upload_id, PartNumber=number,
                          Body=held.part_stream(number))
            response = client.upload_part(**params)
            entry = {"PartNumber": number, "ETag": response["ETag"]}
            entry.update({name: response[name] for name in wanted if name in response})
            return entry

        with ThreadPoolExecutor(max_workers=max(1, min(threads, len(numbers)))) as pool:
            parts = list(pool.map(send, numbers))
        params = dict(complete)
        params["UploadId"] = upload_id
        params["MultipartUpload"] = {**complete.get("MultipartUpload", {}), "Parts": parts}
        response: dict[str, Any] = client.complete_multipart_upload(**params)
        return response
    except BaseException:
        with contextlib.suppress(Exception):
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    finally:
        finished(upload_id)


def _checksums_wanted(create: dict[str, Any], listed: Any) -> set[str]:
    """The part checksums Complete must carry: the algorithm the upload was started
    with, and any the caller listed itself (s3transfer does the same)."""
    wanted = {name for part in listed for name in CHECKSUMS if name in part}
    algorithm = create.get("ChecksumAlgorithm")
    if algorithm:
        wanted.add(f"Checksum{str(algorithm).upper()}")
    return wanted
