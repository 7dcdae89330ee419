"""Publish a file to an S3 bucket through guardrail: it is uploaded only if allowed.

    python s3_upload.py FILE BUCKET KEY

boto3 finds the credentials and the endpoint as usual (AWS_ENDPOINT_URL names one).
"""

import sys

import boto3
from boto3.s3.transfer import TransferConfig
from guardrail_s3 import guard_client

import guardrail


def publish(path, bucket, key):
    s3 = guard_client(boto3.client("s3"), policy="asb-public-web",
                      destination="public-web")
    # Over 5 MB, upload_file sends the file in parts: guardrail checks it as a whole
    # and sends no part unless the whole file may be published.
    s3.upload_file(path, bucket, key, Config=TransferConfig(multipart_threshold=5 * 2**20))


if __name__ == "__main__":
    path, bucket, key = sys.argv[1:4]
    try:
        publish(path, bucket, key)
        print(f"uploaded s3://{bucket}/{key}")
    except guardrail.PublishBlocked as blocked:
        print(blocked)  # masked: never a value from the file
        sys.exit(1)
