"""Disclosure documents: PDFs the portal renders, keeps and can later vouch for."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class DisclosureDocument(models.Model):
    """One PDF: a project's disclosure or an ICB's register extract for a year.

    ``content_hash`` is the SHA-256 of the canonical JSON of ``snapshot``, the data the PDF
    is rendered from; it is unique, so asking again for unchanged data returns this row.
    ``sha256`` and ``size`` describe the PDF file itself, which is what /verify/ checks.
    """

    class Kind(models.TextChoices):
        PROJECT = "project", "Project disclosure"
        REGISTER_EXTRACT = "register_extract", "Register extract"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    PENDING_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    project = models.ForeignKey(
        "partnerships.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosure_documents",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosure_extracts",
        help_text="The ICB of a register extract.",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    snapshot = models.JSONField(help_text="The data the PDF is rendered from.")
    content_hash = models.CharField(max_length=64, unique=True)
    document_number = models.CharField(max_length=20, unique=True)
    file = models.FileField(upload_to="disclosures/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when made from the command line.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["organisation", "year", "-created_at"]),
            models.Index(fields=["status", "started_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="project", project__isnull=False)
                    | models.Q(
                        kind="register_extract", organisation__isnull=False, year__isnull=False
                    )
                ),
                name="disclosure_document_subject",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(sha256=""),
                name="disclosure_document_ready_has_sha256",
            ),
        ]

    def __str__(self):
        return f"{self.document_number} {self.subject}"

    def get_absolute_url(self):
        return reverse("outcomes:disclosure-download", args=[self.pk])

    @property
    def subject(self) -> str:
        if self.kind == self.Kind.PROJECT:
            return f"disclosure of {self.snapshot.get('project', {}).get('reference') or 'project'}"
        return (
            f"register extract {self.snapshot.get('organisation', {}).get('name', '')} {self.year}"
        )

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    @property
    def filename(self) -> str:
        return f"{self.document_number}.pdf"


class DisclosureCounter(models.Model):
    """The last document number issued in a year (DD-2026-000042)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"
