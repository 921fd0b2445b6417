"""Forms for declarations of interest: a yes/no question, then up to three interests."""

from django import forms

from governance.models import Interest
from governance.services.declarations import INTEREST_FIELDS, interest_errors
from partnerships.forms.fields import DateField

INTEREST_ROWS = 3
YES, NO = "yes", "no"


class DeclarationForm(forms.Form):
    has_interests = forms.ChoiceField(
        label="Do you have any interests to declare?",
        choices=[(YES, "Yes"), (NO, "No")],
        widget=forms.RadioSelect,
        help_text="Include interests of a relative, close friend or associate that could be seen "
        "to influence you. Answer no to make a nil return.",
        error_messages={"required": "Select yes if you have any interests to declare"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, INTEREST_ROWS + 1):
            p = f"interest_{n}_"
            self.fields[p + "category"] = forms.ChoiceField(
                label="Category",
                choices=[("", "Select a category"), *list(Interest.Category.choices)],
                required=False,
            )
            self.fields[p + "interest_type"] = forms.ChoiceField(
                label="Type of interest",
                choices=[("", "Select a type"), *list(Interest.Type.choices)],
                required=False,
            )
            self.fields[p + "description"] = forms.CharField(
                label="Description",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                help_text="For example, the role held, the value of shares, or the gift received.",
            )
            self.fields[p + "organisation_name"] = forms.CharField(
                label="Organisation concerned", max_length=200, required=False
            )
            self.fields[p + "start_date"] = DateField(
                label="Date the interest started",
                required=False,
                help_text="For example, 15 3 2024",
            )
            self.fields[p + "end_date"] = DateField(
                label="Date the interest ended",
                required=False,
                help_text="Leave blank if it continues.",
            )
            self.fields[p + "became_aware_on"] = DateField(
                label="Date you became aware of the interest", required=False
            )

    def rows(self):
        """Bound fields grouped by interest, for the template's fieldsets."""
        return [
            [self[f"interest_{n}_{f}"] for f in INTEREST_FIELDS]
            for n in range(1, INTEREST_ROWS + 1)
        ]

    def _row_data(self, n):
        return {f: self.cleaned_data.get(f"interest_{n}_{f}") for f in INTEREST_FIELDS}

    def clean(self):
        cleaned = super().clean()
        interests = []
        for n in range(1, INTEREST_ROWS + 1):
            prefix = f"interest_{n}_"
            row = self._row_data(n)
            row_has_errors = any(self.has_error(prefix + f) for f in INTEREST_FIELDS)
            if not row_has_errors and not any(v not in (None, "") for v in row.values()):
                continue  # An empty row is ignored.
            if cleaned.get("has_interests") == NO:
                continue
            for field, message in interest_errors(row).items():
                if not self.has_error(prefix + field):
                    self.add_error(prefix + field, f"Interest {n}: {message}")
            interests.append(row)
        answer = cleaned.get("has_interests")
        filled = [
            n
            for n in range(1, INTEREST_ROWS + 1)
            if any(v not in (None, "") for v in self._row_data(n).values())
        ]
        if answer == NO and filled:
            self.add_error(
                "has_interests",
                "You answered no, so a nil return has no interests: remove the interests "
                "or answer yes",
            )
        if answer == YES and not filled and not self.errors:
            self.add_error(
                "interest_1_category",
                "Enter at least one interest, or answer no if you have none to declare",
            )
        cleaned["interests"] = interests if answer == YES else []
        return cleaned

    def _post_clean(self):
        """Name the interest in every row error, so the error summary says which one."""
        super()._post_clean()
        for name, errors in list(self._errors.items()):
            if not name.startswith("interest_"):
                continue
            label = f"Interest {name.split('_')[1]}: "
            self._errors[name] = self.error_class(
                [m if m.startswith("Interest ") else label + m for m in errors],
                field_id=self[name].auto_id,
                renderer=self.renderer,
            )

    @property
    def nil_return(self) -> bool:
        return self.cleaned_data.get("has_interests") == NO


class ConflictManagementForm(forms.Form):
    action = forms.CharField(
        label="How is the conflict managed?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, excluded from the decision, or may take part in the discussion "
        "but not the decision.",
        error_messages={"required": "Enter how the conflict is managed"},
    )
    excludes_from_decision = forms.BooleanField(
        label="The person is excluded from the decision", required=False
    )
