"""The demo projects, made through the services as a partnership lead would make them
(demo/specs.py says what each is), then taken through review (demo/governance.py) and,
for three, delivery after approval (demo/outcomes.py); and one that breaks the rules on
purpose for the compliance check (demo/planted.py).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, User
from demo.governance import seed_review
from demo.history import at, move_back
from demo.outcomes import seed_delivery
from demo.planted import PLANTED_PROJECTS, plant_breaches
from demo.specs import COMMON, PROJECTS
from partnerships.models import Partner, Project
from partnerships.services import measures as measure_services
from partnerships.services import partners, projects, team

# A project that has started was proposed, reviewed and approved this long before its start.
PROPOSED_BEFORE_START = timedelta(days=60)


def _add_measures(project: Project, rows: list[tuple], lead: User) -> None:
    """One outcome measure per objective, owned by the lead NHS organisation (which holds the
    data), from a baseline in the year to March 2026 to a target at the project's end. Each row:
    (name, unit, direction, baseline, target, data source, frequency[, baseline date])."""
    owner = Partner.objects.get(project=project, is_lead=True)
    for objective, row in zip(project.objectives.order_by("number"), rows, strict=True):
        name, unit, direction, baseline, target, source, frequency, *when = row
        measure_services.outcome_measure_add(
            project=project,
            data={
                "objective": objective,
                "name": name,
                "unit": unit,
                "direction": direction,
                "baseline_value": Decimal(baseline) if baseline else None,
                "baseline_date": (when[0] if when else date(2026, 3, 31)) if baseline else None,
                "target_value": Decimal(target),
                "target_date": project.end_date or date(2028, 9, 30),
                "data_source": source,
                "frequency": frequency,
                "owner": owner,
            },
            actor=lead,
        )


def seed_projects() -> int:
    created = 0
    for spec in (*PROJECTS, *PLANTED_PROJECTS):
        lead = User.objects.get(email=spec["lead"])
        lead_org = lead.memberships.get(role="partnership_lead").organisation
        if Project.objects.filter(title=spec["title"], lead_organisation=lead_org).exists():
            continue
        created += 1
        began = timezone.now()
        project = projects.project_create(
            title=spec["title"], lead_organisation=lead_org, actor=lead
        )
        complete = spec["state"] != "draft"
        data = {
            **COMMON,
            "therapy_area": spec["therapy_area"],
            "start_date": spec.get("start_date", date(2027, 4, 1)),
            "end_date": spec.get("end_date", date(2028, 9, 30)),
            "population_need": spec["population_need"],
            "background": "Demo data: " + spec["population_need"],
            "aims": "Better outcomes for patients through a redesigned pathway.",
            "benefits_patients": "Earlier diagnosis and treatment in line with guidance.",
            "benefits_nhs": "Fewer emergency admissions and a sustainable pathway.",
            "benefits_industry": "A better understanding of the pathway and of patients' needs.",
            "executive_summary": spec["summary"],
            "objectives": spec["objectives"],
        }
        if not complete:
            data = {k: data[k] for k in ("therapy_area", "population_need", "objectives", "aims")}
        for section in (
            "about",
            "need",
            "aims",
            "delivery",
            "evaluation",
            "governance",
            "declarations",
            "summary",
        ):
            project = projects.section_save(project=project, key=section, data=data, actor=lead)
        company = Organisation.objects.get(name=spec["company"])
        partner = partners.partner_add(project=project, organisation=company, actor=lead)
        if complete:
            contribution = {
                "accountable_lead_name": User.objects.get(email=spec["industry"]).get_full_name(),
                "accountable_lead_email": spec["industry"],
                "financial_contribution": Decimal("60000.00"),
                "in_kind_description": "A project manager two days a week",
                "in_kind_value": Decimal("25000.00"),
            }
            partners.partner_update(partner=partner, data=contribution, actor=lead)
            nhs_side = {
                "accountable_lead_name": lead.get_full_name(),
                "accountable_lead_email": lead.email,
                "in_kind_description": "Clinical time and data analysis",
                "in_kind_value": Decimal("40000.00"),
            }
            lead_partner = Partner.objects.get(project=project, is_lead=True)
            partners.partner_update(partner=lead_partner, data=nhs_side, actor=lead)
        _add_measures(project, spec["measures"], lead)
        team.team_member_add(
            project=project, user=User.objects.get(email=spec["deputy"]), role="deputy", actor=lead
        )
        team.team_member_add(
            project=project,
            user=User.objects.get(email=spec["industry"]),
            role="member",
            actor=lead,
        )
        if spec["state"] == "draft":
            continue
        project = projects.project_transition(project=project, action="submit", actor=lead)
        # Declarations and the panel's sign-offs take it on to its state.
        created += seed_review(project=project, state=spec["state"])
        if "delivery" in spec:
            # Proposed and approved before it started (demo/history.py), then delivered.
            move_back(project, since=began, to=at(spec["start_date"] - PROPOSED_BEFORE_START))
            project.refresh_from_db()
            created += seed_delivery(project=project, spec=spec)
        if spec in PLANTED_PROJECTS:
            plant_breaches(project)
    return created
