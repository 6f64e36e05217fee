"""Uploaded files: the data dir by default, a private S3-compatible bucket when configured."""

from __future__ import annotations

from claimory.core.file_storage import default_storage_config


def test_files_stay_on_disk_without_a_bucket():
    assert default_storage_config({}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert default_storage_config({"CLAIMORY_S3_BUCKET": "  "})["BACKEND"].endswith(
        "FileSystemStorage")


def test_a_bucket_switches_to_private_s3_storage():
    config = default_storage_config({
        "CLAIMORY_S3_BUCKET": "shop-files", "CLAIMORY_S3_ENDPOINT_URL": "https://s3.example",
        "CLAIMORY_S3_REGION": "us-east-1", "CLAIMORY_S3_PREFIX": "claimory"})
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"] == {
        "bucket_name": "shop-files", "default_acl": "private", "file_overwrite": False,
        "querystring_auth": True, "endpoint_url": "https://s3.example",
        "region_name": "us-east-1", "location": "claimory"}

