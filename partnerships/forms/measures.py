"""The form for adding or changing an outcome measure.

What must be given, and the messages, come from ``services.measures`` (which checks them
again, with the rules that need the database), so the page shows every problem at once.
"""

from django import forms

from partnerships.forms.fields import DateField, MeasureNumberField
from partnerships.models import Objective, OutcomeMeasure, Partner, Project
from partnerships.services.measures import FIELDS, REQUIRED, VALUE_LABELS


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"Objective {obj.number}: {obj.description}"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


def _required(name: str) -> dict:
    return {"required": REQUIRED[name]}


class OutcomeMeasureForm(forms.Form):
    objective = ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        label="Objective",
        help_text="The objective this measure shows progress towards.",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            **_required("objective"),
            "invalid_choice": "Choose one of this project's objectives",
        },
    )
    name = forms.CharField(
        label="Name of the measure",
        max_length=200,
        help_text="For example, emergency admissions for asthma.",
        error_messages={
            **_required("name"),
            "max_length": "Name must be 200 characters or fewer",
        },
    )
    unit = forms.CharField(
        label="Unit",
        max_length=100,
        help_text="What the values count, for example admissions a year, days or %.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20"}),
        error_messages={**_required("unit"), "max_length": "Unit must be 100 characters or fewer"},
    )
    direction = forms.ChoiceField(
        label="Which is better?",
        choices=OutcomeMeasure.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={**_required("direction"), "invalid_choice": REQUIRED["direction"]},
    )
    baseline_value = MeasureNumberField(
        number_label=VALUE_LABELS["baseline_value"],
        label="Baseline value",
        help_text="The value before the project starts, in the unit above. You can save the "
        "measure without it, but the proposal cannot be submitted until it is given.",
    )
    baseline_date = DateField(
        required=False,
        label="Baseline date",
        help_text="When the baseline was measured, for example 31 3 2026",
    )
    target_value = MeasureNumberField(
        number_label=VALUE_LABELS["target_value"],
        label="Target value",
        help_text="The value the project aims to reach, in the unit above.",
    )
    target_date = DateField(
        required=False,
        label="Target date",
        help_text="When the target should be reached, for example 30 9 2028",
    )
    data_source = forms.CharField(
        label="Data source",
        max_length=200,
        required=False,
        help_text="Where the figures come from, for example Secondary Uses Service (SUS) "
        "admissions data or a GP clinical system audit.",
        error_messages={"max_length": "Data source must be 200 characters or fewer"},
    )
    frequency = forms.ChoiceField(
        label="How often the data is collected",
        choices=OutcomeMeasure.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={**_required("frequency"), "invalid_choice": REQUIRED["frequency"]},
    )
    owner = OwnerChoiceField(
        queryset=Partner.objects.none(),
        label="Owning partner",
        help_text="The partner responsible for collecting and reporting the measure.",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            **_required("owner"),
            "invalid_choice": "Choose one of this project's partners",
        },
    )

    def __init__(self, *args, project: Project, measure: OutcomeMeasure | None = None, **kwargs):
        if measure is not None:
            initial = {name: getattr(measure, name) for name in FIELDS}
            initial["objective"], initial["owner"] = measure.objective_id, measure.owner_id
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(project=project)
        self.fields["owner"].queryset = Partner.objects.filter(project=project).select_related(
            "organisation"
        )
        if measure is None:
            self.initial.setdefault("frequency", OutcomeMeasure.Frequency.QUARTERLY)
            objectives = list(project.objectives.all())
            if len(objectives) == 1:
                self.initial.setdefault("objective", objectives[0].pk)
            lead = next((p for p in project.partners.all() if p.is_lead), None)
            if lead is not None:
                self.initial.setdefault("owner", lead.pk)

    def measure_data(self) -> dict:
        """The cleaned answers, as ``services.measures`` takes them."""
        return {name: self.cleaned_data[name] for name in FIELDS}
