"""S3 uploads through boto3 checked before they leave: PutObject, multipart uploads, upload_file.

Work in progress (issue 12)."""
