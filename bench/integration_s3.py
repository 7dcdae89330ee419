"""Benchmark: what a guarded boto3 client adds to S3 uploads (moto's server on loopback).

    python bench/integration_s3.py [--mb 48] [--repeat 3]

Uploads the same clean CSV with a plain and a guarded client, alternately, and prints
the median wall time of each and the difference, for a small PutObject (the 62-row
example export) and an ``upload_file`` over the multipart threshold (8 MB parts).
Also times ``guardrail.Gate.check`` of the large file alone: a guarded multipart
upload costs about the check plus the upload, since no part leaves before the check.
No target is set for S3 (issue 12); the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import boto3
from boto3.s3.transfer import TransferConfig
from guardrail_s3 import guard_client
from moto.server import ThreadedMotoServer

from guardrail import Gate

ROOT = Path(__file__).parent.parent
ROW = b"2026-08,Environmental,Adeyfield East,E01023646,Dacorum 012A,No further action\n"
HEAD = b"month,category,ward,lsoa_code,lsoa_name,outcome\n"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
               "region_name": "us-east-1"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=48, help="size of the large CSV")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        run(endpoint, args.mb, args.repeat)
    finally:
        server.stop()


def run(endpoint: str, mb: int, repeat: int) -> None:
    plain = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    guarded = guard_client(boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS),
                           policy="asb-public-web", destination="public-web")
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    plain.create_bucket(Bucket=bucket)
    small = (ROOT / "examples" / "asb-export-clean.csv").read_bytes()
    config = TransferConfig(multipart_threshold=8 * 2**20, multipart_chunksize=8 * 2**20)
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "cases.csv"
        big.write_bytes(HEAD + ROW * (mb * 2**20 // len(ROW)))
        cases = {
            "put_object, 62 rows": lambda s3, key: s3.put_object(
                Bucket=bucket, Key=key, Body=small),
            f"upload_file, {mb} MB multipart": lambda s3, key: s3.upload_file(
                str(big), bucket, key, Config=config),
        }
        for label, upload in cases.items():
            times: dict[str, list[float]] = {"plain": [], "guarded": []}
            for s3 in (plain, guarded):  # warm up: connections, the compiled policy
                upload(s3, f"warm/{uuid.uuid4().hex}.csv")
            for _ in range(repeat):
                for name, s3 in (("plain", plain), ("guarded", guarded)):
                    start = time.perf_counter()
                    upload(s3, f"{name}/{uuid.uuid4().hex}.csv")
                    times[name].append(time.perf_counter() - start)
            bare, with_guard = (statistics.median(times[n]) for n in ("plain", "guarded"))
            print(f"{label}: plain {bare * 1000:.1f} ms, guarded {with_guard * 1000:.1f} ms "
                  f"(+{(with_guard - bare) * 1000:.1f} ms, {with_guard / bare:.2f}x)")
        gate = Gate("asb-public-web", "public-web")
        checks = []
        for _ in range(repeat):
            start = time.perf_counter()
            with open(big, "rb") as stream:
                gate.check(stream, name="cases.csv")
            checks.append(time.perf_counter() - start)
        print(f"Gate.check of the {mb} MB file alone: {statistics.median(checks) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
