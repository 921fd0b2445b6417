"""One shared data set for the security tests: two sides, each an ICB with a company partner
and a project in each state the pages need, built with the portal's own services.

Side "own" is the standard cast's (tests/conftest.py: the same roles, made the same way);
side "other" belongs to people the cast has nothing to do with. Projects are put in the
active and completed states the way tests/partnerships/delivery.py does (a direct update),
since the lifecycle that gets them there is tested elsewhere and is not under test here.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Membership
from api import services as api_services
from governance.models import Interest, Panel
from governance.services.declarations import declaration_record
from outcomes.models import DisclosureDocument
from outcomes.schedule import project_periods
from outcomes.services import final_report as final_services
from outcomes.services import reports as report_services
from partnerships.models import Partner, Project, TeamMember
from partnerships.services.projects import project_transition
from tests.conftest import TOTP_SECRET
from tests.factories import (
    CompanyFactory,
    OrganisationFactory,
    UserFactory,
    complete_proposal,
    draft_project,
)
from tests.partnerships.delivery import upload_agreement

Role = Membership.Role
ROLES = (
    "partnership_lead",
    "deputy",
    "industry_member",
    "panel_member",
    "panel_chair",
    "auditor",
    "administrator",
    "outsider",
)
ANONYMOUS = "anonymous"
STATES = ("draft", "submitted", "active", "completed")


@dataclass
class Side:
    """One ICB's world: its people, its projects by state, and the objects the URLs take."""

    name: str
    icb: object
    company: object
    people: dict
    projects: dict = field(default_factory=dict)
    panel: Panel | None = None
    interest: Interest | None = None
    issue: object = None
    version: object = None
    disclosure: DisclosureDocument | None = None
    invitation_token: str = ""
    invitation: object = None
    token: object = None


def _member(organisation, role, *, mfa=False, **kwargs):
    user = UserFactory(**kwargs)
    account_services.membership_add(user=user, organisation=organisation, role=role)
    if mfa:
        TOTP.activate(user, TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


def _people(icb, company, tag):
    lead = _member(icb, Role.PARTNERSHIP_LEAD, first_name="Lead", last_name=tag)
    icb.partnership_lead = lead
    icb.save()
    return {
        "partnership_lead": lead,
        "deputy": _member(icb, Role.PARTNERSHIP_LEAD, first_name="Deputy", last_name=tag),
        "industry_member": _member(company, Role.INDUSTRY_MEMBER, last_name=tag),
        "panel_member": _member(icb, Role.PANEL_MEMBER, mfa=True, last_name=tag),
        "panel_chair": _member(icb, Role.PANEL_CHAIR, mfa=True, last_name=tag),
    }


def _proposal(side, title):
    people = side.people
    project = draft_project(
        lead_user=people["partnership_lead"], lead_organisation=side.icb, title=title
    )
    return complete_proposal(
        project=project,
        lead_user=people["partnership_lead"],
        deputy_user=people["deputy"],
        company=side.company,
        industry_user=people["industry_member"],
    )


def _declare(person, project, interests=()):
    return declaration_record(
        person=person,
        project=project,
        role="team_member" if project.team.filter(user=person).exists() else "reviewer",
        nil_return=not interests,
        interests=list(interests),
        actor=person,
    )


INTEREST = {
    "category": Interest.Category.FINANCIAL,
    "interest_type": Interest.Type.SHAREHOLDING,
    "description": "Shares held in the company",
    "organisation_name": "The company",
    "start_date": datetime.date(2023, 4, 1),
    "end_date": None,
    "became_aware_on": datetime.date(2023, 4, 1),
}

_reference_numbers = iter(range(9001, 9999))


def _put_in_state(project, status, *, start, end, **fields):
    """As the lifecycle leaves a project: submitted (a reference), the summary published."""
    Project.objects.filter(pk=project.pk).update(
        status=status,
        start_date=start,
        end_date=end,
        reference=f"CW-2025-{next(_reference_numbers)}",
        submitted_at=timezone.now(),
        summary_published_at=timezone.now(),
        **fields,
    )
    return Project.objects.get(pk=project.pk)


def build_side(name, *, icb, company) -> Side:
    side = Side(name=name, icb=icb, company=company, people=_people(icb, company, name.title()))
    people = side.people
    lead, industry = people["partnership_lead"], people["industry_member"]

    side.projects["draft"] = _proposal(side, f"{name.title()} draft proposal")

    submitted = _proposal(side, f"{name.title()} submitted proposal")
    for role in ("partnership_lead", "deputy", "panel_member", "panel_chair"):
        _declare(people[role], submitted)
    declaration = _declare(industry, submitted, [INTEREST])
    side.interest = declaration.interests.get()
    side.projects["submitted"] = project_transition(project=submitted, action="submit", actor=lead)
    side.panel = Panel.objects.get(organisation=icb)

    today = timezone.localdate()
    active = _put_in_state(
        _proposal(side, f"{name.title()} active project"),
        Project.Status.ACTIVE,
        start=today - datetime.timedelta(days=200),
        end=today + datetime.timedelta(days=500),
    )
    side.projects["active"] = active
    first_period = project_periods(active)[0]
    report_services.outcome_report_save(
        project=active,
        period_end=first_period.end,
        data={"rag": "green", "rag_reason": "On track", "narrative": "Clinics running"},
        actor=lead,
    )
    # Raised by the industry member, so "whoever raised it" is a different person from the lead.
    side.issue = report_services.issue_raise(
        project=active,
        period_end=first_period.end,
        kind="risk",
        description="Practices may not take part",
        actor=industry,
    )
    side.version = upload_agreement(active, lead)
    pdf = b"%PDF-1.4 security test " + name.encode()
    side.disclosure = DisclosureDocument(
        kind=DisclosureDocument.Kind.PROJECT,
        project=active,
        status=DisclosureDocument.Status.READY,
        snapshot={"project": {"reference": active.reference}},
        content_hash=hashlib.sha256(b"snapshot " + name.encode()).hexdigest(),
        document_number=f"SEC-{name.upper()}",
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        requested_by=lead,
    )
    side.disclosure.file.save(f"{name}.pdf", ContentFile(pdf), save=False)
    side.disclosure.save()

    completed = _put_in_state(
        _proposal(side, f"{name.title()} completed project"),
        Project.Status.COMPLETED,
        start=today - datetime.timedelta(days=600),
        end=today - datetime.timedelta(days=30),
        delivery_ended_on=today - datetime.timedelta(days=30),
    )
    final_services.final_report_save(
        project=completed, data={"overview": "Half written"}, actor=lead
    )
    side.projects["completed"] = completed

    side.invitation = account_services.invitation_create(
        organisation=icb,
        email=f"colleague-{name}@example.org",
        first_name="Ada",
        last_name="Lovelace",
        role=Role.PARTNERSHIP_LEAD,
        actor=lead,
    )
    side.invitation_token = account_services.invitation_token(side.invitation)
    side.token, _secret = api_services.token_create(
        user=lead,
        name=f"{name} system",
        scope="write",
        expires_on=today + datetime.timedelta(days=30),
        actor=lead,
    )
    return side


@dataclass
class World:
    users: dict
    own: Side
    other: Side

    def side(self, name) -> Side:
        return self.own if name == "own" else self.other


def build_world() -> World:
    own = build_side(
        "own",
        icb=OrganisationFactory(name="NHS Ownshire Integrated Care Board", ods_code="QZ1"),
        company=CompanyFactory(name="Own Pharma UK Ltd", companies_house_number="01234567"),
    )
    other = build_side(
        "other",
        icb=OrganisationFactory(name="NHS Othershire Integrated Care Board", ods_code="QZ2"),
        company=CompanyFactory(name="Other Pharma UK Ltd", companies_house_number="07654321"),
    )
    users = dict(own.people)
    users["auditor"] = _member(own.icb, Role.AUDITOR, mfa=True)
    administrator = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(administrator, TOTP_SECRET)
    RecoveryCodes.activate(administrator)
    users["administrator"] = administrator
    users["outsider"] = UserFactory()
    assert set(users) == set(ROLES)
    return World(users=users, own=own, other=other)


def team_member_row(project, user) -> TeamMember:
    return TeamMember.objects.get(project=project, user=user)


def company_partner(project) -> Partner:
    return Partner.objects.get(project=project, is_lead=False)


def money(value) -> Decimal:
    return Decimal(value)
