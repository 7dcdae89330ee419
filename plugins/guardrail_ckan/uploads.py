"""What a CKAN resource uploads, and guardrail's verdict on it; no CKAN import here.

CKAN hands an upload over as ``resource["upload"]``: a werkzeug ``FileStorage`` in CKAN
2.9+ under Flask (``.stream``), a ``cgi.FieldStorage`` under Pylons (``.file``). The
file is checked where it stands and rewound, so CKAN then stores every byte of it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from guardrail import Decision, Gate, UsageError

__all__ = ["Upload", "uploaded", "judge", "gate_from_config", "UNREADABLE"]

UNREADABLE = ("guardrail could not read this upload (it is not a file CKAN sent); "
              "upload the file again")


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its (seekable) stream, file name and declared media type."""

    stream: IO[bytes]
    filename: str | None
    media_type: str | None


def uploaded(resource: Mapping[str, Any]) -> Upload | None:
    """The file *resource* uploads, or None when it uploads none (a link to a URL, an
    empty file field). Raises ValueError for an ``upload`` that is not a file."""
    upload = resource.get("upload")
    if upload is None or upload == "" or upload is False:
        return None
    if isinstance(upload, (bytes, bytearray)):
        return Upload(io.BytesIO(bytes(upload)), None, None)
    attribute = "stream" if getattr(upload, "stream", None) is not None else "file"
    stream = getattr(upload, attribute, None)
    if stream is None or not hasattr(stream, "read"):
        raise ValueError(UNREADABLE)
    if not getattr(stream, "seekable", lambda: False)():
        # CKAN spools uploads to a seekable file; any other stream is read whole and
        # put back as one, so the uploader still gets every byte after the check.
        stream = io.BytesIO(stream.read())
        setattr(upload, attribute, stream)
    media_type = getattr(upload, "mimetype", None) or getattr(upload, "type", None)
    return Upload(stream, getattr(upload, "filename", None) or None, media_type)


def judge(gate: Gate, upload: Upload) -> Decision:
    """Check *upload* and leave its stream at its start for CKAN's uploader.

    The file name's extension decides the format before the declared media type, which
    browsers guess (a CSV is often sent as ``application/vnd.ms-excel``)."""
    stream = upload.stream
    start = stream.tell()
    form = gate.format_of(name=upload.filename) or gate.format_of(upload.media_type)
    try:
        return gate.check(_Borrowed(stream, upload.filename), media_type=upload.media_type,
                          name=upload.filename, format=form)
    finally:
        stream.seek(start)


class _Borrowed(io.RawIOBase):
    """The upload's stream lent to guardrail, which closes what it reads: closing this
    leaves CKAN's file open for its uploader."""

    def __init__(self, stream: IO[bytes], name: str | None) -> None:
        super().__init__()
        self._stream = stream
        if name:
            self.name = name  # what reports call it, screened like any file name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()


def gate_from_config(config: Mapping[str, Any]) -> Gate:
    """The gate the ``ckan.guardrail.*`` keys describe (``policy`` required)."""
    policy = config.get("ckan.guardrail.policy")
    if not policy:
        raise UsageError("set ckan.guardrail.policy in the CKAN config file: a shipped "
                         "policy's name (uk-content-scan) or a policy file")
    return Gate(policy, config.get("ckan.guardrail.destination") or None,
                config.get("ckan.guardrail.mode") or "enforce")
