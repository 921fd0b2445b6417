"""The public transparency register: approved projects only, public fields only."""

import pytest
from django.urls import reverse

from partnerships.models import Project, SectionComment
from partnerships.services.projects import project_transition, section_save
from tests.factories import (
    CompanyFactory,
    OrganisationFactory,
    UserFactory,
    complete_proposal,
    draft_project,
)

REGISTER = "/register/"


def publish(project, lead):
    project = project_transition(project=project, action="submit", actor=lead)
    return project_transition(project=project, action="approve", actor=None)


@pytest.fixture
def published(ready_proposal, partnership_lead):
    return publish(ready_proposal, partnership_lead)


def another_project(title, therapy_area="Respiratory", company_name=None, status="approved"):
    from accounts.services import membership_add

    icb = OrganisationFactory()
    lead, deputy = UserFactory(), UserFactory()
    for user in (lead, deputy):
        membership_add(user=user, organisation=icb, role="partnership_lead")
    company = CompanyFactory(**({"name": company_name} if company_name else {}))
    project = complete_proposal(
        project=draft_project(lead_user=lead, lead_organisation=icb, title=title),
        lead_user=lead,
        deputy_user=deputy,
        company=company,
    )
    section_save(project=project, key="about", actor=lead, data={"therapy_area": therapy_area})
    section_save(
        project=project,
        key="summary",
        actor=lead,
        data={"executive_summary": f"{title}: summary for publication."},
    )
    if status == "draft":
        return project
    project = project_transition(project=project, action="submit", actor=lead)
    if status == "approved":
        project = publish_approved(project)
    return project


def publish_approved(project):
    return project_transition(project=project, action="approve", actor=None)


def test_approval_publishes_the_summary(ready_proposal, partnership_lead):
    project = publish(ready_proposal, partnership_lead)
    assert project.summary_published_at is not None
    assert "executive summary published" in project.events.first().description


def test_register_is_public_and_shows_the_published_project(client, published, company):
    response = client.get(REGISTER)
    assert response.status_code == 200
    body = response.content.decode()
    assert published.title in body
    assert published.reference in body
    assert "A project to improve asthma care." in body
    assert company.name in body
    assert "£50,000.00" in body and "£20,000.00" in body
    entry = client.get(reverse("governance:register-entry", args=[published.reference]))
    assert entry.status_code == 200
    assert published.title in entry.content.decode()


def test_nothing_unapproved_or_private_appears(
    client, published, partnership_lead, industry_member, db
):
    SectionComment.objects.create(
        project=published, section="need", author=partnership_lead, body="PRIVATE-COMMENT-XYZ"
    )
    submitted = another_project("SUBMITTED-ONLY-PROJECT", status="submitted")
    draft = another_project("DRAFT-ONLY-PROJECT", status="draft")
    body = client.get(REGISTER).content.decode()
    for private in (
        "SUBMITTED-ONLY-PROJECT",
        "DRAFT-ONLY-PROJECT",
        "PRIVATE-COMMENT-XYZ",
        partnership_lead.email,
        industry_member.email,
        "lead@example.org",
        "Joint oversight group",
        "Audit and review clinics",
    ):
        assert private not in body, private
    for project in (submitted, draft):
        assert (
            client.get(
                reverse("governance:register-entry", args=[project.reference or "CW-0"])
            ).status_code
            == 404
        )
    Project.objects.filter(pk=published.pk).update(status="withdrawn")
    assert (
        client.get(reverse("governance:register-entry", args=[published.reference])).status_code
        == 404
    )


def test_user_text_is_escaped(client, ready_proposal, partnership_lead):
    section_save(
        project=ready_proposal,
        key="summary",
        actor=partnership_lead,
        data={"executive_summary": "<script>alert('x')</script> summary"},
    )
    publish(ready_proposal, partnership_lead)
    body = client.get(REGISTER).content.decode()
    assert "<script>alert('x')</script>" not in body
    assert "&lt;script&gt;" in body


def test_search_and_filters(client, published, company):
    asthma = published
    skin = another_project(
        "Improving the skin cancer pathway",
        therapy_area="Dermatology",
        company_name="Dermapharm Ltd",
    )

    def titles(**params):
        body = client.get(REGISTER, params).content.decode()
        return {t for t in (asthma.title, skin.title) if t in body}

    assert titles() == {asthma.title, skin.title}
    assert titles(q="skin cancer") == {skin.title}
    assert titles(q="asthma") == {asthma.title}
    assert titles(q=skin.reference) == {skin.title}
    assert titles(q="Dermapharm") == {skin.title}
    assert titles(area="Dermatology") == {skin.title}
    assert titles(company=company.pk) == {asthma.title}
    assert titles(icb=asthma.lead_organisation_id) == {asthma.title}
    assert titles(year=asthma.summary_published_at.year) == {asthma.title, skin.title}
    assert titles(year="1999") == set()
    assert titles(icb="not-a-number", company="x") == {asthma.title, skin.title}


def test_register_query_count_does_not_grow(client, published, django_assert_max_num_queries):
    another_project("Second project")
    with django_assert_max_num_queries(20) as small:
        client.get(REGISTER)
    for n in range(6):
        another_project(f"More project {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(REGISTER)


def test_register_is_in_the_navigation_for_everyone(client, db):
    body = client.get("/").content.decode()
    assert f'href="{REGISTER}"' in body
