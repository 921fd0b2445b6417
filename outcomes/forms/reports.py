"""Forms for outcome reports: the report (a value and note per measure, then the rest),
a risk or issue, and a comment."""

from django import forms
from django.utils.html import escape

from outcomes.models import OutcomeReport, ReportIssue
from partnerships.forms.fields import MeasureNumberField


def measure_value_field(measure, *, label: str) -> MeasureNumberField:
    """The field for a value of ``measure``, with its baseline and target as the hint."""
    return MeasureNumberField(
        number_label=f"value for “{measure.name}”",
        label=label,
        # help text is shown unescaped (it may hold markup): the unit is user text
        help_text=escape(
            f"Baseline {measure.baseline_display or 'not given'}; "
            f"target {measure.target_display or 'not given'}."
        ),
    )


class ReportForm(forms.Form):
    rag = forms.ChoiceField(
        label="RAG status",
        choices=OutcomeReport.Rag.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Green: on track. Amber: at risk but recoverable. Red: off track.",
    )
    rag_reason = forms.CharField(
        label="Reason for the RAG status", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    narrative = forms.CharField(
        label="Narrative",
        help_text="Progress in the period, in plain English.",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    what_worked = forms.CharField(
        label="What worked", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    what_did_not = forms.CharField(
        label="What did not work", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    share_lessons = forms.BooleanField(
        label="Share what worked and what did not in the learning library",
        help_text="Once the report is submitted, anyone signed in to the portal can read them "
        "there, with the names of the project lead and deputy to ask.",
        required=False,
    )

    def __init__(self, *args, measures, report=None, **kwargs):
        initial = {}
        if report is not None:
            initial = {
                "rag": report.rag,
                "rag_reason": report.rag_reason,
                "narrative": report.narrative,
                "what_worked": report.what_worked,
                "what_did_not": report.what_did_not,
                "share_lessons": report.share_lessons,
            }
            for value in report.values.all():
                initial[f"value_{value.measure_id}"] = value.value
                initial[f"note_{value.measure_id}"] = value.note
        super().__init__(*args, initial=initial, **kwargs)
        self.measures = list(measures)
        measure_fields = {}
        for measure in self.measures:
            measure_fields[f"value_{measure.pk}"] = measure_value_field(
                measure, label=f"{measure.name} ({measure.unit})"
            )
            measure_fields[f"note_{measure.pk}"] = forms.CharField(
                label=f"Note on “{measure.name}” (optional)",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
        self.fields = {**measure_fields, **self.fields}

    def measure_fields(self):
        return [(self[f"value_{m.pk}"], self[f"note_{m.pk}"]) for m in self.measures]

    def report_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) or "" for name in ReportForm.base_fields}
        data["share_lessons"] = bool(self.cleaned_data.get("share_lessons"))
        data["values"] = {
            m.pk: (self.cleaned_data.get(f"value_{m.pk}"), self.cleaned_data.get(f"note_{m.pk}"))
            for m in self.measures
        }
        return data


class IssueForm(forms.Form):
    kind = forms.ChoiceField(
        label="Is it a risk or an issue?",
        choices=ReportIssue.Kind.choices,
        widget=forms.RadioSelect,
        help_text="A risk may happen; an issue has happened.",
        error_messages={"required": "Choose whether it is a risk or an issue"},
    )
    description = forms.CharField(
        label="Describe the risk or issue",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the risk or issue"},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your comment"},
    )
