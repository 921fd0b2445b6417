"""Disclosure documents: PDFs the portal renders, keeps and can later vouch for."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.urls import reverse


class DisclosureDocument(models.Model):
    """One PDF: a project's disclosure, an ICB's register extract for a year, or an ICB's
    audit pack for a period (made by compliance, which builds its snapshot).

    ``content_hash`` is the SHA-256 of the canonical JSON of ``snapshot``, the data the PDF
    is rendered from; it is unique, so asking again for unchanged data returns this row.
    ``sha256`` and ``size`` describe the PDF file itself, which is what /verify/ checks.
    """

    class Kind(models.TextChoices):
        PROJECT = "project", "Project disclosure"
        REGISTER_EXTRACT = "register_extract", "Register extract"
        AUDIT_PACK = "audit_pack", "Audit pack"

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
        help_text="The ICB of a register extract or an audit pack.",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    period_from = models.DateField(null=True, blank=True, help_text="An audit pack's period.")
    period_to = models.DateField(null=True, blank=True)
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
            models.Index(fields=["kind", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="project", project__isnull=False)
                    | models.Q(
                        kind="register_extract", organisation__isnull=False, year__isnull=False
                    )
                    | models.Q(
                        kind="audit_pack",
                        organisation__isnull=False,
                        period_from__isnull=False,
                        period_to__isnull=False,
                        period_from__lte=models.F("period_to"),
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
        if self.kind == self.Kind.AUDIT_PACK:
            return f"audit pack {self.organisation_name} {self.period_label}"
        return (
            f"register extract {self.snapshot.get('organisation', {}).get('name', '')} {self.year}"
        )

    @property
    def organisation_name(self) -> str:
        return self.snapshot.get("organisation", {}).get("name", "")

    @property
    def period_label(self) -> str:
        """An audit pack's period, "1 April 2025 to 31 March 2026"."""
        if self.period_from is None or self.period_to is None:
            return ""
        return f"{self.period_from:%-d %B %Y} to {self.period_to:%-d %B %Y}"

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


class OutcomeReport(models.Model):
    """A project's report for one period of its schedule: drafted by the team, then submitted
    by the project lead or deputy, after which it cannot be changed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    project = models.ForeignKey(
        "partnerships.Project", on_delete=models.CASCADE, related_name="outcome_reports"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    rag = models.CharField("RAG status", max_length=5, choices=Rag.choices, blank=True)
    rag_reason = models.TextField("reason for the RAG status", blank=True)
    narrative = models.TextField(blank=True)
    what_worked = models.TextField("what worked", blank=True)
    what_did_not = models.TextField("what did not work", blank=True)
    share_lessons = models.BooleanField(
        "share what worked and what did not in the learning library", default=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period_end"], name="outcome_report_period_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="submitted") | models.Q(submitted_at__isnull=False),
                name="outcome_report_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"Report to {self.period_end:%d %B %Y} on {self.project}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class MeasureValue(models.Model):
    report = models.ForeignKey(OutcomeReport, on_delete=models.CASCADE, related_name="values")
    measure = models.ForeignKey(
        "partnerships.OutcomeMeasure", on_delete=models.PROTECT, related_name="reported_values"
    )
    value = models.DecimalField(max_digits=14, decimal_places=4)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="measure_value_unique")
        ]

    def __str__(self):
        return f"{self.measure}: {self.value}"


class ReportIssue(models.Model):
    class Kind(models.TextChoices):
        RISK = "risk", "Risk"
        ISSUE = "issue", "Issue"

    report = models.ForeignKey(OutcomeReport, on_delete=models.CASCADE, related_name="issues")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    description = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description[:50]}"


class ReportComment(models.Model):
    report = models.ForeignKey(OutcomeReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "created_at", "pk"]

    def __str__(self):
        return f"{self.author} on {self.report}"


class FinalReport(models.Model):
    """The report written after delivery ends, with the review questions of the agreement
    templates. Publishing it puts its outcome summary on the register and closes the project."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    # The review questions (field name, question), each answered yes, partly or no, with a
    # comment alongside.
    QUESTIONS = (
        ("vision_sustained", "Was the shared vision sustained?"),
        ("contributions_made", "Did each party make its agreed contribution?"),
        ("variances_resolved", "Were variances resolved to mutual satisfaction?"),
        ("each_benefited", "Did each party benefit?"),
        (
            "trust_maintained",
            "Were good relationships and trust maintained, and differences managed?",
        ),
        (
            "supports_scaling",
            "Does the project support a business case or meet the criteria for scaling?",
        ),
    )

    project = models.OneToOneField(
        "partnerships.Project", on_delete=models.CASCADE, related_name="final_report"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    overview = models.TextField("overview and objectives", blank=True)
    outcomes_achieved = models.TextField("outcomes achieved", blank=True)
    benefits_patients = models.TextField("benefits to patients", blank=True)
    benefits_nhs = models.TextField("benefits to the NHS", blank=True)
    benefits_industry = models.TextField("benefits to the company", blank=True)
    vision_sustained = models.CharField(max_length=6, choices=Answer.choices, blank=True)
    vision_sustained_comment = models.TextField(blank=True)
    contributions_made = models.CharField(max_length=6, choices=Answer.choices, blank=True)
    contributions_made_comment = models.TextField(blank=True)
    variances_resolved = models.CharField(max_length=6, choices=Answer.choices, blank=True)
    variances_resolved_comment = models.TextField(blank=True)
    each_benefited = models.CharField(max_length=6, choices=Answer.choices, blank=True)
    each_benefited_comment = models.TextField(blank=True)
    trust_maintained = models.CharField(max_length=6, choices=Answer.choices, blank=True)
    trust_maintained_comment = models.TextField(blank=True)
    supports_scaling = models.CharField(max_length=6, choices=Answer.choices, blank=True)
    supports_scaling_comment = models.TextField(blank=True)
    conclusions = models.TextField(blank=True)
    lessons_learned = models.TextField("lessons learned", blank=True)
    outcome_summary = models.TextField(
        "outcome summary for publication",
        blank=True,
        help_text="Plain English, for the public transparency register.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="final_report_published_has_time",
            ),
        ]

    def __str__(self):
        return f"Final report on {self.project}"

    def get_absolute_url(self):
        return reverse("outcomes:final-report", args=[self.project_id])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def answers(self):
        """(field name, question, answer label, comment) for each review question."""
        return [
            (
                name,
                question,
                getattr(self, f"get_{name}_display")(),
                getattr(self, f"{name}_comment"),
            )
            for name, question in self.QUESTIONS
        ]


class FinalMeasureResult(models.Model):
    """What a measure achieved by the end, against its target."""

    final_report = models.ForeignKey(FinalReport, on_delete=models.CASCADE, related_name="results")
    measure = models.ForeignKey(
        "partnerships.OutcomeMeasure", on_delete=models.PROTECT, related_name="final_results"
    )
    achieved = models.DecimalField(max_digits=14, decimal_places=4)
    commentary = models.TextField(blank=True)

    class Meta:
        ordering = ["final_report", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["final_report", "measure"], name="final_measure_result_unique"
            )
        ]

    def __str__(self):
        return f"{self.measure}: {self.achieved}"


class Lesson(models.Model):
    """An entry in the learning library: the lessons of a published final report, or what
    worked and what did not in an outcome report whose team chose to share it."""

    class Source(models.TextChoices):
        FINAL = "final", "Final report"
        REPORT = "report", "Outcome report"

    project = models.ForeignKey(
        "partnerships.Project", on_delete=models.CASCADE, related_name="lessons"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    final_report = models.OneToOneField(
        FinalReport, on_delete=models.CASCADE, null=True, blank=True, related_name="lesson"
    )
    outcome_report = models.OneToOneField(
        OutcomeReport, on_delete=models.CASCADE, null=True, blank=True, related_name="lesson"
    )
    what_worked = models.TextField("what worked", blank=True)
    what_did_not = models.TextField("what did not work", blank=True)
    lessons = models.TextField("lessons learned", blank=True)
    # The project's title as it was when the lesson was shared (titles are fixed by then),
    # kept here so the library's search index covers it without a join.
    project_title = models.CharField(max_length=200, blank=True, editable=False)
    shared_at = models.DateTimeField()

    SEARCH_FIELDS = ("lessons", "what_worked", "what_did_not", "project_title")

    class Meta:
        ordering = ["-shared_at", "-pk"]
        indexes = [
            models.Index(fields=["-shared_at", "-id"], name="lesson_recent"),
            # The library's search (outcomes.selectors.learning.lesson_search): the same expression
            # as its SearchVector, so PostgreSQL answers from the index.
            GinIndex(
                SearchVector(
                    "lessons", "what_worked", "what_did_not", "project_title", config="english"
                ),
                name="lesson_search",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(source="final", final_report__isnull=False, outcome_report=None)
                    | models.Q(source="report", outcome_report__isnull=False, final_report=None)
                ),
                name="lesson_has_one_source",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} lessons from {self.project}"
