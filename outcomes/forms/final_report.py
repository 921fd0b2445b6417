"""The final report form: what each measure achieved, then the review questions."""

from django import forms

from outcomes.forms.reports import measure_value_field
from outcomes.models import FinalReport
from outcomes.services.final_report import ANSWER_FIELDS, TEXT_FIELDS


def _text(label, rows=4, help_text=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=False,
    )


class FinalReportForm(forms.Form):
    overview = _text("Overview and objectives", help_text="What the project set out to do.")
    outcomes_achieved = _text(
        "Outcomes achieved", 6, "Overall, against the targets the partners agreed."
    )
    benefits_patients = _text("Benefits to patients")
    benefits_nhs = _text("Benefits to the NHS")
    benefits_industry = _text("Benefits to the company")
    conclusions = _text("Conclusions")
    lessons_learned = _text(
        "Lessons learned",
        6,
        "What worked, what did not, and what another team should know. Anyone signed in to "
        "the portal can read these in the learning library.",
    )
    outcome_summary = _text(
        "Outcome summary for publication",
        6,
        "Plain English, for the public transparency register: what the project achieved for "
        "patients and the NHS.",
    )

    def __init__(self, *args, measures, report=None, **kwargs):
        initial = {}
        if report is not None:
            initial = {name: getattr(report, name) for name in (*TEXT_FIELDS, *ANSWER_FIELDS)}
            for result in report.results.all():
                initial[f"achieved_{result.measure_id}"] = result.achieved
                initial[f"commentary_{result.measure_id}"] = result.commentary
        super().__init__(*args, initial=initial, **kwargs)
        self.measures = list(measures)
        measure_fields = {}
        for measure in self.measures:
            measure_fields[f"achieved_{measure.pk}"] = measure_value_field(
                measure, label=f"{measure.name}: achieved ({measure.unit})"
            )
            measure_fields[f"commentary_{measure.pk}"] = _text(
                f"Commentary on “{measure.name}” (optional)", 2
            )
        question_fields = {}
        for name, question in FinalReport.QUESTIONS:
            question_fields[name] = forms.ChoiceField(
                label=question,
                choices=FinalReport.Answer.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            question_fields[f"{name}_comment"] = _text(f"Comment on “{question}”", 3)
        base = dict(self.fields)
        head = {k: base.pop(k) for k in ("overview", "outcomes_achieved")}
        self.fields = {**head, **measure_fields, **question_fields, **base}

    def measure_fields(self):
        return [(self[f"achieved_{m.pk}"], self[f"commentary_{m.pk}"]) for m in self.measures]

    def question_fields(self):
        return [(self[name], self[f"{name}_comment"]) for name in ANSWER_FIELDS]

    def report_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) or "" for name in (*TEXT_FIELDS, *ANSWER_FIELDS)}
        data["results"] = {
            m.pk: (
                self.cleaned_data.get(f"achieved_{m.pk}"),
                self.cleaned_data.get(f"commentary_{m.pk}"),
            )
            for m in self.measures
        }
        return data
