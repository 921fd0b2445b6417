from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError

from accounts.models import Invitation, Membership, Organisation
from accounts.selectors import invitation_roles_for, organisations_user_can_invite_to
from accounts.services import ORGANISATION_FIELDS


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=200,
        error_messages={"invalid": "Enter a web address like https://www.example.nhs.uk"},
    )

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {"kind": forms.RadioSelect}
        error_messages = {
            "name": {
                "required": "Enter the organisation's name",
                "unique": "An organisation with this name already exists",
            },
            "kind": {"required": "Select the kind of organisation"},
            "contact_email": {"invalid": "Enter an email address like name@example.org"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead = self.fields["partnership_lead"]
        if self.instance.pk:
            lead.queryset = lead.queryset.filter(
                memberships__organisation=self.instance,
                memberships__role=Membership.Role.PARTNERSHIP_LEAD,
            ).distinct()
            lead.help_text = "Choose from the organisation's partnership leads."
        else:
            # A new organisation has no members yet; invite its lead once it exists.
            del self.fields["partnership_lead"]


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["organisation", "first_name", "last_name", "job_title", "email", "role"]
        labels = {"email": "Email address"}
        error_messages = {
            "organisation": {"required": "Select the organisation they will join"},
            "first_name": {"required": "Enter their first name"},
            "last_name": {"required": "Enter their last name"},
            "email": {
                "required": "Enter their email address",
                "invalid": "Enter an email address like name@example.org",
            },
            "role": {"required": "Select their role"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = organisations_user_can_invite_to(user=user)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        roles = {}
        for organisation in organisations:
            roles.update(dict(invitation_roles_for(user=user, organisation=organisation)))
        self.fields["role"].choices = list(roles.items())
        self.fields["role"].widget = forms.RadioSelect(choices=list(roles.items()))
        self.fields["email"].help_text = (
            "We will email them a link to set their password. It can be used once and "
            f"expires after {settings.INVITATION_VALID_DAYS} days."
        )


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
        strip=False,
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        error_messages={"required": "Type your password again to confirm it"},
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match")
        return cleaned


def apply_service_errors(form, exc: ValidationError) -> None:
    """Show a service's validation errors on the form, against the right fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
