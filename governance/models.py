"""Declarations of interest: who declared what, for which project, and how it is managed."""

from django.conf import settings
from django.db import models
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
