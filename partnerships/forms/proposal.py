"""Forms for starting a proposal and for editing its sections in the browser.

One ModelForm per field section, built from ``sections.SECTIONS``: every answer is optional
(a section can be saved half done; ``sections.section_problems`` says what is missing), but
what is given must be valid.
"""

from django import forms
from django.db import models

from accounts.selectors import is_administrator
from partnerships.forms.fields import DateField
from partnerships.models import Project
from partnerships.sections import OPENABLE_SECTIONS, SECTIONS, SECTIONS_BY_KEY
from partnerships.selectors import projects as selectors

# Labels in sentence case, and hints from the collaborative working agreement templates.
LABELS = {
    "title": "Project title",
    "kind": "Type of working",
    "therapy_area": "Therapy area",
    "start_date": "Start date",
    "end_date": "End date",
    "population_need": "Population need addressed",
    "background": "Background and rationale",
    "aims": "Aims",
    "objectives": "Objectives",
    "benefits_patients": "Benefits to patients",
    "benefits_nhs": "Benefits to the NHS",
    "benefits_industry": "Benefits to the company",
    "methodology": "Methodology",
    "milestones": "Milestones and phases",
    "evaluation_plan": "Evaluation plan",
    "success_criteria": "Success criteria",
    "publication_plan": "Publication plan",
    "governance_arrangements": "Governance and oversight",
    "data_protection": "Data protection arrangements",
    "confirm_nhs_data_controller": (
        "The NHS organisation is the data controller, and no patient-identifiable data "
        "reaches the company"
    ),
    "exit_strategy": "Exit strategy",
    "medicines_referenced": "Medicines referenced",
    "confirm_prospective": (
        "The project is prospective: it is agreed before any of its work begins, "
        "not to cover work already done"
    ),
    "confirm_not_inducement": (
        "The project is not an inducement to prescribe, supply, recommend, buy or sell any medicine"
    ),
    "confirm_national_guidance": (
        "National clinical guidance is followed for any medicine named in this proposal"
    ),
    "confirm_benefits_organisational": (
        "The benefits go to the partner organisations, never to individuals"
    ),
    "executive_summary": "Executive summary",
}

HINTS = {
    "title": "A short, plain description, for example “Improving asthma care in Greater "
    "Manchester”.",
    "kind": "Joint working is the stricter, patient-centred form of collaborative working "
    "under the ABPI Code of Practice.",
    "therapy_area": "For example, respiratory, diabetes or dermatology.",
    "start_date": "For example, 15 3 2027",
    "end_date": "Must be after the start date. For example, 31 3 2028",
    "population_need": "Which people, where, and the need the project answers. Use local "
    "data where you can.",
    "background": "Why this project, why now, and why in partnership with industry.",
    "aims": "What the project sets out to achieve. Patient benefit comes first.",
    "objectives": "One objective per line. Each objective will need at least one outcome measure.",
    "benefits_patients": "What patients gain, for example better control of their condition "
    "or quicker diagnosis.",
    "benefits_nhs": "What the NHS gains, for example fewer admissions or better use of "
    "clinicians' time.",
    "benefits_industry": "Be open about what the company expects to gain, for example "
    "insight into care pathways. Benefits go to organisations, never to individuals.",
    "methodology": "How the project will be delivered, and how progress will be measured.",
    "milestones": "One milestone or phase per line, with its expected date.",
    "evaluation_plan": "How you will judge whether the project worked, including the baseline "
    "you will compare against. Outcome measures are added separately.",
    "success_criteria": "What success looks like, in numbers where you can, for example "
    "“20% fewer emergency admissions in 12 months”.",
    "publication_plan": "How and where the results will be shared. An outcome summary is "
    "published on the transparency register after the project ends.",
    "governance_arrangements": "The joint oversight group: who sits on it, how often it meets "
    "and its terms of reference. Include information governance, data security and "
    "commercial confidentiality.",
    "data_protection": "What data the project uses, where it is held and who can see it.",
    "exit_strategy": "How the project ends, including early termination, each party's "
    "responsibilities on exit, and what is left in place afterwards.",
    "medicines_referenced": "Name any medicines the project refers to. Leave blank if there "
    "are none.",
    "executive_summary": "This is published on the public transparency register before the "
    "project starts. Write in plain English for a general reader and keep it factual and "
    "non-promotional: say what the project does, who it is for, who the partners are and "
    "what each contributes. Do not make claims about any medicine.",
}

TEXTAREA_ROWS = {"executive_summary": 10, "milestones": 6}

ERRORS = {
    "title": {
        "required": "Enter the project's title",
        "max_length": "Title must be 200 characters or fewer",
    },
    "therapy_area": {"max_length": "Therapy area must be 100 characters or fewer"},
}


def _formfield(model_field, **kwargs):
    if model_field.name == "kind":
        return forms.ChoiceField(
            choices=Project.Kind.choices,
            required=False,
            widget=forms.RadioSelect,
            label=kwargs.get("label"),
            help_text=kwargs.get("help_text", ""),
        )
    if isinstance(model_field, models.DateField):
        return DateField(
            required=False, label=kwargs.get("label"), help_text=kwargs.get("help_text", "")
        )
    return model_field.formfield(**kwargs)


class SectionForm(forms.ModelForm):
    """The answers of one section. Built by ``section_form_class``."""

    section_key = ""

    def section_data(self) -> dict:
        """The cleaned answers, as ``services.projects.section_save`` takes them."""
        section = SECTIONS_BY_KEY[self.section_key]
        return {name: self.cleaned_data[name] for name in section.fields}


class AboutSectionForm(SectionForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "End date must be after the start date")
        return cleaned


class AimsSectionForm(SectionForm):
    objectives = forms.CharField(
        label=LABELS["objectives"],
        help_text=HINTS["objectives"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    field_order = ["aims", "objectives"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["objectives"] = "\n".join(
                o.description for o in self.instance.objectives.all()
            )

    def clean_objectives(self):
        lines = self.cleaned_data.get("objectives", "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def section_data(self) -> dict:
        return {**super().section_data(), "objectives": self.cleaned_data["objectives"]}


BASES = {"about": AboutSectionForm, "aims": AimsSectionForm}
# The sections edited here; partners and team have pages of their own.
FIELD_SECTIONS = tuple(s.key for s in SECTIONS if s.fields)


def section_form_class(key: str) -> type[SectionForm]:
    """The ModelForm for one of the eight field sections."""
    section = SECTIONS_BY_KEY[key]
    fields = list(section.fields)
    widgets = {}
    for name in fields:
        if isinstance(Project._meta.get_field(name), models.TextField):
            widgets[name] = forms.Textarea(attrs={"rows": TEXTAREA_ROWS.get(name, 5)})
    form_class = forms.modelform_factory(
        Project,
        form=BASES.get(key, SectionForm),
        fields=fields,
        labels={n: LABELS[n] for n in fields},
        help_texts={n: HINTS[n] for n in fields if n in HINTS},
        error_messages={n: ERRORS[n] for n in fields if n in ERRORS},
        widgets=widgets,
        formfield_callback=_formfield,
    )
    form_class.section_key = key
    return form_class


class ProjectCreateForm(forms.Form):
    title = forms.CharField(
        label="Project title",
        max_length=200,
        help_text=HINTS["title"] + " You can change it later.",
        error_messages={
            "required": "Enter the project's title",
            "max_length": "Title must be 200 characters or fewer",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = selectors.lead_organisations_for(user=user)
        administrator = is_administrator(user)
        self.fields["lead_organisation"] = forms.ModelChoiceField(
            label="Lead organisation",
            queryset=organisations,
            # Partnership leads usually lead for one or two organisations; administrators
            # choose from every NHS organisation.
            widget=forms.Select if administrator else forms.RadioSelect,
            empty_label="Choose an organisation" if administrator else None,
            help_text="The ICB or other NHS body that leads the project.",
            error_messages={
                "required": "Select the lead organisation",
                "invalid_choice": "Select one of the organisations listed",
            },
        )
        if not administrator and not self.is_bound:
            only = list(organisations[:2])
            if len(only) == 1:
                self.initial["lead_organisation"] = only[0].pk


class OpenSectionsForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label="Sections that team members from partner organisations can edit",
        help_text="The project lead and deputy can edit every section. Team members from "
        "partner organisations can always change their own organisation's contribution, and "
        "can edit the sections you choose here.",
        choices=[(key, SECTIONS_BY_KEY[key].title) for key in OPENABLE_SECTIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose from the sections listed"},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        help_text="Everyone on the project team can read comments.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your comment"},
    )
