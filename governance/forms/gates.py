"""Forms for the gate pages: a sign-off, the review route and a panel's settings.

They only read what was typed; the rules (a comment for every "no", a reason for a change
of route, the thresholds) are the services', whose errors the views show on these forms.
"""

from django import forms

from governance.gates import Criterion
from governance.models import SignOff

YES, NO = "yes", "no"
STANDARD, LOW_RISK = "standard", "low_risk"
# What a panel's numbers must fit in (the columns are small integers).
MAX_SETTING = 999


def _comment(label, help_text="", rows=3):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": "Keep the comment to 5,000 characters or fewer"},
    )


class SignOffForm(forms.Form):
    """Each criterion of the gate's route answered yes or no, with a comment; then the
    decision and a comment for the team."""

    decision = forms.ChoiceField(
        label="Your decision on this gate",
        choices=SignOff.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select approve, request changes or reject",
            "invalid_choice": "Select approve, request changes or reject",
        },
    )
    comment = _comment(
        "Comment for the project team",
        "Required if you request changes or reject: say what needs to change, or why. "
        "The project team will see it.",
        rows=5,
    )

    def __init__(self, *args, criteria: tuple[Criterion, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for criterion in criteria:
            message = f"Select yes or no: {criterion.text}"
            fields[f"c_{criterion.key}"] = forms.ChoiceField(
                label=criterion.text,
                choices=[(YES, "Yes"), (NO, "No")],
                widget=forms.RadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )
            fields[f"c_{criterion.key}_comment"] = _comment(
                "Comment", "Required if you answer no: say what is missing or wrong."
            )
        # The criteria come first on the page, so first in the error summary too.
        self.fields = {**fields, **self.fields}

    def rows(self):
        """Each criterion with its yes/no field and its comment field."""
        return [
            {"criterion": c, "met": self[f"c_{c.key}"], "comment": self[f"c_{c.key}_comment"]}
            for c in self.criteria
        ]

    def criteria_answers(self) -> dict:
        """The answers as gate_sign_off takes them: {key: {"met": bool, "comment": str}}."""
        return {
            c.key: {
                "met": self.cleaned_data[f"c_{c.key}"] == YES,
                "comment": self.cleaned_data[f"c_{c.key}_comment"],
            }
            for c in self.criteria
        }


class RouteForm(forms.Form):
    route = forms.ChoiceField(
        label="Which route should the review follow?",
        choices=[
            (STANDARD, "Standard: every criterion, the panel's full quorum"),
            (LOW_RISK, "Low-risk: the shorter list of criteria, a quorum of 1"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the standard or the low-risk route",
            "invalid_choice": "Select the standard or the low-risk route",
        },
    )
    reason = _comment(
        "Reason for the change",
        "Everyone on the project and the panel will see this on the project's timeline.",
        rows=4,
    )

    @property
    def low_risk(self) -> bool:
        return self.cleaned_data["route"] == LOW_RISK


def _whole_number(label, help_text, name):
    message = f"Enter {name} as a whole number, for example 2"
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        max_value=MAX_SETTING,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4", "spellcheck": "false"}
        ),
        error_messages={
            "required": f"Enter {name}",
            "invalid": message,
            "max_value": f"{name[0].upper()}{name[1:]} must be {MAX_SETTING} or fewer",
        },
    )


class PanelSettingsForm(forms.Form):
    quorum = _whole_number(
        "Quorum",
        "How many approvals from eligible reviewers a gate needs on the standard route. "
        "Low-risk projects need 1.",
        "the quorum",
    )
    remind_after_days = _whole_number(
        "Remind reviewers after (working days)",
        "A gate waiting this long reminds each eligible reviewer who has not decided.",
        "the working days before a reminder",
    )
    escalate_after_days = _whole_number(
        "Escalate to the chair after (working days)",
        "A gate waiting this long is escalated to the chair. It must be later than the reminder.",
        "the working days before an escalation",
    )
