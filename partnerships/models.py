from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import Organisation
from partnerships.dates import add_months

MEASURE_DIGITS, MEASURE_PLACES = 14, 4  # 9,999,999,999.9999 at most
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Project(models.Model):
    """A collaborative working project: the proposal, then its delivery."""

    class Kind(models.TextChoices):
        COLLABORATIVE = "collaborative", "Collaborative working"
        JOINT = "joint", "Joint working"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REJECTED = "rejected", "Rejected"

    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    # About the project
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    therapy_area = models.CharField(max_length=100, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # Population need and purpose
    population_need = models.TextField("population need addressed", blank=True)
    background = models.TextField("background and rationale", blank=True)
    # Aims, objectives and benefits
    aims = models.TextField(blank=True)
    benefits_patients = models.TextField("benefits to patients", blank=True)
    benefits_nhs = models.TextField("benefits to the NHS", blank=True)
    benefits_industry = models.TextField("benefits to the company", blank=True)
    # Delivery plan and milestones
    methodology = models.TextField(blank=True)
    milestones = models.TextField("milestones and phases", blank=True)
    # Outcome measures and evaluation
    evaluation_plan = models.TextField(blank=True)
    success_criteria = models.TextField(blank=True)
    publication_plan = models.TextField(blank=True)
    # Governance, data protection and exit strategy
    governance_arrangements = models.TextField("governance and oversight", blank=True)
    data_protection = models.TextField("data protection arrangements", blank=True)
    confirm_nhs_data_controller = models.BooleanField(
        "the NHS organisation is the data controller and no patient-identifiable data "
        "reaches the company",
        default=False,
    )
    exit_strategy = models.TextField(blank=True)
    # Declarations
    medicines_referenced = models.TextField(blank=True)
    confirm_prospective = models.BooleanField(default=False)
    confirm_not_inducement = models.BooleanField(default=False)
    confirm_national_guidance = models.BooleanField(default=False)
    confirm_benefits_organisational = models.BooleanField(default=False)
    # Executive summary for publication
    executive_summary = models.TextField(blank=True)

    # Sections the project lead has opened to team members from partner organisations.
    open_sections = models.JSONField(default=list, blank=True)

    summary_published_at = models.DateTimeField(null=True, blank=True)
    # When delivery was completed: the end date, or the earlier day the team closed it under
    # the exit strategy. The final report's deadline runs from it.
    delivery_ended_on = models.DateField(null=True, blank=True)
    # The public outcome summary, copied from the final report when it is published (the
    # register shows it; partnerships cannot import the outcomes app that writes it).
    outcome_summary = models.TextField(blank=True)
    outcome_summary_published_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        permissions = [("edit_proposal", "Edit every section of the proposal")]
        indexes = [
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["lead_organisation", "status"]),
            # Lists and home pages show the most recently changed first.
            models.Index(fields=["-updated_at", "-id"], name="project_recent"),
            # The public register's search (governance.selectors.register.register_search):
            # the same expression as its SearchVector, so PostgreSQL answers from the index.
            GinIndex(
                SearchVector(
                    "title", "executive_summary", "therapy_area", "reference", config="english"
                ),
                name="project_register_search",
            ),
            # The register in order of publication, and its latest publication.
            models.Index(
                fields=["-summary_published_at", "-id"],
                condition=models.Q(summary_published_at__isnull=False),
                name="project_published",
            ),
            # A reference typed in any case (reference__iexact).
            models.Index(Upper("reference"), name="project_reference_upper"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def get_absolute_url(self):
        return reverse("partnerships:project-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    @property
    def length_in_months(self):
        if not (self.start_date and self.end_date):
            return None
        months = (self.end_date.year - self.start_date.year) * 12
        months += self.end_date.month - self.start_date.month
        return months + (1 if self.end_date.day >= self.start_date.day else 0)

    @property
    def final_report_deadline(self):
        """When the final report and outcome summary must be published: a setting's
        months (default 6) after the end date (DESIGN rule 9), or after the day delivery
        was completed when the team closed it early."""
        ended = self.delivery_ended_on or self.end_date
        if ended is None:
            return None
        return add_months(ended, settings.PORTAL_FINAL_REPORT_MONTHS)


class ProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class Objective(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    description = models.TextField()

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="objective_number_unique")
        ]

    def __str__(self):
        return f"{self.number}. {self.description}"


class OutcomeMeasure(models.Model):
    """How the project will know an objective is met: agreed before approval (DESIGN rule 5),
    with a baseline, a target, where the data comes from and how often it is collected."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        SIX_MONTHLY = "six_monthly", "Six-monthly"
        ANNUALLY = "annually", "Annually"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    objective = models.ForeignKey(Objective, on_delete=models.RESTRICT, related_name="measures")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=100)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    baseline_value = models.DecimalField(
        max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES, null=True, blank=True
    )
    baseline_date = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(
        max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES, null=True, blank=True
    )
    target_date = models.DateField(null=True, blank=True)
    data_source = models.CharField(max_length=200, blank=True)
    frequency = models.CharField(
        "collection frequency",
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.QUARTERLY,
    )
    owner = models.ForeignKey(
        "Partner", on_delete=models.RESTRICT, related_name="measures", verbose_name="owning partner"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "objective__number", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "project", name="outcome_measure_name_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.objective_id and self.project_id and self.objective.project_id != self.project_id:
            errors["objective"] = "Choose one of this project's objectives"
        if self.owner_id and self.project_id and self.owner.project_id != self.project_id:
            errors["owner"] = "Choose one of this project's partners"
        if errors:
            raise ValidationError(errors)

    def _amount(self, value) -> str:
        if value is None:
            return ""
        text = f"{value.normalize():,f}"
        return f"{text}%" if self.unit.strip() == "%" else f"{text} {self.unit}".strip()

    @property
    def baseline_display(self) -> str:
        return self._amount(self.baseline_value)

    @property
    def target_display(self) -> str:
        return self._amount(self.target_value)


class Partner(models.Model):
    """An organisation on the project, with what it contributes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    is_lead = models.BooleanField(default=False)
    accountable_lead_name = models.CharField("accountable lead", max_length=200, blank=True)
    accountable_lead_job_title = models.CharField("job title", max_length=200, blank=True)
    accountable_lead_email = models.EmailField("email address", blank=True)
    signatory_name = models.CharField("signatory", max_length=200, blank=True)
    financial_contribution = models.DecimalField(
        "financial contribution (£)", default=Decimal("0"), **MONEY
    )
    in_kind_description = models.TextField("in-kind contribution", blank=True)
    in_kind_value = models.DecimalField(
        "value of in-kind contribution (£)", default=Decimal("0"), **MONEY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_lead", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="partner_unique"),
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(is_lead=True), name="one_lead_partner"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} on {self.project}"

    @property
    def total_contribution(self):
        return (self.financial_contribution or 0) + (self.in_kind_value or 0)

    @property
    def contributes(self):
        return self.total_contribution > 0


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Project lead"
        DEPUTY = "deputy", "Deputy lead"
        MEMBER = "member", "Team member"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_roles"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    responsibilities = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="team_member_unique"),
            models.UniqueConstraint(
                fields=["project", "role"],
                condition=models.Q(role__in=["lead", "deputy"]),
                name="one_lead_one_deputy",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class ProjectEvent(models.Model):
    """The project's timeline: who did what, when, from which status to which, and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=50)
    description = models.CharField(max_length=300)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.description}"


class SectionComment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=30)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["project", "section"])]

    def __str__(self):
        return f"{self.author} on {self.section}"


class Document(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Signed written agreement"
        PID = "pid", "Project initiation document"
        OTHER = "other", "Other document"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self):
        return f"{self.document} (version {self.number})"


class ReferenceCounter(models.Model):
    """The last project reference number issued in a year (CW-2026-0042)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"
