"""Bringing a project to approval, starting and completion for the delivery tests."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerships.models import Project
from partnerships.services.documents import document_upload

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
S = Project.Status


def upload_agreement(project, actor):
    return document_upload(
        project=project,
        kind="agreement",
        title="Signed collaborative working agreement",
        uploaded_file=SimpleUploadedFile("agreement.pdf", PDF_BYTES, "application/pdf"),
        actor=actor,
    )


def set_state(project, status, *, start=None, end=None, published=True, **fields):
    """Put a project in ``status`` with the given dates (as the lifecycle would have
    left it: approval publishes the executive summary)."""
    Project.objects.filter(pk=project.pk).update(
        status=status,
        start_date=start,
        end_date=end,
        summary_published_at=timezone.now() if published else None,
        **fields,
    )
    project.refresh_from_db()
    return project


def ready_to_start(project, lead, *, start, end=None, agreement=True, published=True):
    """An approved project, with the signed agreement uploaded unless told otherwise."""
    end = end or start + datetime.timedelta(days=365)
    set_state(project, S.APPROVED, start=start, end=end, published=published)
    if agreement:
        upload_agreement(project, lead)
    return project
