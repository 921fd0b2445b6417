import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts.validators import (
    normalise_companies_house_number,
    normalise_ods_code,
    validate_companies_house_number,
    validate_ods_code,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email address."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class Organisation(models.Model):
    """An ICB, NHS trust, other NHS body, company or other partner organisation."""

    class Kind(models.TextChoices):
        ICB = "icb", "Integrated care board (ICB)"
        NHS_TRUST = "nhs_trust", "NHS trust"
        OTHER_NHS = "other_nhs", "Other NHS body"
        COMPANY = "company", "Company"
        OTHER = "other", "Other organisation"

    NHS_KINDS = (Kind.ICB, Kind.NHS_TRUST, Kind.OTHER_NHS)
    ODS_REQUIRED_KINDS = (Kind.ICB, Kind.NHS_TRUST)

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ods_code = models.CharField(
        "ODS code",
        max_length=6,
        blank=True,
        help_text="The Organisation Data Service code of an NHS body, for example QJM.",
    )
    companies_house_number = models.CharField(
        "Companies House number",
        max_length=8,
        blank=True,
        help_text="8 characters, for example 01234567 or SC123456.",
    )
    address_line_1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(
        "partnerships contact email",
        blank=True,
        help_text="The mailbox industry partners should write to.",
    )
    contact_phone = models.CharField("partnerships contact telephone", max_length=30, blank=True)
    partnership_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The named point person industry partners should contact.",
    )
    group = models.OneToOneField(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="organisation",
        help_text="Every member belongs to it; object permissions granted to the "
        "organisation as a whole are granted to this group.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"],
                condition=~models.Q(ods_code=""),
                name="accounts_organisation_ods_code_unique",
            ),
            models.UniqueConstraint(
                fields=["companies_house_number"],
                condition=~models.Q(companies_house_number=""),
                name="accounts_organisation_companies_house_unique",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:organisation-detail", args=[self.pk])

    @property
    def is_nhs(self):
        return self.kind in self.NHS_KINDS

    @property
    def address(self):
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    def clean(self):
        errors = {}
        self.ods_code = normalise_ods_code(self.ods_code)
        self.companies_house_number = normalise_companies_house_number(self.companies_house_number)
        if self.ods_code:
            if self.kind not in self.NHS_KINDS:
                errors["ods_code"] = "Only NHS bodies have an ODS code"
            else:
                try:
                    validate_ods_code(self.ods_code)
                except ValidationError as exc:
                    errors["ods_code"] = exc.messages[0]
        elif self.kind in self.ODS_REQUIRED_KINDS:
            errors["ods_code"] = "Enter the ODS code of the ICB or NHS trust"
        if self.companies_house_number:
            if self.kind in self.NHS_KINDS:
                errors["companies_house_number"] = "NHS bodies do not have a Companies House number"
            else:
                try:
                    validate_companies_house_number(self.companies_house_number)
                except ValidationError as exc:
                    errors["companies_house_number"] = exc.messages[0]
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    """A user's role in an organisation."""

    class Role(models.TextChoices):
        PARTNERSHIP_LEAD = "partnership_lead", "Partnership lead"
        INDUSTRY_MEMBER = "industry_member", "Industry member"
        PANEL_MEMBER = "panel_member", "Panel member"
        PANEL_CHAIR = "panel_chair", "Panel chair"
        AUDITOR = "auditor", "Auditor"

    # Which roles fit which kinds of organisation.
    NHS_ROLES = (Role.PARTNERSHIP_LEAD, Role.PANEL_MEMBER, Role.PANEL_CHAIR, Role.AUDITOR)
    PARTNER_ROLES = (Role.INDUSTRY_MEMBER, Role.AUDITOR)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="accounts_membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"

    @classmethod
    def roles_for(cls, organisation):
        allowed = cls.NHS_ROLES if organisation.is_nhs else cls.PARTNER_ROLES
        return [(value, label) for value, label in cls.Role.choices if value in allowed]


class Invitation(models.Model):
    """An emailed, single-use, expiring invitation to join an organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Withdrawn"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set when the email is sent, so a task delivered twice sends it once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def status(self):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self):
        return self.Status(self.status).label
