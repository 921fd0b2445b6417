"""The proposal's sections: what each holds, and what is missing before submission.

One place for the submission rules, so the task list, the check-your-answers
page and the submit service cannot disagree.
"""

from dataclasses import dataclass, field

from partnerships.models import Organisation, Project, TeamMember


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    hint: str = ""
    confirmations: tuple[str, ...] = field(default=())


SECTIONS = (
    Section(
        "about",
        "About the project",
        ("title", "kind", "therapy_area", "start_date", "end_date"),
        ("title", "kind", "therapy_area", "start_date", "end_date"),
        "Title, type of working, therapy area and dates",
    ),
    Section(
        "need",
        "Population need and purpose",
        ("population_need", "background"),
        ("population_need", "background"),
        "The need this answers, and why",
    ),
    Section(
        "aims",
        "Aims, objectives and benefits",
        ("aims", "benefits_patients", "benefits_nhs", "benefits_industry"),
        ("aims", "benefits_patients", "benefits_nhs", "benefits_industry"),
        "Benefits to patients, the NHS and the company, separately",
    ),
    Section("partners", "Partners and contributions", hint="Who contributes what"),
    Section("team", "Team", hint="At least a project lead and a deputy from the NHS"),
    Section(
        "delivery",
        "Delivery plan and milestones",
        ("methodology", "milestones"),
        ("methodology", "milestones"),
    ),
    Section(
        "evaluation",
        "Outcome measures and evaluation",
        ("evaluation_plan", "success_criteria", "publication_plan"),
        ("evaluation_plan", "success_criteria", "publication_plan"),
    ),
    Section(
        "governance",
        "Governance, data protection and exit strategy",
        (
            "governance_arrangements",
            "data_protection",
            "confirm_nhs_data_controller",
            "exit_strategy",
        ),
        ("governance_arrangements", "data_protection", "exit_strategy"),
        confirmations=("confirm_nhs_data_controller",),
    ),
    Section(
        "declarations",
        "Declarations",
        (
            "medicines_referenced",
            "confirm_prospective",
            "confirm_not_inducement",
            "confirm_national_guidance",
            "confirm_benefits_organisational",
        ),
        confirmations=(
            "confirm_prospective",
            "confirm_not_inducement",
            "confirm_national_guidance",
            "confirm_benefits_organisational",
        ),
    ),
    Section(
        "summary",
        "Executive summary for publication",
        ("executive_summary",),
        ("executive_summary",),
        "Published on the transparency register before the project starts",
    ),
)
SECTIONS_BY_KEY = {s.key: s for s in SECTIONS}
# Sections partner organisations' team members may be given to edit.
OPENABLE_SECTIONS = tuple(s.key for s in SECTIONS if s.key not in ("partners", "team"))

NOT_STARTED, IN_PROGRESS, COMPLETED = "Not started", "In progress", "Completed"


def _label(name: str) -> str:
    label = str(Project._meta.get_field(name).verbose_name)
    return label[0].upper() + label[1:]


def section_problems(project: Project, key: str) -> list[str]:
    """What stops this section counting as complete (empty when it is complete).

    Expects ``project.partners`` (with organisation), ``project.team``,
    ``project.objectives`` and ``project.measures`` to be prefetched when called for many
    projects.
    """
    section = SECTIONS_BY_KEY[key]
    problems = []
    for name in section.required:
        if getattr(project, name) in (None, ""):
            problems.append(f"{section.title}: enter {_label(name).lower()}")
    for name in section.confirmations:
        if not getattr(project, name):
            problems.append(
                f"{section.title}: confirm that {_label(name)[0].lower()}{_label(name)[1:]}"
            )
    dates = project.start_date and project.end_date
    if key == "about" and dates and project.end_date <= project.start_date:
        problems.append("About the project: the end date must be after the start date")
    if key == "aims" and not project.objectives.all():
        problems.append("Aims, objectives and benefits: add at least one objective")
    if key == "partners":
        problems += _partner_problems(project)
    if key == "team":
        problems += _team_problems(project)
    if key == "evaluation":
        problems += [f"{section.title}: {p}" for p in measure_problems(project)]
    return problems


def short_text(text: str, limit: int = 60) -> str:
    """Text on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def measure_problems(project: Project) -> list[str]:
    """DESIGN rule 5: every objective has at least one outcome measure, and every measure has
    a baseline and a target (each a value and a date), a data source and a collection
    frequency. The submission rule and the outcome measures gate both apply it; each problem
    names the objective or the measure."""
    return measure_problems_of(list(project.objectives.all()), list(project.measures.all()))


def measure_problems_of(objectives, measures) -> list[str]:
    """measure_problems for the given objectives and measures (the compliance check gives
    those a project had when its outcome measures gate was approved)."""
    problems = []
    if not objectives and not measures:
        problems.append("there are no outcome measures yet: each objective needs at least one")
    measured = {m.objective_id for m in measures}
    for objective in objectives:
        if objective.pk not in measured:
            problems.append(
                f"objective {objective.number}, “{short_text(objective.description)}”, "
                "has no outcome measure"
            )
    for measure in measures:
        missing = [
            what
            for what, given in (
                ("baseline value", measure.baseline_value is not None),
                ("baseline date", measure.baseline_date is not None),
                ("target value", measure.target_value is not None),
                ("target date", measure.target_date is not None),
                ("data source", measure.data_source.strip()),
                ("collection frequency", measure.frequency),
            )
            if not given
        ]
        if missing:
            problems.append(f"the outcome measure “{measure.name}” has no {_or(missing)}")
    return problems


def _partner_problems(project: Project) -> list[str]:
    title = SECTIONS_BY_KEY["partners"].title
    partners = list(project.partners.all())
    problems = []
    lead = [p for p in partners if p.is_lead]
    if not lead or not lead[0].organisation.is_nhs:
        problems.append(f"{title}: the lead organisation must be an ICB or another NHS body")
    if not any(p.organisation.kind == Organisation.Kind.COMPANY for p in partners):
        problems.append(f"{title}: add the company you are working with")
    for partner in partners:
        name = partner.organisation.name
        if not partner.contributes:
            problems.append(f"{title}: {name} must make a financial or in-kind contribution")
        if partner.in_kind_value and not partner.in_kind_description.strip():
            problems.append(f"{title}: describe {name}'s in-kind contribution")
        if not (partner.accountable_lead_name and partner.accountable_lead_email):
            problems.append(f"{title}: name {name}'s accountable lead and their email address")
    return problems


def _team_problems(project: Project) -> list[str]:
    title = SECTIONS_BY_KEY["team"].title
    team = list(project.team.all())
    nhs_ids = {p.organisation_id for p in project.partners.all() if p.organisation.is_nhs}
    problems = []
    roles = {m.role: m for m in team}
    if TeamMember.Role.LEAD not in roles:
        problems.append(f"{title}: name the project lead")
    if TeamMember.Role.DEPUTY not in roles:
        problems.append(f"{title}: name a deputy lead, so the project survives a change of role")
    nhs_members = [m for m in team if m.organisation_id in nhs_ids]
    if len(nhs_members) < 2:
        problems.append(f"{title}: at least two team members must be from the NHS")
    for role in (TeamMember.Role.LEAD, TeamMember.Role.DEPUTY):
        member = roles.get(role)
        if member and member.organisation_id not in nhs_ids:
            problems.append(f"{title}: the {member.get_role_display().lower()} must be NHS staff")
    return problems


def _started(project: Project, key: str) -> bool:
    section = SECTIONS_BY_KEY[key]
    if key == "partners":
        return len(project.partners.all()) > 1 or any(p.contributes for p in project.partners.all())
    if key == "team":
        return len(project.team.all()) > 1
    if key == "aims" and project.objectives.all():
        return True
    if key == "evaluation" and project.measures.all():
        return True
    return any(
        getattr(project, name) not in (None, "", False)
        for name in section.fields
        if name != "title"
    )


def section_status(project: Project, key: str) -> str:
    if not section_problems(project, key):
        return COMPLETED
    if key == "about" or _started(project, key):
        return IN_PROGRESS
    return NOT_STARTED


def task_list(project: Project) -> list[dict]:
    return [
        {
            "section": s,
            "status": section_status(project, s.key),
            "problems": section_problems(project, s.key),
        }
        for s in SECTIONS
    ]


def submission_problems(project: Project) -> list[str]:
    """Every missing piece, across all sections, in task-list order."""
    problems = []
    for section in SECTIONS:
        problems += section_problems(project, section.key)
    return problems
