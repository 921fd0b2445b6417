"""PORTAL_STORAGE picks where stored files go: the local disk by default, S3-compatible object
storage or Azure Blob Storage; anything missing is named at start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; django.setup(); "
    "from django.conf import settings; from django.core.files.storage import default_storage; "
    "default_storage._setup(); s = default_storage._wrapped; "
    "print(json.dumps({'class': type(s).__module__ + '.' + type(s).__name__, "
    "'options': settings.STORAGES['default'].get('OPTIONS', {})}))"
)


def settings_with(**variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_S3", "PORTAL_AZ"))}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DJANGO_SECRET_KEY="x" * 50)
    env.pop("PORTAL_STORAGE", None)
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def shown(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_local_disk_by_default():
    found = shown(settings_with())
    assert found["class"] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_s3_with_a_private_bucket_of_its_own():
    found = shown(
        settings_with(
            PORTAL_STORAGE="s3",
            PORTAL_S3_BUCKET="portal-media",
            PORTAL_S3_ENDPOINT_URL="https://minio.example.nhs.uk",
        )
    )
    assert found["class"] == "storages.backends.s3.S3Storage"
    options = found["options"]
    assert options["bucket_name"] == "portal-media"
    assert options["endpoint_url"] == "https://minio.example.nhs.uk"
    assert options["default_acl"] == "private" and options["file_overwrite"] is False


def test_azure_by_connection_string():
    found = shown(
        settings_with(
            PORTAL_STORAGE="azure",
            PORTAL_AZURE_CONTAINER="portal-media",
            PORTAL_AZURE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=a;"
            "AccountKey=a2V5;EndpointSuffix=core.windows.net",
        )
    )
    assert found["class"] == "storages.backends.azure_storage.AzureStorage"
    assert found["options"]["azure_container"] == "portal-media"
    assert found["options"]["overwrite_files"] is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"PORTAL_STORAGE": "dropbox"}, "PORTAL_STORAGE must be local, s3 or azure"),
        ({"PORTAL_STORAGE": "s3"}, "PORTAL_STORAGE=s3 needs PORTAL_S3_BUCKET"),
        ({"PORTAL_STORAGE": "azure"}, "PORTAL_STORAGE=azure needs PORTAL_AZURE_CONTAINER"),
        (
            {"PORTAL_STORAGE": "azure", "PORTAL_AZURE_CONTAINER": "media"},
            "PORTAL_STORAGE=azure needs PORTAL_AZURE_CONNECTION_STRING",
        ),
    ],
)
def test_what_is_missing_is_named(variables, message):
    result = settings_with(**variables)
    assert result.returncode != 0
    assert message in result.stderr
