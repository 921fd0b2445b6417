"""Forms for the partners, team and documents pages."""

import re
from decimal import Decimal, InvalidOperation

from django import forms

from accounts.models import Membership, Organisation, User
from partnerships.models import Document, Partner, Project, TeamMember
from partnerships.services import documents as document_services

NEGATIVE = "Enter an amount of £0 or more"
MAX_POUNDS = Decimal("999999999999.99")  # 14 digits, 2 after the point (the model's limit)


class MoneyField(forms.CharField):
    """Pounds and pence as a Decimal with 2 places. Accepts 50000, 50,000, £50,000.00."""

    default_error_messages = {
        "invalid": "Enter an amount in pounds, like 50000 or 50,000.00",
        "negative": NEGATIVE,
        "pence": "Enter the amount to the nearest penny, like 1250.50",
        "too_big": "Enter an amount less than £1,000,000,000,000",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("template_name", "partnerships/partner_money_field.html")
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {"inputmode": "decimal", "class": "nhsuk-input--width-10", "spellcheck": "false"}
        )
        return attrs

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = re.sub(r"\s+", "", value).replace("£", "").replace(",", "")
        if len(text) > 30:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        # The minus sign may come before or after the pound sign; either way it is negative.
        if not re.fullmatch(r"[-−]?\d*(\.\d*)?", text) or not re.search(r"\d", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        text = text.replace("−", "-")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(self.error_messages["pence"], code="pence")
        if amount > MAX_POUNDS:
            raise forms.ValidationError(self.error_messages["too_big"], code="too_big")
        return amount.quantize(Decimal("0.01"))


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
        fields = [
            "accountable_lead_name",
            "accountable_lead_job_title",
            "accountable_lead_email",
            "signatory_name",
            "financial_contribution",
            "in_kind_description",
            "in_kind_value",
        ]
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


class DocumentUploadForm(forms.Form):
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        required=False,
        label="Is this a new version of a document already uploaded?",
        empty_label="No, it is a new document",
        help_text="Earlier versions are kept.",
        error_messages={"invalid_choice": "Choose one of this project's documents"},
    )
    kind = forms.ChoiceField(
        choices=Document.Kind.choices,
        required=False,
        label="Kind of document",
        widget=forms.RadioSelect,
        help_text="Not needed for a new version.",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="For example, Collaborative working agreement. Not needed for a new version.",
        error_messages={"max_length": "Enter a title of 200 characters or fewer"},
    )
    file = forms.FileField(
        label="File",
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
        error_messages={
            "required": "Select a file to upload",
            "empty": document_services.EMPTY,
            "invalid": "Select a file to upload",
            "missing": "Select a file to upload",
        },
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = project.documents.all()
        self.fields["file"].help_text = (
            "A PDF, Word (DOCX) or Excel (XLSX) document, smaller than "
            f"{document_services.size_label(document_services.max_upload_bytes())}."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("document") is None and "document" not in self.errors:
            if not cleaned.get("kind"):
                self.add_error("kind", "Select the kind of document")
            if not (cleaned.get("title") or "").strip() and "title" not in self.errors:
                self.add_error("title", "Enter a title for the document")
        return cleaned


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
