"""What a guarded S3 client raises instead of sending an upload."""

from __future__ import annotations

from guardrail import Decision, PublishBlocked, UsageError

__all__ = ["S3UploadBlocked", "S3UploadRefused"]


class S3UploadBlocked(PublishBlocked):
    """An upload held back by the policy, or one that could not be read: nothing of it
    reached the bucket, not even a part of a multipart upload.

    ``decision`` says why (masked findings, or why it could not be read);
    ``operation`` is the S3 call that was not sent (``PutObject``,
    ``CompleteMultipartUpload``).
    """

    def __init__(self, decision: Decision, operation: str) -> None:
        super().__init__(decision)
        self.operation = operation
        self.message = (f"{decision.summary()}. The {operation} was not sent: nothing "
                        "reached the bucket")
        self.args = (self.message,)


class S3UploadRefused(UsageError):
    """A call the guard cannot check, refused before it is sent: a copy made inside S3
    (the bytes never pass through this client), or a part of a multipart upload the
    guard did not start (it could not be checked as a whole)."""
