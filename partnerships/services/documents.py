"""Uploading the project's documents: the written agreement, the project initiation
document and others. Every version is kept; the type is decided by the file's
content, never by its name or the browser's say-so."""

import hashlib
import os
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from accounts.models import User
from partnerships.models import Document, DocumentVersion, Project
from partnerships.selectors import projects as selectors
from partnerships.services.projects import event_record

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx"}

# Documents can still be added after approval (the signed agreement comes then);
# not once the project has ended one way or another.
CLOSED_STATUSES = selectors.CLOSED_TO_DOCUMENTS

WRONG_TYPE = "The selected file must be a PDF, Word (DOCX) or Excel (XLSX) document"
EMPTY = "The selected file is empty"
# [Content_Types].xml is a few kilobytes; refuse to inflate anything much bigger.
MAX_CONTENT_TYPES_BYTES = 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "PORTAL_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def size_label(size: int) -> str:
    """20971520 -> "20 MB", for the limit in messages and hints."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def too_big_message() -> str:
    return f"The selected file must be smaller than {size_label(max_upload_bytes())}"


def detect_content_type(uploaded_file) -> str | None:
    """PDF, DOCX or XLSX by what the bytes are; None for anything else."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return None
            content_types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, ValueError):
        return None
    finally:
        uploaded_file.seek(0)
    if b"wordprocessingml" in content_types and "word/document.xml" in names:
        return DOCX
    if b"spreadsheetml" in content_types and "xl/workbook.xml" in names:
        return XLSX
    return None


def _digest(uploaded_file, limit: int) -> tuple[str, int]:
    """The SHA-256 and size of the file, read in chunks (never whole into memory)."""
    sha256 = hashlib.sha256()
    size = 0
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            raise ValidationError({"file": too_big_message()})
        sha256.update(chunk)
    uploaded_file.seek(0)
    return sha256.hexdigest(), size


def _check_file(uploaded_file) -> tuple[str, str, int]:
    if uploaded_file is None:
        raise ValidationError({"file": "Select a file to upload"})
    limit = max_upload_bytes()
    declared = getattr(uploaded_file, "size", None)
    if declared == 0:
        raise ValidationError({"file": EMPTY})
    if declared is not None and declared > limit:
        raise ValidationError({"file": too_big_message()})
    sha256, size = _digest(uploaded_file, limit)
    if size == 0:
        raise ValidationError({"file": EMPTY})
    content_type = detect_content_type(uploaded_file)
    if content_type is None:
        raise ValidationError({"file": WRONG_TYPE})
    return content_type, sha256, size


def document_upload(
    *,
    project: Project,
    kind: str,
    title: str,
    uploaded_file: UploadedFile,
    actor: User,
    document: Document | None = None,
) -> DocumentVersion:
    """Store a new document, or a new version of ``document``; every version is kept."""
    if not selectors.can_upload_documents(actor, project):
        if project.status in CLOSED_STATUSES:
            raise ValidationError(
                f"Documents cannot be added while the project is "
                f"{project.get_status_display().lower()}"
            )
        raise PermissionDenied("Only the project team can upload documents")
    title = (title or "").strip()
    if document is not None:
        if document.project_id != project.pk:
            raise ValidationError({"document": "Choose one of this project's documents"})
    else:
        if kind not in Document.Kind.values:
            raise ValidationError({"kind": "Select the kind of document"})
        if not title:
            raise ValidationError({"title": "Enter a title for the document"})
        if len(title) > Document._meta.get_field("title").max_length:
            raise ValidationError({"title": "Enter a title of 200 characters or fewer"})
    content_type, sha256, size = _check_file(uploaded_file)
    original_name = os.path.basename(uploaded_file.name or "")[-255:] or "document"

    with transaction.atomic():
        locked_project = Project.objects.select_for_update().get(pk=project.pk)
        if locked_project.status in CLOSED_STATUSES:
            raise ValidationError(
                f"Documents cannot be added while the project is "
                f"{locked_project.get_status_display().lower()}"
            )
        if document is None:
            document = Document.objects.create(project=locked_project, kind=kind, title=title)
        else:
            # Two uploads of a new version at once queue here, so each gets its own number.
            document = Document.objects.select_for_update().get(pk=document.pk)
        latest = document.versions.aggregate(latest=Max("number"))["latest"] or 0
        version = DocumentVersion(
            document=document,
            number=latest + 1,
            original_name=original_name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        # Stored under a name of our own: the uploader's file name is only shown, never used.
        version.file.save(
            f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}", uploaded_file, save=False
        )
        try:  # a failed save must not leave an orphan file behind
            version.save()
            event_record(
                project=locked_project,
                actor=actor,
                action="document_upload",
                description=f"Uploaded “{document.title}” version {version.number}",
            )
        except BaseException:
            version.file.delete(save=False)
            raise
    return version
