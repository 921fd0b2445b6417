from django import forms

from compliance.selectors.access import compliance_icbs


class ComplianceFilterForm(forms.Form):
    """Limit the check to the projects one ICB leads (empty: every project)."""

    icb = forms.ModelChoiceField(
        queryset=compliance_icbs(),
        required=False,
        empty_label="Every lead organisation",
        label="Lead organisation",
        error_messages={"invalid_choice": "Choose an ICB from the list"},
    )
