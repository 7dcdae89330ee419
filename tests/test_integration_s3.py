"""S3 uploads through a guarded boto3 client, against moto's S3 server on loopback.

A real HTTP S3 endpoint, a real boto3 client and s3transfer's real multipart path: a
blocked upload leaves nothing in the bucket and no pending multipart upload, and no
request carrying its bytes ever went over the wire (the client's ``before-send`` event,
emitted for every request that is about to be sent, is recorded to prove it).
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from boto3.s3.transfer import TransferConfig  # noqa: E402
from guardrail_s3 import (  # noqa: E402
    HELD_PREFIX,
    S3UploadBlocked,
    S3UploadRefused,
    guard_client,
    guard_session,
)

import guardrail  # noqa: E402
from guardrail import Guardrail, Limits, PublishBlocked, hookimpl  # noqa: E402

ROOT = Path(__file__).parent.parent
LEAKY_CSV = (ROOT / "examples" / "asb-export-leaky.csv").read_bytes()
CLEAN_CSV = (ROOT / "examples" / "asb-export-clean.csv").read_bytes()
EXAMPLE = ROOT / "examples" / "integrations" / "s3_upload.py"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
               "region_name": "us-east-1"}
MB = 1024 * 1024
PARTS = TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB)

# ~12 MB of published ASB statistics: three 5 MB parts. In the leaky one the header
# (part 1) names a complainant_name column and the only name is in the last row (part
# 3): neither part alone shows the leak.
ROW = b"2026-08,Environmental,Adeyfield East,E01023646,Dacorum 012A,No further action"
ROWS = 12 * MB // (len(ROW) + 2)
BIG_CLEAN = b"month,category,ward,lsoa_code,lsoa_name,outcome\n" + (ROW + b"\n") * ROWS
BIG_LEAKY = (b"month,category,ward,lsoa_code,lsoa_name,outcome,complainant_name\n"
             + (ROW + b",\n") * ROWS + ROW + b",Resident 4471\n")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)


@pytest.fixture
def bucket(endpoint: str) -> str:
    name = f"pub-{uuid.uuid4().hex[:16]}"
    client(endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def plain(endpoint: str) -> Any:
    """An unguarded client: how the tests look into the bucket."""
    return client(endpoint)


class Wire:
    """The operations a client really sent over HTTP (botocore's before-send event)."""

    def __init__(self, s3: Any) -> None:
        self.sent: list[str] = []
        s3.meta.events.register("before-send.s3", self._record)

    def _record(self, event_name: str, **_: Any) -> None:
        self.sent.append(event_name.rsplit(".", 1)[1])


class Listener:
    """An after-check hook plugin, as a decision log would be."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    @hookimpl
    def guardrail_after_check(self, context: Any, decision: guardrail.Decision) -> None:
        self.seen.append((context.mode, decision.verdict, decision.blocking_count))


@pytest.fixture
def policy() -> Iterator[tuple[Guardrail, Listener]]:
    guard = Guardrail.from_policy("asb-public-web")
    listener = Listener()
    name = f"listener-{uuid.uuid4().hex}"
    guard.registry.pm.register(listener, name=name)
    yield guard, listener
    guard.registry.pm.unregister(name=name)


def guarded(endpoint: str, policy: Guardrail, mode: str = "enforce", **options: Any) -> Any:
    return guard_client(client(endpoint), policy=policy, destination="public-web",
                        mode=mode, **options)


def keys(plain: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in plain.list_objects_v2(Bucket=bucket).get("Contents", [])]


def pending(plain: Any, bucket: str) -> list[Any]:
    return plain.list_multipart_uploads(Bucket=bucket).get("Uploads", [])


def body(plain: Any, bucket: str, key: str) -> bytes:
    return plain.get_object(Bucket=bucket, Key=key)["Body"].read()


def assert_masked(error: BaseException, *raw: str) -> None:
    text = str(error) + repr(error.args)
    for value in raw:
        assert value not in text


# -- PutObject -------------------------------------------------------------------------

def test_a_leaky_put_object_is_blocked_and_never_sent(endpoint, bucket, plain, policy) -> None:
    guard, listener = policy
    s3 = guarded(endpoint, guard)
    wire = Wire(s3)
    with pytest.raises(S3UploadBlocked) as blocked:
        s3.put_object(Bucket=bucket, Key="asb/cases.csv", Body=LEAKY_CSV,
                      ContentType="text/csv")
    error = blocked.value
    assert isinstance(error, PublishBlocked) and error.operation == "PutObject"
    assert str(error) == ("BLOCKED: 305 findings may not go to 'public-web' (fields: "
                          "case_ref, complainant_address, complainant_name, notes, postcode). "
                          "The PutObject was not sent: nothing reached the bucket")
    first = next(f for f in error.decision.findings if f.field == "complainant_name")
    assert (first.file, first.record, first.rule, first.evidence, first.position) == \
        ("asb/cases.csv", 0, "uk.field.person_name", "D***** H*****", "line 2")
    assert_masked(error, "Daniel", "Hughes", "Galley Hill")
    assert wire.sent == [] and keys(plain, bucket) == []
    assert listener.seen == [("enforce", "block", 305)]


def test_a_clean_put_object_arrives_byte_identical(endpoint, bucket, plain, policy) -> None:
    guard, listener = policy
    s3 = guarded(endpoint, guard)
    s3.put_object(Bucket=bucket, Key="asb/cases.csv", Body=CLEAN_CSV)
    assert body(plain, bucket, "asb/cases.csv") == CLEAN_CSV
    assert listener.seen == [("enforce", "allow", 0)]
    s3.put_object(Bucket=bucket, Key="asb/")  # a "folder": no body, nothing to check
    assert keys(plain, bucket) == ["asb/", "asb/cases.csv"] and len(listener.seen) == 1


def test_a_stream_body_is_checked_and_still_sent_whole(endpoint, bucket, plain, policy,
                                                       tmp_path) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    (tmp_path / "clean.csv").write_bytes(CLEAN_CSV)
    (tmp_path / "leaky.csv").write_bytes(LEAKY_CSV)
    with open(tmp_path / "clean.csv", "rb") as stream:
        s3.put_object(Bucket=bucket, Key="clean.csv", Body=stream)
        assert not stream.closed  # the check borrowed it; the caller still owns it
    assert body(plain, bucket, "clean.csv") == CLEAN_CSV
    with open(tmp_path / "leaky.csv", "rb") as stream, pytest.raises(S3UploadBlocked):
        s3.put_object(Bucket=bucket, Key="leaky.csv", Body=stream)
    assert keys(plain, bucket) == ["clean.csv"]


class OneWay(io.RawIOBase):
    """A stream that cannot be rewound (a pipe, a socket)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


def test_a_stream_that_cannot_be_rewound_is_checked_from_a_spool(endpoint, bucket, plain,
                                                                 policy) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard, spool_memory=1024)  # past 1 KiB: a temporary file
    s3.put_object(Bucket=bucket, Key="clean.csv", Body=OneWay(CLEAN_CSV))
    assert body(plain, bucket, "clean.csv") == CLEAN_CSV
    with pytest.raises(S3UploadBlocked):
        s3.put_object(Bucket=bucket, Key="leaky.csv", Body=OneWay(LEAKY_CSV))
    assert keys(plain, bucket) == ["clean.csv"]


def test_a_key_that_names_someone_is_not_shown(endpoint, bucket, plain, policy) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    with pytest.raises(S3UploadBlocked) as blocked:
        s3.put_object(Bucket=bucket, Key="complaints/Daniel Hughes.csv", Body=LEAKY_CSV)
    assert blocked.value.decision.findings[0].file == "<payload 1>"
    assert_masked(blocked.value, "Daniel", "Hughes")
    assert keys(plain, bucket) == []


# -- multipart: upload_file, upload_fileobj, the low-level calls ----------------------

def test_a_leaky_multipart_upload_leaves_nothing_not_even_a_pending_upload(
        endpoint, bucket, plain, policy, tmp_path) -> None:
    guard, listener = policy
    s3 = guarded(endpoint, guard)
    wire = Wire(s3)
    path = tmp_path / "cases.csv"
    path.write_bytes(BIG_LEAKY)
    with pytest.raises(S3UploadBlocked) as blocked:
        s3.upload_file(str(path), bucket, "asb/cases.csv", Config=PARTS)
    error = blocked.value
    assert error.operation == "multipart upload"
    assert [(f.file, f.record, f.field, f.rule, f.evidence, f.position)
            for f in error.decision.findings] == \
        [("asb/cases.csv", ROWS, "complainant_name", "uk.field.person_name",
          "R******* ****", f"line {ROWS + 2}")]
    assert_masked(error, "Resident", "4471")
    assert keys(plain, bucket) == [] and pending(plain, bucket) == []
    assert wire.sent == []  # not one part went over the wire
    assert listener.seen == [("enforce", "block", 1)]


def test_held_parts_wait_on_disk_not_in_memory(endpoint, bucket, plain, policy,
                                              tmp_path) -> None:
    import tracemalloc

    guard, _ = policy
    s3 = guarded(endpoint, guard)
    path = tmp_path / "cases.csv"
    path.write_bytes(BIG_LEAKY)
    guard.check(LEAKY_CSV, format="csv")  # the detectors' name lists load once, first
    tracemalloc.start()
    try:
        with pytest.raises(S3UploadBlocked):
            s3.upload_file(str(path), bucket, "asb/cases.csv", Config=PARTS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * MB  # 12 MB held and checked whole (about 3.3 MB measured)


def test_a_clean_multipart_upload_arrives_byte_identical(endpoint, bucket, plain, policy,
                                                         tmp_path) -> None:
    guard, listener = policy
    s3 = guarded(endpoint, guard)
    wire = Wire(s3)
    path = tmp_path / "cases.csv"
    path.write_bytes(BIG_CLEAN)
    s3.upload_file(str(path), bucket, "asb/cases.csv", Config=PARTS)
    assert body(plain, bucket, "asb/cases.csv") == BIG_CLEAN
    etag = plain.head_object(Bucket=bucket, Key="asb/cases.csv")["ETag"]
    assert etag.endswith('-3"')  # sent as the three parts s3transfer made
    assert sorted(wire.sent) == ["CompleteMultipartUpload", "CreateMultipartUpload",
                                 "UploadPart", "UploadPart", "UploadPart"]
    assert pending(plain, bucket) == []
    assert listener.seen == [("enforce", "allow", 0)]


def test_upload_fileobj_is_checked_as_a_whole(endpoint, bucket, plain, policy) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    with pytest.raises(S3UploadBlocked):
        s3.upload_fileobj(io.BytesIO(BIG_LEAKY), bucket, "leaky.csv", Config=PARTS)
    s3.upload_fileobj(io.BytesIO(BIG_CLEAN), bucket, "clean.csv", Config=PARTS)
    small = io.BytesIO(CLEAN_CSV)
    s3.upload_fileobj(small, bucket, "small.csv", Config=PARTS)  # one PutObject
    assert keys(plain, bucket) == ["clean.csv", "small.csv"]
    assert body(plain, bucket, "clean.csv") == BIG_CLEAN
    assert body(plain, bucket, "small.csv") == CLEAN_CSV
    assert pending(plain, bucket) == []


def test_the_low_level_calls_hold_parts_until_complete(endpoint, bucket, plain,
                                                       policy) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    header, rest = BIG_LEAKY[:6 * MB], BIG_LEAKY[6 * MB:]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="cases.csv",
                                        ContentType="text/csv")["UploadId"]
    assert upload.startswith(HELD_PREFIX) and pending(plain, bucket) == []
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="cases.csv",
                                                      UploadId=upload, PartNumber=n,
                                                      Body=data)["ETag"]}
             for n, data in ((1, header), (2, rest))]
    assert pending(plain, bucket) == []
    with pytest.raises(S3UploadBlocked):
        s3.complete_multipart_upload(Bucket=bucket, Key="cases.csv", UploadId=upload,
                                     MultipartUpload={"Parts": parts})
    s3.abort_multipart_upload(Bucket=bucket, Key="cases.csv", UploadId=upload)  # no error
    assert keys(plain, bucket) == [] and pending(plain, bucket) == []

    # the same object without the name, its parts sent out of order: allowed, whole
    clean = BIG_LEAKY.replace(b"Resident 4471", b"")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="cases.csv")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="cases.csv",
                                                      UploadId=upload, PartNumber=n,
                                                      Body=data)["ETag"]}
             for n, data in ((2, clean[6 * MB:]), (1, clean[:6 * MB]))]
    answer = s3.complete_multipart_upload(Bucket=bucket, Key="cases.csv", UploadId=upload,
                                          MultipartUpload={"Parts": sorted(
                                              parts, key=lambda p: p["PartNumber"])})
    assert answer["Key"] == "cases.csv"
    assert body(plain, bucket, "cases.csv") == clean


def test_an_allowed_upload_that_fails_on_the_way_is_aborted_at_s3(endpoint, bucket, plain,
                                                                  policy, tmp_path) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    wire = Wire(s3)

    def lose_part_two(request: Any, **_: Any) -> None:
        if "partNumber=2" in request.url:
            raise ConnectionError("the network went away")
    s3.meta.events.register("before-send.s3.UploadPart", lose_part_two)
    path = tmp_path / "cases.csv"
    path.write_bytes(BIG_CLEAN)
    with pytest.raises(ConnectionError):
        s3.upload_file(str(path), bucket, "asb/cases.csv", Config=PARTS)
    assert "CreateMultipartUpload" in wire.sent and "AbortMultipartUpload" in wire.sent
    assert keys(plain, bucket) == [] and pending(plain, bucket) == []


def test_an_aborted_held_upload_sends_nothing(endpoint, bucket, plain, policy) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    wire = Wire(s3)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="cases.csv")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="cases.csv", UploadId=upload, PartNumber=1,
                   Body=LEAKY_CSV)
    s3.abort_multipart_upload(Bucket=bucket, Key="cases.csv", UploadId=upload)
    with pytest.raises(S3UploadRefused, match="not started through the guard"):
        s3.complete_multipart_upload(Bucket=bucket, Key="cases.csv", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1,
                                                                 "ETag": '"x"'}]})
    assert wire.sent == [] and pending(plain, bucket) == []


def test_upload_file_never_takes_the_crt_client_that_would_bypass_the_guard(
        endpoint, bucket, plain, policy, tmp_path) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    path = tmp_path / "cases.csv"
    path.write_bytes(LEAKY_CSV)
    crt = TransferConfig(preferred_transfer_client="crt")
    with pytest.raises(S3UploadBlocked):  # the classic client, whose events are guarded
        s3.upload_file(str(path), bucket, "a.csv", None, None, crt)
    with pytest.raises(S3UploadBlocked):
        s3.upload_file(str(path), bucket, "b.csv", Config=crt)
    assert crt.preferred_transfer_client == "crt"  # the caller's config is not changed
    assert keys(plain, bucket) == []


# -- audit mode -------------------------------------------------------------------------

def test_audit_mode_lets_both_through_and_the_hook_sees_the_would_be_blocks(
        endpoint, bucket, plain, policy, tmp_path) -> None:
    guard, listener = policy
    s3 = guarded(endpoint, guard, mode="audit")
    s3.put_object(Bucket=bucket, Key="small.csv", Body=LEAKY_CSV)
    path = tmp_path / "cases.csv"
    path.write_bytes(BIG_LEAKY)
    s3.upload_file(str(path), bucket, "big.csv", Config=PARTS)
    s3.put_object(Bucket=bucket, Key="clean.csv", Body=CLEAN_CSV)
    assert body(plain, bucket, "small.csv") == LEAKY_CSV
    assert body(plain, bucket, "big.csv") == BIG_LEAKY
    assert body(plain, bucket, "clean.csv") == CLEAN_CSV
    assert listener.seen == [("audit", "block", 305), ("audit", "block", 1),
                             ("audit", "allow", 0)]


# -- what cannot be read or checked is refused -----------------------------------------

@pytest.mark.parametrize("mode", ["enforce", "audit"])
def test_an_unreadable_body_is_refused_in_both_modes(endpoint, bucket, plain, policy,
                                                     mode) -> None:
    guard, listener = policy
    s3 = guarded(endpoint, guard, mode=mode)
    with pytest.raises(S3UploadBlocked) as blocked:
        s3.put_object(Bucket=bucket, Key="cases", Body=b'{"month": "2026-08", ',
                      ContentType="application/json")
    assert blocked.value.decision.exit_code == 3
    assert str(blocked.value).startswith("BLOCKED: <payload 1> could not be checked: not "
                                         "valid JSON: the document ends too early")
    with pytest.raises(S3UploadBlocked) as blocked:
        s3.put_object(Bucket=bucket, Key="cases.csv", Body=bytes(range(256)) * 64)
    assert blocked.value.decision.errors[0].error == (
        "line 1: content is not valid utf-8 text; pass --encoding with the right encoding "
        "or fix the export")
    with pytest.raises(S3UploadBlocked):  # a format nothing reads, in parts
        s3.upload_fileobj(io.BytesIO(os.urandom(6 * MB)), bucket, "scan.bin", Config=PARTS)
    assert keys(plain, bucket) == [] and pending(plain, bucket) == []
    assert [seen[1] for seen in listener.seen] == ["block"] * 3


def test_an_upload_over_the_size_limit_is_refused_before_any_part_leaves(
        endpoint, bucket, plain, policy) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard, limits=Limits(max_file_bytes=8 * MB))
    with pytest.raises(S3UploadBlocked) as blocked:
        s3.upload_fileobj(io.BytesIO(BIG_CLEAN), bucket, "cases.csv", Config=PARTS)
    assert "exceeds the file size limit of 8,388,608 bytes" in str(blocked.value)
    unchecked = guarded(endpoint, guard, limits=Limits(max_file_bytes=8 * MB),
                        pass_through=["video/*"])
    with pytest.raises(S3UploadRefused, match="larger than the size limit of 8,388,608"):
        unchecked.upload_fileobj(io.BytesIO(BIG_CLEAN), bucket, "film.mp4", Config=PARTS,
                                 ExtraArgs={"ContentType": "video/mp4"})
    assert keys(plain, bucket) == [] and pending(plain, bucket) == []


def test_copies_inside_s3_are_refused_unless_allowed(endpoint, bucket, plain,
                                                     policy) -> None:
    guard, _ = policy
    plain.put_object(Bucket=bucket, Key="private/cases.csv", Body=LEAKY_CSV)
    s3 = guarded(endpoint, guard)
    with pytest.raises(S3UploadRefused, match="copy_object copies bytes inside S3"):
        s3.copy_object(Bucket=bucket, Key="public/cases.csv",
                       CopySource={"Bucket": bucket, "Key": "private/cases.csv"})
    assert keys(plain, bucket) == ["private/cases.csv"]
    trusting = guarded(endpoint, guard, allow_copies=True)
    trusting.copy_object(Bucket=bucket, Key="public/cases.csv",
                         CopySource={"Bucket": bucket, "Key": "private/cases.csv"})
    assert keys(plain, bucket) == ["private/cases.csv", "public/cases.csv"]


def test_an_append_and_an_object_lambda_answer_are_guarded_too(endpoint, bucket, plain,
                                                                policy) -> None:
    guard, _ = policy
    s3 = guarded(endpoint, guard)
    wire = Wire(s3)
    with pytest.raises(S3UploadRefused, match="appends to an object already in S3"):
        s3.put_object(Bucket=bucket, Key="cases.csv", Body=CLEAN_CSV, WriteOffsetBytes=10)
    with pytest.raises(S3UploadBlocked) as blocked:
        s3.write_get_object_response(RequestRoute="io-1", RequestToken="token",
                                     Body=LEAKY_CSV, ContentType="text/csv")
    assert blocked.value.operation == "WriteGetObjectResponse"
    assert wire.sent == [] and keys(plain, bucket) == []


def test_parts_of_an_upload_the_guard_did_not_start_are_refused(endpoint, bucket, plain,
                                                               policy) -> None:
    guard, _ = policy
    upload = plain.create_multipart_upload(Bucket=bucket, Key="cases.csv")["UploadId"]
    s3 = guarded(endpoint, guard)
    with pytest.raises(S3UploadRefused, match="was not started through the guard"):
        s3.upload_part(Bucket=bucket, Key="cases.csv", UploadId=upload, PartNumber=1,
                       Body=LEAKY_CSV)
    assert plain.list_parts(Bucket=bucket, Key="cases.csv", UploadId=upload) \
        .get("Parts", []) == []
    s3.abort_multipart_upload(Bucket=bucket, Key="cases.csv", UploadId=upload)
    assert pending(plain, bucket) == []


def test_pass_through_types_are_sent_unchecked(endpoint, bucket, plain, policy) -> None:
    guard, listener = policy
    s3 = guarded(endpoint, guard, pass_through=["image/*"])
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    s3.put_object(Bucket=bucket, Key="logo.png", Body=picture, ContentType="image/png")
    assert body(plain, bucket, "logo.png") == picture and listener.seen == []
    photo = os.urandom(6 * MB)  # in two parts
    s3.upload_fileobj(io.BytesIO(photo), bucket, "photo.png", Config=PARTS,
                      ExtraArgs={"ContentType": "image/png"})
    assert body(plain, bucket, "photo.png") == photo and listener.seen == []


# -- a whole session -------------------------------------------------------------------

def test_every_client_of_a_guarded_session_is_guarded(endpoint, bucket, plain, policy,
                                                      tmp_path) -> None:
    guard, listener = policy
    session = boto3.Session(**CREDENTIALS)
    shared = guard_session(session, policy=guard, destination="public-web")
    s3 = session.client("s3", endpoint_url=endpoint)
    resource_bucket = session.resource("s3", endpoint_url=endpoint).Bucket(bucket)
    with pytest.raises(S3UploadBlocked):
        s3.put_object(Bucket=bucket, Key="a.csv", Body=LEAKY_CSV)
    path = tmp_path / "cases.csv"
    path.write_bytes(BIG_LEAKY)
    with pytest.raises(S3UploadBlocked):
        resource_bucket.upload_file(str(path), "b.csv", Config=PARTS)
    resource_bucket.put_object(Key="clean.csv", Body=CLEAN_CSV)
    assert s3._guardrail_s3 is shared
    assert keys(plain, bucket) == ["clean.csv"] and pending(plain, bucket) == []
    assert [seen[1] for seen in listener.seen] == ["block", "block", "allow"]


def test_a_botocore_session_can_be_guarded_too(endpoint, bucket, plain, policy) -> None:
    import botocore.session

    guard, _ = policy
    session = botocore.session.get_session()
    guard_session(session, policy=guard, destination="public-web")
    s3 = session.create_client("s3", endpoint_url=endpoint, **CREDENTIALS)
    with pytest.raises(S3UploadBlocked):
        s3.put_object(Bucket=bucket, Key="a.csv", Body=LEAKY_CSV)
    assert keys(plain, bucket) == []


# -- the example in docs/integrations.md ----------------------------------------------

def test_the_documented_example_uploads_only_what_may_be_published(
        endpoint, bucket, plain, tmp_path) -> None:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("AWS_PROFILE", None)

    def run(data: bytes, key: str) -> subprocess.CompletedProcess[str]:
        path = tmp_path / key
        path.write_bytes(data)
        return subprocess.run([sys.executable, str(EXAMPLE), str(path), bucket, key],
                              capture_output=True, text=True, timeout=300, env=env)

    leaky = run(BIG_LEAKY, "leaky.csv")
    assert leaky.returncode == 1, leaky.stderr
    assert leaky.stdout == ("BLOCKED: 1 finding may not go to 'public-web' (fields: "
                            "complainant_name). The multipart upload was not sent: nothing "
                            "reached the bucket\n")
    assert "Resident" not in leaky.stdout + leaky.stderr
    clean = run(CLEAN_CSV, "clean.csv")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == f"uploaded s3://{bucket}/clean.csv\n"
    assert keys(plain, bucket) == ["clean.csv"] and pending(plain, bucket) == []
    assert body(plain, bucket, "clean.csv") == CLEAN_CSV
