"""Make the configured storage of files ready: the folder under MEDIA_ROOT, the S3 bucket or
the Azure Blob Storage container, created when missing and never opened to the public."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from partnerships.stored_files import STORAGE_ERRORS


def _local() -> str:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return f"Stored files go to {root}"


def _s3() -> str:
    from botocore.exceptions import ClientError

    bucket = default_storage.bucket
    try:
        default_storage.connection.meta.client.head_bucket(Bucket=bucket.name)
        return f"The bucket {bucket.name} is there"
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
    region = default_storage.region_name
    # us-east-1, the default, is the one region that must not be named.
    named = region and region != "us-east-1"
    options = {"CreateBucketConfiguration": {"LocationConstraint": region}} if named else {}
    bucket.create(ACL="private", **options)
    return f"Created the private bucket {bucket.name}"


def _azure() -> str:
    from azure.core.exceptions import ResourceExistsError

    container = default_storage.azure_container
    try:
        default_storage.service_client.create_container(container)  # private: no public access
    except ResourceExistsError:
        return f"The container {container} is there"
    return f"Created the private container {container}"


class Command(BaseCommand):
    help = "Create the folder, bucket or container that stored files go to, when missing."

    def handle(self, *args, **options):
        prepare = {"local": _local, "s3": _s3, "azure": _azure}[settings.PORTAL_STORAGE]
        try:
            self.stdout.write(prepare())
        except STORAGE_ERRORS as exc:
            raise CommandError(
                f"The {settings.PORTAL_STORAGE} storage is not reachable: {exc}"
            ) from exc
