"""Stored files (documents, disclosure PDFs) read the same way from every storage the portal
may use: the local disk, S3-compatible object storage or Azure Blob Storage (settings,
PORTAL_STORAGE). Nothing here knows where a file lives; it asks the file's storage."""

from azure.core.exceptions import AzureError
from botocore.exceptions import BotoCoreError, ClientError
from django.db.models.fields.files import FieldFile

# What a storage raises when it cannot be reached or fails for the moment: worth a retry.
STORAGE_ERRORS = (OSError, AzureError, BotoCoreError, ClientError)


def stored_file_open(field: FieldFile) -> FieldFile:
    """The stored file, open for reading. FileNotFoundError when it is missing, whatever the
    storage (an object store would only say so on the first read, halfway into a response)."""
    if not field.name or not field.storage.exists(field.name):
        raise FileNotFoundError(field.name)
    return field.open("rb")
