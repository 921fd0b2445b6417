from django import forms

from compliance.selectors.access import compliance_icbs
from partnerships.forms.fields import DateField


class AuditPackForm(forms.Form):
    """The organisation and period of an audit pack; the service checks the period."""

    organisation = forms.ModelChoiceField(
        queryset=compliance_icbs(),
        label="Lead organisation (an ICB or other NHS body)",
        empty_label="Choose the lead organisation",
        error_messages={
            "required": "Choose the lead organisation",
            "invalid_choice": "Choose an ICB or other NHS body from the list",
        },
    )
    period_from = DateField(
        label="Start of the period",
        help_text="For example 1 4 2025",
        error_messages={"required": "Enter the start of the period"},
    )
    period_to = DateField(
        label="End of the period",
        help_text="For example 31 3 2026",
        error_messages={"required": "Enter the end of the period"},
    )
