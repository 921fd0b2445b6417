import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, User

PASSWORD = "Correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"NHS Test Integrated Care Board {n}")
    kind = Organisation.Kind.ICB
    ods_code = factory.Sequence(lambda n: f"Q{n:02d}")


class CompanyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Test Pharma {n} Ltd")
    kind = Organisation.Kind.COMPANY
    ods_code = ""


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.PARTNERSHIP_LEAD


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    first_name = "Ada"
    last_name = "Lovelace"
    role = Membership.Role.PARTNERSHIP_LEAD
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))


# Projects ----------------------------------------------------------------------


def draft_project(*, lead_user, lead_organisation, title="Improving asthma care"):
    """A new draft, as the partnership lead starts it."""
    from partnerships.services.projects import project_create

    return project_create(title=title, lead_organisation=lead_organisation, actor=lead_user)


def complete_measure(*, objective, owner, **overrides):
    """Everything an outcome measure needs for submission, as the measures service takes it."""
    from datetime import date
    from decimal import Decimal

    name = "Patients reviewed" if objective.number == 1 else f"Objective {objective.number} met"
    return {
        "objective": objective,
        "name": name,
        "unit": "%",
        "direction": "higher",
        "baseline_value": Decimal("30"),
        "baseline_date": date(2026, 3, 31),
        "target_value": Decimal("80"),
        "target_date": date(2028, 6, 30),
        "data_source": "GP clinical system audit",
        "frequency": "quarterly",
        "owner": owner,
        **overrides,
    }


def complete_proposal(*, project, lead_user, deputy_user, company, industry_user=None):
    """Fill every section so the proposal can be submitted."""
    from datetime import date
    from decimal import Decimal

    from partnerships.models import Partner
    from partnerships.services import measures, partners, projects, team

    sections = {
        "about": {
            "title": project.title,
            "kind": "collaborative",
            "therapy_area": "Respiratory",
            "start_date": date(2027, 1, 1),
            "end_date": date(2028, 6, 30),
        },
        "need": {"population_need": "High asthma admissions", "background": "Variation in care"},
        "aims": {
            "aims": "Fewer admissions",
            "benefits_patients": "Better control",
            "benefits_nhs": "Fewer admissions",
            "benefits_industry": "Insight into pathways",
            "objectives": ["Review every patient on high-dose inhalers"],
        },
        "delivery": {
            "methodology": "Audit and review clinics",
            "milestones": "Q1 audit; Q2 clinics",
        },
        "evaluation": {
            "evaluation_plan": "Before and after",
            "success_criteria": "20% fewer admissions",
            "publication_plan": "Publish the outcome summary",
        },
        "governance": {
            "governance_arrangements": "Joint oversight group",
            "data_protection": "ICB is controller",
            "confirm_nhs_data_controller": True,
            "exit_strategy": "Either party on 3 months' notice",
        },
        "declarations": {
            "confirm_prospective": True,
            "confirm_not_inducement": True,
            "confirm_national_guidance": True,
            "confirm_benefits_organisational": True,
        },
        "summary": {"executive_summary": "A project to improve asthma care."},
    }
    for key, data in sections.items():
        project = projects.section_save(project=project, key=key, data=data, actor=lead_user)
    partner = partners.partner_add(project=project, organisation=company, actor=lead_user)
    contribution = {
        "accountable_lead_name": "A Lead",
        "accountable_lead_email": "lead@example.org",
        "financial_contribution": Decimal("50000.00"),
        "in_kind_description": "Project manager",
        "in_kind_value": Decimal("20000.00"),
    }
    partners.partner_update(partner=partner, data=contribution, actor=lead_user)
    lead_partner = Partner.objects.get(project=project, is_lead=True)
    partners.partner_update(
        partner=lead_partner,
        data={**contribution, "financial_contribution": Decimal("0")},
        actor=lead_user,
    )
    for objective in project.objectives.all():
        measures.outcome_measure_add(
            project=project,
            data=complete_measure(objective=objective, owner=lead_partner),
            actor=lead_user,
        )
    team.team_member_add(project=project, user=deputy_user, role="deputy", actor=lead_user)
    if industry_user is not None:
        team.team_member_add(project=project, user=industry_user, role="member", actor=lead_user)
    return project


def criteria_met(kind: str) -> dict:
    """A sign-off's answers with every criterion of the ``kind`` gate met (standard route)."""
    from governance.gates import GATES_BY_KIND

    return {
        c.key: {"met": True, "comment": ""}
        for c in GATES_BY_KIND[kind].criteria_for(low_risk=False)
    }


def approve_every_gate(project, reviewers) -> None:
    """Each reviewer approves each of the submitted project's four gates, in turn."""
    from governance.models import Gate
    from governance.services.gates import gate_sign_off

    for kind in Gate.Kind.values:
        for reviewer in reviewers:
            gate_sign_off(
                gate=Gate.objects.get(project=project, kind=kind),
                decision="approve",
                comment="",
                criteria=criteria_met(kind),
                actor=reviewer,
            )
