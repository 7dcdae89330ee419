"""S3 uploads through boto3, checked before they leave: PutObject, multipart uploads,
``upload_file`` and ``upload_fileobj``.

::

    s3 = guardrail_s3.guard_client(boto3.client("s3"), policy="asb-public-web",
                                   destination="public-web")
    s3.upload_file("cases.csv", "open-data", "asb/cases.csv")  # raises S3UploadBlocked

A multipart upload is checked as a whole (the header lives in part 1): its parts are
held on this machine until CompleteMultipartUpload and sent only if the object is
allowed, so a blocked upload leaves nothing in the bucket, not even a pending upload.
See :mod:`guardrail_s3.guard` and :mod:`guardrail_s3.multipart` for how, and
docs/integrations.md for the memory cap.
"""

from __future__ import annotations

import os
from typing import Any

from guardrail import Guardrail
from guardrail_s3.errors import S3UploadBlocked, S3UploadRefused
from guardrail_s3.guard import S3Guard
from guardrail_s3.multipart import HELD_PREFIX

__all__ = ["HELD_PREFIX", "S3Guard", "S3UploadBlocked", "S3UploadRefused", "guard_client",
           "guard_session"]


def guard_client(client: Any, policy: str | os.PathLike[str] | Guardrail,
                 destination: str | None = None, mode: str = "enforce",
                 **options: Any) -> Any:
    """Guard one boto3 S3 client in place and return it.

    :param policy: a :class:`~guardrail.Guardrail`, or a shipped policy's name or file.
    :param destination: where the bucket publishes to; the policy's default when None.
    :param mode: ``enforce`` (a blocked upload raises :class:`S3UploadBlocked` and is
        not sent) or ``audit`` (sent; the after-check hook sees what enforce would do).
        A body that cannot be read is refused in both.
    :param options: :class:`S3Guard`'s (``pass_through``, ``spool_memory``,
        ``release_threads``, ``allow_copies``) and :meth:`~guardrail.Guardrail.check`'s
        (``limits``, ``max_findings``...).
    """
    return S3Guard(policy, destination, mode, **options).attach(client)


def guard_session(session: Any, policy: str | os.PathLike[str] | Guardrail,
                  destination: str | None = None, mode: str = "enforce",
                  **options: Any) -> S3Guard:
    """Guard every S3 client *session* (a ``boto3.Session`` or a botocore session)
    makes from now on; returns the :class:`S3Guard` they share. Clients made before
    the call are not guarded: pass them to :func:`guard_client`."""
    guard = S3Guard(policy, destination, mode, **options)
    events = session.events if hasattr(session, "events") else \
        session.get_component("event_emitter")  # a botocore session

    class GuardedS3Client:
        """Mixed into the session's S3 client classes: guards each new client."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            guard.attach(self)

    def add_guard(base_classes: list[type], **_: Any) -> None:
        base_classes.insert(0, GuardedS3Client)

    events.register("creating-client-class.s3", add_guard,
                    unique_id=f"guardrail-s3-session-{id(guard)}")
    return guard
