"""Declarations of interest: who declared what, for which project, and how it is managed."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Declaration(models.Model):
    """A nil return or one or more interests, for a project or (project empty) for a year.

    A person's latest declaration for a project is the current one.
    """

    class Role(models.TextChoices):
        TEAM_MEMBER = "team_member", "Team member"
        REVIEWER = "reviewer", "Reviewer"
        DECISION_MAKER = "decision_maker", "Decision-maker"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declarations"
    )
    project = models.ForeignKey(
        "partnerships.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        help_text="Empty for an annual general declaration.",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    nil_return = models.BooleanField(default=False)
    declared_at = models.DateTimeField(default=timezone.now)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year an annual declaration covers."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declared_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "project", "-declared_at"]),
            models.Index(fields=["person", "year"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False) | models.Q(year__isnull=False),
                name="governance_annual_declaration_has_year",
            ),
        ]

    def __str__(self):
        what = f"project {self.project}" if self.project_id else f"annual {self.year}"
        kind = "nil return" if self.nil_return else "interests"
        return f"Declaration by {self.person} ({what}, {kind})"

    @property
    def is_annual(self) -> bool:
        return self.project_id is None


class Interest(models.Model):
    class Category(models.TextChoices):
        FINANCIAL = "financial", "Financial"
        NON_FINANCIAL_PROFESSIONAL = "non_financial_professional", "Non-financial professional"
        NON_FINANCIAL_PERSONAL = "non_financial_personal", "Non-financial personal"
        INDIRECT = "indirect", "Indirect (through a relative, close friend or associate)"

    class Type(models.TextChoices):
        EMPLOYMENT = "employment", "Employment"
        SHAREHOLDING = "shareholding", "Shareholding"
        CONSULTANCY = "consultancy", "Consultancy"
        SPONSORSHIP = "sponsorship", "Sponsorship"
        GIFT = "gift", "Gift"
        HOSPITALITY = "hospitality", "Hospitality"
        OUTSIDE_EMPLOYMENT = "outside_employment", "Outside employment"
        PATENT = "patent", "Patent"
        DONATION = "donation", "Donation"
        OTHER = "other", "Other"

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="interests")
    category = models.CharField(max_length=30, choices=Category.choices)
    interest_type = models.CharField("type", max_length=30, choices=Type.choices)
    description = models.TextField()
    organisation_name = models.CharField("organisation concerned", max_length=200)
    start_date = models.DateField("from")
    end_date = models.DateField("to", null=True, blank=True)
    became_aware_on = models.DateField("date you became aware")

    class Meta:
        ordering = ["declaration", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="governance_interest_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.organisation_name}"


class ConflictManagement(models.Model):
    """How the chair manages a declared interest, for example exclusion from the decision."""

    interest = models.OneToOneField(Interest, on_delete=models.CASCADE, related_name="management")
    action = models.TextField()
    excludes_from_decision = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Management of {self.interest}: {self.action[:60]}"


# Panels, gates and sign-offs ---------------------------------------------------------------


class Panel(models.Model):
    """An ICB's governance panel: its members, chair, quorum and reminder thresholds.

    A project is reviewed by the default panel of its lead organisation.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="panels"
    )
    name = models.CharField(max_length=200)
    is_default = models.BooleanField(default=True, help_text="Reviews the organisation's projects.")
    quorum = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Approvals from eligible reviewers a gate needs.",
    )
    remind_after_days = models.PositiveSmallIntegerField(
        "remind after (working days)", default=5, validators=[MinValueValidator(1)]
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        "escalate to the chair after (working days)", default=10, validators=[MinValueValidator(1)]
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PanelMember", related_name="panels"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    LOW_RISK_QUORUM = 1

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="panel_name_unique"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(is_default=True),
                name="one_default_panel",
            ),
            models.CheckConstraint(
                condition=models.Q(escalate_after_days__gt=models.F("remind_after_days")),
                name="panel_escalates_after_reminding",
            ),
            models.CheckConstraint(condition=models.Q(quorum__gte=1), name="panel_quorum_positive"),
        ]

    def __str__(self):
        return self.name


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_memberships"
    )
    is_chair = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["panel", "-is_chair", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="panel_member_unique"),
            models.UniqueConstraint(
                fields=["panel"], condition=models.Q(is_chair=True), name="one_chair_per_panel"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({'chair' if self.is_chair else 'member'}, {self.panel})"


class Review(models.Model):
    """A project's governance review: which panel, and which route (standard or low-risk)."""

    project = models.OneToOneField(
        "partnerships.Project", on_delete=models.CASCADE, related_name="review"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="reviews")
    low_risk = models.BooleanField(default=False)
    opened_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Review of {self.project} by {self.panel}"

    @property
    def quorum(self) -> int:
        return Panel.LOW_RISK_QUORUM if self.low_risk else self.panel.quorum


class RouteChange(models.Model):
    """Every change of a review's route, with its reason."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="route_changes")
    low_risk = models.BooleanField()
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{'Low-risk' if self.low_risk else 'Standard'} route for {self.review.project}"


class Gate(models.Model):
    class Kind(models.TextChoices):
        SHARED_PURPOSE = "shared_purpose", "Shared purpose"
        OUTCOME_MEASURES = "outcome_measures", "Outcome measures"
        CONFLICTS = "conflicts", "Conflicts of interest"
        TRANSPARENCY = "transparency", "Transparency disclosure"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    OPEN_STATUSES = (Status.PENDING, Status.IN_REVIEW)

    project = models.ForeignKey(
        "partnerships.Project", on_delete=models.CASCADE, related_name="gates"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    round = models.PositiveSmallIntegerField(
        default=1, help_text="Each reopening starts a new round; only its decisions count."
    )
    opened_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the sections the gate covers, as they were when it was approved.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="gate_kind_unique"),
        ]
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} gate of {self.project}"

    def get_absolute_url(self):
        return reverse("governance:gate-detail", args=[self.project_id, self.kind])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class SignOff(models.Model):
    """One reviewer's decision on a gate. Never changed: a new decision is a new row, and a
    reviewer's latest in the gate's current round counts."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="sign_offs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs"
    )
    round = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    criteria = models.JSONField(
        default=dict, help_text='Each criterion\'s answer: {"key": {"met": true, "comment": ""}}'
    )
    low_risk_route = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["gate", "round", "reviewer", "-created_at"])]

    def __str__(self):
        return f"{self.reviewer}: {self.get_decision_display()} ({self.gate})"


# Reminders and notifications ----------------------------------------------------------------


class Notification(models.Model):
    """A reminder shown in the portal (and emailed unless the recipient turned that kind off).

    At most one per recipient, kind, subject and day: the unique constraint, not a check
    before inserting, is what stops a second run or a second worker sending it again.
    """

    class Kind(models.TextChoices):
        REVIEW_REMINDER = "review_reminder", "Reminders of gates waiting for your review"
        REVIEW_ESCALATION = "review_escalation", "Escalations of overdue reviews (chairs)"
        DECLARATION_MISSING = "declaration_missing", "Reminders to declare your interests"
        ANNUAL_DECLARATION_DUE = "annual_declaration_due", "Reminders of your annual declaration"
        OUTCOME_REPORT_DUE = "outcome_report_due", "Reminders of outcome reports due soon"
        OUTCOME_REPORT_OVERDUE = "outcome_report_overdue", "Reminders of overdue outcome reports"
        FINAL_REPORT_DUE = "final_report_due", "Reminders of final reports due soon"
        FINAL_REPORT_OVERDUE = "final_report_overdue", "Reminders of overdue final reports"
        FINAL_REPORT_ESCALATION = (
            "final_report_escalation",
            "Escalations of overdue final reports (chairs)",
        )

    # Every kind may be turned off by email except escalations to chairs.
    OPTIONAL_KINDS = (
        Kind.REVIEW_REMINDER,
        Kind.DECLARATION_MISSING,
        Kind.ANNUAL_DECLARATION_DUE,
        Kind.OUTCOME_REPORT_DUE,
        Kind.OUTCOME_REPORT_OVERDUE,
        Kind.FINAL_REPORT_DUE,
        Kind.FINAL_REPORT_OVERDUE,
    )
    ESCALATION_KINDS = (Kind.REVIEW_ESCALATION, Kind.FINAL_REPORT_ESCALATION)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject = models.CharField(
        max_length=100,
        help_text="What it is about, for example gate:12:1, annual:2026, report:7:2027-04-01 "
        "or final:7.",
    )
    day = models.DateField(
        help_text="The day it was sent for reminders that repeat (daily, weekly); for those "
        "sent once, the date they are about (a report's due date, a final report's deadline)."
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject", "day"], name="notification_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}: {self.title}"


class EmailOptOut(models.Model):
    """A kind of reminder the user does not want by email (still shown in the portal)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=Notification.Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_unique"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["review_escalation", "final_report_escalation"]),
                name="escalations_always_emailed",
            ),
        ]

    def __str__(self):
        return f"{self.user}: no {self.get_kind_display().lower()} by email"
