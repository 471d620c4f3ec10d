"""A real S3-compatible server for tests: moto's standalone server on 127.0.0.1, one per test session.

Each test gets a bucket of its own (`s3_bucket`) and the STORAGES setting that points default_storage at it,
exactly as MEDIA_STORAGE=s3 builds it in backend/settings.py.
"""

import os
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest

from tests.browser.server import free_port, serving

# moto accepts any credentials; these only have to be the same on both sides.
ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"
REGION = "ap-southeast-3"  # Jakarta


@contextmanager
def moto_server(log: Path, *, host: str = "127.0.0.1"):
    """Run moto's S3 server on a free port of `host` until the block ends; yields its endpoint URL."""
    command = [sys.executable, "-m", "moto.server", "-H", host, "-p", str(port := free_port())]
    with serving(command, dict(os.environ), port=port, log=log, name="moto", host=host, ready_path="/moto-api/") as url:
        yield url


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def new_bucket(endpoint: str) -> str:
    name = f"aspirasi-{uuid.uuid4().hex[:12]}"
    client(endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def object_names(endpoint: str, bucket: str) -> list[str]:
    listing = client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def storage_env(endpoint: str, bucket: str, **extra: str) -> dict[str, str]:
    """The environment of a process whose photos go to `bucket`."""
    return {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_ADDRESSING_STYLE": "path",
        **extra,
    }


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint
