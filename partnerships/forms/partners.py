"""Forms for the partners and team pages."""

from django import forms

from accounts.models import Membership, Organisation, User
from partnerships.forms.fields import MoneyField
from partnerships.models import Partner, Project, TeamMember
from partnerships.services.partners import CONTRIBUTION_FIELDS


class PartnerAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        label="Organisation",
        error_messages={
            "required": "Select the organisation to add",
            "invalid_choice": "Select an organisation from the directory",
        },
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        # Any organisation is accepted (adding one twice is refused by the service, with a
        # message), but only those not yet on the project are offered, companies first.
        available = Organisation.objects.exclude(partnerships__project=project).order_by("name")
        groups = {"Companies": [], "Other organisations": [], "NHS organisations": []}
        for organisation in available:
            if organisation.kind == Organisation.Kind.COMPANY:
                group = "Companies"
            elif organisation.is_nhs:
                group = "NHS organisations"
            else:
                group = "Other organisations"
            groups[group].append((organisation.pk, organisation.name))
        field = self.fields["organisation"]
        field.choices = [
            ("", "Select an organisation"),
            *((label, options) for label, options in groups.items() if options),
        ]
        self.has_choices = bool(available)


class PartnerContributionForm(forms.ModelForm):
    financial_contribution = MoneyField(
        label="Financial contribution (£)",
        help_text="In pounds, for example 50000 or 50,000.00. Enter 0 if there is none.",
        error_messages={"required": "Enter the financial contribution, or 0 if there is none"},
    )
    in_kind_value = MoneyField(
        label="Value of in-kind contribution (£)",
        help_text="In pounds. Enter 0 if there is none.",
        error_messages={"required": "Enter the value of the in-kind contribution, or 0"},
    )

    class Meta:
        model = Partner
        fields = CONTRIBUTION_FIELDS
        labels = {
            "accountable_lead_name": "Accountable lead",
            "accountable_lead_job_title": "Their job title",
            "accountable_lead_email": "Their email address",
            "signatory_name": "Signatory",
            "in_kind_description": "In-kind contribution",
        }
        help_texts = {
            "accountable_lead_name": "The person accountable for this organisation's part.",
            "signatory_name": "Who signs the written agreement for this organisation.",
            "in_kind_description": "Staff time, expertise, equipment or services, for example "
            "a project manager for 2 days a week.",
        }
        error_messages = {
            "accountable_lead_email": {
                "invalid": "Enter an email address like name@example.org",
            },
        }
        widgets = {
            "in_kind_description": forms.Textarea(attrs={"rows": 4}),
            "accountable_lead_email": forms.EmailInput(
                attrs={"autocomplete": "email", "spellcheck": "false"}
            ),
        }

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("in_kind_value")
        if value and not (cleaned.get("in_kind_description") or "").strip():
            self.add_error("in_kind_description", "Describe the in-kind contribution you valued")
        return cleaned


class TeamMemberAddForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Person",
        error_messages={
            "required": "Select the person to add",
            "invalid_choice": "Choose someone from one of the partner organisations",
        },
    )
    role = forms.ChoiceField(
        choices=TeamMember.Role.choices,
        initial=TeamMember.Role.MEMBER,
        widget=forms.RadioSelect,
        help_text="The project lead and deputy must be NHS staff.",
        error_messages={"required": "Select their role on the project"},
    )
    responsibilities = forms.CharField(
        max_length=300,
        required=False,
        help_text="Optional. For example, clinical lead or data analysis.",
        error_messages={"max_length": "Enter responsibilities of 300 characters or fewer"},
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        partner_orgs = [p.organisation_id for p in project.partners.all()]
        on_team = [m.user_id for m in project.team.all()]
        field = self.fields["user"]
        # Anyone in a partner organisation is accepted (someone already on the team is
        # refused by the service, with a message); those not on the team yet are offered.
        field.queryset = User.objects.filter(
            memberships__organisation_id__in=partner_orgs
        ).distinct()
        memberships = (
            Membership.objects.filter(organisation_id__in=partner_orgs, user__is_active=True)
            .exclude(user_id__in=on_team)
            .select_related("user", "organisation")
            .order_by("user__last_name", "user__first_name", "user__email", "organisation__name")
        )
        choices, seen = [], set()
        for membership in memberships:
            if membership.user_id in seen:
                continue
            seen.add(membership.user_id)
            choices.append((membership.user_id, f"{membership.user} – {membership.organisation}"))
        field.choices = [("", "Select a person"), *choices]
        self.has_choices = bool(choices)


class PartnerInviteForm(forms.Form):
    first_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter their last name"}
    )
    job_title = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
