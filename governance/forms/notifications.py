"""Which kinds of reminder the user wants by email."""

from django import forms

from governance.models import Notification


class EmailSettingsForm(forms.Form):
    emailed = forms.MultipleChoiceField(
        label="Send me these by email",
        choices=[(kind.value, kind.label) for kind in Notification.OPTIONAL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply. Every reminder also appears in your notifications "
        "in the portal, whatever you choose here.",
    )

    @classmethod
    def for_opt_outs(cls, opt_outs: set[str], data=None):
        emailed = [kind.value for kind in Notification.OPTIONAL_KINDS if kind not in opt_outs]
        return cls(data, initial={"emailed": emailed})

    @property
    def opt_outs(self) -> set[str]:
        return {kind.value for kind in Notification.OPTIONAL_KINDS} - set(
            self.cleaned_data["emailed"]
        )
