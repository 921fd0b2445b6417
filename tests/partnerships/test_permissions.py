"""Every project page, for each person in the cast: allowed (200), refused (403), not even
shown to exist (404), or sign in first (302 to the sign-in page).

A project is visible to its team, the members of its partner organisations (the lead ICB's
panel among them), auditors and administrators; only the project lead, the deputy and
administrators steer it. Everyone else gets a 404 for its id.
"""

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Membership
from partnerships.models import Project
from partnerships.sections import OPENABLE_SECTIONS
from partnerships.services.projects import open_sections_set, project_transition
from tests.factories import CompanyFactory, UserFactory

ANON = "anonymous"
CAST = [
    "partnership_lead",  # created the project; its project lead
    "deputy",
    "industry_member",  # of the company partner, on the team
    "panel_member",  # of the lead ICB
    "auditor",
    "administrator",
    "outsider",
    "other_company_member",  # an industry member of a company not on the project
    ANON,
]
VIEWERS = {
    "partnership_lead",
    "deputy",
    "industry_member",
    "panel_member",
    "auditor",
    "administrator",
}
STEERS = {"partnership_lead", "deputy", "administrator"}
NOBODY: set[str] = set()
HIDDEN_FROM = {"outsider", "other_company_member"}


def pages(project):
    """Each page of a draft: (path, who gets a 200). Other viewers get 403, others 404."""
    pk = project.pk
    result = {
        "status": (reverse("partnerships:project-detail", args=[pk]), VIEWERS),
        "task list": (reverse("partnerships:proposal", args=[pk]), VIEWERS),
        "check your answers": (reverse("partnerships:proposal-check", args=[pk]), VIEWERS),
        "partners": (reverse("partnerships:partner-list", args=[pk]), VIEWERS),
        "team": (reverse("partnerships:team-list", args=[pk]), VIEWERS),
        "documents": (reverse("partnerships:document-list", args=[pk]), VIEWERS),
        "withdraw": (reverse("partnerships:project-withdraw", args=[pk]), STEERS),
    }
    for key in OPENABLE_SECTIONS:
        result[f"section {key}"] = (
            reverse("partnerships:section-edit", args=[pk, key]),
            STEERS,
        )
    # The outcome measures' own pages, as the evaluation section's.
    measure = project.measures.first()
    measure_pk = measure.pk if measure else 0
    result["section measure add"] = (reverse("partnerships:measure-add", args=[pk]), STEERS)
    result["section measure change"] = (
        reverse("partnerships:measure-edit", args=[pk, measure_pk]),
        STEERS,
    )
    result["section measure remove"] = (
        reverse("partnerships:measure-remove", args=[pk, measure_pk]),
        STEERS,
    )
    return result


def expected_status(who, allowed):
    if who == ANON:
        return 302
    if who in HIDDEN_FROM:
        return 404
    return 200 if who in allowed else 403


@pytest.fixture
def other_company_member(db):
    user = UserFactory()
    account_services.membership_add(
        user=user,
        organisation=CompanyFactory(name="Elsewhere Pharma Ltd"),
        role=Membership.Role.INDUSTRY_MEMBER,
    )
    return user


@pytest.fixture
def people(
    partnership_lead,
    deputy,
    industry_member,
    panel_member,
    auditor,
    administrator,
    outsider,
    other_company_member,
):
    return {
        "partnership_lead": partnership_lead,
        "deputy": deputy,
        "industry_member": industry_member,
        "panel_member": panel_member,
        "auditor": auditor,
        "administrator": administrator,
        "outsider": outsider,
        "other_company_member": other_company_member,
    }


def check_pages(client, people, who, pages_and_allowed):
    if who != ANON:
        client.force_login(people[who])
    failures = []
    for name, (path, allowed) in pages_and_allowed.items():
        response = client.get(path)
        expected = expected_status(who, allowed)
        if response.status_code != expected:
            failures.append(f"{name} ({path}): {response.status_code}, expected {expected}")
        elif expected == 302:
            sign_in = reverse("account_login")
            if not response["Location"].startswith(f"{sign_in}?next="):
                failures.append(f"{name}: redirected to {response['Location']}, not sign-in")
    assert not failures, f"{who}:\n" + "\n".join(failures)


@pytest.mark.parametrize("who", CAST)
def test_each_page_of_a_draft_answers_each_role(client, people, ready_proposal, who):
    check_pages(client, people, who, pages(ready_proposal))


@pytest.mark.parametrize("who", CAST)
def test_each_page_of_a_submitted_proposal_answers_each_role(
    client, people, ready_proposal, partnership_lead, who
):
    """Once submitted, nobody edits a section; the lead and deputy may still withdraw."""
    project = project_transition(project=ready_proposal, action="submit", actor=partnership_lead)
    expected = pages(project)
    for name, (path, _allowed) in expected.items():
        if name.startswith("section "):
            expected[name] = (path, NOBODY)
    check_pages(client, people, who, expected)


@pytest.mark.parametrize("who", CAST)
def test_approved_project_can_no_longer_be_withdrawn(client, people, ready_proposal, who):
    """Withdrawal ends at approval: the lead is sent back to the status page."""
    Project.objects.filter(pk=ready_proposal.pk).update(status=Project.Status.APPROVED)
    path = reverse("partnerships:project-withdraw", args=[ready_proposal.pk])
    if who != ANON:
        client.force_login(people[who])
    response = client.get(path)
    if who in STEERS:
        assert response.status_code == 302
        assert response["Location"] == ready_proposal.get_absolute_url()
    else:
        assert response.status_code == expected_status(who, STEERS)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("industry_member", 200),
        ("panel_member", 403),
        ("auditor", 403),
        ("other_company_member", 404),
        ("outsider", 404),
    ],
)
def test_an_opened_section_is_editable_by_the_partners_team_member_only(
    client, people, ready_proposal, partnership_lead, who, expected
):
    open_sections_set(project=ready_proposal, sections=["delivery"], actor=partnership_lead)
    client.force_login(people[who])
    opened = reverse("partnerships:section-edit", args=[ready_proposal.pk, "delivery"])
    still_closed = reverse("partnerships:section-edit", args=[ready_proposal.pk, "summary"])
    assert client.get(opened).status_code == expected
    assert client.get(still_closed).status_code == (404 if expected == 404 else 403)


@pytest.mark.parametrize("who", ["outsider", "other_company_member", "panel_member"])
def test_another_icbs_project_is_404(client, people, who):
    """A project led by another ICB is invisible to this ICB's panel and to strangers."""
    from tests.factories import OrganisationFactory, draft_project

    other_icb = OrganisationFactory(name="NHS Elsewhere ICB")
    lead = UserFactory()
    account_services.membership_add(
        user=lead, organisation=other_icb, role=Membership.Role.PARTNERSHIP_LEAD
    )
    project = draft_project(lead_user=lead, lead_organisation=other_icb)
    client.force_login(people[who])
    for name, (path, _allowed) in pages(project).items():
        assert client.get(path).status_code == 404, name
